"""Absolute links name the configured address, never the Host header a request sent."""

import html
import re

import pytest
import segno
from icalendar import Calendar

from tests.fixtures.app import more_apps
from tests.fixtures.clock import NOW
from tests.fixtures.pages import login, post_form
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera

PUBLIC = "workshop.example.org"


def client_as(app, host: str):
    """A test client whose every request says Host: host (and keeps its cookies there)."""
    client = app.test_client()
    plain_open = client.open

    def open_at_host(*args, **kwargs):
        kwargs.setdefault("base_url", f"http://{host}/")
        return plain_open(*args, **kwargs)

    client.open = open_at_host
    return client


def qr(address: str) -> str:
    return segno.make(address, error="m", micro=False).svg_data_uri(border=4, omitsize=True)


@pytest.fixture
def app_overrides() -> dict:
    return {"SERVER_NAME": PUBLIC}


def test_qr_labels_login_cards_and_feeds_use_the_server_name(app, worker, participant):
    evil = client_as(app, "evil.example")
    login(evil, worker)

    camera_id = make_camera(app, worker)
    page = html.unescape(evil.get(f"/cameras/labels?camera={camera_id}").text)
    assert qr(f"http://{PUBLIC}/cameras/{camera_id}") in page
    assert qr(f"http://evil.example/cameras/{camera_id}") not in page

    card = post_form(evil, f"/people/{participant.id}/passphrase",
                     {"password": "kite-moon-river-42"}, page=f"/people/{participant.id}",
                     follow_redirects=True)
    assert card.status_code == 200
    assert f"http://{PUBLIC}/" in card.text and "evil.example" not in card.text

    make_session(app, worker, start=NOW.replace(year=NOW.year + 5), lead_worker_id=worker.id)
    created = post_form(evil, "/sessions/calendar-feed", {}, page="/sessions",
                        follow_redirects=True)
    address = re.search(r'id="feed-address">([^<]+)<', created.text)[1]
    assert address.startswith(f"http://{PUBLIC}/calendar/")
    feed = client_as(app, "evil.example").get(address.removeprefix(f"http://{PUBLIC}"))
    assert feed.status_code == 200 and b"evil.example" not in feed.data
    [event] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(event["url"]).startswith(f"http://{PUBLIC}/sessions/")
    assert str(event["uid"]).endswith(f"@{PUBLIC}")


def test_trusted_hosts_refuse_any_other_host(app, database_uri, tmp_path, worker):
    hosts = f"{PUBLIC}, www.{PUBLIC}"  # as FLASK_TRUSTED_HOSTS would give it
    with more_apps(database_uri, tmp_path, TRUSTED_HOSTS=hosts, SERVER_NAME=None) as (guarded,):
        evil = client_as(guarded, "evil.example")
        for response in (evil.get("/login"), evil.post("/login", data={"username": "x"}),
                         evil.get("/gallery"), evil.get("/no/such/page")):
            assert response.status_code == 400
            assert "not served at that address" in response.text
        api = evil.get("/api/v1/gallery")
        assert api.status_code == 400 and api.mimetype == "application/problem+json"
        assert api.json["detail"] == "This site is not served at that address."
        assert evil.get("/healthz").status_code == 400  # list the balancer's host too

        for host in (PUBLIC, f"www.{PUBLIC}", f"{PUBLIC}:8443"):
            client = client_as(guarded, host)
            assert client.get("/login").status_code == 200, host
        # Links then name the host asked for, which is one of the trusted ones.
        client = client_as(guarded, f"www.{PUBLIC}")
        login(client, worker)
        camera_id = make_camera(guarded, worker)
        page = html.unescape(client.get(f"/cameras/labels?camera={camera_id}").text)
        assert qr(f"http://www.{PUBLIC}/cameras/{camera_id}") in page


def test_without_settings_make_run_serves_127_0_0_1_5000(database_uri, tmp_path, worker,
                                                         participant):
    with more_apps(database_uri, tmp_path) as (plain,):
        assert plain.config["SERVER_NAME"] is None and plain.config["TRUSTED_HOSTS"] is None
        client = client_as(plain, "127.0.0.1:5000")
        login(client, worker)
        card = post_form(client, f"/people/{participant.id}/passphrase",
                         {"password": "kite-moon-river-42"}, page=f"/people/{participant.id}",
                         follow_redirects=True)
        assert "http://127.0.0.1:5000/" in card.text
