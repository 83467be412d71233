"""The right to erasure: a participant's photos and copies go, their history stays nameless."""

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import api_token, make_account, user
from tests.fixtures.pages import login, post_form
from tests.fixtures.photos import gallery_ids, photo, publish, stored_files
from tests.fixtures.stock import ALL_GOOD, make_camera
from workshop.audit.models import AuditEvent
from workshop.auth.models import ApiToken, LoginSession, User
from workshop.auth.services import erase_participant
from workshop.errors import Conflict, NotFound
from workshop.extensions import db
from workshop.gallery import services as gallery
from workshop.photos import services
from workshop.photos.models import Consent, Photo
from workshop.photos.storage import storage
from workshop.programme import services as programme
from workshop.programme.models import Enrolment
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState


@pytest.mark.usefixtures("each_storage")
def test_erasing_a_participant_deletes_photos_copies_and_name(app, client, participant,
                                                             worker):
    shown = publish(app, participant, worker, seed=1)
    publish(app, participant, worker, seed=2, credit="anonymous")
    api_token(app, participant)
    # Someone else sent the very same file: their copy must survive.
    kit = make_account(app, "kit", "participant", participant.site_id)
    with app.app_context():
        owner = user(kit)
        services.upload(owner, services.upload_target(owner),
                        io.BytesIO(photo((320, 240), seed=1)))
        db.session.commit()
    assert len(gallery_ids(client)) == 2

    login(client, worker)
    refused = post_form(client, f"/people/{participant.id}/erase", {"confirm": "nope"},
                        page=f"/people/{participant.id}")
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 3
    done = post_form(client, f"/people/{participant.id}/erase",
                     {"confirm": participant.username}, page=f"/people/{participant.id}")
    assert done.status_code == 302

    assert gallery_ids(app.test_client()) == []
    with app.app_context():
        assert db.session.scalars(select(Photo.owner_id)).all() == [kit.id]
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
        erased = db.session.get(User, participant.id)
        assert erased.display_name == "Former participant" and not erased.active
        assert erased.username.startswith("erased-")
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
        kept_hash = db.session.scalar(select(Photo.content_hash))
        store = storage()
        assert store.original_path(kept_hash).exists()
        assert not store.public_path(shown.uuid, "large").exists()
    names = {p.name.split("-")[0] for p in stored_files(app)}
    assert names == {kept_hash}
    assert hashlib.sha256(photo((320, 240), seed=1)).hexdigest() == kept_hash
    # The old login does not work any more.
    fresh = app.test_client()
    assert login(fresh, participant).status_code == 401


def test_only_staff_of_the_site_can_erase(app, participant, other_worker):
    with app.app_context():
        with pytest.raises(NotFound):
            erase_participant(user(other_worker), user(participant),
                              participant.username)
        with pytest.raises(NotFound):
            erase_participant(user(participant), user(participant),
                              participant.username)


def test_erasure_cancels_the_future_and_leaves_only_counts(app, client, participant, worker):
    """Nothing left after an erasure leads back to the person: no free text about them, no
    plans, no register, no times they were here, no audit row that carries them."""
    camera = make_camera(app, worker)
    shown = publish(app, participant, worker, seed=1)
    now = datetime.now(UTC)
    then, tomorrow = now - timedelta(days=3), now + timedelta(days=1)
    secrets = ["Keeps losing chargers", "Strap frayed at hand-over", "Came back wet",
               "For the canal walk", "Bring the charger back"]
    with app.app_context():
        sky, staff = user(participant), user(worker)
        past = stock.create_booking(staff, camera, sky.id, then, then + timedelta(hours=4),
                                    note=secrets[0], now=then)
        stock.check_out(staff, past, ALL_GOOD, note=secrets[1], now=then)
        stock.check_in(staff, past, ALL_GOOD, note=secrets[2], now=then + timedelta(hours=2))
        future = stock.create_booking(staff, camera, sky.id, tomorrow,
                                      tomorrow + timedelta(hours=4), note=secrets[3],
                                      participant_note=secrets[4])
        came = programme.create_session(staff, title="Light", starts_at=then,
                                        ends_at=then + timedelta(hours=2), capacity=4)
        coming = programme.create_session(staff, title="Shade", starts_at=tomorrow,
                                          ends_at=tomorrow + timedelta(hours=2), capacity=4)
        for session in (came, coming):
            programme.enrol(staff, session, sky.id)
        programme.set_attendance(staff, came, sky.id, True)
        gallery.set_portfolio(sky, True)
        slug = sky.portfolio_slug
        db.session.commit()
        past_id, future_id = past.id, future.id
    login(app.test_client(), participant)
    login(client, worker)
    done = post_form(client, f"/people/{participant.id}/erase",
                     {"confirm": participant.username}, page=f"/people/{participant.id}")
    assert done.status_code == 302

    assert client.get(f"/gallery/people/{slug}").status_code == 404
    with app.app_context():
        erased = db.session.get(User, participant.id)
        assert erased.last_login_at is None and erased.portfolio_slug is None
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1  # staff
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
        # The loans stay in the camera's history, lent to no one and with no words.
        for booking in db.session.scalars(select(Booking)):
            assert booking.participant_id is None
            assert not booking.note and not booking.participant_note
            for condition in (booking.checkout_condition, booking.return_condition):
                assert condition is None or condition["note"] == ""
        assert db.session.get(Booking, past_id).state is BookingState.RETURNED
        assert db.session.get(Booking, future_id).state is BookingState.CANCELLED
        events = db.session.scalars(select(AuditEvent)).all()
        for event in events:
            assert event.actor_id != participant.id
            assert event.details.get("participant_id") != participant.id
            assert event.details.get("owner_id") != participant.id
            assert not (event.target_type == "photo" and event.target_id == shown.id)
            assert not (event.target_type == "user" and event.target_id == participant.id
                        and event.action != "user.erased")
        everything = str([(e.action, e.details) for e in events]) + str(
            db.session.execute(select(Booking.__table__)).all())
        assert not any(secret in everything for secret in secrets)
        (erasure,) = [e for e in events if e.action == "user.erased"]
        assert erasure.details | {"audit_events": 0} == {
            "photos": 1, "loans": 2, "reservations_cancelled": 1, "sessions": 2,
            "sessions_attended": 1, "audit_events": 0}


def test_erasure_waits_while_a_camera_is_out(app, client, participant, worker):
    camera = make_camera(app, worker)
    with app.app_context():
        stock.hand_over_now(user(worker), camera, participant.id,
                            datetime.now(UTC) + timedelta(hours=3), ALL_GOOD)
        db.session.commit()
    login(client, worker)
    refused = post_form(client, f"/people/{participant.id}/erase",
                        {"confirm": participant.username}, page=f"/people/{participant.id}")
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "has CAM-01 out on loan" in page
    with app.app_context():
        assert db.session.get(User, participant.id).username == participant.username


def test_a_refused_erasure_touches_nothing(app, client, participant, worker):
    """A camera out stops the erasure before any feature acts on it: the photo stays
    public, with its public copies still there."""
    shown = publish(app, participant, worker, seed=1)
    camera = make_camera(app, worker)
    with app.app_context():
        stock.hand_over_now(user(worker), camera, participant.id,
                            datetime.now(UTC) + timedelta(hours=3), ALL_GOOD)
        db.session.commit()
        with pytest.raises(Conflict, match="out on loan"):
            erase_participant(user(worker), user(participant), participant.username)
        db.session.rollback()
        assert storage().public_path(shown.uuid, "large").exists()
    assert gallery_ids(client) == [shown.uuid]
