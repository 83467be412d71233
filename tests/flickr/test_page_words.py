"""The Flickr pages say what happened when Flickr cannot be reached, show each photo, and
offer another try only where one failed."""

import socket

from tests.fixtures.flickr import approved_photo, drain, run_once
from tests.fixtures.pages import login, post_form
from tests.flickr.fake_flickr import Fault


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connecting_while_flickr_cannot_be_reached_says_so_and_leads_back(app, client, admin,
                                                                         fake):
    app.config["FLICKR_OAUTH_URL"] = f"http://127.0.0.1:{closed_port()}/services/oauth"
    login(client, admin)
    response = post_form(client, "/flickr/connect", {}, page="/flickr/connection")
    assert response.status_code == 303
    assert response.headers["Location"] == "/flickr/connection"

    page = client.get("/flickr/connection")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Flickr was not connected. Flickr did not answer in time." in html
    assert "try again in a few minutes" in html
    # Nothing will retry a click: the jobs' promise is not made here.
    assert "We will try again" not in html
    assert "Connect to Flickr" in html


def test_the_status_page_shows_thumbnails_and_try_again_only_for_failed_jobs(
        app, client, connected, participant, worker, other_worker):
    done = approved_photo(app, participant, worker, seed=1)
    drain(app)
    connected.inject("flickr.groups.pools.add", Fault.error(8, "Photo limit reached"))
    stuck = approved_photo(app, participant, worker, seed=2)
    run_once(app)
    waiting = approved_photo(app, participant, worker, seed=3)  # not yet tried

    login(client, worker)
    html = client.get("/flickr").get_data(as_text=True)
    for photo_id in (done, stuck, waiting):
        assert f'src="/photos/{photo_id}/thumb"' in html
        with client.get(f"/photos/{photo_id}/thumb") as thumb:
            assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert f'action="/flickr/photos/{stuck}/retry"' in html
    assert f'action="/flickr/photos/{done}/retry"' not in html
    assert f'action="/flickr/photos/{waiting}/retry"' not in html

    # The thumbnails are the site's own: another site's worker gets none of them.
    other = app.test_client()
    login(other, other_worker)
    assert f'src="/photos/{done}/thumb"' not in other.get("/flickr").get_data(as_text=True)
    assert other.get(f"/photos/{done}/thumb").status_code == 404
