"""axe-core finds nothing serious on the first pages, and the strict CSP blocks nothing there."""


import pytest
from playwright.sync_api import Page, Response, expect

from tests.fixtures.browser import CSP_MARK, describe, log_in, serious_violations
from workshop.extensions import db
from workshop.lessons import services as lessons

pytestmark = pytest.mark.browser


# (name, device, who logs in first or None, path)
PAGES = [
    ("login", "desktop", None, "/login"),
    ("login", "phone", None, "/login"),
    ("worker dashboard", "desktop", "worker", "/dashboard"),
    ("participant dashboard", "phone", "participant", "/dashboard"),
    ("lesson library", "desktop", "worker", "/lessons"),
    ("lesson plan", "phone", "participant", "/lessons/1"),
    ("photo upload", "phone", "participant", "/photos/upload"),
    ("photo upload for workers", "desktop", "worker", "/photos/upload"),
]
PAGE_IDS = [f"{name} on {device}" for name, device, _, _ in PAGES]


@pytest.fixture(autouse=True)
def shipped_lessons(app):
    """The shipped lesson plans; on the emptied database the first one has id 1."""
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()


def visit(open_page, request, device: str, who: str | None, path: str) -> tuple[Page, Response]:
    page = open_page(device)
    if who:
        log_in(page, request.getfixturevalue(who))
    response = page.goto(path)
    assert response and response.ok, f"{path}: {response and response.status}"
    return page, response


@pytest.mark.parametrize("name, device, who, path", PAGES, ids=PAGE_IDS)
def test_axe_finds_nothing_serious(open_page, request, browser_log, name, device, who, path):
    page, _ = visit(open_page, request, device, who, path)
    violations = serious_violations(page)
    assert violations == [], f"axe on the {name} ({device}):\n{describe(violations)}"
    # Running axe inside the page must not have needed the CSP relaxed either.
    assert browser_log.csp_violations == []


def test_axe_finds_nothing_serious_on_a_login_form_with_errors(open_page, worker, browser_log):
    page = open_page("phone")
    page.goto("/login")
    page.get_by_label("Username").fill(worker.username)
    page.get_by_role("button", name="Log in").tap()
    passphrase = page.get_by_label("Passphrase")
    expect(passphrase).to_have_attribute("aria-invalid", "true")
    expect(passphrase).to_have_accessible_description("Type your passphrase.")
    expect(passphrase).to_be_focused()
    violations = serious_violations(page)
    assert violations == [], f"axe on the login form with errors:\n{describe(violations)}"
    assert browser_log.csp_violations == []


@pytest.mark.parametrize("name, device, who, path", PAGES, ids=PAGE_IDS)
def test_strict_csp_blocks_nothing(open_page, request, browser_log, name, device, who, path):
    page, response = visit(open_page, request, device, who, path)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    page.wait_for_load_state("load")
    # The stylesheet really applied (a blocked one would leave the browser's white).
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(243, 245, 248)", f"app.css did not apply on the {name}"
    assert browser_log.csp_violations == [], "\n".join(browser_log.csp_violations)
    assert browser_log.page_errors == []


def test_the_csp_watch_would_see_a_violation(open_page, browser_log):
    # Proof that test_strict_csp_blocks_nothing could fail: inline script is refused.
    page = open_page("desktop")
    page.goto("/login")
    with page.expect_console_message(lambda message: CSP_MARK in message.text):
        page.evaluate("""() => {
          const script = document.createElement("script");
          script.textContent = "document.body.dataset.inline = 'ran'";
          document.head.append(script);
        }""")
    expect(page.locator("body")).not_to_have_attribute("data-inline", "ran")
    assert any("script-src" in message for message in browser_log.csp_violations), \
        browser_log.csp_violations
