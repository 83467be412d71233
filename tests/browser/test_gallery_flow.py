"""Submit, approve, see it in the gallery, withdraw: the path to public and back, in a browser."""

import io

import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import user
from tests.fixtures.browser import describe, log_in, scrolls_sideways, serious_violations
from tests.fixtures.photos import photo, publish
from workshop.extensions import db
from workshop.photos import moderation as moderating
from workshop.photos import services

pytestmark = pytest.mark.browser


def test_submit_approve_gallery_withdraw(app, open_page, participant, worker, browser_log):
    with app.app_context():
        owner = user(participant)
        services.upload(owner, services.upload_target(owner),
                        io.BytesIO(photo((1200, 900), seed=7)), "The old mill")
        db.session.commit()

    phone = open_page("small-phone")
    log_in(phone, participant, tap=True)
    phone.goto("/photos")
    phone.get_by_role("link", name="The old mill").first.tap()
    phone.get_by_text("Say yes to the public gallery").tap()
    expect(phone.get_by_text("public gallery on the internet")).to_be_visible()
    phone.get_by_role("button", name="Yes, I agree").tap()
    expect(phone.get_by_text("Yes to the public gallery")).to_be_visible()
    phone.get_by_label("What were you practising?").select_option("light")
    phone.get_by_label("My name here: Sky").check()
    phone.get_by_role("button", name="Send it to be checked for sharing").tap()
    expect(phone.get_by_text("Sent for checking on")).to_be_visible()
    assert not scrolls_sideways(phone)

    desk = open_page("desktop")
    log_in(desk, worker)
    desk.goto("/photos/moderation")
    desk.get_by_role("link", name="The old mill").click()
    for text in moderating.CHECKLIST.values():
        desk.get_by_label(text).check()
    desk.get_by_role("button", name="Approve").click()
    expect(desk.get_by_text("Nothing waiting")).to_be_visible()

    visitor = open_page("phone")
    visitor.goto("/gallery")
    card = visitor.get_by_role("link", name="The old mill")
    expect(card).to_contain_text("Sky")
    expect(card.locator("img")).to_have_js_property("complete", True)
    violations = serious_violations(visitor)
    assert violations == [], f"axe on the gallery:\n{describe(violations)}"
    card.click()
    expect(visitor.get_by_role("heading", name="The old mill")).to_be_visible()
    assert serious_violations(visitor) == []

    phone.goto("/photos/consents")
    phone.get_by_role("button", name="Say no").tap()
    expect(phone.get_by_text("You said no again")).to_be_visible()
    visitor.goto("/gallery")
    expect(visitor.get_by_text("No photos here yet.")).to_be_visible()
    assert browser_log.csp_violations == [] and browser_log.page_errors == []


def test_a_visitor_reports_a_photo(app, open_page, participant, worker, browser_log):
    publish(app, participant, worker, seed=8, caption="The canal", credit="anonymous",
            size=(1200, 900))

    visitor = open_page("small-phone")
    visitor.goto("/gallery")
    visitor.get_by_role("link", name="The canal").tap()
    visitor.get_by_role("link", name="Report this photo").tap()
    expect(visitor.get_by_role("heading", name="Report this photo")).to_be_visible()
    violations = serious_violations(visitor)
    assert violations == [], f"axe on the report page:\n{describe(violations)}"
    visitor.get_by_label("What is wrong with it?").fill("My neighbour is in it")
    visitor.get_by_role("button", name="Report and hide it").tap()
    expect(visitor.get_by_text("The photo is hidden while a worker looks")).to_be_visible()
    expect(visitor.get_by_text("No photos here yet.")).to_be_visible()
    # The next visitor, with no session, does not get a page kept from before.
    other = open_page("desktop")
    other.goto("/gallery")
    expect(other.get_by_text("No photos here yet.")).to_be_visible()
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
