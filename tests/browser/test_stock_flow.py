"""A worker lends a camera and gets it back in a real browser; the stock pages pass axe."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import user
from tests.fixtures.browser import describe, log_in, scrolls_sideways, serious_violations
from tests.fixtures.stock import make_camera
from workshop.extensions import db
from workshop.stock import services as stock

pytestmark = pytest.mark.browser


def test_worker_hands_a_camera_over_and_takes_it_back(open_page, worker, participant, camera,
                                                      browser_log):
    # On a phone, as when the camera's QR label has just been scanned.
    page = open_page("phone")
    log_in(page, worker, tap=True)
    page.goto(f"/cameras/{camera}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CAM-01")
    expect(page.get_by_text("On the shelf: ready to lend.")).to_be_visible()

    hand_over = page.get_by_role("link", name="Hand over now")
    expect(hand_over).to_be_in_viewport()
    hand_over.tap()
    expect(page).to_have_title(re.compile("^Hand over CAM-01"))
    expect(page.get_by_label("Who is borrowing it?")).to_be_focused()
    page.get_by_label("Who is borrowing it?").select_option(label="Sky")
    expect(page.get_by_label("Back by")).not_to_have_value("")
    for item in ("Body has no new cracks or dents", "Lens is clean and not scratched",
                 "Strap is there", "Battery or charger is there",
                 "Memory card is in the camera"):
        page.get_by_label(item).tap()
        expect(page.get_by_label(item)).to_be_checked()
    # The card was not wiped: left unticked, and said so afterwards.
    page.get_by_label("Note (if you want)").fill("Charger in the bag")
    page.get_by_role("button", name="Hand over").tap()

    expect(page).to_have_url(re.compile(rf"/cameras/{camera}$"))
    expect(page.get_by_role("status")).to_contain_text("CAM-01 is out with Sky.")
    expect(page.get_by_role("status")).to_contain_text(
        "Not ticked: Memory card is wiped of the last person's photos.")
    expect(page.locator(".status-line")).to_contain_text("Out with Sky.")
    assert not scrolls_sideways(page)

    page.get_by_role("link", name="Take back from Sky").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take back CAM-01")
    expect(page.get_by_text("At hand-over, these were not ticked")).to_be_visible()
    for item in ("Body has no new cracks or dents", "Lens is clean and not scratched",
                 "Strap is there", "Battery or charger is there",
                 "Memory card is in the camera", "Memory card is wiped of the last person's "
                 "photos"):
        # The whole row is the target, not only the small box.
        page.get_by_text(item, exact=True).tap()
    expect(page.get_by_label("It is damaged or broken")).not_to_be_checked()
    page.get_by_role("button", name="Take back").tap()

    expect(page).to_have_url(re.compile(rf"/cameras/{camera}$"))
    expect(page.get_by_role("status")).to_contain_text("CAM-01 is back on the shelf.")
    expect(page.get_by_role("link", name="Hand over now")).to_be_visible()
    history = page.locator(".loans")
    expect(history).to_contain_text("Handed over by Worker")
    expect(history).to_contain_text("Taken back by Worker")
    expect(history).to_contain_text("All checks ticked.")
    expect(history).to_contain_text("Charger in the bag")
    assert browser_log.page_errors == []
    assert browser_log.csp_violations == []


def test_a_clash_is_shown_next_to_the_form_and_the_focus_goes_there(
        app, open_page, worker, participant, camera, browser_log):
    start = datetime.now(UTC) + timedelta(days=1)
    with app.app_context():
        first = stock.create_booking(user(worker), camera, participant.id, start,
                                     start + timedelta(hours=4))
        db.session.commit()
        first_id = first.id
    page = open_page("desktop")
    log_in(page, worker)
    page.goto(f"/cameras/{camera}/book")
    page.get_by_label("Who is borrowing it?").select_option(label="Sky")
    local = start.astimezone(app.config["TZ"])
    page.get_by_label("From").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Until").fill((local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Book").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("is booked for Sky from")
    expect(alert).not_to_contain_text(f"booking {first_id}")
    expect(alert).to_contain_text("Choose another time or camera.")
    assert browser_log.csp_violations == []


def test_labels_print_without_the_navigation(open_page, worker, camera, browser_log):
    page = open_page("desktop")
    log_in(page, worker)
    page.goto("/cameras")
    page.get_by_role("button", name="Tick all").click()
    expect(page.get_by_label("Label for CAM-01")).to_be_checked()
    page.get_by_role("button", name="Print labels for the ticked cameras").click()
    expect(page).to_have_url(re.compile(rf"/cameras/labels\?camera={camera}$"))
    qr = page.get_by_role("img", name="QR code that opens CAM-01")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: SVG loaded under the CSP
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the labels")).to_be_hidden()
    expect(page.locator(".label-tag")).to_have_text("CAM-01")
    assert browser_log.csp_violations == []
    assert browser_log.page_errors == []


# --- accessibility ----------------------------------------------------------------------


def _loan(app, worker, participant, camera) -> int:
    with app.app_context():
        booking = stock.hand_over_now(user(worker), camera, participant.id,
                                      datetime.now(UTC) + timedelta(hours=3), {"body": True})
        db.session.commit()
        return booking.id


# (name, path; {camera}, {loan} and {person} are filled in)
STOCK_PAGES = [
    ("camera list", "/cameras"),
    ("camera page", "/cameras/{camera}"),
    ("camera page with a loan", "/cameras/{loaned}"),
    ("hand-over form", "/cameras/{camera}/hand-over"),
    ("take-back form", "/loans/{loan}/return"),
    ("booking form", "/cameras/{camera}/book"),
    ("new camera form", "/cameras/new"),
    ("loans out now", "/loans"),
    ("worker dashboard with numbers", "/dashboard"),
    ("label sheet", "/cameras/labels?camera={camera}&camera={loaned}"),
    ("a participant's loans", "/people/{person}/loans"),
]


@pytest.mark.parametrize("device", ["desktop", "small-phone"])
@pytest.mark.parametrize("name, path", STOCK_PAGES, ids=[name for name, _ in STOCK_PAGES])
def test_stock_pages_pass_axe_and_fit_a_small_phone(app, open_page, worker, participant,
                                                    camera, browser_log, name, path, device):
    loaned = make_camera(app, worker, "CAM-02", make="Kodak", model="PIXPRO")
    loan = _loan(app, worker, participant, loaned)
    page = open_page(device)
    log_in(page, worker, tap=device != "desktop")
    url = path.format(camera=camera, loaned=loaned, loan=loan, person=participant.id)
    response = page.goto(url)
    assert response and response.ok, f"{url}: {response and response.status}"
    violations = serious_violations(page)
    assert violations == [], f"axe on the {name} ({device}):\n{describe(violations)}"
    assert not scrolls_sideways(page), f"the {name} scrolls sideways on a {device}"
    if device != "desktop":
        for target in page.locator("main").get_by_role("button").all() + \
                page.locator("main .big-action, main .check").all():
            if target.is_visible():
                box = target.bounding_box()
                assert box and box["height"] >= 44, f"small touch target: {target}: {box}"
    assert browser_log.csp_violations == [], "\n".join(browser_log.csp_violations)
    assert browser_log.page_errors == []


def test_a_form_sent_back_with_errors_passes_axe(open_page, worker, participant, camera,
                                                 browser_log):
    page = open_page("phone")
    log_in(page, worker, tap=True)
    page.goto(f"/cameras/{camera}/hand-over")
    page.get_by_role("button", name="Hand over").tap()
    who = page.get_by_label("Who is borrowing it?")
    expect(who).to_have_attribute("aria-invalid", "true")
    expect(who).to_have_accessible_description("Choose who is borrowing it.")
    expect(who).to_be_focused()
    violations = serious_violations(page)
    assert violations == [], f"axe on the hand-over form with errors:\n{describe(violations)}"
    assert browser_log.csp_violations == []
