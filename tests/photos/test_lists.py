"""The workers' photo list (filters, each photo's state in words) and the moderation
queue's order under the four-eyes rule."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.pages import login
from tests.fixtures.photos import photo, publish
from tests.fixtures.programme import make_session
from workshop.db import utcnow
from workshop.extensions import db
from workshop.photos import consent, lists, moderation, services
from workshop.photos.models import Photo
from workshop.programme import services as programme


def _upload(app, actor, owner, seed, session_id=None, caption="") -> int:
    with app.app_context():
        target = services.upload_target(user(actor), owner.id if actor != owner else None,
                                        session_id)
        found = services.upload(user(actor), target, io.BytesIO(photo((160, 120), seed=seed)),
                                caption)
        db.session.commit()
        return found.id


def _submit(app, owner, photo_id) -> None:
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        consent.give_consent(user(owner), found, ["gallery"])
        moderation.submit(user(owner), found, found.caption, "anonymous")
        db.session.commit()


@pytest.fixture
def photos(app, worker, participant):
    """One photo of each state the list can be filtered by, captioned by its state."""
    second = make_account(app, "kim", "worker", worker.site_id, display_name="Kim")
    ids = {"private": _upload(app, participant, participant, 1, caption="private")}
    ids["waiting"] = _upload(app, participant, participant, 2, caption="waiting")
    _submit(app, participant, ids["waiting"])
    ids["sent-back"] = _upload(app, participant, participant, 3, caption="sent-back")
    _submit(app, participant, ids["sent-back"])
    with app.app_context():
        moderation.reject(user(second), db.session.get(Photo, ids["sent-back"]), "Too dark")
        db.session.commit()
    ids["gallery"] = publish(app, participant, second, seed=4, caption="gallery").id
    ids["flickr"] = publish(app, participant, second, seed=5, caption="flickr",
                            purposes=("flickr",)).id
    return ids


def captions(response) -> list[str]:
    return re.findall(r'<img class="thumb"[^>]*alt="([^"]+)"', response.get_data(as_text=True))


def test_each_photo_shows_its_state_in_words(app, client, worker, participant, photos):
    login(client, worker)
    page = client.get("/photos").get_data(as_text=True)
    for words in ("Private", "Waiting for a check", "Sent back", "In the gallery",
                  "On Flickr"):
        assert f'<span class="photo-state">{words}</span>' in page
    assert f'href="/people/{participant.id}">All about Sky</a>' in page


def test_the_words_follow_reports_and_both_places(app, worker, participant):
    both = publish(app, participant, make_account(app, "kim", "worker", worker.site_id),
                   purposes=("gallery", "flickr"))
    with app.app_context():
        found = db.session.get(Photo, both.id)
        assert lists.state_words(found) == "In the gallery and on Flickr"
        moderation.report(found, "mine")
        assert lists.state_words(found) == "Hidden while we look at a report"
        db.session.rollback()


@pytest.mark.parametrize("state", list(lists.FILTERS))
def test_the_list_filters_by_state(app, client, worker, photos, state):
    login(client, worker)
    response = client.get(f"/photos?state={state}")
    assert response.status_code == 200
    assert captions(response) == [state]
    assert f'<option value="{state}" selected>' in response.get_data(as_text=True)


def test_the_list_filters_by_person_and_session(app, client, worker, participant):
    other = make_account(app, "kit", "participant", participant.site_id, display_name="Kit")
    session_id = make_session(app, worker)
    with app.app_context():
        programme.enrol(user(worker), programme.get_session(user(worker), session_id),
                        participant.id)
        db.session.commit()
    _upload(app, participant, participant, 1, session_id, caption="at the session")
    _upload(app, participant, participant, 2, caption="at home")
    _upload(app, worker, other, 3, caption="kit's")
    login(client, worker)
    assert sorted(captions(client.get(f"/photos?participant_id={participant.id}"))) == \
        ["at home", "at the session"]
    assert captions(client.get(f"/photos?session_id={session_id}")) == ["at the session"]
    assert captions(client.get(
        f"/photos?participant_id={other.id}&session_id={session_id}")) == []


@pytest.mark.parametrize("query, message", [
    ("state=lost", "We did not recognise that state"),
    ("participant_id=abc", "We could not tell which person you meant"),
    ("session_id=99999999999999999999", "We could not tell which session you meant"),
])
def test_a_value_that_makes_no_sense_is_left_out_with_a_note(app, client, worker, photos,
                                                              query, message):
    login(client, worker)
    response = client.get(f"/photos?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert len(captions(response)) == len(photos)


def test_another_sites_person_or_session_is_not_found(app, client, worker, other_worker,
                                                      other_participant, participant):
    other_session = make_session(app, other_worker)
    login(client, worker)
    assert client.get(f"/photos?participant_id={other_participant.id}").status_code == 404
    assert client.get(f"/photos?participant_id={worker.id}").status_code == 404
    assert client.get(f"/photos?session_id={other_session}").status_code == 404


def test_participants_see_their_own_list_whatever_the_address(app, client, participant,
                                                              other_participant):
    _upload(app, participant, participant, 1, caption="mine")
    _upload(app, other_participant, other_participant, 2, caption="theirs")
    login(client, participant)
    response = client.get(f"/photos?participant_id={other_participant.id}&state=bad")
    assert response.status_code == 200 and captions(response) == ["mine"]
    assert "Choose which photos to show" not in response.get_data(as_text=True)


def test_the_queue_marks_what_you_uploaded_and_lists_it_last(app, client, worker,
                                                             participant):
    second = make_account(app, "kim", "worker", worker.site_id, display_name="Kim")
    mine = _upload(app, worker, participant, 1, caption="scanned by worker")
    _submit(app, participant, mine)
    theirs = _upload(app, participant, participant, 2, caption="sent by sky")
    _submit(app, participant, theirs)
    login(client, worker)
    page = client.get("/photos/moderation")
    assert captions(page) == ["sent by sky", "scanned by worker"]
    assert page.get_data(as_text=True).count("You uploaded this: another worker must "
                                             "check it.") == 1
    # Kim can decide on both, in the order they were sent.
    kim = app.test_client()
    login(kim, second)
    page = kim.get("/photos/moderation")
    assert captions(page) == ["scanned by worker", "sent by sky"]
    assert "You uploaded this" not in page.get_data(as_text=True)


@pytest.mark.parametrize("lapse, expected", [(False, True), (True, False)])
def test_on_flickr_means_the_same_on_a_photo_and_in_a_query(app, participant, worker, lapse,
                                                           expected):
    """Photo.on_flickr is one definition: the list's filter asks it in SQL, the photo's
    words and the Flickr outbox in Python."""
    shown = publish(app, participant, worker, purposes=("flickr",))
    with app.app_context():
        found, now = db.session.get(Photo, shown.id), utcnow()
        if lapse:
            for given in found.consents:
                given.given_at, given.expires_at = now - timedelta(days=2), now - timedelta(days=1)
            db.session.flush()
        assert found.on_flickr(now) is expected
        assert (db.session.scalar(select(Photo.id).where(Photo.on_flickr(now)))
                == (shown.id if expected else None))
