"""Connecting the account from the pages and the terminal, the status page, and the API."""

import subprocess
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import api_token
from tests.fixtures.app import SECRET, flask_command, flask_env
from tests.fixtures.flickr import (
    approved_photo,
    authorise,
    copies,
    drain,
    flickr_settings,
    jobs,
    run_once,
    verifier_from,
)
from tests.fixtures.pages import assert_problem, login, post_form
from tests.flickr.fake_flickr import Fault
from workshop.extensions import db
from workshop.flickr import services
from workshop.flickr.client import FlickrUnavailable
from workshop.flickr.models import FlickrAccount, JobState


def account_row(app) -> FlickrAccount | None:
    with app.app_context():
        account = db.session.scalar(select(FlickrAccount))
        if account is not None:
            db.session.expunge(account)
        return account


# --- connecting in the browser's way ----------------------------------------------------


def test_an_admin_connects_the_account(app, client, admin, fake):
    login(client, admin)
    page = client.get("/flickr/connection")
    assert "No Flickr account is connected" in page.get_data(as_text=True)
    # The connect form's redirect goes to Flickr: this page's policy must allow it.
    assert f"form-action 'self' {fake.base_url}" in page.headers["Content-Security-Policy"]

    started = post_form(client, "/flickr/connect", {}, page="/flickr/connection")
    assert started.status_code == 303
    authorize_url = started.headers["Location"]
    assert authorize_url.startswith(fake.oauth_url + "/authorize?")
    assert "perms=delete" in authorize_url

    back = authorise(authorize_url)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/flickr/callback"
    done = client.get(f"{callback.path}?{callback.query}", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Flickr is connected as workshop-programme" in html
    assert "Flickr says this is workshop-programme" in html

    account = account_row(app)
    assert (account.username, account.perms, account.connected_by_id) == (
        "workshop-programme", "delete", admin.id)
    with app.app_context():
        token = services.unseal(account)
    # Kept sealed: neither the token nor its secret appears in the stored bytes.
    assert token.token.encode() not in account.sealed_token
    assert token.token_secret.encode() not in account.sealed_token
    assert token.token not in html and token.token_secret not in html


def test_a_callback_not_started_here_is_refused(app, client, admin, fake):
    login(client, admin)
    response = client.get("/flickr/callback?oauth_token=someone-elses&oauth_verifier=x",
                          follow_redirects=True)
    assert "did not match a connection started here" in response.get_data(as_text=True)
    assert account_row(app) is None


def test_saying_no_on_flickr_connects_nothing(app, client, admin, fake):
    login(client, admin)
    started = post_form(client, "/flickr/connect", {}, page="/flickr/connection")
    token = started.headers["Location"].split("oauth_token=")[1].split("&")[0]
    response = client.get(f"/flickr/callback?oauth_token={token}", follow_redirects=True)
    assert "permission was not given" in response.get_data(as_text=True)
    assert account_row(app) is None


def test_a_token_without_delete_permission_is_refused(app, client, admin, fake):
    with app.app_context():
        pending = services.start_connect(None, "oob")
    # The admin changes the permission on Flickr's page to "write".
    answer = authorise(pending.url.replace("perms=delete", "perms=write"))
    with app.app_context(), pytest.raises(FlickrUnavailable) as refused:
        services.finish_connect(None, pending.request_token, pending.request_secret,
                                verifier_from(answer))
    assert "permission to delete" in refused.value.message


def test_the_connection_page_is_for_admins(client, worker, fake):
    login(client, worker)
    assert client.get("/flickr/connection").status_code == 404
    assert post_form(client, "/flickr/connect", {}, page="/flickr").status_code == 404


def test_a_revoked_token_shows_on_the_page(app, client, admin, connected):
    connected.revoke_tokens()
    login(client, admin)
    html = client.get("/flickr/connection").get_data(as_text=True)
    assert "Connected to <strong>workshop-programme</strong>" in html
    assert "Invalid auth token" in html


def test_disconnect(app, client, admin, connected):
    login(client, admin)
    response = post_form(client, "/flickr/disconnect", {}, page="/flickr/connection",
                         follow_redirects=True)
    assert "Flickr is disconnected" in response.get_data(as_text=True)
    assert account_row(app) is None


def test_a_changed_secret_key_means_connecting_again(app, connected, admin, client):
    app.config["SECRET_KEY"] = SECRET + "-rotated"
    login(client, admin)
    html = client.get("/flickr/connection").get_data(as_text=True)
    assert "cannot be read" in html


@pytest.mark.parametrize("missing", ["FLICKR_API_KEY", "FLICKR_GROUP_ID"])
def test_without_settings_the_page_says_which(app, client, admin, missing):
    app.config[missing] = None
    login(client, admin)
    html = client.get("/flickr/connection").get_data(as_text=True)
    assert f"FLASK_{missing}" in html
    assert "Connect to Flickr" not in html


# --- the status page --------------------------------------------------------------------


def test_the_status_page_shows_each_photo_and_counts(app, client, connected, participant,
                                                     worker, other_worker):
    done = approved_photo(app, participant, worker, seed=1)
    drain(app)
    connected.inject("flickr.groups.pools.add", Fault.error(8, "Photo limit reached"))
    stuck = approved_photo(app, participant, worker, seed=2)
    run_once(app)

    login(client, worker)
    html = client.get("/flickr").get_data(as_text=True)
    assert 'data-status="in_group">1<' in html and 'data-status="attention">1<' in html
    assert "Flickr said: Photo limit reached (code 8)." in html
    assert f'href="/photos/{done}"' in html and f'href="/photos/{stuck}"' in html

    response = post_form(client, f"/flickr/photos/{stuck}/retry", {}, page="/flickr",
                         follow_redirects=True)
    assert "tried again in a moment" in response.get_data(as_text=True)
    drain(app)
    assert len(copies(connected, app, stuck)) == 1

    # Another site's worker sees none of it.
    other = app.test_client()
    login(other, other_worker)
    assert f'href="/photos/{done}"' not in other.get("/flickr").get_data(as_text=True)
    assert post_form(other, f"/flickr/photos/{done}/retry", {},
                     page="/flickr").status_code == 404


def test_participants_do_not_see_the_status_page(client, participant):
    login(client, participant)
    assert client.get("/flickr").status_code == 404


# --- the API ----------------------------------------------------------------------------


def test_api_status_and_retry(app, client, connected, participant, worker, other_worker):
    connected.inject("upload", Fault.error(5, "Filetype was not recognised"))
    photo_id = approved_photo(app, participant, worker)
    run_once(app)
    headers = api_token(app, worker)
    status = client.get("/api/v1/flickr/status", headers=headers).json
    assert status["account"]["username"] == "workshop-programme"
    assert status["counts"]["attention"] == 1
    (item,) = status["photos"]
    assert (item["photo_id"], item["status"], item["label"]) == (
        photo_id, "attention", "Needs attention")
    assert "Filetype was not recognised" in item["last_error"]

    retried = client.post(f"/api/v1/photos/{photo_id}/flickr/retry", headers=headers)
    assert retried.status_code == 200 and retried.json["status"] == "queued"
    drain(app)
    assert client.get("/api/v1/flickr/status", headers=headers).json["counts"]["in_group"] == 1
    # Done: nothing to try again.
    assert_problem(client.post(f"/api/v1/photos/{photo_id}/flickr/retry", headers=headers),
                   409)
    # Another site's worker, and a participant.
    other = api_token(app, other_worker)
    assert client.get("/api/v1/flickr/status", headers=other).json["photos"] == []
    assert_problem(client.post(f"/api/v1/photos/{photo_id}/flickr/retry", headers=other), 404)
    assert_problem(client.get("/api/v1/flickr/status", headers=api_token(app, participant)),
                   404)


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/flickr/status"]
    assert "post" in paths["/photos/{photo_id}/flickr/retry"]


# --- the terminal -----------------------------------------------------------------------


def worker_env(app, fake, **extra) -> dict[str, str]:
    """A `flask` child process on the app's database and storage, talking to the fake."""
    return flask_env(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                     SECRET_KEY=SECRET, STORAGE_DIR=app.config["STORAGE_DIR"],
                     **flickr_settings(fake, **extra))


def test_flask_flickr_connect_reads_the_code_from_the_terminal(app, fake):
    process = subprocess.Popen(flask_command("flickr", "connect"), env=worker_env(app, fake),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or not lines[-1].startswith("http"):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line.strip())
        code = verifier_from(authorise(lines[-1]))
        out, err = process.communicate(code + "\n", timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Connected to Flickr as workshop-programme." in out
    assert account_row(app).username == "workshop-programme"


def test_flask_flickr_sync_once(app, runner, connected, participant, worker):
    photo_id = approved_photo(app, participant, worker)
    result = runner.invoke(args=["flickr", "sync", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 job run; 0 not finished." in result.output
    assert len(copies(connected, app, photo_id)) == 1


def test_flask_flickr_sync_needs_the_settings(app, runner):
    app.config["FLICKR_API_KEY"] = None
    result = runner.invoke(args=["flickr", "sync", "--once"])
    assert result.exit_code != 0
    assert "FLASK_FLICKR_API_KEY" in result.output


def test_flask_flickr_disconnect_forgets_the_account_once(app, runner, connected):
    result = runner.invoke(args=["flickr", "disconnect"])
    assert result.exit_code == 0, result.output
    assert "Disconnected from Flickr." in result.output
    assert account_row(app) is None

    again = runner.invoke(args=["flickr", "disconnect"])
    assert again.exit_code == 1
    assert again.output == "Error: No Flickr account is connected.\n"


def test_a_worker_killed_mid_upload_loses_nothing(app, connected, participant, worker):
    # The upload reaches Flickr, then the answer is slow; the worker is killed meanwhile.
    connected.inject("upload", Fault.delay(30, after_effect=True))
    photo_id = approved_photo(app, participant, worker)
    process = subprocess.Popen(
        flask_command("flickr", "sync"),
        env=worker_env(app, connected, FLICKR_TIMEOUT_SECONDS=60, FLICKR_LEASE_SECONDS=2),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not copies(connected, app, photo_id):
            assert time.monotonic() < deadline, "the worker never sent the photo"
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    (job,) = jobs(app)
    assert job.state is JobState.RUNNING and job.uncertain
    time.sleep(2.1)  # the dead worker's lease runs out
    drain(app)
    assert len(copies(connected, app, photo_id)) == 1
    assert connected.count("upload") == 1
    (job,) = jobs(app)
    assert job.state is JobState.DONE


def test_requests_reach_flickr_with_a_timeout(app, connected, participant, worker):
    # A Flickr that never answers must not hold a worker for ever.
    connected.inject("upload", Fault.delay(30, after_effect=False))
    approved_photo(app, participant, worker)
    started = time.monotonic()
    run_once(app)
    assert time.monotonic() - started < 10
    (job,) = jobs(app)
    assert job.state is JobState.QUEUED and "did not answer in time" in job.last_error


def test_the_owner_sees_where_their_photo_is_on_flickr(app, client, connected, participant,
                                                       worker):
    photo_id = approved_photo(app, participant, worker)
    login(client, participant)
    assert "on its way to the Flickr group" in client.get(f"/photos/{photo_id}").get_data(
        as_text=True)
    drain(app)
    html = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "It is in the Flickr group." in html
    assert "Flickr sync" not in html  # the workers' page is not linked for them
