"""The loan rules, the state machine, and no double booking, ever."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests.fixtures.accounts import make_account, user
from tests.fixtures.app import race
from tests.fixtures.clock import NOW, hours
from tests.fixtures.stock import book, make_camera
from workshop.audit.models import AuditEvent
from workshop.errors import Conflict, Forbidden, Invalid, NotFound
from workshop.extensions import db
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState, Camera, CameraStatus
from workshop.templating import local_time

ALL_GOOD = {"body": True, "lens": True, "strap": True, "power": True, "card": True,
            "card_wiped": True}


def count_bookings() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))



# --- cameras ----------------------------------------------------------------------------


def test_asset_tags_are_unique_whatever_the_case(ctx, worker, camera):
    with pytest.raises(Conflict, match="CAM-01"):
        stock.create_camera(user(worker), None, " cam-01 ", "digital")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Camera)) == 1


@pytest.mark.parametrize("fields, field", [
    ({"asset_tag": "has spaces"}, "asset_tag"),
    ({"kind": "film"}, "kind"),
    ({"megapixels": 0}, "megapixels"),
    ({"exposures": 27}, "exposures"),  # a digital camera has no exposures
])
def test_bad_camera_details(ctx, worker, fields, field):
    args = {"asset_tag": "CAM-09", "kind": "digital", **fields}
    with pytest.raises(Invalid) as error:
        stock.create_camera(user(worker), None, **args)
    assert field in error.value.errors


def test_participants_cannot_see_or_add_cameras(ctx, participant, camera):
    with pytest.raises(NotFound):
        stock.get_camera(user(participant), camera)
    with pytest.raises(Forbidden):
        stock.create_camera(user(participant), None, "CAM-77", "digital")


def test_another_sites_camera_is_not_found(app, ctx, worker, other_worker):
    theirs = make_camera(app, other_worker, "CAM-S1")
    with pytest.raises(NotFound):
        stock.get_camera(user(worker), theirs)


def test_stale_camera_edit_is_a_conflict(ctx, worker, camera):
    seen = stock.get_camera(user(worker), camera).version
    stock.update_camera(user(worker), stock.get_camera(user(worker), camera), notes="dusty")
    db.session.commit()
    with pytest.raises(Conflict, match="changed"):
        stock.update_camera(user(worker), stock.get_camera(user(worker), camera),
                            notes="cleaned", expected_version=seen)
    db.session.rollback()
    assert db.session.get(Camera, camera).notes == "dusty"


# --- booking ----------------------------------------------------------------------------


def test_book_ahead_and_the_clash_is_named(ctx, worker, participant, camera):
    first = book(worker, camera, participant, NOW + hours(24))
    with pytest.raises(Conflict) as error:
        stock.create_booking(user(worker), camera, participant.id, NOW + hours(26),
                             NOW + hours(30), now=NOW)
    message = error.value.message
    assert "CAM-01" in message and "Sky" in message and f"booking {first.id}" not in message
    # The id goes to programs (the API's errors), not into the sentence people read.
    assert error.value.errors == {"clash_booking_id": [str(first.id)]}
    db.session.rollback()
    assert count_bookings() == 1


def test_back_to_back_bookings_do_not_clash(ctx, worker, participant, camera):
    book(worker, camera, participant, NOW, 4)
    book(worker, camera, participant, NOW + hours(4), 4)
    assert count_bookings() == 2


@pytest.mark.parametrize("start, end, field", [
    (NOW + hours(5), NOW + hours(4), "ends_at"),
    (NOW - hours(1), NOW + hours(4), "starts_at"),
    (NOW, NOW + timedelta(days=61), "ends_at"),
])
def test_bad_periods(ctx, worker, participant, camera, start, end, field):
    with pytest.raises(Invalid) as error:
        stock.create_booking(user(worker), camera, participant.id, start, end, now=NOW)
    assert field in error.value.errors
    db.session.rollback()
    assert count_bookings() == 0


def test_a_hand_over_typed_a_minute_ago_is_not_in_the_past(ctx, worker, participant, camera):
    booking = stock.hand_over_now(user(worker), camera, participant.id, NOW + hours(3),
                                  ALL_GOOD, now=NOW + timedelta(minutes=1))
    assert booking.state is BookingState.OUT


@pytest.mark.parametrize("status", ["in_repair", "retired", "lost"])
def test_cameras_off_the_shelf_cannot_be_booked(ctx, worker, participant, camera, status):
    stock.update_camera(user(worker), stock.get_camera(user(worker), camera), status=status)
    db.session.commit()
    with pytest.raises(Conflict, match="cannot be lent"):
        stock.create_booking(user(worker), camera, participant.id, NOW, NOW + hours(2),
                             now=NOW)


def test_another_sites_participant_is_not_found(ctx, worker, other_participant, camera):
    with pytest.raises(NotFound):
        stock.create_booking(user(worker), camera, other_participant.id, NOW,
                             NOW + hours(2), now=NOW)


def test_another_sites_camera_cannot_be_booked(app, ctx, worker, other_worker, participant):
    theirs = make_camera(app, other_worker, "CAM-S1")
    with pytest.raises(NotFound):
        stock.create_booking(user(worker), theirs, participant.id, NOW, NOW + hours(2),
                             now=NOW)


def test_participants_cannot_book(ctx, participant, camera):
    with pytest.raises(Forbidden):
        stock.create_booking(user(participant), camera, participant.id, NOW,
                             NOW + hours(2), now=NOW)


# --- hand-over and return ----------------------------------------------------------------


def test_hand_over_and_return_record_who_when_and_condition(ctx, worker, participant, camera):
    booking = book(worker, camera, participant)
    stock.check_out(user(worker), booking, {**ALL_GOOD, "strap": False}, note="no strap",
                    now=NOW)
    stock.check_in(user(worker), booking, ALL_GOOD, now=NOW + hours(3))
    db.session.commit()
    assert booking.state is BookingState.RETURNED
    assert booking.checked_out_by.id == worker.id and booking.returned_by.id == worker.id
    assert booking.checkout_condition["items"]["strap"] is False
    assert stock.missing_items(booking.camera, booking.checkout_condition) == [
        "Strap is there"]
    assert booking.camera.status is CameraStatus.AVAILABLE
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "booking", AuditEvent.target_id == booking.id)).all()
    assert actions == ["booking.reserved", "booking.checked_out", "booking.returned"]


def test_early_hand_over_moves_the_start(ctx, worker, participant, camera):
    booking = book(worker, camera, participant, NOW + hours(2))
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW + hours(1))
    assert booking.starts_at == NOW + hours(1)


def test_early_return_frees_the_rest_of_the_period(ctx, worker, participant, camera):
    booking = book(worker, camera, participant, NOW, 8)
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW)
    stock.check_in(user(worker), booking, ALL_GOOD, now=NOW + hours(2))
    db.session.commit()
    later = book(worker, camera, participant, NOW + hours(3), 2, now=NOW + hours(2))
    assert later.state is BookingState.RESERVED


def test_damage_at_return_sends_the_camera_for_repair(ctx, worker, participant, camera):
    booking = book(worker, camera, participant)
    upcoming = book(worker, camera, participant, NOW + hours(24))
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW)
    stock.check_in(user(worker), booking, {**ALL_GOOD, "lens": False}, damaged=True,
                   note="cracked lens", now=NOW + hours(2))
    db.session.commit()
    assert db.session.get(Camera, camera).status is CameraStatus.IN_REPAIR
    # Its reservation cannot be honoured, so it is cancelled where the worker can see it.
    assert db.session.get(Booking, upcoming.id).state is BookingState.CANCELLED


def test_returning_a_camera_that_is_not_out(ctx, worker, participant, camera):
    booking = book(worker, camera, participant)
    with pytest.raises(Conflict, match="reserved, so it cannot be taken back"):
        stock.check_in(user(worker), booking, ALL_GOOD, now=NOW)
    db.session.rollback()
    assert db.session.get(Booking, booking.id).state is BookingState.RESERVED


def test_cannot_hand_over_a_camera_still_out_with_someone_else(app, ctx, worker, participant,
                                                               site, camera):
    robin = make_account(app, "robin", "participant", site)
    first = book(worker, camera, participant, NOW, 2)
    stock.check_out(user(worker), first, ALL_GOOD, now=NOW)
    db.session.commit()
    second = book(worker, camera, robin, NOW + hours(3), 2)
    # The first loan is now overdue and the camera is not back.
    with pytest.raises(Conflict, match="is out with Sky"):
        stock.check_out(user(worker), second, ALL_GOOD, now=NOW + hours(3))


def test_stale_version_is_refused(ctx, worker, participant, camera):
    booking = book(worker, camera, participant)
    seen = booking.version
    stock.extend(user(worker), booking, booking.ends_at + hours(1), now=NOW)
    db.session.commit()
    with pytest.raises(Conflict, match="changed"):
        stock.cancel(user(worker), booking, expected_version=seen, now=NOW)
    db.session.rollback()
    assert db.session.get(Booking, booking.id).state is BookingState.RESERVED


def test_no_lost_update_between_two_workers(app, worker, participant, camera):
    """Two workers open the same booking; one hands it over; the other's cancel fails."""
    with app.app_context():
        booking_id = book(worker, camera, participant).id
    with app.app_context():
        theirs = stock.get_booking(user(worker), booking_id)
        assert theirs.state is BookingState.RESERVED  # loaded before the hand-over
        with app.app_context():
            mine = stock.get_booking(user(worker), booking_id)
            stock.check_out(user(worker), mine, ALL_GOOD, now=NOW)
            db.session.commit()
        with pytest.raises(Conflict, match="changed"):
            stock.cancel(user(worker), theirs, now=NOW)
    with app.app_context():
        assert db.session.get(Booking, booking_id).state is BookingState.OUT


def test_extend_a_loan_and_the_clash_it_would_make(app, ctx, worker, participant, site,
                                                   camera):
    robin = make_account(app, "robin", "participant", site)
    booking = book(worker, camera, participant, NOW, 4)
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW)
    db.session.commit()
    later = book(worker, camera, robin, NOW + hours(8), 2)
    stock.extend(user(worker), booking, NOW + hours(6), now=NOW)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        stock.extend(user(worker), booking, NOW + hours(9), now=NOW)
    assert error.value.errors == {"clash_booking_id": [str(later.id)]}
    db.session.rollback()
    assert db.session.get(Booking, booking.id).ends_at == NOW + hours(6)


def test_write_off_ends_kindly_and_marks_the_camera_lost(ctx, worker, participant, camera):
    booking = book(worker, camera, participant)
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW)
    stock.write_off(user(worker), booking, note="Moved away", now=NOW + hours(48))
    db.session.commit()
    assert booking.state is BookingState.WRITTEN_OFF
    assert booking.closed_by.id == worker.id and "Moved away" in booking.note
    assert db.session.get(Camera, camera).status is CameraStatus.LOST


def test_disposable_goes_for_developing_then_developed(ctx, worker, participant, disposable,
                                                       camera):
    booking = book(worker, disposable, participant)
    stock.check_out(user(worker), booking, {"body": True, "lens": True}, now=NOW)
    stock.send_for_developing(user(worker), booking, now=NOW + hours(3))
    db.session.commit()
    assert db.session.get(Camera, disposable).status is CameraStatus.USED
    with pytest.raises(Conflict):
        stock.create_booking(user(worker), disposable, participant.id, NOW + hours(5),
                             NOW + hours(6), now=NOW)
    db.session.rollback()
    stock.mark_developed(user(worker), stock.get_booking(user(worker), booking.id),
                         now=NOW + hours(72))
    db.session.commit()
    assert db.session.get(Booking, booking.id).state is BookingState.DEVELOPED

    digital = book(worker, camera, participant)
    stock.check_out(user(worker), digital, ALL_GOOD, now=NOW)
    with pytest.raises(Conflict, match="Only disposable"):
        stock.send_for_developing(user(worker), digital, now=NOW)


def test_unknown_checklist_items_are_refused(ctx, worker, participant, disposable):
    booking = book(worker, disposable, participant)
    with pytest.raises(Invalid, match="card"):
        stock.check_out(user(worker), booking, {"card": True}, now=NOW)


# --- the dashboard ----------------------------------------------------------------------


def test_dashboard_numbers_tell_the_truth(app, ctx, worker, participant, site):
    cams = [make_camera(app, worker, f"CAM-{n}") for n in range(5)]
    end_of_today = NOW.replace(hour=23, minute=59)
    overdue = book(worker, cams[0], participant, NOW, 1)
    stock.check_out(user(worker), overdue, ALL_GOOD, now=NOW)
    due_today = book(worker, cams[1], participant, NOW, 6)
    stock.check_out(user(worker), due_today, ALL_GOOD, now=NOW)
    later = book(worker, cams[2], participant, NOW, 48)
    stock.check_out(user(worker), later, ALL_GOOD, now=NOW)
    book(worker, cams[3], participant, NOW + hours(30), 2)
    stock.update_camera(user(worker), stock.get_camera(user(worker), cams[4]),
                        status="in_repair")
    db.session.commit()
    summary = stock.summary(user(worker), NOW + hours(2), end_of_today)
    assert (summary.out_now, summary.due_today, summary.overdue, summary.reserved_upcoming,
            summary.in_repair) == (3, 1, 1, 1, 1)


def test_filters_match_the_dashboard(app, ctx, worker, participant, camera):
    booking = book(worker, camera, participant, NOW, 1)
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW)
    db.session.commit()
    later = NOW + hours(2)
    overdue = db.session.scalars(stock.visible_bookings(user(worker), overdue=True,
                                                         now=later)).all()
    assert [b.id for b in overdue] == [booking.id]
    assert booking.is_overdue(later) and not booking.is_overdue(NOW)


# --- time zones -------------------------------------------------------------------------


@pytest.mark.parametrize("start_utc, end_utc, start_local, end_local", [
    # BST ends on 31 Oct 2027 at 02:00 BST: 10:00 BST is 09:00 UTC; 10:00 GMT is 10:00 UTC.
    (datetime(2027, 10, 30, 9, 0, tzinfo=UTC), datetime(2027, 11, 1, 10, 0, tzinfo=UTC),
     "30 Oct 2027, 10:00", "1 Nov 2027, 10:00"),
    # BST starts on 28 Mar 2027 at 01:00 GMT.
    (datetime(2027, 3, 27, 10, 0, tzinfo=UTC), datetime(2027, 3, 29, 9, 0, tzinfo=UTC),
     "27 Mar 2027, 10:00", "29 Mar 2027, 10:00"),
])
def test_booking_across_the_clock_change_shows_local_times(
        app, ctx, worker, participant, camera, start_utc, end_utc, start_local, end_local):
    booking = stock.create_booking(user(worker), camera, participant.id, start_utc, end_utc,
                                   now=start_utc - hours(24))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Booking, booking.id)
    assert stored.starts_at == start_utc and stored.ends_at == end_utc
    assert local_time(stored.starts_at) == start_local
    assert local_time(stored.ends_at) == end_local
    with pytest.raises(Conflict) as error:
        stock.create_booking(user(worker), camera, participant.id, start_utc, end_utc,
                             now=start_utc - hours(24))
    assert f"from {start_local} to {end_local}" in error.value.message


# --- no double booking, in the database itself --------------------------------------------


def test_direct_sql_insert_of_an_overlap_is_refused(ctx, worker, participant, camera):
    booking = book(worker, camera, participant, NOW, 4)
    insert = text(
        "INSERT INTO bookings (camera_id, site_id, participant_id, starts_at, ends_at, state,"
        " note, created_at, version) VALUES (:camera, :site, :who, :start, :end, :state, '',"
        " :start, 1)")
    values = {"camera": camera, "site": booking.site_id, "who": participant.id,
              "start": NOW + hours(1), "end": NOW + hours(2)}
    with pytest.raises(IntegrityError) as error:
        db.session.execute(insert, {**values, "state": "reserved"})
    assert any(marker in str(error.value) for marker in stock.OVERLAP_MARKERS)
    db.session.rollback()
    # Ended bookings hold nothing: the same period as a cancelled booking is fine.
    db.session.execute(insert, {**values, "state": "cancelled"})
    db.session.commit()
    assert count_bookings() == 2


def test_direct_sql_update_into_an_overlap_is_refused(ctx, worker, participant, camera):
    book(worker, camera, participant, NOW, 4)
    second = book(worker, camera, participant, NOW + hours(4), 4)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE bookings SET starts_at = :start WHERE id = :id"),
                           {"start": NOW + hours(3), "id": second.id})
    db.session.rollback()


def test_twenty_workers_racing_for_one_camera_leaves_one_booking(
        database_uri, tmp_path, app, worker, participant, camera):
    """20 threads book overlapping periods at once: one wins, 19 are told of the clash."""
    outcomes = race(database_uri, tmp_path, list(range(20)), act=lambda n: stock.create_booking(
        user(worker), camera, participant.id, NOW + timedelta(minutes=n), NOW + hours(2),
        now=NOW))
    assert outcomes == ["conflict"] * 19 + ["won"], outcomes
    with app.app_context():
        assert count_bookings() == 1


def test_summaries_and_lists_stay_within_the_site(ctx, worker, other_worker, participant,
                                                   camera):
    booking = book(worker, camera, participant)
    stock.check_out(user(worker), booking, ALL_GOOD, now=NOW)
    db.session.commit()
    assert stock.summary(user(worker), NOW, NOW + hours(12)).out_now == 1
    assert stock.summary(user(other_worker), NOW, NOW + hours(12)).out_now == 0
    assert db.session.scalars(stock.visible_bookings(user(other_worker))).all() == []
    with pytest.raises(NotFound):
        stock.get_booking(user(other_worker), booking.id)
