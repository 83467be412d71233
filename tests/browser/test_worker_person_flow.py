"""A worker walks through one person's page, the filtered photo list and a walk-in at the
register, at phone size (390 x 844) and at desktop size; axe's WCAG 2.2 AA rules find
nothing on any page on the way.

Screenshots of each page are kept in the test's temporary folder (pytest's tmp_path,
named in the test's output).
"""

import io
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.accounts import make_account, user
from tests.fixtures.browser import (
    describe,
    log_in,
    open_phone,
    scrolls_sideways,
    wcag_aa_violations,
)
from tests.fixtures.photos import photo, publish
from tests.fixtures.programme import make_session
from tests.fixtures.stock import lend, make_camera
from workshop.extensions import db
from workshop.photos import services as photos
from workshop.programme import services as programme

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def axe_finds_nothing(page: Page, name: str) -> None:
    violations = wcag_aa_violations(page)
    assert violations == [], f"axe (WCAG 2.2 AA) on {name}:\n{describe(violations)}"


def _day_of(app, worker, participant) -> int:
    """Sky: a camera out, a session going on now with a photo from it, a shared photo."""
    kim = make_account(app, "kim", "worker", worker.site_id, display_name="Kim")
    make_account(app, "robin", "participant", worker.site_id, display_name="Robin")
    lend(app, worker, make_camera(app, worker, "CAM-03"), participant.id,
         datetime.now(UTC) + timedelta(days=2))
    session_id = make_session(app, worker, title="Window light", capacity=4,
                              start=datetime.now(UTC) - timedelta(minutes=30))
    with app.app_context():
        actor = user(worker)
        programme.enrol(actor, programme.get_session(actor, session_id), participant.id)
        target = photos.upload_target(actor, participant.id, session_id)
        photos.upload(actor, target, io.BytesIO(photo((320, 240), seed=1)), "the window")
        db.session.commit()
    publish(app, participant, kim, seed=2, caption="the park")
    return session_id


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_worker_walks_through_a_person_the_photo_list_and_a_walk_in(
        app, open_page, worker, participant, browser_log, tmp_path, device):
    session_id = _day_of(app, worker, participant)
    page = open_page(device, viewport=SIZES[device])
    phone = device == "phone"
    log_in(page, worker, tap=phone)

    def seen(name: str) -> None:
        axe_finds_nothing(page, f"the {name} ({device})")
        assert not scrolls_sideways(page), f"the {name} scrolls sideways on a {device}"
        page.screenshot(path=tmp_path / f"{name.replace(' ', '-')}-{device}.png",
                        full_page=True)

    # One person's page, from the people list.
    page.goto("/people")
    page.get_by_role("link", name="Sky", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sky")
    expect(page.get_by_text("Has CAM-03, due back")).to_be_visible()
    expect(page.get_by_text("Framing")).to_have_count(0)
    for heading in ("Camera loans", "Photos", "Sessions", "Coaching notes",
                    "Where their photos may go"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator(".photo-state")).to_have_text(["In the gallery", "Private"])
    seen("person page")

    # The photo list, filtered down to what is in the gallery, then to the session.
    page.get_by_role("link", name="All 2 photos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sky's photos")
    expect(page.locator("#photo-count")).to_have_text("2 photos.")
    page.get_by_label("State").select_option(label="In the gallery")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#photo-count")).to_have_text("1 photo: in the gallery.")
    expect(page.get_by_role("img", name="the park")).to_be_visible()
    seen("photo list by state")
    page.get_by_label("State").select_option(label="Any state")
    page.get_by_label("Session").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#photo-count")).to_have_text("1 photo from Window light.")
    expect(page.get_by_role("img", name="the window")).to_be_visible()
    expect(page.locator(".photo-state")).to_have_text(["Private"])
    page.get_by_role("link", name="Show all photos").click()
    expect(page.locator("#photo-count")).to_have_text("2 photos.")
    expect(page.get_by_role("link", name="All about Sky")).to_have_count(2)
    seen("photo list")

    # A walk-in at the register.
    page.goto(f"/sessions/{session_id}/register")
    expect(page.locator("#register-count")).to_have_text("0 of 1 here.")
    seen("register")
    page.get_by_label("Who came without a place?").select_option(label="Robin")
    button = page.get_by_role("button", name="Add and mark here")
    button.tap() if phone else button.click()
    expect(page.get_by_role("status")).to_contain_text("Robin is added and marked here.")
    expect(page.locator("#register-count")).to_have_text("1 of 2 here.")
    expect(page.get_by_role("button", name="Robin: here")).to_have_attribute(
        "aria-pressed", "true")
    seen("register after a walk-in")
    page.get_by_role("link", name="Robin", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin")
    expect(page.get_by_text("Came to 1 session")).to_be_visible()
    seen("walk-in's page")
    assert browser_log.page_errors == []
    assert browser_log.csp_violations == []
    print(f"screenshots: {tmp_path}")


def test_the_wcag_run_would_see_a_violation(open_page):
    # Proof that axe_finds_nothing can fail with these options: a picture without words.
    page = open_page("desktop")
    page.goto("/login")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    with pytest.raises(AssertionError, match="image-alt"):
        axe_finds_nothing(page, "a page with a bare image")


def test_a_disposable_goes_to_the_lab_and_its_scans_come_back_on_a_phone(
        app, open_page, worker, participant, browser_log, tmp_path):
    camera = make_camera(app, worker, "DSP-02", "disposable", exposures=27)
    lend(app, worker, camera, participant.id, datetime.now(UTC) + timedelta(days=3))
    page = open_phone(open_page)
    log_in(page, worker, tap=True)

    def seen(name: str) -> None:
        axe_finds_nothing(page, f"the {name} (phone)")
        assert not scrolls_sideways(page), f"the {name} scrolls sideways on a phone"
        page.screenshot(path=tmp_path / f"{name.replace(' ', '-')}-phone.png", full_page=True)

    page.goto(f"/cameras/{camera}")
    page.get_by_role("link", name="Got it back from Sky: send for developing").tap()
    page.get_by_label("Which lab is developing it?").fill("Snappy Prints")
    back = datetime.now(UTC).astimezone(app.config["TZ"]).date() + timedelta(days=7)
    page.get_by_label("When should the prints be back? (if you know)").fill(back.isoformat())
    seen("send for developing")
    page.get_by_role("button", name="Send for developing").tap()
    expect(page.locator(".status-line")).to_have_text(
        f"Used up. Sent for developing to Snappy Prints, expected back {back:%a %-d %b}.")
    seen("camera at the lab")

    page.goto("/cameras")
    expect(page.get_by_text("DSP-02")).to_have_count(0)
    page.get_by_role("link", name="Used up").tap()
    expect(page.get_by_role("cell", name="No label: used up")).to_be_visible()
    seen("used-up cameras")

    page.goto(f"/cameras/{camera}")
    page.get_by_role("link", name="The photos are back: mark as developed").tap()
    page.get_by_role("button", name="Mark as developed").tap()
    expect(page.get_by_role("status")).to_contain_text("Now upload the scans for Sky.")
    expect(page.get_by_label("Whose photos are these?")).to_have_value(str(participant.id))
    expect(page.get_by_label("Taken with which loaned camera? (if any)")).not_to_have_value("")
    page.goto(f"/cameras/{camera}")
    expect(page.locator(".status-line")).to_have_text("Used up. Developed: the prints are back.")
    expect(page.get_by_role("link", name="Upload the scans for Sky")).to_be_visible()
    seen("developed camera")
    assert browser_log.page_errors == []
    assert browser_log.csp_violations == []
