"""A participant's day on a phone (390 x 844): log in with the card as printed, see the
camera on loan, send three photos with the big button, read the feedback and the handout,
change a caption while it waits, and find it in the gallery after a worker approves.
axe's WCAG 2.2 AA rules find nothing on any page on the way."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.accounts import make_account, user
from tests.fixtures.browser import (
    describe,
    log_in,
    scrolls_sideways,
    serious_violations,
    wcag_aa_violations,
)
from tests.fixtures.photos import photo
from tests.fixtures.stock import make_camera
from workshop.db import utcnow
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.stock import services as stock

pytestmark = pytest.mark.browser

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
              "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


def wcag_violations(page: Page) -> list[dict]:
    return wcag_aa_violations(page) + serious_violations(page)


@pytest.fixture
def open_sized(open_page) -> Callable[[str], Page]:
    """A page in a fresh context at one of SIZES."""
    return lambda size: open_page(size, **SIZES[size])


@pytest.fixture
def screens(tmp_path):
    """Screenshots of each page, kept in the test's own temporary folder."""
    folder = tmp_path / "screens"
    folder.mkdir()

    def shoot(page: Page, name: str) -> None:
        page.screenshot(path=folder / f"{name}.png", full_page=True)

    return shoot


def check_page(page: Page, name: str, screens) -> None:
    """Nothing for axe to find, nothing sideways to scroll, and a picture of the page."""
    violations = wcag_violations(page)
    assert violations == [], f"axe on {name}:\n{describe(violations)}"
    assert not scrolls_sideways(page), f"{name} scrolls sideways"
    screens(page, name)


@pytest.fixture
def day(app, site, worker):
    """Sky, whose card says apple-river-sun-12, with a camera out until Friday week."""
    sky = make_account(app, "sky", "participant", site, password="apple-river-sun-12")
    camera_id = make_camera(app, worker, "RIV-CAM-01", make="Canon", model="IXUS 185")
    due = utcnow() + timedelta(days=9)
    with app.app_context():
        lessons.load_shipped()
        stock.hand_over_now(user(worker), camera_id, sky.id, due, {"body": True})
        db.session.commit()
    return sky, due.astimezone(app.config["TZ"])


def test_a_participants_day_on_a_phone(app, open_sized, day, worker, browser_log, screens):
    sky, due = day
    page = open_sized("phone")

    # The card, typed as it reads aloud: spaces and a capital.
    page.goto("/login")
    page.get_by_label("Username").fill("sky")
    page.get_by_label("Passphrase").fill("Apple river sun 12")
    show = page.get_by_role("button", name="Show passphrase")
    expect(show).to_have_attribute("aria-pressed", "false")
    show.tap()
    expect(show).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Passphrase")).to_have_attribute("type", "text")
    check_page(page, "1-login", screens)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url("**/dashboard")

    # Home: the camera and when it is due back, first.
    camera = page.locator(".loan")
    expect(camera).to_contain_text("RIV-CAM-01 (Canon IXUS 185) is on loan to you.")
    expect(camera).to_contain_text(f"bring it back by {due:%A %-d %B, %H:%M}")
    expect(page.get_by_role("link", name="See the public gallery")).to_be_visible()
    check_page(page, "2-home", screens)

    # Three photos with the big button, seen before they go.
    page.get_by_role("link", name="Send photos").tap()
    picker = page.locator("label.picker-button")
    box = picker.bounding_box()
    assert box and box["height"] >= 48 and box["width"] >= 200, box
    files = [{"name": f"IMG_00{n}.jpg", "mimeType": "image/jpeg",
              "buffer": photo((1600, 1200), seed=n, blur=14 if n == 2 else 0)}
             for n in (1, 2, 3)]
    with page.expect_file_chooser() as chooser:
        picker.tap()
    assert chooser.value.is_multiple()
    chooser.value.set_files(files)
    chosen = page.locator("#picker-preview img")
    expect(chosen).to_have_count(3)
    for n in range(3):
        expect(chosen.nth(n)).to_have_js_property("complete", True)
        assert chosen.nth(n).evaluate("img => img.naturalWidth") > 0
    expect(page.locator("#picker-count")).to_have_text("3 photos chosen. Now press Send.")
    check_page(page, "3-photos-chosen", screens)

    page.get_by_role("button", name="Send", exact=True).tap()
    expect(page.locator(".upload-item.done")).to_have_count(3, timeout=30_000)
    expect(page.locator("#picker-preview img")).to_have_count(0)
    items = page.locator(".upload-item")
    for n in range(3):
        expect(items.nth(n).locator("img.thumb")).to_have_js_property("complete", True)
        assert items.nth(n).locator("img.thumb").evaluate("img => img.naturalWidth") > 0
        expect(items.nth(n).locator(".feedback-line").first).to_contain_text("Keeping still:")
    check_page(page, "4-feedback", screens)

    photo_path = items.first.locator("a").first.get_attribute("href")

    # The shaky one points to the handout of the lesson on keeping still.
    lesson = items.nth(1).get_by_role("link", name="Lesson:").first
    lesson.tap()
    expect(page).to_have_url(re.compile(r"/lessons/\d+/handout$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, "5-handout", screens)

    # The first photo: say yes to the gallery, send it, then change its caption.
    page.goto(photo_path)
    page.get_by_text("Say yes to the public gallery").tap()
    page.get_by_role("button", name="Yes, I agree").tap()
    page.get_by_label("Caption (what people will read under it)").fill("The canal")
    page.get_by_role("button", name="Send it to be checked for sharing").tap()
    expect(page.get_by_role("status")).to_contain_text("Sent.")
    page.get_by_label("Caption", exact=True).fill("The canal at dusk")
    page.get_by_role("button", name="Save the caption").tap()
    expect(page.get_by_role("status")).to_contain_text("The new caption is saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("The canal at dusk")
    expect(page.get_by_role("button", name="Take it out of the queue")).to_be_visible()
    check_page(page, "6-waiting", screens)

    # A worker approves it, on the office PC.
    desk = open_sized("desktop")
    log_in(desk, worker)
    desk.goto(photo_path)
    expect(desk.get_by_role("heading", level=1)).to_have_text("The canal at dusk")
    for box in desk.locator(".approve-form input[type=checkbox]").all():
        box.check()
    desk.get_by_role("button", name="Approve").click()
    expect(desk.get_by_role("status")).to_contain_text("Approved.")

    # Back home, it is news.
    page.goto("/dashboard")
    expect(page.locator(".news")).to_contain_text("“The canal at dusk” is in the gallery.")
    check_page(page, "7-home-in-the-gallery", screens)
    assert browser_log.csp_violations == [] and browser_log.page_errors == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_progress_and_the_pages_around_it_at_both_sizes(app, open_sized, day, browser_log,
                                                        screens, size):
    sky, _ = day
    page = open_sized(size)
    log_in(page, sky)
    page.goto("/photos/upload")
    # By keyboard alone: Tab to the picker (its button shows the focus), Space opens it.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "photos":
            break
    shadow = page.locator("label.picker-button").evaluate(
        "label => getComputedStyle(label).boxShadow")
    assert shadow != "none", "the focused picker shows no focus"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        [{"name": f"{n}.jpg", "mimeType": "image/jpeg", "buffer": photo(seed=n)}
         for n in range(4)])
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".upload-item.done")).to_have_count(4, timeout=30_000)

    page.goto("/photos/progress")
    thumbs = page.locator("table img.progress-thumb")
    expect(thumbs).to_have_count(4)
    for n in range(4):
        expect(thumbs.nth(n)).to_have_js_property("complete", True)
    dots = page.locator(".progress-chart circle")
    expect(dots).to_have_count(8)
    width = dots.first.bounding_box()["width"]
    # Big enough to see and tap on a phone; not balloons on a desktop.
    assert (24 <= width <= 32) if size == "phone" else (36 <= width <= 56), width
    check_page(page, f"progress-{size}", screens)

    for path, name in (("/dashboard", "home"), ("/photos/consents", "consents"),
                       ("/account", "account")):
        page.goto(path)
        check_page(page, f"{name}-{size}", screens)
    expect(page.get_by_text("API token")).to_have_count(0)
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
