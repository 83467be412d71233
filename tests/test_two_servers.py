"""Two app servers (gunicorn, two processes each) sharing PostgreSQL, Redis and SeaweedFS
behave as one: a photo uploaded through one is seen, approved and withdrawn through the
other; a session and its form tokens work on both; rate limits are counted together; the
gallery's kept pages follow every change; two Flickr workers send a photo once."""

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests.fixtures.accounts import api_token
from tests.fixtures.app import SECRET, flask_command, flask_env
from tests.fixtures.flickr import flickr_settings, on_flickr
from tests.fixtures.pages import csrf_from
from tests.fixtures.photos import ALL_CHECKED, photo
from tests.fixtures.storage import free_ports
from workshop.extensions import db
from workshop.photos.models import Photo

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_overrides(s3, fake) -> dict:
    return {**s3, **flickr_settings(fake)}


@pytest.fixture
def shared_env(database_uri, redis_url, app_overrides, tmp_path) -> dict[str, str]:
    if not database_uri.startswith("postgresql"):
        pytest.skip("several servers share a PostgreSQL database (SQLite is one machine's)")
    return flask_env(
        SQLALCHEMY_DATABASE_URI=database_uri, SECRET_KEY=SECRET,
        RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=f"two-{uuid.uuid4().hex}",
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="3 per 10 minutes",
        SESSION_COOKIE_SECURE="false", FLICKR_POLL_SECONDS="0.2",
        **{name: value for name, value in app_overrides.items() if value is not None})


def _wait_until(check, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if found := check():
                return found
        except requests.RequestException:  # not up yet: its processes are still loading
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def servers(shared_env, tmp_path):
    """Two gunicorns of two processes each; each its own folder for uploads arriving."""
    processes, urls = [], []
    try:
        for n, port in enumerate(free_ports(2)):
            env = {**shared_env, "FLASK_STORAGE_DIR": str(tmp_path / f"server{n}")}
            with (tmp_path / f"server{n}.log").open("wb") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                     f"127.0.0.1:{port}", "wsgi:app"],
                    cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait_until(lambda url=url: requests.get(url + "/readyz", timeout=5).ok,
                        f"{url}/readyz", timeout=120)
        yield urls
    finally:
        _stop(processes)
        for n in range(len(processes)):
            print((tmp_path / f"server{n}.log").read_text(errors="replace")[-3000:])


@pytest.fixture
def flickr_workers(shared_env, tmp_path):
    """`flask flickr sync` beside each server."""
    processes = [subprocess.Popen(flask_command("flickr", "sync"), cwd=PROJECT,
                                  env={**shared_env, "FLASK_STORAGE_DIR": str(tmp_path / n)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for n in ("worker0", "worker1")]
    try:
        yield processes
    finally:
        _stop(processes)


def _stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _gallery_shows(url: str, photo_uuid: str) -> list[bool]:
    """Whether each of several visits (so each process, with its kept pages) lists it."""
    return [photo_uuid in requests.get(url + "/gallery", timeout=10).text for _ in range(6)]


def test_two_servers_behave_as_one(app, servers, flickr_workers, connected, participant,
                                   worker):
    a, b = servers
    # A session begun on one server, with a form token from the other, works on both.
    browser = requests.Session()
    token = csrf_from(browser.get(a + "/login", timeout=10).text)
    signed_in = browser.post(b + "/login", timeout=10, allow_redirects=False, data={
        "csrf_token": token, "username": participant.username,
        "password": participant.password})
    assert signed_in.status_code == 302, signed_in.text
    token = csrf_from(browser.get(b + "/photos/upload", timeout=10).text)
    content = photo((800, 600), seed=4)
    sent = browser.post(a + "/photos/upload", timeout=60, data={"csrf_token": token},
                        files={"photos": ("canal.jpg", content, "image/jpeg")},
                        allow_redirects=False)
    assert sent.status_code == 303, sent.text
    with app.app_context():
        photo_id, photo_uuid = db.session.execute(select(Photo.id, Photo.uuid)).one()
    # Seen through the other server, from the shared store.
    shown = browser.get(f"{b}/photos/{photo_id}/original", timeout=10)
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    assert browser.get(f"{a}/photos/{photo_id}/large", timeout=10).status_code == 200

    # Consented and submitted through one, approved through the other.
    owner = api_token(app, participant)
    staff = api_token(app, worker)
    api = f"/api/v1/photos/{photo_id}"
    assert requests.post(a + api + "/consent", headers=owner, timeout=10,
                         json={"purposes": ["gallery", "flickr"]}).status_code == 200
    assert requests.post(b + api + "/submit", headers=owner, timeout=10, json={
        "caption": "The canal", "credit": "display_name"}).status_code == 200
    assert not any(_gallery_shows(a, photo_uuid) + _gallery_shows(b, photo_uuid))
    approved = requests.post(b + api + "/approve", headers=staff, timeout=10,
                             json={"checklist": ALL_CHECKED})
    assert approved.status_code == 200, approved.text
    # Every process of both servers shows it at once, kept pages or not.
    assert all(_gallery_shows(a, photo_uuid) + _gallery_shows(b, photo_uuid))
    assert requests.get(f"{a}/gallery/{photo_uuid}/large.jpg", timeout=10).status_code == 200

    # Two Flickr workers, one copy.
    _wait_until(lambda: on_flickr(connected, photo_uuid), "the photo on Flickr")
    time.sleep(2)  # many polls of both workers
    assert len(on_flickr(connected, photo_uuid)) == 1
    assert len(connected.photos) == 1

    # Withdrawn through the first server: gone from every process of both at once.
    withdrawn = requests.post(a + api + "/withdraw", headers=owner, timeout=10,
                              json={"purposes": ["gallery", "flickr"]})
    assert withdrawn.status_code == 200, withdrawn.text
    assert not any(_gallery_shows(a, photo_uuid) + _gallery_shows(b, photo_uuid))
    for url in (a, b):
        assert requests.get(f"{url}/gallery/{photo_uuid}/large.jpg",
                            timeout=10).status_code == 404
    _wait_until(lambda: not on_flickr(connected, photo_uuid), "the photo off Flickr")


def test_rate_limits_are_counted_together(app, servers, worker):
    # Three failed tries for one username from one address are allowed in all, on
    # whichever server and process they land; the fourth waits everywhere.
    outcomes = []
    for n in range(6):
        visitor = requests.Session()
        url = servers[n % 2]
        token = csrf_from(visitor.get(url + "/login", timeout=10).text)
        outcomes.append(visitor.post(url + "/login", timeout=10, allow_redirects=False, data={
            "csrf_token": token, "username": worker.username,
            "password": "not-the-passphrase"}).status_code)
    assert outcomes == [401, 401, 401, 429, 429, 429]
