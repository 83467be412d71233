"""Logging in and out in a real browser: a worker at a desk, a participant on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.browser import log_in, open_menu, scrolls_sideways

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/login(\?.*)?$")
DASHBOARD_URL = re.compile(r"/dashboard$")


def tab_to(page: Page, name: str, limit: int = 30) -> None:
    """Press Tab until the focused element's accessible text is `name`, as a keyboard user."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value || '')"
            ".trim()")
        if focused == name:
            return
    pytest.fail(f"{name!r} could not be reached with the Tab key in {limit} presses")


def test_worker_logs_in_sees_the_dashboard_and_logs_out(open_page, worker, browser_log):
    page = open_page("desktop")
    page.goto("/dashboard")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_text("Please log in to see that page.")).to_be_visible()
    # The username field has the focus, so a person can start typing straight away.
    expect(page.get_by_label("Username")).to_be_focused()

    log_in(page, worker)

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page).to_have_title("Home · Workshop")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Worker")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    expect(page.get_by_role("link", name="Add a participant")).to_be_visible()

    # Log out with the keyboard alone.
    tab_to(page, "Log out")
    expect(page.get_by_role("button", name="Log out")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_contain_text("You have logged out")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.goto("/dashboard")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_text("Hello, Worker")).to_have_count(0)
    assert browser_log.page_errors == []
    assert browser_log.csp_violations == []


def test_wrong_passphrase_is_explained_and_the_username_kept(open_page, worker, browser_log):
    page = open_page("desktop")
    page.goto("/login")
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Passphrase").fill("not-the-passphrase")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "That username and passphrase do not match")
    expect(page.get_by_label("Username")).to_have_value(worker.username)
    # The focus waits in the field to fix, so the next try needs no hunting.
    expect(page.get_by_label("Passphrase")).to_have_value("")
    expect(page.get_by_label("Passphrase")).to_be_focused()
    expect(page).to_have_url(LOGIN_URL)
    assert browser_log.csp_violations == []


def test_participant_logs_in_on_a_phone(open_page, participant, browser_log):
    page = open_page("phone")
    page.goto("/login")
    assert not scrolls_sideways(page)

    log_in(page, participant, tap=True)

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sky")
    # Staff pages are not offered to participants.
    expect(page.get_by_role("link", name="People")).to_have_count(0)
    expect(page.get_by_role("link", name="Add a participant")).to_have_count(0)
    open_menu(page)
    expect(page.get_by_role("link", name="My account").first).to_be_visible()

    logout = page.get_by_role("button", name="Log out")
    expect(logout).to_be_in_viewport()
    box = logout.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, f"small touch target: {box}"
    assert not scrolls_sideways(page)

    logout.tap()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_contain_text("You have logged out")
    assert browser_log.page_errors == []
    assert browser_log.csp_violations == []


@pytest.mark.parametrize("who", ["worker", "participant"])
def test_nothing_needs_sideways_scrolling_on_the_smallest_phone(open_page, request, who):
    account = request.getfixturevalue(who)
    page = open_page("small-phone")
    page.goto("/login")
    assert not scrolls_sideways(page), "the login page scrolls sideways at 320px"
    log_in(page, account, tap=True)
    assert not scrolls_sideways(page), f"the {who}'s dashboard scrolls sideways at 320px"
    for button in page.get_by_role("button").all() + page.locator(".tile").all():
        box = button.bounding_box()
        assert box and box["height"] >= 44, f"small touch target: {button}: {box}"
