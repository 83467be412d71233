"""The session rules: planning, places, the register, cameras all-or-none, the feed."""

import hashlib

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.app import race
from tests.fixtures.clock import NOW, hours
from tests.fixtures.programme import START, make_session
from tests.fixtures.stock import make_camera
from workshop.audit.models import AuditEvent
from workshop.errors import Conflict, Forbidden, Invalid, NotFound
from workshop.extensions import db
from workshop.programme import services as programme
from workshop.programme.models import Enrolment, Session
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> tuple:
    """Everything a failed action might have touched, to compare before and after."""
    return (
        count(Session), count(Enrolment), count(Booking), count(AuditEvent),
        tuple(db.session.execute(select(
            Session.id, Session.title, Session.starts_at, Session.ends_at, Session.capacity,
            Session.version).order_by(Session.id)).all()),
        tuple(db.session.execute(select(
            Enrolment.id, Enrolment.participant_id, Enrolment.attended)
            .order_by(Enrolment.id)).all()),
        tuple(db.session.execute(select(Booking.id, Booking.state).order_by(Booking.id)).all()),
    )


def fails_without_change(error, action, match=None):
    """Run a service that must fail; the request would roll back; nothing changed."""
    db.session.commit()
    before = snapshot()
    with pytest.raises(error, match=match) as caught:
        action()
    db.session.rollback()
    assert snapshot() == before
    return caught.value


def get(actor, session_id) -> Session:
    return programme.get_session(user(actor), session_id)


# --- planning ---------------------------------------------------------------------------


def test_a_worker_plans_a_session_at_their_site(ctx, worker):
    session = programme.create_session(
        user(worker), title="  Get close  ", starts_at=START, ends_at=START + hours(2),
        capacity=6, place="Garden", lead_worker_id=worker.id)
    db.session.commit()
    assert (session.title, session.site_id, session.lead_worker_id, session.version) == (
        "Get close", worker.site_id, worker.id, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.created"))
    assert event.target_id == session.id and event.actor_id == worker.id


def test_end_before_start_is_refused(ctx, worker):
    error = fails_without_change(Invalid, lambda: programme.create_session(
        user(worker), title="Backwards", starts_at=START, ends_at=START - hours(1),
        capacity=4))
    assert "ends_at" in error.errors
    assert count(Session) == 0


def test_end_before_start_on_an_edit_is_refused(ctx, worker, session_id):
    error = fails_without_change(Invalid, lambda: programme.update_session(
        user(worker), get(worker, session_id), ends_at=START - hours(3)))
    assert error.errors["ends_at"] == ["The end must be after the start."]


@pytest.mark.parametrize("capacity", [0, -1, 201, True, "3"])
def test_capacity_must_be_a_sensible_number(ctx, worker, capacity):
    error = fails_without_change(Invalid, lambda: programme.create_session(
        user(worker), title="Odd", starts_at=START, ends_at=START + hours(1),
        capacity=capacity))
    assert "capacity" in error.errors


def test_a_lead_worker_from_another_site_is_not_found(ctx, worker, other_worker):
    fails_without_change(NotFound, lambda: programme.create_session(
        user(worker), title="X", starts_at=START, ends_at=START + hours(1), capacity=2,
        lead_worker_id=other_worker.id))


def test_another_sites_session_is_not_found(ctx, app, worker, other_worker, session_id):
    with pytest.raises(NotFound):
        get(other_worker, session_id)
    fails_without_change(NotFound, lambda: programme.create_session(
        user(other_worker), site_id=worker.site_id, title="X", starts_at=START,
        ends_at=START + hours(1), capacity=2))


def test_participants_cannot_plan(ctx, participant):
    fails_without_change(Forbidden, lambda: programme.create_session(
        user(participant), title="X", starts_at=START, ends_at=START + hours(1), capacity=2))


def test_a_stale_edit_is_a_conflict(ctx, worker, session_id):
    session = get(worker, session_id)
    programme.update_session(user(worker), session, title="First edit", expected_version=1)
    db.session.commit()
    assert session.version == 2
    fails_without_change(Conflict, lambda: programme.update_session(
        user(worker), get(worker, session_id), title="Second edit", expected_version=1),
        match="changed this session")
    assert get(worker, session_id).title == "First edit"


def test_an_edit_saved_in_between_is_caught_at_flush(ctx, worker, session_id):
    session = get(worker, session_id)
    # Someone else saves after this request loaded the session, before it writes.
    db.session.execute(Session.__table__.update().values(version=5))
    with pytest.raises(Conflict, match="changed this session"):
        programme.update_session(user(worker), session, title="Mine")
    db.session.rollback()
    assert get(worker, session_id).title == "Light and shade"


def test_capacity_cannot_drop_below_those_enrolled(ctx, app, worker, session_id):
    people = [make_account(app, f"person{n}", "participant", worker.site_id) for n in range(2)]
    for person in people:
        programme.enrol(user(worker), get(worker, session_id), person.id)
    fails_without_change(Conflict, lambda: programme.update_session(
        user(worker), get(worker, session_id), capacity=1), match="2 people are enrolled")


# --- enrolment --------------------------------------------------------------------------


def test_enrol_and_unenrol(ctx, worker, participant, session_id):
    programme.enrol(user(worker), get(worker, session_id), participant.id)
    db.session.commit()
    assert [e.participant_id for e in get(worker, session_id).enrolments] == [participant.id]
    # A participant sees the sessions they are in.
    assert get(participant, session_id).id == session_id
    programme.unenrol(user(worker), get(worker, session_id), participant.id)
    db.session.commit()
    assert count(Enrolment) == 0
    with pytest.raises(NotFound):
        get(participant, session_id)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["session.enrolled", "session.unenrolled"]


def test_enrolling_twice_is_a_conflict(ctx, worker, participant, session_id):
    programme.enrol(user(worker), get(worker, session_id), participant.id)
    fails_without_change(Conflict, lambda: programme.enrol(
        user(worker), get(worker, session_id), participant.id), match="already enrolled")


def test_enrolling_beyond_capacity_is_a_conflict(ctx, app, worker, participant):
    session_id = make_session(app, worker, capacity=1)
    second = make_account(app, "kim", "participant", worker.site_id)
    programme.enrol(user(worker), get(worker, session_id), participant.id)
    error = fails_without_change(Conflict, lambda: programme.enrol(
        user(worker), get(worker, session_id), second.id), match="full")
    assert "participant_id" in error.errors


def test_enrolling_someone_from_another_site_is_not_found(ctx, worker, other_participant,
                                                          session_id):
    fails_without_change(NotFound, lambda: programme.enrol(
        user(worker), get(worker, session_id), other_participant.id))


def test_workers_are_not_enrolled(ctx, worker, session_id):
    fails_without_change(NotFound, lambda: programme.enrol(
        user(worker), get(worker, session_id), worker.id))


def test_unenrolling_someone_not_enrolled_is_not_found(ctx, worker, participant, session_id):
    fails_without_change(NotFound, lambda: programme.unenrol(
        user(worker), get(worker, session_id), participant.id))


def test_participants_cannot_enrol_others_or_themselves(ctx, worker, participant,
                                                        session_id):
    programme.enrol(user(worker), get(worker, session_id), participant.id)
    fails_without_change(Forbidden, lambda: programme.unenrol(
        user(participant), get(participant, session_id), participant.id))


def test_ten_workers_racing_for_one_place_leaves_one_enrolment(
        database_uri, tmp_path, app, worker):
    """10 threads enrol different people into a one-place session at once: one gets in."""
    session_id = make_session(app, worker, capacity=1)
    people = [make_account(app, f"racer{n}", "participant", worker.site_id)
              for n in range(10)]

    def enrol(person) -> None:
        actor = user(worker)
        programme.enrol(actor, programme.get_session(actor, session_id), person.id)

    assert race(database_uri, tmp_path, people, act=enrol) == ["conflict"] * 9 + ["won"]
    with app.app_context():
        assert count(Enrolment) == 1


# --- the register -----------------------------------------------------------------------


def test_the_register_notes_who_came(ctx, app, worker, participant, session_id):
    other = make_account(app, "kim", "participant", worker.site_id)
    for person in (participant, other):
        programme.enrol(user(worker), get(worker, session_id), person.id)
    programme.set_attendance(user(worker), get(worker, session_id), participant.id, True,
                             now=START)
    programme.set_attendance(user(worker), get(worker, session_id), other.id, False,
                             now=START)
    db.session.commit()
    marks = {e.participant_id: (e.attended, e.attendance_taken_at)
             for e in get(worker, session_id).enrolments}
    assert marks == {participant.id: (True, START), other.id: (False, START)}


def test_attendance_only_for_those_enrolled(ctx, worker, participant, session_id):
    fails_without_change(NotFound, lambda: programme.set_attendance(
        user(worker), get(worker, session_id), participant.id, True))


# --- cameras ----------------------------------------------------------------------------


def test_reserve_a_number_of_cameras(ctx, app, worker, session_id):
    for n in range(3):
        make_camera(app, worker, f"CAM-0{n}")
    bookings = programme.reserve_cameras(user(worker), get(worker, session_id), count=2,
                                         now=NOW)
    db.session.commit()
    assert [b.camera.asset_tag for b in bookings] == ["CAM-00", "CAM-01"]
    assert all(b.session_id == session_id and b.participant_id is None
               and b.state is BookingState.RESERVED and b.starts_at == START
               for b in bookings)
    assert [c.asset_tag for c in programme.free_cameras(get(worker, session_id))] == ["CAM-02"]


def test_reserving_more_than_are_free_books_nothing_and_says_how_many(
        ctx, app, worker, participant, session_id):
    cameras = [make_camera(app, worker, f"CAM-0{n}") for n in range(3)]
    # One is lent to someone over the session's time.
    stock.create_booking(user(worker), cameras[0], participant.id, START - hours(1),
                         START + hours(1), now=NOW)
    error = fails_without_change(Conflict, lambda: programme.reserve_cameras(
        user(worker), get(worker, session_id), count=3, now=NOW))
    assert error.message == "Only 2 cameras are free at that time. Nothing was booked."
    assert count(Booking) == 1


def test_named_cameras_are_all_booked_or_none(ctx, app, worker, participant, session_id):
    free = make_camera(app, worker, "CAM-01")
    busy = make_camera(app, worker, "CAM-02")
    stock.create_booking(user(worker), busy, participant.id, START, START + hours(1), now=NOW)
    error = fails_without_change(Conflict, lambda: programme.reserve_cameras(
        user(worker), get(worker, session_id), camera_ids=[free, busy], now=NOW))
    assert "CAM-02 is not free" in error.message
    assert "Only 1 camera is free" in error.message


def test_a_race_lost_half_way_books_nothing(ctx, app, worker, participant, session_id,
                                            monkeypatch):
    cameras = [make_camera(app, worker, f"CAM-0{n}") for n in range(2)]
    real = stock.create_booking
    calls = []

    def second_one_clashes(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2:
            # Someone else books the second camera just before this request does.
            raise Conflict("CAM-01 is booked for someone.")
        return real(*args, **kwargs)

    monkeypatch.setattr(stock, "create_booking", second_one_clashes)
    fails_without_change(Conflict, lambda: programme.reserve_cameras(
        user(worker), get(worker, session_id), camera_ids=cameras, now=NOW),
        match="Nothing was booked")


def test_another_sites_camera_cannot_be_reserved(ctx, app, worker, other_worker,
                                                  session_id):
    theirs = make_camera(app, other_worker, "SOUTH-01")
    fails_without_change(NotFound, lambda: programme.reserve_cameras(
        user(worker), get(worker, session_id), camera_ids=[theirs], now=NOW))


def test_count_or_camera_ids_not_both(ctx, worker, session_id):
    fails_without_change(Invalid, lambda: programme.reserve_cameras(
        user(worker), get(worker, session_id), now=NOW))
    fails_without_change(Invalid, lambda: programme.reserve_cameras(
        user(worker), get(worker, session_id), count=1, camera_ids=[1], now=NOW))


def test_time_cannot_move_while_cameras_are_booked(ctx, app, worker, session_id):
    make_camera(app, worker)
    programme.reserve_cameras(user(worker), get(worker, session_id), count=1, now=NOW)
    fails_without_change(Conflict, lambda: programme.update_session(
        user(worker), get(worker, session_id), starts_at=START + hours(1),
        ends_at=START + hours(3)), match="Cameras are booked")


def test_hand_a_reserved_camera_to_an_attendee(ctx, app, worker, participant, session_id):
    make_camera(app, worker)
    programme.enrol(user(worker), get(worker, session_id), participant.id)
    [booking] = programme.reserve_cameras(user(worker), get(worker, session_id), count=1,
                                          now=NOW)
    db.session.commit()
    handed = programme.hand_out(user(worker), get(worker, session_id), booking.id,
                                participant.id, {"body": True}, now=START)
    db.session.commit()
    assert handed.state is BookingState.OUT and handed.participant_id == participant.id
    assert get(worker, session_id).enrolments[0].attended is True


def test_only_enrolled_people_get_a_sessions_camera(ctx, app, worker, participant,
                                                    session_id):
    make_camera(app, worker)
    [booking] = programme.reserve_cameras(user(worker), get(worker, session_id), count=1,
                                          now=NOW)
    fails_without_change(Invalid, lambda: programme.hand_out(
        user(worker), get(worker, session_id), booking.id, participant.id, {}, now=START))


def test_another_sessions_booking_is_not_handed_out_here(ctx, app, worker, participant,
                                                         session_id):
    make_camera(app, worker)
    other = make_session(app, worker, start=START + hours(24))
    [booking] = programme.reserve_cameras(user(worker), get(worker, other), count=1, now=NOW)
    programme.enrol(user(worker), get(worker, session_id), participant.id)
    fails_without_change(NotFound, lambda: programme.hand_out(
        user(worker), get(worker, session_id), booking.id, participant.id, {}, now=START))


# --- the calendar feed ------------------------------------------------------------------


def test_the_feed_secret_is_kept_only_as_a_hash_and_can_be_replaced(ctx, worker):
    first = programme.new_calendar_secret(user(worker))
    db.session.commit()
    assert user(worker).calendar_token_hash == hashlib.sha256(first.encode()).hexdigest()
    assert programme.user_for_calendar_secret(first).id == worker.id
    second = programme.new_calendar_secret(user(worker))
    db.session.commit()
    assert programme.user_for_calendar_secret(first) is None
    assert programme.user_for_calendar_secret(second).id == worker.id
    assert programme.user_for_calendar_secret("") is None


def test_the_feed_holds_the_sessions_a_worker_leads(ctx, app, worker):
    mine = make_session(app, worker, lead_worker_id=worker.id)
    make_session(app, worker, title="Someone else's")
    assert [s.id for s in programme.feed_sessions(user(worker), NOW)] == [mine]
