"""The rules for cameras and loans: booking, hand-over, return and the endings.

A workshop session reserves cameras through create_booking, so programme imports this
feature; a booking names its session by id alone, and stock never imports programme.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit.services import record
from workshop.auth.models import Role, Site, User
from workshop.auth.services import require_staff
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.errors import Conflict, Invalid, NotFound, changed_meanwhile
from workshop.extensions import db
from workshop.signals import participant_erasing, participant_leaving, participant_moving
from workshop.stock.models import (
    ACTIVE_STATES,
    Booking,
    BookingState,
    Camera,
    CameraKind,
    CameraStatus,
)
from workshop.templating import local_time
from workshop.timezones import to_local

ASSET_TAG_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
# A hand-over "now" typed a minute ago is not in the past.
PAST_GRACE = timedelta(minutes=5)
LONGEST_LOAN = timedelta(days=60)
FURTHEST_AHEAD = timedelta(days=366)
# Labs take days or weeks; a date further out than this is a typing slip.
LONGEST_AT_LAB = timedelta(days=120)
# The names the database gives an overlap: PostgreSQL's constraint, SQLite's trigger.
OVERLAP_MARKERS = ("ex_bookings_no_overlap", "booking_overlap")


@dataclass(frozen=True)
class ConditionItem:
    key: str
    label: str


# What a worker checks at hand-over and at return. Unticked means missing or not right.
DIGITAL_CHECKLIST = (
    ConditionItem("body", "Body has no new cracks or dents"),
    ConditionItem("lens", "Lens is clean and not scratched"),
    ConditionItem("strap", "Strap is there"),
    ConditionItem("power", "Battery or charger is there"),
    ConditionItem("card", "Memory card is in the camera"),
    ConditionItem("card_wiped", "Memory card is wiped of the last person's photos"),
)
DISPOSABLE_CHECKLIST = (
    ConditionItem("body", "Body has no cracks and the film door is shut"),
    ConditionItem("lens", "Lens is clean"),
)


def checklist_for(camera: Camera) -> tuple[ConditionItem, ...]:
    return DIGITAL_CHECKLIST if camera.kind is CameraKind.DIGITAL else DISPOSABLE_CHECKLIST


def _condition(camera: Camera, ticked: dict[str, bool], damaged: bool, note: str) -> dict:
    unknown = set(ticked) - {item.key for item in checklist_for(camera)}
    if unknown:
        raise Invalid.field("condition", f"Unknown checklist items: {', '.join(sorted(unknown))}.")
    note = note.strip()
    if len(note) > 1000:
        raise Invalid.field("note", "Keep the note under 1000 characters.")
    items = {item.key: bool(ticked.get(item.key)) for item in checklist_for(camera)}
    return {"items": items, "damaged": bool(damaged), "note": note}


def missing_items(camera: Camera, condition: dict | None) -> list[str]:
    """The checklist lines that were not ticked, in words."""
    if not condition:
        return []
    return [item.label for item in checklist_for(camera)
            if not condition["items"].get(item.key, False)]


def _check_version(obj: Camera | Booking, expected: int | None, what: str) -> None:
    if expected is not None and expected != obj.version:
        raise Conflict(changed_meanwhile(what))


def _flush(what: str) -> None:
    flush_or_conflict(changed_meanwhile(what), StaleDataError)


# --- cameras ----------------------------------------------------------------------------


def visible_cameras(actor: User) -> Select[Camera]:
    require_staff(actor)
    query = select(Camera).order_by(Camera.asset_tag)
    if not actor.is_admin:
        query = query.where(Camera.site_id == actor.site_id)
    return query


def get_camera(actor: User, camera_id: int) -> Camera:
    if not actor.is_staff:
        raise NotFound("There is no such camera.")
    camera = get_row(Camera, camera_id)
    if camera is None or not (actor.is_admin or camera.site_id == actor.site_id):
        raise NotFound("There is no such camera.")
    return camera


def _clean_asset_tag(asset_tag: str, site_id: int, camera_id: int | None = None) -> str:
    tag = asset_tag.strip().upper()
    if not ASSET_TAG_RE.match(tag):
        raise Invalid.field("asset_tag", "Use up to 40 letters, digits, dots or dashes, "
                            "like CAM-07.")
    # Only this site's tags: another site's cameras are none of this worker's business.
    taken = select(Camera.id).where(Camera.site_id == site_id, Camera.asset_tag == tag)
    if camera_id is not None:
        taken = taken.where(Camera.id != camera_id)
    if db.session.scalar(taken) is not None:
        raise Conflict(f"Another camera already has the asset tag {tag}.",
                       {"asset_tag": [f"{tag} is already used by another camera."]})
    return tag


def _clean_specs(kind: CameraKind, megapixels, exposures) -> tuple[Decimal | None, int | None]:
    if megapixels is not None:
        megapixels = Decimal(str(megapixels))
        if not megapixels.is_finite() or not Decimal("0.05") <= megapixels <= Decimal("1000"):
            raise Invalid.field("megapixels", "Megapixels must be between 0.1 and 1000.")
        # Stored with one decimal place: round here, so what we answer is what we keep.
        megapixels = megapixels.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if exposures is not None:
        if kind is not CameraKind.DISPOSABLE:
            raise Invalid.field("exposures", "Only disposable cameras have a number of "
                                "exposures.")
        if not 1 <= exposures <= 100:
            raise Invalid.field("exposures", "Exposures must be between 1 and 100.")
    return megapixels, exposures


def _clean_text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid.field(field, f"Use at most {limit} characters.")
    return value


def create_camera(
    actor: User, site_id: int | None, asset_tag: str, kind: CameraKind | str,
    make: str = "", model: str = "", megapixels: float | Decimal | None = None,
    exposures: int | None = None, notes: str = "",
) -> Camera:
    require_staff(actor)
    site_id = site_id if site_id is not None else actor.site_id
    if site_id is None:
        raise Invalid.field("site_id", "Choose the site this camera belongs to.")
    site = get_row(Site, site_id)
    if site is None or not (actor.is_admin or site.id == actor.site_id):
        raise NotFound("There is no such site.")
    try:
        kind = CameraKind(kind)
    except ValueError:
        raise Invalid.field("kind", "Choose digital or disposable.") from None
    megapixels, exposures = _clean_specs(kind, megapixels, exposures)
    camera = Camera(
        site_id=site.id, asset_tag=_clean_asset_tag(asset_tag, site.id), kind=kind,
        make=_clean_text(make, "make", 80), model=_clean_text(model, "model", 80),
        megapixels=megapixels, exposures=exposures, notes=_clean_text(notes, "notes", 2000),
        status=CameraStatus.AVAILABLE,
    )
    db.session.add(camera)
    db.session.flush()
    record(actor, "camera.created", "camera", camera.id, camera.site_id,
           asset_tag=camera.asset_tag)
    return camera


_UNSET: Any = object()


def update_camera(
    actor: User, camera: Camera, *, expected_version: int | None = None,
    asset_tag: str | None = None, make: str | None = None, model: str | None = None,
    megapixels: Any = _UNSET, exposures: Any = _UNSET, status: CameraStatus | str | None = None,
    notes: str | None = None, now: datetime | None = None,
) -> Camera:
    """Change a camera's details or stock status. Only the arguments given change."""
    require_staff(actor)
    _check_version(camera, expected_version, "camera")
    changed: list[str] = []
    if asset_tag is not None and asset_tag.strip().upper() != camera.asset_tag:
        camera.asset_tag = _clean_asset_tag(asset_tag, camera.site_id, camera.id)
        changed.append("asset_tag")
    for field, value, limit in (("make", make, 80), ("model", model, 80),
                                ("notes", notes, 2000)):
        if value is not None:
            setattr(camera, field, _clean_text(value, field, limit))
            changed.append(field)
    if megapixels is not _UNSET or exposures is not _UNSET:
        mp = camera.megapixels if megapixels is _UNSET else megapixels
        ex = camera.exposures if exposures is _UNSET else exposures
        camera.megapixels, camera.exposures = _clean_specs(camera.kind, mp, ex)
        changed.append("specs")
    if status is not None:
        try:
            status = CameraStatus(status)
        except ValueError:
            raise Invalid.field("status", "Choose available, in repair, retired or lost.") \
                from None
        if status is not camera.status:
            if current_loan(camera) is not None:
                raise Conflict(f"{camera.asset_tag} is out on loan. Take it back first.")
            if camera.status is CameraStatus.USED:
                raise Conflict(f"{camera.asset_tag} is a used disposable; it cannot go back "
                               "into stock.")
            if status is CameraStatus.USED:
                raise Invalid.field("status", "A camera becomes used when it is sent for "
                                    "developing.")
            record(actor, "camera.status_changed", "camera", camera.id, camera.site_id,
                   old=camera.status.value, new=status.value)
            camera.status = status
            if status is not CameraStatus.AVAILABLE:
                _cancel_future_reservations(actor, camera, now or utcnow())
    _flush("camera")
    if changed:
        record(actor, "camera.updated", "camera", camera.id, camera.site_id, fields=changed)
    return camera


def _cancel_future_reservations(actor: User, camera: Camera, now: datetime) -> None:
    # A camera leaving the shelf cannot honour its reservations; the worker sees them
    # cancelled in the history rather than finding out at hand-over.
    for booking in db.session.scalars(select(Booking).where(
            Booking.camera_id == camera.id, Booking.state == BookingState.RESERVED)):
        _close(actor, booking, BookingState.CANCELLED, now,
               note=f"Cancelled: the camera became {camera.status.value.replace('_', ' ')}.")


def _ticks_only(condition: dict | None) -> dict | None:
    """A hand-over checklist without its note, which is written for staff only.

    A new dict: the JSON column notices a replaced value, not one changed in place."""
    return None if condition is None else {**condition, "note": ""}


def refuse_while_on_loan(participant: User, doing: str) -> None:
    """A camera out with someone must come back (or be written off) before they leave."""
    loan = db.session.scalar(select(Booking).where(
        Booking.participant_id == participant.id, Booking.state == BookingState.OUT)
        .order_by(Booking.id).limit(1))
    if loan is not None:
        raise Conflict(f"{participant.display_name} has {loan.camera.asset_tag} out on loan. "
                       f"Take it back, or write it off, before {doing}.")


def cancel_reservations_of(actor: User, participant: User, now: datetime,
                           reason: str) -> int:
    """Cancel every reservation made for this person; how many there were."""
    reserved = db.session.scalars(select(Booking).where(
        Booking.participant_id == participant.id, Booking.state == BookingState.RESERVED)
        .order_by(Booking.id)).all()
    for booking in reserved:
        _close(actor, booking, BookingState.CANCELLED, now, note=reason)
    _flush("booking")
    return len(reserved)


def forget_borrower(participant: User) -> int:
    """Erasure: the person's loans stay in their cameras' history as loans to no one,
    with every note removed (the checklists keep their ticks); how many there were."""
    loans = db.session.scalars(select(Booking).where(
        Booking.participant_id == participant.id).order_by(Booking.id)).all()
    for booking in loans:
        booking.participant_id = None
        booking.note = booking.participant_note = ""
        booking.checkout_condition = _ticks_only(booking.checkout_condition)
        booking.return_condition = _ticks_only(booking.return_condition)
    _flush("booking")
    return len(loans)


# auth owns the person and sends these signals; their loans are this feature's part.


@participant_leaving.connect
def _keep_while_on_loan(participant: User, *, doing: str, **_: Any) -> None:
    refuse_while_on_loan(participant, doing)


@participant_erasing.connect
def _forget_loans(participant: User, *, actor: User, now: datetime, **_: Any
                  ) -> dict[str, int]:
    # No reason is written: a note is free text, and erasure leaves none.
    cancelled = cancel_reservations_of(actor, participant, now, "")
    return {"reservations_cancelled": cancelled, "loans": forget_borrower(participant)}


@participant_moving.connect
def _cancel_for_move(participant: User, *, actor: User, now: datetime, **_: Any
                     ) -> dict[str, int]:
    return {"reservations_cancelled": cancel_reservations_of(
        actor, participant, now, "Cancelled: the borrower moved to another site.")}


def current_loan(camera: Camera) -> Booking | None:
    return db.session.scalar(select(Booking).where(
        Booking.camera_id == camera.id, Booking.state == BookingState.OUT))


def next_reservation(camera: Camera, now: datetime) -> Booking | None:
    return db.session.scalar(
        select(Booking).where(Booking.camera_id == camera.id,
                              Booking.state == BookingState.RESERVED,
                              Booking.ends_at > now)
        .order_by(Booking.starts_at).limit(1))


# --- bookings ---------------------------------------------------------------------------


def visible_bookings(
    actor: User, *, camera_id: int | None = None, participant_id: int | None = None,
    state: BookingState | str | None = None, overdue: bool | None = None,
    now: datetime | None = None,
) -> Select[Booking]:
    # Every list of loans shows each one's camera and borrower: one query each, not one a row.
    query = select(Booking).order_by(Booking.id).options(
        selectinload(Booking.camera), selectinload(Booking.participant))
    if actor.role is Role.WORKER:
        query = query.where(Booking.site_id == actor.site_id)
    elif actor.role is Role.PARTICIPANT:
        query = query.where(Booking.participant_id == actor.id)
    if camera_id is not None:
        query = query.where(Booking.camera_id == camera_id)
    if participant_id is not None:
        query = query.where(Booking.participant_id == participant_id)
    if state is not None:
        try:
            query = query.where(Booking.state == BookingState(state))
        except ValueError:
            raise Invalid.field("state", "Unknown booking state.") from None
    if overdue is not None:
        late = (Booking.state == BookingState.OUT) & (Booking.ends_at < (now or utcnow()))
        query = query.where(late if overdue else ~late)
    return query


def get_booking(actor: User, booking_id: int) -> Booking:
    booking = db.session.scalar(visible_bookings(actor).where(Booking.id == booking_id))
    if booking is None:
        raise NotFound("There is no such booking.")
    return booking


def notes_seen_by(actor: User, booking: Booking) -> dict[str, Any]:
    """A booking's notes as this person may read them.

    Workers write notes and checklists for each other ("keeps losing chargers"); the
    borrower sees only the note written for them, and the checklists without their notes.
    """
    if actor.is_staff:
        return {"note": booking.note, "participant_note": booking.participant_note,
                "checkout_condition": booking.checkout_condition,
                "return_condition": booking.return_condition}
    return {"note": "", "participant_note": booking.participant_note,
            "checkout_condition": _ticks_only(booking.checkout_condition),
            "return_condition": _ticks_only(booking.return_condition)}


def _lock_camera(camera: Camera) -> None:
    """Make bookings of one camera take turns, so the overlap check sees every other one.

    PostgreSQL: a row lock on the camera. SQLite allows one writer at a time, so taking
    the write lock (a no-op update) serialises the whole check-and-write.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Camera.id).where(Camera.id == camera.id).with_for_update())
    else:
        db.session.execute(update(Camera).where(Camera.id == camera.id)
                           .values(version=Camera.version)
                           .execution_options(synchronize_session=False))


def _clash(camera_id: int, starts_at: datetime, ends_at: datetime,
           exclude_id: int | None = None) -> Booking | None:
    query = select(Booking).where(
        Booking.camera_id == camera_id, Booking.state.in_(ACTIVE_STATES),
        Booking.starts_at < ends_at, Booking.ends_at > starts_at,
    ).order_by(Booking.starts_at).limit(1)
    if exclude_id is not None:
        query = query.where(Booking.id != exclude_id)
    return db.session.scalar(query)


def _clash_error(clash: Booking) -> Conflict:
    if clash.participant is not None:
        who = clash.participant.display_name
    elif clash.session is not None:
        who = f"the session {clash.session.title}"
    else:
        who = "someone"
    verb = "is out with" if clash.state is BookingState.OUT else "is booked for"
    return Conflict(
        f"{clash.camera.asset_tag} {verb} {who} from {local_time(clash.starts_at)} to "
        f"{local_time(clash.ends_at)}. Choose another time or camera.",
        {"clash_booking_id": [str(clash.id)]},
    )


def _flush_period(booking: Booking, starts_at: datetime, ends_at: datetime) -> None:
    """Flush a booking's new period; an overlap the database refuses becomes a Conflict."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        if not any(marker in str(exc.orig) for marker in OVERLAP_MARKERS):
            raise
        camera_id = booking.camera_id
        db.session.rollback()
        clash = _clash(camera_id, starts_at, ends_at)
        if clash is None:
            raise Conflict("That camera was booked at the same moment. Try again.") from None
        raise _clash_error(clash) from None
    except StaleDataError:
        db.session.rollback()
        raise Conflict(changed_meanwhile("booking")) from None


def _check_period(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid.field("starts_at", "Give times with their time zone.")
    if ends_at <= starts_at:
        raise Invalid.field("ends_at", "The end must be after the start.")
    if starts_at < now - PAST_GRACE:
        raise Invalid.field("starts_at", "That start is in the past. For a hand-over now, "
                            "use the time now.")
    if ends_at - starts_at > LONGEST_LOAN:
        raise Invalid.field("ends_at", f"A loan can last at most {LONGEST_LOAN.days} days.")
    if starts_at > now + FURTHEST_AHEAD:
        raise Invalid.field("starts_at", "Book at most a year ahead.")


def _check_camera_lendable(camera: Camera) -> None:
    if camera.status is not CameraStatus.AVAILABLE:
        state = camera.status.value.replace("_", " ")
        raise Conflict(f"{camera.asset_tag} is {state}, so it cannot be lent.",
                       {"camera_id": [f"This camera is {state}."]})


def _participant(actor: User, participant_id: int, camera: Camera) -> User:
    participant = get_row(User, participant_id)
    if (participant is None or participant.role is not Role.PARTICIPANT
            or participant.site_id != camera.site_id
            or not (actor.is_admin or participant.site_id == actor.site_id)):
        raise NotFound("There is no such participant at this camera's site.")
    if not participant.active:
        raise Invalid.field("participant_id", f"{participant.display_name}'s account is "
                            "deactivated.")
    return participant


def create_booking(
    actor: User, camera_id: int, participant_id: int | None, starts_at: datetime,
    ends_at: datetime, note: str = "", now: datetime | None = None,
    session_id: int | None = None, participant_note: str = "",
) -> Booking:
    """Reserve a camera for a participant, or for a workshop session (or both).

    note is for staff only; participant_note is what the borrower may read. session_id
    is a session at the camera's site that the caller (programme) has checked the actor
    may plan for.
    """
    require_staff(actor)
    now = now or utcnow()
    camera = get_camera(actor, camera_id)
    if participant_id is None and session_id is None:
        raise Invalid.field("participant_id", "Choose who will borrow the camera.")
    participant = _participant(actor, participant_id, camera) if participant_id else None
    _check_period(starts_at, ends_at, now)
    _lock_camera(camera)
    db.session.refresh(camera)
    _check_camera_lendable(camera)
    if (clash := _clash(camera.id, starts_at, ends_at)) is not None:
        raise _clash_error(clash)
    booking = Booking(camera=camera, site_id=camera.site_id, participant=participant,
                      session_id=session_id, starts_at=starts_at, ends_at=ends_at,
                      state=BookingState.RESERVED, note=_clean_text(note, "note", 1000),
                      participant_note=_clean_text(participant_note, "participant_note",
                                                   1000),
                      created_by=actor, created_at=now)
    db.session.add(booking)
    _flush_period(booking, starts_at, ends_at)
    record(actor, "booking.reserved", "booking", booking.id, booking.site_id,
           camera_id=camera.id, participant_id=participant_id, session_id=session_id)
    return booking


def _require_state(booking: Booking, *states: BookingState, doing: str) -> None:
    if booking.state not in states:
        state = booking.state.value.replace("_", " ")
        raise Conflict(f"This booking is {state}, so it cannot be {doing}.")


def check_out(
    actor: User, booking: Booking, ticked: dict[str, bool], damaged: bool = False,
    note: str = "", expected_version: int | None = None, now: datetime | None = None,
    participant_id: int | None = None,
) -> Booking:
    """Hand the camera over. Early hand-overs move the start to now.

    A camera reserved for a session names its borrower here, at hand-out.
    """
    require_staff(actor)
    now = now or utcnow()
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.RESERVED, doing="handed over")
    camera = booking.camera
    if booking.participant is None:
        if participant_id is None:
            raise Invalid.field("participant_id", "Choose who is taking the camera.")
        booking.participant = _participant(actor, participant_id, camera)
    elif participant_id is not None and participant_id != booking.participant_id:
        raise Invalid.field("participant_id", "This camera is booked for someone else.")
    _lock_camera(camera)
    db.session.refresh(camera)
    _check_camera_lendable(camera)
    if (other := current_loan(camera)) is not None:
        raise _clash_error(other)
    if booking.ends_at <= now:
        raise Conflict("This booking's time has passed. Make a new one for the hand-over.")
    if damaged:
        raise Invalid.field("damaged", "Do not hand over a damaged camera. Put it in for "
                            "repair and choose another.")
    booking.checkout_condition = _condition(camera, ticked, damaged, note)
    if booking.starts_at > now:
        booking.starts_at = now
    booking.state = BookingState.OUT
    booking.checked_out_at, booking.checked_out_by = now, actor
    _flush_period(booking, booking.starts_at, booking.ends_at)
    record(actor, "booking.checked_out", "booking", booking.id, booking.site_id,
           camera_id=camera.id, missing=missing_items(camera, booking.checkout_condition))
    return booking


def hand_over_now(
    actor: User, camera_id: int, participant_id: int, ends_at: datetime,
    ticked: dict[str, bool], note: str = "", now: datetime | None = None,
    participant_note: str = "",
) -> Booking:
    """Book and hand over in one step, for someone standing in front of the worker."""
    now = now or utcnow()
    booking = create_booking(actor, camera_id, participant_id, now, ends_at, note, now,
                             participant_note=participant_note)
    return check_out(actor, booking, ticked, note=note, now=now)


def check_in(
    actor: User, booking: Booking, ticked: dict[str, bool], damaged: bool = False,
    note: str = "", expected_version: int | None = None, now: datetime | None = None,
) -> Booking:
    """Take the camera back. Damage sends it for repair instead of back to the shelf."""
    require_staff(actor)
    now = now or utcnow()
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.OUT, doing="taken back")
    camera = booking.camera
    booking.return_condition = _condition(camera, ticked, damaged, note)
    booking.state = BookingState.RETURNED
    booking.returned_at, booking.returned_by = now, actor
    booking.ends_at = max(min(booking.ends_at, now), booking.starts_at + timedelta(seconds=1))
    if damaged:
        camera.status = CameraStatus.IN_REPAIR
        record(actor, "camera.status_changed", "camera", camera.id, camera.site_id,
               old=CameraStatus.AVAILABLE.value, new=CameraStatus.IN_REPAIR.value,
               reason="damaged at return")
        _cancel_future_reservations(actor, camera, now)
    _flush_period(booking, booking.starts_at, booking.ends_at)
    record(actor, "booking.returned", "booking", booking.id, booking.site_id,
           camera_id=camera.id, damaged=damaged,
           missing=missing_items(camera, booking.return_condition))
    return booking


def extend(
    actor: User, booking: Booking, ends_at: datetime, expected_version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    require_staff(actor)
    now = now or utcnow()
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.OUT, BookingState.RESERVED, doing="extended")
    if ends_at.tzinfo is None:
        raise Invalid.field("ends_at", "Give the time with its time zone.")
    if ends_at <= booking.ends_at:
        raise Invalid.field("ends_at", "The new end must be later than the current one.")
    if ends_at - booking.starts_at > LONGEST_LOAN:
        raise Invalid.field("ends_at", f"A loan can last at most {LONGEST_LOAN.days} days.")
    _lock_camera(booking.camera)
    if (clash := _clash(booking.camera_id, booking.ends_at, ends_at, booking.id)) is not None:
        raise _clash_error(clash)
    old = booking.ends_at
    booking.ends_at = ends_at
    _flush_period(booking, booking.starts_at, ends_at)
    record(actor, "booking.extended", "booking", booking.id, booking.site_id,
           old_ends_at=old.isoformat(), new_ends_at=ends_at.isoformat())
    return booking


def _close(actor: User, booking: Booking, state: BookingState, now: datetime,
           note: str = "") -> None:
    booking.state = state
    booking.closed_at, booking.closed_by = now, actor
    if note:
        booking.note = (booking.note + "\n" + note).strip()
    record(actor, f"booking.{state.value}", "booking", booking.id, booking.site_id,
           camera_id=booking.camera_id)


def cancel(actor: User, booking: Booking, expected_version: int | None = None,
           now: datetime | None = None) -> Booking:
    require_staff(actor)
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.RESERVED, doing="cancelled")
    _close(actor, booking, BookingState.CANCELLED, now or utcnow())
    _flush("booking")
    return booking


def write_off(actor: User, booking: Booking, note: str = "",
              expected_version: int | None = None, now: datetime | None = None) -> Booking:
    """The camera is not coming back. No penalty for anyone: the loan just ends."""
    require_staff(actor)
    now = now or utcnow()
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.OUT, doing="written off")
    _close(actor, booking, BookingState.WRITTEN_OFF, now, _clean_text(note, "note", 1000))
    booking.ends_at = max(min(booking.ends_at, now), booking.starts_at + timedelta(seconds=1))
    camera = booking.camera
    record(actor, "camera.status_changed", "camera", camera.id, camera.site_id,
           old=camera.status.value, new=CameraStatus.LOST.value, reason="written off")
    camera.status = CameraStatus.LOST
    _cancel_future_reservations(actor, camera, now)
    _flush("booking")
    return booking


def _lab_date(expected_on: date | None, now: datetime) -> date | None:
    if expected_on is None:
        return None
    today = to_local(now).date()
    if expected_on < today:
        raise Invalid.field("lab_expected_on", "Give today or a day to come.")
    if expected_on > today + LONGEST_AT_LAB:
        raise Invalid.field("lab_expected_on", "Give a day within the next few months.")
    return expected_on


def send_for_developing(actor: User, booking: Booking, expected_version: int | None = None,
                        now: datetime | None = None, lab: str = "",
                        lab_expected_on: date | None = None) -> Booking:
    """The shot disposable is back: its film goes to a lab (named, so it can be chased,
    with the day the prints are expected) and the camera is used up."""
    require_staff(actor)
    now = now or utcnow()
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.OUT, doing="sent for developing")
    camera = booking.camera
    if camera.kind is not CameraKind.DISPOSABLE:
        raise Conflict("Only disposable cameras are sent for developing.")
    booking.lab = _clean_text(lab, "lab", 120)
    booking.lab_expected_on = _lab_date(lab_expected_on, now)
    booking.returned_at, booking.returned_by = now, actor
    booking.ends_at = max(min(booking.ends_at, now), booking.starts_at + timedelta(seconds=1))
    _close(actor, booking, BookingState.SENT_FOR_DEVELOPING, now)
    camera.status = CameraStatus.USED
    _cancel_future_reservations(actor, camera, now)
    _flush("booking")
    return booking


def mark_developed(actor: User, booking: Booking, expected_version: int | None = None,
                   now: datetime | None = None) -> Booking:
    require_staff(actor)
    _check_version(booking, expected_version, "booking")
    _require_state(booking, BookingState.SENT_FOR_DEVELOPING, doing="marked developed")
    _close(actor, booking, BookingState.DEVELOPED, now or utcnow())
    _flush("booking")
    return booking


# --- the dashboard ----------------------------------------------------------------------


@dataclass
class StockSummary:
    out_now: int
    due_today: int
    overdue: int
    reserved_upcoming: int
    in_repair: int


def summary(actor: User, now: datetime, end_of_today: datetime) -> StockSummary:
    """The worker's at-a-glance numbers; each matches a filtered list (see list_filter)."""
    def count(query) -> int:
        return db.session.execute(
            select(func.count()).select_from(query.subquery())).scalar_one()

    bookings = visible_bookings(actor)
    return StockSummary(
        out_now=count(bookings.where(Booking.state == BookingState.OUT)),
        due_today=count(bookings.where(*list_filter("due_today", now, end_of_today))),
        overdue=count(bookings.where(*list_filter("overdue", now, end_of_today))),
        reserved_upcoming=count(bookings.where(*list_filter("reserved", now, end_of_today))),
        in_repair=count(visible_cameras(actor).where(
            Camera.status == CameraStatus.IN_REPAIR)),
    )


def list_filter(name: str, now: datetime, end_of_today: datetime) -> list:
    """The conditions behind each dashboard number, shared with the lists it links to."""
    filters = {
        "out": [Booking.state == BookingState.OUT],
        "due_today": [Booking.state == BookingState.OUT, Booking.ends_at >= now,
                      Booking.ends_at <= end_of_today],
        "overdue": [Booking.state == BookingState.OUT, Booking.ends_at < now],
        "reserved": [Booking.state == BookingState.RESERVED, Booking.ends_at > now],
        "all": [],
    }
    if name not in filters:
        raise NotFound("There is no such list.")
    return filters[name]


def participant_choices(actor: User, camera: Camera) -> list[User]:
    """Active participants who can borrow this camera."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.PARTICIPANT, User.site_id == camera.site_id,
                           User.active.is_(True))
        .order_by(func.lower(User.display_name))))

