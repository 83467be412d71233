"""The issue's story in a real browser: a photo of two friends, one says yes and one is
blurred, a second worker approves, the gallery and Flickr show one clear and one blurred,
and the friend who agreed takes it back and is blurred in the gallery at once."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.faces import pictures
from tests.faces.pictures import crop, laplacian_variance
from tests.fixtures.browser import assert_axe_clean, log_in, open_phone
from tests.fixtures.flickr import drain, flickr_settings, on_flickr
from workshop.extensions import db
from workshop.faces.models import Face
from workshop.photos.models import Photo
from workshop.photos.storage import storage

pytestmark = pytest.mark.browser


@pytest.fixture
def app_overrides(fake) -> dict:
    return flickr_settings(fake)


def clear_and_blurred(shown: bytes, private: bytes, faces: list[Face]) -> list[bool]:
    """For each face: is it as clear as in the private copy (True) or blurred (False)?"""
    verdicts = []
    for face in faces:
        ratio = laplacian_variance(crop(shown, face)) / laplacian_variance(crop(private, face))
        assert ratio > 0.5 or ratio < 0.1, ratio
        verdicts.append(ratio > 0.5)
    return verdicts


def gallery_picture(page: Page, photo_uuid: str) -> bytes:
    page.goto(f"/gallery/{photo_uuid}")
    picture = page.locator(".photo-large img, main img").first
    expect(picture).to_have_js_property("complete", True)
    answer = page.request.get(picture.get_attribute("src"))
    assert answer.ok
    return answer.body()


def test_two_friends_one_agrees_one_blurred_then_she_takes_it_back(
        app, open_page, connected, participant, worker, browser_log):
    page = open_phone(open_page)
    log_in(page, participant, tap=True)
    page.goto("/photos/upload")
    page.get_by_label("Choose photos").set_input_files([{
        "name": "friends.jpg", "mimeType": "image/jpeg",
        "buffer": pictures.jpeg(pictures.two_people())}])
    page.get_by_role("button", name="Send").tap()
    done = page.locator(".upload-item.done")
    expect(done).to_have_count(1, timeout=30_000)
    expect(done).to_contain_text("2 faces – the people in it need to agree")

    with app.app_context():
        found = db.session.scalars(select(Photo)).one()
        photo_id, photo_uuid = found.id, found.uuid
        private = storage().copy_path(found.content_hash, "large").read_bytes()
    page.goto(f"/photos/{photo_id}")
    for consent in page.locator(".consent").all():
        consent.locator("summary").tap()
        consent.get_by_role("button", name="Yes, I agree").tap()

    page.get_by_role("link", name="Record what face 1 said").tap()
    page.get_by_label("Their first name, or how to tell who it is").fill("Sam")
    page.get_by_label("They said it").check()
    page.get_by_label("Gallery", exact=True).check()
    page.get_by_label("Flickr", exact=True).check()
    assert_axe_clean(page, "the page for one face")
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_text("Sam said yes on").first).to_be_visible()

    page.get_by_role("link", name="Record what face 2 said").tap()
    page.get_by_label("Blur their face in public").check()
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_text("Blurred in public.").first).to_be_visible()
    page.get_by_role("button", name="Send it to be checked for sharing").tap()
    expect(page.get_by_text("Sent. A worker will look at it soon")).to_be_visible()

    desk = open_page("desktop")
    log_in(desk, worker)
    desk.goto(f"/photos/{photo_id}")
    expect(desk.get_by_text("2 found: each has a decision recorded.")).to_be_visible()
    for box in desk.locator(".approve-form input[type=checkbox]").all():
        box.check()
    desk.get_by_role("button", name="Approve").click()
    expect(desk.get_by_text("Approved.")).to_be_visible()

    with app.app_context():
        faces = list(db.session.scalars(select(Face).order_by(Face.id)))
        db.session.expunge_all()
    visitor = open_page("desktop")
    assert clear_and_blurred(gallery_picture(visitor, photo_uuid), private, faces) == [
        True, False]
    drain(app)
    [sent] = on_flickr(connected, photo_uuid)
    assert clear_and_blurred(sent.data, private, faces) == [True, False]

    page.goto(f"/photos/{photo_id}/faces/{faces[0].id}")
    page.get_by_role("button", name="They said no now: take it back").tap()
    expect(page.get_by_text("is blurred in public from now on")).to_be_visible()
    assert clear_and_blurred(gallery_picture(visitor, photo_uuid), private, faces) == [
        False, False]
    drain(app)
    [resent] = on_flickr(connected, photo_uuid)
    assert clear_and_blurred(resent.data, private, faces) == [False, False]
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
