"""A participant moved to another site takes their photos along, or is refused while a
camera is out with them."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import api_token, user
from tests.fixtures.pages import assert_problem
from tests.fixtures.photos import gallery_ids, photo, publish
from tests.fixtures.stock import ALL_GOOD, make_camera
from workshop.audit.models import AuditEvent
from workshop.auth import services as auth
from workshop.auth.models import User
from workshop.db import utcnow
from workshop.errors import Invalid
from workshop.extensions import db
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services as photos
from workshop.photos.models import Consent, ConsentPurpose, Photo
from workshop.programme import services as programme
from workshop.programme.models import Enrolment
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState


def move(client, headers, person, site_id):
    return client.patch(f"/api/v1/users/{person.id}", headers=headers,
                        json={"site_id": site_id})


def test_a_move_takes_photos_consents_and_plans_along(app, client, admin, worker,
                                                      other_worker, participant):
    camera = make_camera(app, worker)
    shown = publish(app, participant, worker, seed=1)
    tomorrow = utcnow() + timedelta(days=1)
    with app.app_context():
        sky = user(participant)
        waiting = photos.upload(sky, photos.upload_target(sky),
                                io.BytesIO(photo((320, 240), seed=2)))
        consenting.give_consent(sky, waiting, ["gallery"])
        moderating.submit(sky, waiting, "Canal", "display_name")
        booking = stock.create_booking(user(worker), camera, sky.id, tomorrow,
                                       tomorrow + timedelta(hours=4))
        session = programme.create_session(user(worker), title="Light", starts_at=tomorrow,
                                           ends_at=tomorrow + timedelta(hours=2), capacity=4)
        programme.enrol(user(worker), session, sky.id)
        db.session.commit()
        waiting_id, booking_id = waiting.id, booking.id

    old, new = api_token(app, worker), api_token(app, other_worker)
    assert client.get(f"/api/v1/photos/{shown.id}", headers=old).status_code == 200
    response = move(client, api_token(app, admin), participant, other_worker.site_id)
    assert response.status_code == 200, response.json
    assert response.json["site_id"] == other_worker.site_id

    for photo_id in (shown.id, waiting_id):
        assert_problem(client.get(f"/api/v1/photos/{photo_id}", headers=old), 404)
        assert client.get(f"/api/v1/photos/{photo_id}", headers=new).status_code == 200
    assert [p["id"] for p in client.get("/api/v1/moderation", headers=new).json["items"]] \
        == [waiting_id]
    assert client.get("/api/v1/moderation", headers=old).json["items"] == []
    # The consents came along, so the photo stays public.
    assert gallery_ids(client) == [shown.uuid]
    with app.app_context():
        assert db.session.scalars(select(Photo.site_id)).all() == [other_worker.site_id] * 2
        in_force = db.session.scalars(select(Consent.purpose).where(
            Consent.photo_id == shown.id, Consent.ended_at.is_(None))).all()
        assert in_force == [ConsentPurpose.GALLERY]
        # The old site's camera and session will not see them: both plans are called off.
        assert db.session.get(Booking, booking_id).state is BookingState.CANCELLED
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
        moved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.moved"))
        assert moved.details["photos"] == 2 and moved.details["reservations_cancelled"] == 1


def test_a_move_is_refused_while_a_camera_is_out(app, client, admin, worker, other_worker,
                                                 participant):
    camera = make_camera(app, worker)
    shown = publish(app, participant, worker, seed=1)
    with app.app_context():
        stock.hand_over_now(user(worker), camera, participant.id,
                            utcnow() + timedelta(hours=3), ALL_GOOD)
        db.session.commit()
    body = assert_problem(move(client, api_token(app, admin), participant,
                               other_worker.site_id), 409)
    assert "CAM-01 out on loan" in body["detail"]
    with app.app_context():
        assert db.session.get(User, participant.id).site_id == worker.site_id
        assert db.session.get(Photo, shown.id).site_id == worker.site_id
    assert client.get(f"/api/v1/photos/{shown.id}",
                      headers=api_token(app, worker)).status_code == 200


def test_only_the_move_changes_a_participants_site(app, admin, participant, other_site):
    with app.app_context(), pytest.raises(Invalid, match="move"):
        auth.update_user(user(admin), user(participant), site_id=other_site)
