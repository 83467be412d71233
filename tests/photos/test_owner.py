"""What a photo's owner may still change (the caption, taking it out of the queue), what
they hear back on their home page, and the words they read about their own photos."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.pages import csrf_from, login, post_form
from tests.fixtures.photos import ALL_CHECKED, photo, send_photos
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera
from workshop.audit.models import AuditEvent
from workshop.auth import services as people
from workshop.db import utcnow
from workshop.errors import Conflict, Invalid, NotFound
from workshop.extensions import db
from workshop.photos import consent, moderation, owner, services
from workshop.photos.models import Photo, PhotoState
from workshop.programme import services as programme
from workshop.programme.models import Session
from workshop.stock import services as stock


def _waiting(app, account, seed=0, caption="The canal") -> int:
    """A photo of account's, with gallery consent, sent to be checked."""
    with app.app_context():
        person = user(account)
        found = services.upload(person, services.upload_target(person),
                                io.BytesIO(photo(seed=seed)))
        consent.give_consent(person, found, ["gallery"])
        moderation.submit(person, found, caption, "anonymous")
        db.session.commit()
        return found.id


@pytest.fixture
def neighbour(app, site):
    """Another participant at the same site."""
    return make_account(app, "robin", "participant", site)


@pytest.fixture
def second_worker(app, worker):
    return make_account(app, "worker3", "worker", worker.site_id)


# --- the caption -------------------------------------------------------------------------


def test_the_owner_changes_the_caption_while_it_waits(app, participant):
    photo_id = _waiting(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        owner.change_caption(user(participant), found, "  The  canal at dusk ")
        db.session.commit()
        assert (found.caption, found.state) == ("The canal at dusk", PhotoState.SUBMITTED)
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-1] == "photo.caption_changed"


def test_no_one_else_changes_the_caption(app, participant, neighbour, worker):
    photo_id = _waiting(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        for someone in (neighbour, worker):
            with pytest.raises(NotFound):
                owner.change_caption(user(someone), found, "Mine now")
        assert found.caption == "The canal"


def test_the_caption_stays_once_a_worker_has_decided(app, participant, worker):
    approved, rejected = _waiting(app, participant, 1), _waiting(app, participant, 2)
    with app.app_context():
        moderation.approve(user(worker), db.session.get(Photo, approved), ALL_CHECKED)
        moderation.reject(user(worker), db.session.get(Photo, rejected), "A face shows.")
        with pytest.raises(Conflict, match="approved this photo"):
            owner.change_caption(user(participant), db.session.get(Photo, approved), "New")
        with pytest.raises(Conflict, match="when you send it again"):
            owner.change_caption(user(participant), db.session.get(Photo, rejected), "New")


def test_a_caption_too_long_is_refused(app, participant):
    photo_id = _waiting(app, participant)
    with app.app_context(), pytest.raises(Invalid):
        owner.change_caption(user(participant), db.session.get(Photo, photo_id),
                             "x" * (services.CAPTION_LIMIT + 1))


def test_the_caption_form_on_the_page(app, client, participant, worker):
    photo_id = _waiting(app, participant)
    login(client, participant)
    page = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert f'action="/photos/{photo_id}/caption"' in page
    response = post_form(client, f"/photos/{photo_id}/caption", {"caption": "At dusk"},
                         page=f"/photos/{photo_id}")
    assert response.status_code == 302
    too_long = post_form(client, f"/photos/{photo_id}/caption", {"caption": "x" * 301},
                         page=f"/photos/{photo_id}")
    assert too_long.status_code == 422
    with app.app_context():
        moderation.approve(user(worker), db.session.get(Photo, photo_id), ALL_CHECKED)
        db.session.commit()
    decided = post_form(client, f"/photos/{photo_id}/caption", {"caption": "Later"},
                        page=f"/photos/{photo_id}")
    assert decided.status_code == 409
    assert "caption stays as it is" in decided.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Photo, photo_id).caption == "At dusk"


def test_someone_elses_caption_answers_not_found(app, client, participant, neighbour):
    photo_id = _waiting(app, participant)
    login(client, neighbour)
    response = post_form(client, f"/photos/{photo_id}/caption", {"caption": "Mine"},
                         page="/photos")
    assert response.status_code == 404
    assert "There is no such photo." in response.get_data(as_text=True)


def test_an_approval_is_of_the_caption_the_worker_saw(app, client, participant, worker):
    photo_id = _waiting(app, participant)
    login(client, worker)
    page = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    seen = re.search(r'id="seen_version" name="seen_version" type="hidden" value="(\d+)"',
                     page).group(1)
    with app.app_context():
        owner.change_caption(user(participant), db.session.get(Photo, photo_id),
                             "Something the worker has not read")
        db.session.commit()
    form = {"csrf_token": csrf_from(page), "seen_version": seen,
            **{key: "y" for key in ALL_CHECKED}}
    stale = client.post(f"/photos/{photo_id}/approve", data=form)
    assert stale.status_code == 409
    assert "changed while you were looking" in stale.get_data(as_text=True)
    fresh = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    form["seen_version"] = re.search(r'name="seen_version" type="hidden" value="(\d+)"',
                                     fresh).group(1)
    assert client.post(f"/photos/{photo_id}/approve", data=form).status_code == 302
    with app.app_context():
        assert db.session.get(Photo, photo_id).state is PhotoState.APPROVED


# --- out of the queue ---------------------------------------------------------------------


def test_the_owner_takes_a_photo_out_of_the_queue(app, client, participant, worker):
    photo_id = _waiting(app, participant)
    login(client, participant)
    response = post_form(client, f"/photos/{photo_id}/take-back", {},
                         page=f"/photos/{photo_id}")
    assert response.status_code == 302
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        assert (found.state, found.submitted_at) == (PhotoState.PRIVATE, None)
        assert db.session.scalars(moderation.moderation_queue(user(worker))).all() == []
    again = post_form(client, f"/photos/{photo_id}/take-back", {}, page=f"/photos/{photo_id}")
    assert again.status_code == 409
    assert "nothing to take back" in again.get_data(as_text=True)


def test_a_decided_photo_cannot_be_taken_back(app, participant, worker):
    photo_id = _waiting(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        moderation.approve(user(worker), found, ALL_CHECKED)
        with pytest.raises(Conflict):
            owner.take_back(user(participant), found)
        assert found.state is PhotoState.APPROVED


def test_no_one_else_takes_a_photo_out_of_the_queue(app, client, participant, neighbour,
                                                     worker):
    photo_id = _waiting(app, participant)
    with app.app_context(), pytest.raises(NotFound):
        owner.take_back(user(worker), db.session.get(Photo, photo_id))
    login(client, neighbour)
    response = post_form(client, f"/photos/{photo_id}/take-back", {}, page="/photos")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Photo, photo_id).state is PhotoState.SUBMITTED


# --- what they hear back ------------------------------------------------------------------


def test_news_since_they_last_looked(app, participant, worker, neighbour):
    shared, sent_back, noted = (_waiting(app, participant, n) for n in (1, 2, 3))
    _waiting(app, neighbour, 4)  # someone else's news is not theirs
    with app.app_context():
        me = user(participant)
        owner.mark_looked(me, utcnow() - timedelta(seconds=1))
        moderation.approve(user(worker), db.session.get(Photo, shared), ALL_CHECKED)
        moderation.reject(user(worker), db.session.get(Photo, sent_back), "A face shows.")
        services.add_note(user(worker), db.session.get(Photo, noted), "light", "Lovely.")
        db.session.commit()
        found = {(item.photo.id, item.kind, item.by) for item in owner.news(me)}
        assert found == {(shared, "gallery", None), (sent_back, "sent_back", None),
                         (noted, "note", "Worker")}
        owner.mark_looked(me)
        assert owner.news(me) == []
        moderation.report(db.session.get(Photo, shared), "My neighbour")
        assert [(item.photo.id, item.kind) for item in owner.news(me)] == [(shared, "hidden")]


def test_a_flickr_only_approval_is_news_of_flickr_not_the_gallery(app, participant, worker):
    with app.app_context():
        me = user(participant)
        found = services.upload(me, services.upload_target(me), io.BytesIO(photo()))
        consent.give_consent(me, found, ["flickr"])
        moderation.submit(me, found, "", "anonymous")
        moderation.approve(user(worker), found, ALL_CHECKED)
        assert [item.kind for item in owner.news(me)] == ["flickr"]


def test_the_home_page_in_order(app, client, participant, worker):
    camera_id = make_camera(app, worker, "CAM-07", make="Canon", model="IXUS 185")
    due = utcnow() + timedelta(days=3)
    with app.app_context():
        stock.hand_over_now(user(worker), camera_id, participant.id, due, {"body": True})
        db.session.commit()
    session_id = make_session(app, worker, start=utcnow() + timedelta(days=1),
                              title="Window light")
    with app.app_context():
        programme.enrol(user(worker), db.session.get(Session, session_id),
                        participant.id)
        db.session.commit()
    login(client, participant)
    page = client.get("/dashboard").get_data(as_text=True)
    due_words = due.astimezone(app.config["TZ"]).strftime("%A %-d %B, %H:%M")
    assert "CAM-07 (Canon IXUS 185)</strong> is on loan to you" in page
    assert f"bring it back by {due_words}" in page
    order = ["Your camera", "Your photos since you last looked", "Window light",
             ">Send photos<", "See the public gallery"]
    positions = [page.index(words) for words in order]
    assert positions == sorted(positions)
    assert 'href="/gallery"' in page


def test_the_home_page_says_nothing_on_loan_and_news_once(app, client, participant, worker):
    login(client, participant)
    first = client.get("/dashboard").get_data(as_text=True)
    assert "You have nothing on loan." in first and "Nothing new since you last looked." in first
    photo_id = _waiting(app, participant, caption="The bridge")
    with app.app_context():
        moderation.approve(user(worker), db.session.get(Photo, photo_id), ALL_CHECKED)
        services.add_note(user(worker), db.session.get(Photo, photo_id), "light")
        db.session.commit()
    news = client.get("/dashboard").get_data(as_text=True)
    assert "“The bridge” is in the gallery." in news
    assert "Worker left you a note on “The bridge”." in news
    # The thumbnail comes through the access-checked route, as every private copy does.
    assert f'src="/photos/{photo_id}/thumb"' in news
    assert "is in the gallery" not in client.get("/dashboard").get_data(as_text=True)


def test_erasure_forgets_when_they_last_looked(app, client, participant, worker):
    login(client, participant)
    client.get("/dashboard")
    with app.app_context():
        assert user(participant).photos_seen_at is not None
        people.erase_participant(user(worker), user(participant), participant.username)
        db.session.commit()
        assert user(participant).photos_seen_at is None


# --- words ---------------------------------------------------------------------------------


def test_a_reported_photo_says_so_to_its_owner(app, client, participant, worker):
    photo_id = _waiting(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        moderation.approve(user(worker), found, ALL_CHECKED)
        moderation.report(found, "My neighbour")
        db.session.commit()
    login(client, participant)
    page = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "Hidden while we look at a report" in page
    assert "It is shared where you said yes" not in page


def test_the_consents_page_is_where_my_photos_may_go(client, participant):
    login(client, participant)
    page = client.get("/photos/consents").get_data(as_text=True)
    assert "<title>Where my photos may go" in page and "<h1>Where my photos may go</h1>" in page
    assert "My consents" not in page


def test_a_participant_sees_no_api_tokens(app, client, participant):
    login(client, participant)
    assert "API token" not in client.get("/account").get_data(as_text=True)
    refused = post_form(client, "/account/tokens", {"token-name": "mine"}, page="/account")
    assert refused.status_code in (403, 404)
    assert client.get("/tokens").status_code == 404


def test_uploading_for_someone_says_whose_photos_they_are(client, worker, participant):
    login(client, worker)
    page = client.get("/photos/upload").get_data(as_text=True)
    assert "Only you can see them" not in page
    assert "the person you choose below, not yours" in page
    sent_back = send_photos(client, [], as_json=False, participant_id=participant.id)
    assert "These are Sky's photos, not yours" in sent_back.get_data(as_text=True)


def test_the_picker_is_a_big_labelled_button_for_images_only(client, participant):
    login(client, participant)
    page = client.get("/photos/upload").get_data(as_text=True)
    label = re.search(r'<label class="([^"]*)" for="photos">Choose photos</label>', page)
    assert label and "big-action" in label.group(1)
    accept = re.search(r'accept="([^"]+)"[^>]*id="photos"', page).group(1)
    assert all(kind.startswith(("image/", ".hei")) for kind in accept.split(","))


def test_progress_shows_each_photos_thumbnail(app, client, participant):
    login(client, participant)
    ids = [send_photos(client, [(photo(seed=n), f"{n}.jpg")]).json["id"] for n in range(2)]
    page = client.get("/photos/progress").get_data(as_text=True)
    for photo_id in ids:
        assert f'src="/photos/{photo_id}/thumb"' in page
    assert "/gallery/" not in page
    radii = {int(r) for r in re.findall(r'<circle [^>]*r="(\d+)"', page)}
    assert radii == {18}
