"""An admin connects the Flickr account in a browser (against the fake Flickr), an approved
photo reaches the group, and a withdrawn one leaves it."""

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import describe, log_in, serious_violations
from tests.fixtures.flickr import approved_photo, drain, flickr_settings, on_flickr
from tests.fixtures.photos import withdraw
from workshop.extensions import db
from workshop.photos.models import Photo

pytestmark = pytest.mark.browser


@pytest.fixture
def app_overrides(fake) -> dict:
    return flickr_settings(fake)


def test_connect_send_and_take_down(app, open_page, fake, admin, participant, worker,
                                    browser_log):
    page = open_page("desktop")
    log_in(page, admin)
    page.goto("/flickr/connection")
    expect(page.get_by_text("No Flickr account is connected.")).to_be_visible()
    page.get_by_role("button", name="Connect to Flickr").click()

    # Flickr's own page (the fake's), on another origin.
    page.wait_for_url(f"{fake.base_url}/**")
    page.get_by_role("button", name="OK, I'll authorise it").click()

    page.wait_for_url("**/flickr/connection")
    expect(page.get_by_text("Flickr is connected as workshop-programme.")).to_be_visible()
    expect(page.get_by_text("Flickr says this is workshop-programme.")).to_be_visible()
    violations = serious_violations(page)
    assert violations == [], describe(violations)

    photo_id = approved_photo(app, participant, worker)
    drain(app)
    with app.app_context():
        photo_uuid = db.session.get(Photo, photo_id).uuid
    assert len(on_flickr(fake, photo_uuid)) == 1

    desk = open_page("phone")
    log_in(desk, worker)
    desk.goto("/flickr")
    row = desk.locator(f'tr[data-photo="{photo_uuid}"]')
    expect(row.get_by_text("In the group")).to_be_visible()

    withdraw(app, participant, photo_id, ("flickr",))
    drain(app)
    assert on_flickr(fake, photo_uuid) == []
    desk.reload()
    expect(row.get_by_text("Removed")).to_be_visible()
    violations = serious_violations(desk)
    assert violations == [], describe(violations)
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
