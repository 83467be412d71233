"""Fixtures for browser tests: the app on a live server, one Chromium, a fresh context per test.

Chromium is Debian's (/usr/bin/chromium): Playwright's own browser download is not used.
Without it these tests are skipped, except under CI (the CI variable set), where they fail.
These fixtures stay here, not in tests/fixtures/: only a conftest's package-scoped fixture
ends with its package; a plugin's would live for the whole session.
"""

import os
import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tests.fixtures.browser import CSP_MARK, TIMEOUT_MS

CHROMIUM = "/usr/bin/chromium"
# --no-sandbox because the tests may run as root; the rest keep Chromium off the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]

DEVICES: dict[str, dict] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
    # The narrowest phones still in use: nothing may need sideways scrolling here.
    "small-phone": {"viewport": {"width": 320, "height": 568}, "device_scale_factor": 2,
                    "is_mobile": True, "has_touch": True},
}

# The standard event, forwarded to the console in words the console listener looks for,
# so a violation is caught even if Chromium changes the wording of its own message.
REPORT_CSP_VIOLATIONS = (
    'document.addEventListener("securitypolicyviolation", (event) => {\n'
    f'  console.error(`{CSP_MARK} violation: '
    '${event.effectiveDirective} blocked ${event.blockedURI}`);\n'
    '});\n')


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # Package scope, not session: a running sync Playwright marks the main thread as
    # running an asyncio loop, which would break asyncio.run() in tests that come later.
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def read_whole(app):
    """The app with each response read and closed before the server sends it.

    Werkzeug's server reads what is left of the request before it closes a response; when
    the browser has already dropped the connection (it often does for the favicon), that
    read fails, the file being sent is never closed, and its ResourceWarning fails
    whichever test is running when it is collected.
    """
    def serve(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return serve


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


class BrowserLog:
    """What the browser complained about while a test ran: CSP violations, script errors."""

    def __init__(self) -> None:
        self.csp_violations: list[str] = []
        self.page_errors: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _console(self, message) -> None:
        if CSP_MARK in message.text:
            self.csp_violations.append(f"{message.text} (on {message.location.get('url')})")


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def open_page(browser, live_server, browser_log) -> Iterator[Callable[..., Page]]:
    """open_page(device="desktop", **context_options): a page in a fresh browser context,
    the options over the device's (viewport={"width": 390, "height": 844}, say).

    Relative URLs go to the live server. Every page reports to browser_log.
    """
    contexts: list[BrowserContext] = []

    def open_(device: str = "desktop", **options) -> Page:
        context = browser.new_context(base_url=live_server, locale="en-GB",
                                      **{**DEVICES[device], **options})
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        browser_log.watch(page)
        return page

    yield open_
    for context in contexts:
        context.close()

