"""The exhibition's PDFs, opened with pypdf: pages, sizes, captions, credits, the colour
profile of the prints and the QR code of the cards."""

import io

import cv2
import numpy as np
from PIL import Image

from tests.fixtures.accounts import api_token, user
from tests.fixtures.exhibitions import exhibit_ready, page_mm, plan, read_pdf
from tests.fixtures.pages import login
from tests.fixtures.photos import withdraw
from tests.photos import images
from workshop.discussion import services as discussion
from workshop.extensions import db
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services as photos
from workshop.photos.models import Photo

A4 = (210.0, 297.0)
A6 = (105.0, 148.0)


def _three(app, participant, worker) -> tuple[list[int], int]:
    ids = [exhibit_ready(app, participant, worker, seed=0, caption="Morning on the canal"),
           exhibit_ready(app, participant, worker, seed=1, caption="Tea with Nan – again",
                         credit="anonymous"),
           exhibit_ready(app, participant, worker, seed=2, caption="Keys",
                         size=(2600, 1800))]
    return ids, plan(app, worker, ids, printed=True)


def _pdf(client, headers, exhibition_id: int, kind: str):
    answer = client.get(f"/api/v1/exhibitions/{exhibition_id}/{kind}.pdf", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    return read_pdf(answer.get_data())


def test_catalogue_has_a_cover_and_a_page_per_photo(app, client, participant, worker):
    ids, exhibition_id = _three(app, participant, worker)
    pdf = _pdf(client, api_token(app, worker), exhibition_id, "catalogue")
    assert len(pdf.pages) == 4
    assert all(page_mm(page) == A4 for page in pdf.pages)
    cover = pdf.pages[0].extract_text()
    assert "Our lives in pictures" in cover and "Town library" in cover
    texts = [page.extract_text() for page in pdf.pages[1:]]
    assert "Morning on the canal" in texts[0] and "Photo: Sky" in texts[0]
    # The dash is one the built-in font has; the credit is as they chose it.
    assert "Tea with Nan – again" in texts[1] and "Photo: Anonymous" in texts[1]
    assert "Keys" in texts[2] and "Photo: Sky" in texts[2]


def test_cards_are_a6_with_title_caption_credit_and_a_qr_code(app, client, participant,
                                                              worker):
    ids, exhibition_id = _three(app, participant, worker)
    with app.app_context():
        discussion.save_reflection(user(participant), db.session.get(Photo, ids[0]),
                                   answers=["Water"], title="Still water")
        db.session.commit()
    pdf = _pdf(client, api_token(app, worker), exhibition_id, "cards")
    assert len(pdf.pages) == 3
    assert all(page_mm(page) == A6 for page in pdf.pages)
    first = pdf.pages[0].extract_text()
    assert "Still water" in first and "Morning on the canal" in first
    assert "Photo: Sky" in first and "online gallery" in first
    assert "Untitled" in pdf.pages[1].extract_text()
    # Each photo is in the public gallery: its card's QR code leads to its page there.
    with app.app_context():
        uuids = [db.session.get(Photo, i).uuid for i in ids]
    for page, uuid in zip(pdf.pages, uuids, strict=True):
        [qr] = page.images
        pixels = np.asarray(qr.image.convert("L"))
        # OpenCV's older detector misses about one code in forty made from a random uuid.
        address, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(pixels)
        assert address.endswith(f"/gallery/{uuid}")


def test_prints_are_at_the_best_print_size_with_the_colour_profile(app, client, participant,
                                                                   worker):
    with app.app_context():
        owner = user(participant)
        found = photos.upload(owner, photos.upload_target(owner), io.BytesIO(
            images.jpeg((1600, 1200), icc_profile=images.other_rgb_icc(), gps=True)))
        consenting.give_consent(owner, found, ["exhibition"])
        db.session.commit()
        wide = found.id
    tall = exhibit_ready(app, participant, worker, seed=1, caption="Tall", size=(1800, 2600))
    exhibition_id = plan(app, worker, [wide, tall], printed=True, print_size="13x18")
    pdf = _pdf(client, api_token(app, worker), exhibition_id, "prints")
    assert len(pdf.pages) == 2
    # 1600 x 1200 px at 200 dpi is 20.3 x 15.2 cm; fitted in 18 x 13 cm, 17.3 x 13 cm.
    assert page_mm(pdf.pages[0]) == (173.0, 130.0)
    # Upright and no bigger than 13 x 18, in the photo's own shape.
    width, height = page_mm(pdf.pages[1])
    assert width < height and height == 180.0
    xobject = pdf.pages[0]["/Resources"]["/XObject"]
    picture = next(iter(xobject.values())).get_object()
    assert picture["/Filter"] == "/DCTDecode"
    space = picture["/ColorSpace"]
    assert space[0] == "/ICCBased"
    assert space[1].get_object().get_data() == images.other_rgb_icc()
    # The original's size, and none of its metadata (no GPS goes to the print shop).
    jpeg = picture.get_data()
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.size == (1600, 1200) and not image.getexif()


def test_a_small_photo_prints_at_its_own_best_size(app, client, participant, worker):
    small = exhibit_ready(app, participant, worker, seed=0, caption="Small", size=(800, 600))
    exhibition_id = plan(app, worker, [small], printed=True, print_size="30x45")
    pdf = _pdf(client, api_token(app, worker), exhibition_id, "prints")
    # 800 x 600 px at 200 dpi: 10.2 x 7.6 cm, far below 45 x 30.
    assert page_mm(pdf.pages[0]) == (102.0, 76.0)


def test_a_withdrawn_print_is_left_out_of_new_pdfs(app, client, participant, worker):
    ids, exhibition_id = _three(app, participant, worker)
    withdraw(app, participant, ids[1], ("exhibition",))
    pdf = _pdf(client, api_token(app, worker), exhibition_id, "catalogue")
    assert len(pdf.pages) == 3
    assert "Tea with Nan" not in "".join(page.extract_text() for page in pdf.pages)


def test_the_workers_page_links_the_pdfs(app, client, participant, worker):
    ids, exhibition_id = _three(app, participant, worker)
    login(client, worker)
    for kind in ("prints", "cards", "catalogue"):
        answer = client.get(f"/exhibitions/{exhibition_id}/{kind}.pdf")
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    participant_client = app.test_client()
    login(participant_client, participant)
    assert participant_client.get(f"/exhibitions/{exhibition_id}/cards.pdf").status_code == 404


def test_words_outside_the_fonts_letters_become_question_marks(app, client, participant,
                                                               worker):
    with app.app_context():
        owner = user(participant)
        found = photos.upload(owner, photos.upload_target(owner),
                              io.BytesIO(images.jpeg((320, 240))))
        consenting.give_consent(owner, found, ["exhibition"])
        moderating.submit(owner, found, "Home 🏠 at last", "display_name")
        db.session.commit()
        photo_id = found.id
    exhibition_id = plan(app, worker, [photo_id], printed=True)
    pdf = _pdf(client, api_token(app, worker), exhibition_id, "catalogue")
    assert "Home ? at last" in pdf.pages[1].extract_text()
