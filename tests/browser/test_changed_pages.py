"""The pages the small fixes changed, at phone size (390 x 844), checked by axe: the Flickr
pages, a secret shown once, the session's cameras. Pictures go to the test's tmp_path."""

import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import assert_axe_clean, log_in, open_phone
from tests.fixtures.flickr import approved_photo, connect, drain, flickr_settings, run_once
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera
from tests.flickr.fake_flickr import Fault

pytestmark = pytest.mark.browser


@pytest.fixture
def app_overrides(fake) -> dict:
    return flickr_settings(fake)


def test_connecting_when_flickr_cannot_be_reached(app, open_page, admin, browser_log, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app.config["FLICKR_OAUTH_URL"] = f"http://127.0.0.1:{closed}/services/oauth"
    page = open_phone(open_page)
    log_in(page, admin, tap=True)
    page.goto("/flickr/connection")
    page.get_by_role("button", name="Connect to Flickr").tap()
    expect(page).to_have_url(re.compile(r"/flickr/connection$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Flickr was not connected. Flickr did not answer in time.")
    expect(page.get_by_role("button", name="Connect to Flickr")).to_be_visible()
    page.screenshot(path=tmp_path / "flickr-unreachable-390.png", full_page=True)
    assert_axe_clean(page, "the Flickr connection page after a failure")
    assert browser_log.csp_violations == []


def test_the_flickr_status_page_shows_thumbnails(app, open_page, fake, participant, worker,
                                                 browser_log, tmp_path):
    connect(app)
    done = approved_photo(app, participant, worker, seed=1)
    drain(app)
    fake.inject("flickr.groups.pools.add", Fault.error(8, "Photo limit reached"))
    stuck = approved_photo(app, participant, worker, seed=2)
    run_once(app)
    page = open_phone(open_page)
    log_in(page, worker, tap=True)
    page.goto("/flickr")
    for photo_id in (done, stuck):
        thumb = page.get_by_role("link", name=f"Photo {photo_id}").get_by_role("img")
        expect(thumb).to_be_visible()
        assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_role("button", name=re.compile("Try again"))).to_have_count(1)
    page.screenshot(path=tmp_path / "flickr-status-390.png", full_page=True)
    assert_axe_clean(page, "the Flickr status page")
    assert browser_log.csp_violations == []


def test_a_token_shown_once_and_the_session_cameras(app, open_page, worker, browser_log):
    start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    session_id = make_session(app, worker, start=start, lead_worker_id=worker.id)
    make_camera(app, worker, "RIV-CAM-01", make="Canon", model="IXUS 185")
    page = open_phone(open_page)
    log_in(page, worker, tap=True)
    page.goto("/account")
    page.get_by_label("What is this token for?").fill("my phone")
    page.get_by_role("button", name="Make a token").tap()
    expect(page).to_have_url(re.compile(r"/account/tokens/new$"))
    expect(page.locator("#token-value")).not_to_be_empty()
    assert_axe_clean(page, "the new token page")
    page.reload()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("status")).to_contain_text("A token is shown only once")
    assert_axe_clean(page, "the account page after a reload")

    page.goto(f"/sessions/{session_id}/cameras")
    expect(page.get_by_label("RIV-CAM-01 (Canon IXUS 185)", exact=True)).to_be_visible()
    assert_axe_clean(page, "the session's cameras page")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
