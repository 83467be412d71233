"""Flickr fixtures: a fake Flickr on 127.0.0.1, the app pointed at it, a connected account,
and approved photos with Flickr consent."""

import re
import uuid

import pytest
import requests
from sqlalchemy import select

from tests.flickr.fake_flickr import FakeFlickr
from tests.photos.conftest import publish
from workshop.extensions import db
from workshop.flickr import services
from workshop.flickr import worker as sync_worker
from workshop.flickr.models import FlickrJob
from workshop.photos.models import Photo


@pytest.fixture
def fake():
    # A fresh API key per test: the shared call budget is counted per key.
    with FakeFlickr(api_key=f"key-{uuid.uuid4().hex[:8]}", api_secret="secret") as server:
        yield server
    # A fault inside the fake shows to the app as a 500, which it would simply retry.
    assert server.errors == []


def flickr_settings(fake: FakeFlickr, **overrides) -> dict:
    return {
        "FLICKR_API_KEY": fake.api_key,
        "FLICKR_API_SECRET": fake.api_secret,
        "FLICKR_GROUP_ID": fake.group_id,
        "FLICKR_REST_URL": fake.rest_url,
        "FLICKR_UPLOAD_URL": fake.upload_url,
        "FLICKR_OAUTH_URL": fake.oauth_url,
        "FLICKR_TIMEOUT_SECONDS": 2.0,
        # Retries are due at once, so one more run shows what a retry does.
        "FLICKR_BACKOFF_SECONDS": 0.0,
        "FLICKR_LEASE_SECONDS": 60.0,
        **overrides,
    }


@pytest.fixture
def app_overrides(fake) -> dict:
    return flickr_settings(fake)


def authorise(url: str) -> requests.Response:
    """Do what the admin does on Flickr's page: say yes. Returns the fake's answer."""
    with requests.Session() as browser:
        page = browser.get(url, timeout=5)
        page.raise_for_status()
        return browser.post(url, allow_redirects=False, timeout=5)


def verifier_from(answer: requests.Response) -> str:
    match = re.search(r'<p id="verifier">([^<]+)</p>', answer.text)
    assert match, answer.text
    return match.group(1)


def connect(app) -> None:
    """Connect the fake's account as a terminal would (out of band)."""
    with app.app_context():
        pending = services.start_connect(None, "oob")
        services.finish_connect(None, pending.request_token, pending.request_secret,
                                verifier_from(authorise(pending.url)))
        db.session.commit()


@pytest.fixture
def connected(app, fake):
    connect(app)
    return fake


def approved_photo(app, owner, moderator, purposes=("gallery", "flickr"), seed=0,
                   caption="The canal at dusk") -> int:
    """A photo uploaded, consented, submitted and approved; its id."""
    return publish(app, owner, moderator, purposes=purposes, seed=seed, caption=caption,
                   size=(800, 600)).id


def run_once(app) -> int:
    with app.app_context():
        return sync_worker.run(once=True, log=lambda line: None)


def drain(app, rounds: int = 10) -> None:
    """Run the worker until nothing is due (retries are due at once in these tests)."""
    for _ in range(rounds):
        if run_once(app) == 0:
            return
    raise AssertionError(f"the worker still had jobs after {rounds} rounds")


def jobs(app) -> list[FlickrJob]:
    with app.app_context():
        found = db.session.scalars(select(FlickrJob).order_by(FlickrJob.id)).all()
        db.session.expunge_all()
        return list(found)


def uuid_of(app, photo_id: int) -> str:
    with app.app_context():
        return db.session.get(Photo, photo_id).uuid


def on_flickr(fake: FakeFlickr, photo_uuid: str) -> list:
    """The fake's photos carrying this photo's machine tag."""
    tag = sync_worker.machine_tag(photo_uuid)
    return [p for p in fake.photos.values() if tag in p.machine_tags]


def copies(fake: FakeFlickr, app, photo_id: int) -> list:
    """on_flickr for a photo that still has its row."""
    return on_flickr(fake, uuid_of(app, photo_id))
