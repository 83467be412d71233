"""A worker plans a session, enrols people and takes the register on a phone; axe checks."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import make_account, user
from tests.fixtures.browser import describe, log_in, open_menu, scrolls_sideways, serious_violations
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera
from workshop.extensions import db
from workshop.programme import services as programme

pytestmark = pytest.mark.browser

SCREENSHOTS = None  # set to a folder to keep pictures of the phone pages while working


def test_worker_plans_a_session_enrols_people_and_takes_the_register_on_a_phone(
        app, open_page, worker, participant, browser_log):
    make_account(app, "robin", "participant", worker.site_id)
    make_camera(app, worker, "CAM-01")
    page = open_page("small-phone")
    log_in(page, worker, tap=True)

    open_menu(page)
    page.get_by_role("link", name="Sessions", exact=True).tap()
    page.get_by_role("link", name="Plan a session").tap()
    expect(page.get_by_label("Title")).to_be_focused()
    page.get_by_label("Title").fill("Window light")
    start = (datetime.now(UTC) + timedelta(hours=1)).astimezone(app.config["TZ"])
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place").fill("Group room")
    page.get_by_label("How many people can come?").fill("2")
    page.get_by_role("button", name="Plan it").tap()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Window light")
    expect(page.get_by_role("status")).to_contain_text("Window light is planned.")
    for name in ("Sky", "Robin"):
        page.get_by_label("Enrol someone").select_option(label=name)
        page.get_by_role("button", name="Enrol", exact=True).tap()
        expect(page.get_by_role("status")).to_contain_text(f"{name} is enrolled.")
    expect(page.get_by_text("The session is full.")).to_be_visible()
    assert not scrolls_sideways(page)

    page.get_by_role("link", name="Book cameras").tap()
    page.get_by_label("How many cameras?").fill("1")
    page.get_by_role("button", name="Book any free ones").tap()
    expect(page.get_by_role("status")).to_contain_text("Booked for this session: CAM-01.")

    page.get_by_role("link", name="Take the register").tap()
    expect(page.locator("#register-count")).to_have_text("0 of 2 here.")
    page.get_by_role("button", name="Sky: here").tap()
    expect(page.locator("#register-count")).to_have_text("1 of 2 here.")
    expect(page.get_by_role("button", name="Sky: here")).to_have_attribute(
        "aria-pressed", "true")
    page.get_by_role("button", name="Robin: not here").tap()
    expect(page.locator("#person-" + str(participant.id))).to_contain_text("Here")
    expect(page.get_by_role("button", name="Robin: not here")).to_have_attribute(
        "aria-pressed", "true")
    for button in page.locator(".register-buttons .button").all():
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 100, box
    assert not scrolls_sideways(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/register-320.png", full_page=True)

    page.get_by_role("link", name="Back to the session").tap()
    page.get_by_role("link", name="Hand out CAM-01").tap()
    page.get_by_label("Who is taking it?").select_option(label="Sky")
    page.get_by_role("button", name="Hand out").tap()
    expect(page.get_by_role("status")).to_contain_text("CAM-01 is out with Sky")
    expect(page.locator("#cameras")).to_contain_text("Out with Sky")
    assert browser_log.page_errors == []
    assert browser_log.csp_violations == []


def _planned(app, worker, participant) -> int:
    make_camera(app, worker, "CAM-01")
    start = datetime.now(UTC) + timedelta(days=1)
    session_id = make_session(app, worker, start=start, lead_worker_id=worker.id)
    with app.app_context():
        actor = user(worker)
        session = programme.get_session(actor, session_id)
        programme.enrol(actor, session, participant.id)
        programme.reserve_cameras(actor, session, count=1)
        db.session.commit()
    return session_id


PAGES = [
    ("session list", "/sessions"),
    ("month calendar", "/sessions/calendar?month={month}"),
    ("session page", "/sessions/{session}"),
    ("register", "/sessions/{session}/register"),
    ("new session form", "/sessions/new"),
    ("camera booking for a session", "/sessions/{session}/cameras"),
]


@pytest.mark.parametrize("device", ["desktop", "small-phone"])
@pytest.mark.parametrize("name, path", PAGES, ids=[name for name, _ in PAGES])
def test_session_pages_pass_axe_and_fit_a_small_phone(app, open_page, worker, participant,
                                                      browser_log, name, path, device):
    session_id = _planned(app, worker, participant)
    month = (datetime.now(UTC) + timedelta(days=1)).astimezone(app.config["TZ"])
    page = open_page(device)
    log_in(page, worker, tap=device != "desktop")
    url = path.format(session=session_id, month=month.strftime("%Y-%m"))
    response = page.goto(url)
    assert response and response.ok, f"{url}: {response and response.status}"
    violations = serious_violations(page)
    assert violations == [], f"axe on the {name} ({device}):\n{describe(violations)}"
    assert not scrolls_sideways(page), f"the {name} scrolls sideways on a {device}"
    if device != "desktop":
        for target in page.locator("main").get_by_role("button").all():
            if target.is_visible():
                box = target.bounding_box()
                assert box and box["height"] >= 44, f"small touch target: {target}: {box}"
        if SCREENSHOTS:
            slug = re.sub(r"\W+", "-", name)
            page.screenshot(path=f"{SCREENSHOTS}/{slug}-320.png", full_page=True)
    assert browser_log.csp_violations == [], "\n".join(browser_log.csp_violations)
    assert browser_log.page_errors == []


def test_a_participant_sees_their_session_on_a_phone(app, open_page, worker, participant,
                                                     browser_log):
    session_id = _planned(app, worker, participant)
    page = open_page("small-phone")
    log_in(page, participant, tap=True)
    expect(page.get_by_role("heading", name="Your next sessions")).to_be_visible()
    page.get_by_role("link", name="Light and shade").tap()
    expect(page).to_have_url(re.compile(rf"/sessions/{session_id}$"))
    assert serious_violations(page) == []
    assert not scrolls_sideways(page)
