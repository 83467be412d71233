"""The main menu on a phone (a button that opens it) and on a desktop (one row); the gallery's
filters and cards; axe on every page visited. Pictures go to the test's tmp_path."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import assert_axe_clean, log_in, open_phone, scrolls_sideways
from tests.fixtures.photos import publish

pytestmark = pytest.mark.browser



def test_on_a_phone_the_menu_opens_from_a_button_and_marks_the_current_page(
        open_page, worker, browser_log, tmp_path):
    page = open_phone(open_page)
    log_in(page, worker, tap=True)
    page.screenshot(path=tmp_path / "menu-closed-390.png")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "main-menu")
    expect(nav.get_by_role("link", name="Sessions")).to_be_hidden()
    box = menu.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box
    # The bar is one row: the menu button and Log out beside the name, not a wall of links.
    header = page.locator(".site-header").bounding_box()
    assert header and header["height"] < 80, header
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    assert_axe_clean(page, "the dashboard with the menu closed")

    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Sessions")).not_to_have_attribute(
        "aria-current", "page")
    for link in nav.get_by_role("link").all():
        link_box = link.bounding_box()
        assert link_box and link_box["height"] >= 44, f"small touch target: {link}"
    assert not scrolls_sideways(page)
    assert_axe_clean(page, "the dashboard with the menu open")
    page.screenshot(path=tmp_path / "menu-open-390.png")

    nav.get_by_role("link", name="Sessions").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sessions")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.tap()
    expect(nav.get_by_role("link", name="Sessions")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Home")).not_to_have_attribute("aria-current", "page")
    # Escape closes it and gives the focus back to the button.
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav.get_by_role("link", name="Sessions")).to_be_hidden()
    assert browser_log.page_errors == [] and browser_log.csp_violations == []


def test_without_script_every_link_shows_and_no_button(open_page, participant):
    page = open_phone(open_page, java_script_enabled=False)
    log_in(page, participant, tap=True)
    nav = page.get_by_role("navigation", name="Main")
    expect(page.get_by_role("button", name="Menu")).to_have_count(0)
    for name in ("Home", "Photos", "Gallery", "My account"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()


def test_on_a_desktop_the_admins_links_and_log_out_fit_one_row(open_page, admin, browser_log,
                                                              tmp_path):
    page = open_page("desktop")
    log_in(page, admin)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    links = page.get_by_role("navigation", name="Main").get_by_role("link").all()
    assert [link.inner_text() for link in links] == [
        "Home", "Sessions", "Photos", "Lessons", "Gallery", "People", "Cameras", "Flickr",
        "Sites", "My account"]
    boxes = [link.bounding_box() for link in links]
    logout = page.get_by_role("button", name="Log out").bounding_box()
    brand = page.get_by_role("link", name="Workshop").bounding_box()
    row = boxes[0]
    for box in [*boxes, logout, brand]:
        # Each one's vertical middle lies within the first link's height: a single row.
        middle = box["y"] + box["height"] / 2
        assert row["y"] <= middle <= row["y"] + row["height"], (box, row)
    assert logout["x"] > boxes[-1]["x"], "Log out comes after the links"
    assert logout["x"] + logout["width"] <= 1280
    page.screenshot(path=tmp_path / "admin-nav-1280.png")
    assert_axe_clean(page, "the admin's dashboard")


def test_a_participants_menu_has_the_gallery_and_plain_words(open_page, participant):
    page = open_page("desktop")
    log_in(page, participant)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="API tokens")).to_have_count(0)
    expect(page.get_by_role("link", name="API tokens")).to_have_count(0)
    expect(page.get_by_role("link", name="My consents")).to_have_count(0)
    expect(page.get_by_role("link", name="Where my photos may go")).to_be_visible()
    nav.get_by_role("link", name="Gallery").click()
    expect(page).to_have_url(re.compile(r"/gallery$"))
    expect(nav.get_by_role("link", name="Gallery")).to_have_attribute("aria-current", "page")


def test_the_gallery_on_a_phone_for_a_visitor(app, open_page, participant, worker, browser_log,
                                              tmp_path):
    publish(app, participant, worker, seed=1, caption="The lock gates")
    page = open_phone(open_page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/gallery$"))
    card = page.locator(".gallery-grid li").first
    expect(card).to_contain_text("The lock gates")
    expect(card.get_by_role("link")).to_have_accessible_name("The lock gates Sky")
    page.screenshot(path=tmp_path / "gallery-390.png", full_page=True)
    month = page.get_by_label("Month")
    theme = page.get_by_label("Theme")
    month_box, theme_box = month.bounding_box(), theme.bounding_box()
    assert month_box["height"] >= 44 and month_box["height"] == theme_box["height"], (
        month_box, theme_box)
    assert page.evaluate(
        "() => getComputedStyle(document.getElementById('month')).borderTopWidth") == \
        page.evaluate("() => getComputedStyle(document.getElementById('theme')).borderTopWidth")
    assert not scrolls_sideways(page)
    assert_axe_clean(page, "the gallery")
    page.get_by_role("link", name="Log in").tap()
    expect(page.get_by_label("Username")).to_be_visible()
    assert browser_log.csp_violations == []
