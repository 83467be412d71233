"""A participant sends five photos from a phone: a bar for each, feedback for each, progress."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import describe, log_in, open_menu, scrolls_sideways, serious_violations
from tests.fixtures.photos import photo, photo_count
from tests.photos import images
from workshop.extensions import db
from workshop.lessons import services as lessons

pytestmark = pytest.mark.browser


def test_participant_sends_five_photos_from_a_phone(app, open_page, participant,
                                                    browser_log):
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()
    files = [
        {"name": f"IMG_000{n}.jpg", "mimeType": "image/jpeg",
         "buffer": photo((1600, 1200), seed=n, blur=14 if n == 3 else 0)}
        for n in range(1, 5)
    ] + [{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": images.text()}]
    page = open_page("small-phone")
    log_in(page, participant, tap=True)
    open_menu(page)
    page.get_by_role("link", name="Photos", exact=True).tap()
    page.get_by_role("link", name="Send photos").tap()

    page.get_by_label("Choose photos").set_input_files(files)
    page.get_by_role("button", name="Send").tap()

    items = page.locator(".upload-item")
    expect(items).to_have_count(5)
    # Sent one after another: while the first goes, the later ones wait with their bar.
    expect(page.get_by_role("progressbar", name="Sending IMG_0004.jpg")).to_be_attached()
    expect(page.locator(".upload-item.done")).to_have_count(4, timeout=30_000)
    expect(page.locator(".upload-item.failed")).to_have_count(1)
    expect(page.locator("progress")).to_have_count(0)

    for n in (1, 2, 4):
        item = items.nth(n - 1)
        expect(item.locator(".feedback-line").first).to_contain_text("Keeping still:")
        expect(item.locator("img")).to_have_js_property("complete", True)
    shaky = items.nth(2)
    expect(shaky.locator(".feedback-line.try").first).to_contain_text("Keeping still")
    expect(shaky.get_by_role("link", name="Lesson:").first).to_be_visible()
    expect(items.nth(4)).to_contain_text("not a photo")
    assert photo_count(app) == 4
    assert not scrolls_sideways(page)
    violations = serious_violations(page)
    assert violations == [], f"axe after the upload:\n{describe(violations)}"

    # A second copy is refused (problem+json), with a way to the one sent before.
    page.get_by_label("Choose photos").set_input_files(files[:1])
    page.get_by_role("button", name="Send").tap()
    again = page.locator(".upload-item").nth(5)
    expect(again).to_contain_text("You have already uploaded this photo.")
    expect(again.get_by_role("link", name="See the one you sent before")).to_have_attribute(
        "href", re.compile(r"^/photos/\d+$"))
    assert photo_count(app) == 4

    page.goto("/photos/progress")
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    expect(page.get_by_text("4 photos so far")).to_be_visible()
    expect(page.get_by_role("img", name="Each photo from oldest to newest")).to_be_visible()
    assert not scrolls_sideways(page)
    assert serious_violations(page) == []
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
