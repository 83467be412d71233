"""Issue 18's walk: a participant answers two questions and shares a photo with the group;
the worker runs the session's slideshow (offline once loaded), tags two themes, builds an
exhibition of three consented photos, sends it to print and downloads the three PDFs; a
withdrawal after printing shows on the exhibition's page."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import api_token, user
from tests.fixtures.browser import assert_axe_clean, log_in, open_phone, scrolls_sideways
from tests.fixtures.exhibitions import exhibit_ready, page_mm, read_pdf
from tests.fixtures.photos import photo
from tests.fixtures.programme import make_session
from workshop.discussion.models import DEFAULT_QUESTIONS
from workshop.extensions import db
from workshop.photos import services as photos
from workshop.photos.models import Photo
from workshop.programme import services as programme

pytestmark = pytest.mark.browser

CAPTIONS = ("Morning on the canal", "Tea with Nan", "The long road")


def _session_photos(app, participant, worker, session_id: int) -> tuple[list[int], int]:
    """Three photos approved with a yes for the gallery and exhibitions, in the session,
    and one of the session with no yes at all."""
    ids = [exhibit_ready(app, participant, worker, seed=n, caption=caption)
           for n, caption in enumerate(CAPTIONS)]
    with app.app_context():
        owner = user(participant)
        for photo_id in ids:
            db.session.get(Photo, photo_id).session_id = session_id
        programme.enrol(user(worker), programme.get_session(user(worker), session_id),
                        owner.id)
        unconsented = photos.upload(owner, photos.upload_target(owner, session_id=session_id),
                                    io.BytesIO(photo(seed=9)), "Not for show")
        db.session.commit()
        return ids, unconsented.id


def test_reflect_share_discuss_exhibit_print(app, client, open_page, participant, worker,
                                             browser_log, tmp_path: Path):
    session_id = make_session(app, worker)
    ids, unconsented = _session_photos(app, participant, worker, session_id)

    # The participant, on a phone: two answers, and the first photo shared with the group.
    phone = open_phone(open_page)
    log_in(phone, participant, tap=True)
    phone.goto(f"/photos/{ids[0]}")
    phone.get_by_role("link", name="Talk about this photo").tap()
    phone.get_by_label(DEFAULT_QUESTIONS[0]).fill("The canal by the old mill")
    phone.get_by_label(DEFAULT_QUESTIONS[2]).fill("I walk here every morning now")
    phone.get_by_label("Show it to my group in the session").check()
    assert_axe_clean(phone, "the reflection page")
    assert not scrolls_sideways(phone)
    phone.get_by_role("button", name="Save").tap()
    expect(phone.get_by_role("status")).to_contain_text("Your group will see it")
    expect(phone.get_by_label(DEFAULT_QUESTIONS[2])).to_have_value(
        "I walk here every morning now")
    # The second shared too, to have two slides.
    phone.goto(f"/photos/{ids[1]}/reflect")
    phone.get_by_label("Show it to my group in the session").check()
    phone.get_by_label("Show my name with it").check()
    phone.get_by_role("button", name="Save").tap()
    expect(phone.get_by_role("status")).to_contain_text("Saved.")

    # The worker, on the room's screen: the slideshow, one photo at a time.
    desk = open_page("desktop")
    log_in(desk, worker)
    desk.goto(f"/sessions/{session_id}")
    desk.get_by_role("link", name="Talk about the photos (slideshow)").click()
    show = desk.locator("[data-slideshow]")
    expect(show).to_have_attribute("data-loaded", "all")
    slides = desk.locator(".slide")
    expect(slides).to_have_count(2)
    first, second = desk.locator(f"#photo-{ids[0]}"), desk.locator(f"#photo-{ids[1]}")
    expect(first).to_be_visible()
    expect(second).to_be_hidden()
    expect(first).to_contain_text(DEFAULT_QUESTIONS[0])
    # No name unless chosen: the first was shared without one, the second with.
    expect(first.locator(".slide-name")).to_have_text("")
    assert_axe_clean(desk, "the session slideshow")

    # Loaded once, it goes on without the network: the keyboard moves to the next photo.
    desk.context.set_offline(True)
    desk.keyboard.press("ArrowRight")
    expect(second).to_be_visible()
    expect(first).to_be_hidden()
    expect(second.locator(".slide-name")).to_have_text("Sky")
    assert second.locator("img").evaluate("picture => picture.naturalWidth") > 0
    desk.keyboard.press("ArrowLeft")
    expect(first).to_be_visible()
    # A tap on the picture's right half moves on too.
    box = first.locator("img").bounding_box()
    desk.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    expect(second).to_be_visible()
    desk.context.set_offline(False)

    # Two themes the group names, tagged from the slides.
    second.get_by_label("Add a theme").fill("Family")
    second.get_by_role("button", name="Tag").click()
    # The page's message, not the slideshow's own "Ready" line.
    flashes = desk.locator(".flashes")
    expect(flashes).to_contain_text("Tagged: Family.")
    expect(second).to_be_visible()
    first_again = desk.locator(f"#photo-{ids[0]}")
    desk.keyboard.press("ArrowLeft")
    first_again.get_by_label("Add a theme").fill("Places we walk")
    first_again.get_by_role("button", name="Tag").click()
    expect(flashes).to_contain_text("Tagged: Places we walk.")
    desk.get_by_role("link", name="Theme board").click()
    expect(desk.get_by_role("heading", name="Family")).to_be_visible()
    expect(desk.get_by_role("heading", name="Places we walk")).to_be_visible()

    # An exhibition of the three consented photos; the one without a yes is not offered,
    # and the API refuses it by name.
    desk.get_by_role("link", name="Photos", exact=True).click()
    desk.get_by_role("link", name="Exhibitions").click()
    desk.get_by_label("Title").fill("Our lives in pictures")
    desk.get_by_label("Where").fill("Town library")
    desk.get_by_label("First day").fill("2027-03-01")
    desk.get_by_label("Last day").fill("2027-03-14")
    desk.get_by_label("Print size").select_option("13x18")
    desk.get_by_role("button", name="Plan it").click()
    expect(desk.get_by_role("status")).to_contain_text("Now choose its photos.")
    exhibition_id = int(desk.url.rstrip("/").rsplit("/", 1)[1])
    expect(desk.locator(f"#pick-{unconsented}")).to_have_count(0)
    for position, photo_id in enumerate(ids, start=1):
        desk.locator(f"#pick-{photo_id}").check()
        desk.locator(f"#position-{photo_id}").fill(str(position))
    desk.get_by_role("button", name="Save the photos").click()
    expect(desk.get_by_role("status")).to_contain_text("The photos are saved")
    refused = client.put(f"/api/v1/exhibitions/{exhibition_id}/photos",
                         headers=api_token(app, worker),
                         json={"photo_ids": [*ids, unconsented]})
    assert refused.status_code == 409 and f"Photo {unconsented}" in refused.json["detail"]
    # The small test photos are flagged before printing.
    expect(desk.get_by_text("have too little detail")).to_be_visible()
    desk.get_by_role("button", name="Send to print").click()
    expect(desk.get_by_role("status")).to_contain_text("Sent to print.")
    assert_axe_clean(desk, "the exhibition page")

    pdfs = {}
    for kind, link in (("prints", "Prints (PDF)"), ("cards", "Caption cards, A6 (PDF)"),
                       ("catalogue", "Catalogue, A4 (PDF)")):
        with desk.expect_download() as download:
            desk.get_by_role("link", name=link).click()
        path = tmp_path / f"{kind}.pdf"
        download.value.save_as(path)
        pdfs[kind] = read_pdf(path.read_bytes())
    assert len(pdfs["prints"].pages) == 3
    # 320 x 240 px at 200 dpi: 4.1 x 3.0 cm to a millimetre, each at its best size.
    assert all(page_mm(page) == (41.0, 30.0) for page in pdfs["prints"].pages)
    assert len(pdfs["cards"].pages) == 3
    assert all(page_mm(page) == (105.0, 148.0) for page in pdfs["cards"].pages)
    assert len(pdfs["catalogue"].pages) == 4
    assert all(page_mm(page) == (210.0, 297.0) for page in pdfs["catalogue"].pages)
    for index, caption in enumerate(CAPTIONS):
        for text in (pdfs["cards"].pages[index].extract_text(),
                     pdfs["catalogue"].pages[index + 1].extract_text()):
            assert caption in text and "Photo: Sky" in text

    # After printing the participant takes back their yes: recorded, and said.
    phone.goto(f"/photos/{ids[1]}")
    phone.get_by_role("button", name="Take it back: say no").nth(1).tap()
    expect(phone.get_by_text("Not for exhibitions")).to_be_visible()
    desk.reload()
    expect(desk.get_by_text("The print was already made")).to_be_visible()
    visitor = open_page("phone")
    visitor.goto(f"/exhibitions/{exhibition_id}/show")
    expect(visitor.get_by_text(CAPTIONS[0])).to_be_visible()
    expect(visitor.get_by_text(CAPTIONS[1])).to_have_count(0)
    assert_axe_clean(visitor, "the exhibition's public page")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
