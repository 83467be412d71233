"""The rules for workshop sessions: planning, enrolment, the register, cameras, the feed.

Sessions use stock's cameras and lessons' plans, so this feature imports theirs (never
the other way); photos name a session, so photos import programme.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit.services import record
from workshop.auth.models import Role, Site, User
from workshop.auth.services import require_staff
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.errors import Conflict, Invalid, NotFound, changed_meanwhile, typed_text
from workshop.extensions import db
from workshop.lessons.models import LessonPlan
from workshop.programme.models import Enrolment, Session
from workshop.signals import participant_erasing, participant_moving
from workshop.stock import services as stock
from workshop.stock.models import ACTIVE_STATES, Booking, BookingState, Camera, CameraStatus

LONGEST_SESSION = timedelta(hours=12)
MAX_CAPACITY = 200
# How far back the calendar feed reaches: enough for "what did we do last month".
FEED_HISTORY = timedelta(days=90)
STALE = changed_meanwhile("session")


def _flush() -> None:
    flush_or_conflict(STALE, StaleDataError)


def _lock_session(session: Session) -> None:
    """Make enrolments in one session take turns, so the capacity count sees every other.

    PostgreSQL: a row lock on the session. SQLite allows one writer at a time, so taking
    the write lock (a no-op update) serialises the whole count-and-write.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Session.id).where(Session.id == session.id)
                           .with_for_update())
    else:
        db.session.execute(update(Session).where(Session.id == session.id)
                           .values(version=Session.version)
                           .execution_options(synchronize_session=False))


# --- reading ----------------------------------------------------------------------------


def visible_sessions(actor: User) -> Select[Session]:
    """Admins see every site's; workers their site's; participants those they are in."""
    # Lists count each session's places: one query for the enrolments, not one a session.
    query = select(Session).order_by(Session.starts_at, Session.id).options(
        selectinload(Session.enrolments))
    if actor.role is Role.WORKER:
        query = query.where(Session.site_id == actor.site_id)
    elif actor.role is Role.PARTICIPANT:
        query = query.where(Session.id.in_(
            select(Enrolment.session_id).where(Enrolment.participant_id == actor.id)))
    return query


def get_session(actor: User, session_id: int) -> Session:
    if type(session_id) is not int:
        raise NotFound("There is no such session.")
    session = db.session.scalar(visible_sessions(actor).where(Session.id == session_id))
    if session is None:
        raise NotFound("There is no such session.")
    return session


def coming_up(actor: User, now: datetime) -> Select[Session]:
    """Sessions not over yet, soonest first."""
    return visible_sessions(actor).where(Session.ends_at > now)


def upcoming(actor: User, now: datetime, limit: int | None = None) -> list[Session]:
    query = coming_up(actor, now)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def past(actor: User, now: datetime, limit: int = 50) -> list[Session]:
    query = (visible_sessions(actor).where(Session.ends_at <= now).order_by(None)
             .order_by(Session.starts_at.desc(), Session.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def between(actor: User, start: datetime, end: datetime) -> list[Session]:
    """Sessions that start in [start, end): one month of the calendar."""
    return list(db.session.scalars(visible_sessions(actor).where(
        Session.starts_at >= start, Session.starts_at < end)))


def enrolment_of(session: Session, participant_id: int) -> Enrolment | None:
    return next((e for e in session.enrolments if e.participant_id == participant_id), None)


def session_bookings(session: Session) -> list[Booking]:
    """The cameras booked for the session (cancelled ones left out), by asset tag."""
    return list(db.session.scalars(
        select(Booking).join(Camera, Camera.id == Booking.camera_id)
        .where(Booking.session_id == session.id, Booking.state != BookingState.CANCELLED)
        .order_by(Camera.asset_tag, Booking.id)))


def free_cameras(session: Session) -> list[Camera]:
    """Cameras of the session's site on the shelf with nothing booked at its time."""
    busy = select(Booking.camera_id).where(
        Booking.state.in_(ACTIVE_STATES), Booking.starts_at < session.ends_at,
        Booking.ends_at > session.starts_at)
    return list(db.session.scalars(
        select(Camera).where(Camera.site_id == session.site_id,
                             Camera.status == CameraStatus.AVAILABLE,
                             Camera.id.not_in(busy))
        .order_by(Camera.asset_tag)))


def participant_choices(session: Session) -> list[User]:
    """Active participants of the session's site who are not enrolled yet."""
    enrolled = select(Enrolment.participant_id).where(Enrolment.session_id == session.id)
    return list(db.session.scalars(
        select(User).where(User.role == Role.PARTICIPANT, User.site_id == session.site_id,
                           User.active.is_(True), User.id.not_in(enrolled))
        .order_by(func.lower(User.display_name))))


def lead_choices(actor: User, site_id: int | None) -> list[User]:
    """The workers who can lead a session at a site."""
    site_id = site_id if site_id is not None else actor.site_id
    return list(db.session.scalars(
        select(User).where(User.role == Role.WORKER, User.site_id == site_id,
                           User.active.is_(True))
        .order_by(func.lower(User.display_name))))


# --- checking what was typed ------------------------------------------------------------


def _site(actor: User, site_id: int | None) -> Site:
    site_id = site_id if site_id is not None else actor.site_id
    if site_id is None:
        raise Invalid.field("site_id", "Choose the site this session is at.")
    site = get_row(Site, site_id)
    if site is None or not (actor.is_admin or site.id == actor.site_id):
        raise NotFound("There is no such site.")
    return site


def _times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid.field("starts_at", "Give times with their time zone.")
    if ends_at <= starts_at:
        raise Invalid.field("ends_at", "The end must be after the start.")
    if ends_at - starts_at > LONGEST_SESSION:
        hours = int(LONGEST_SESSION.total_seconds() // 3600)
        raise Invalid.field("ends_at", f"A session can last at most {hours} hours.")


def _capacity(capacity: Any) -> int:
    if type(capacity) is not int or not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid.field("capacity", f"Give a number of places from 1 to {MAX_CAPACITY}.")
    return capacity


def _lead(site_id: int, lead_worker_id: int | None) -> User | None:
    if lead_worker_id is None:
        return None
    lead = get_row(User, lead_worker_id)
    if lead is None or lead.role is not Role.WORKER or lead.site_id != site_id:
        raise NotFound("There is no such worker at this session's site.",
                       {"lead_worker_id": ["Choose a worker of this site."]})
    if not lead.active:
        raise Invalid.field("lead_worker_id", f"{lead.display_name}'s account is deactivated.")
    return lead


def _lesson(lesson_id: int | None) -> LessonPlan | None:
    if lesson_id is None:
        return None
    lesson = get_row(LessonPlan, lesson_id)
    if lesson is None:
        raise NotFound("There is no such lesson plan.",
                       {"lesson_id": ["Choose a lesson plan from the library."]})
    return lesson


# --- planning ---------------------------------------------------------------------------


def create_session(
    actor: User, *, title: str, starts_at: datetime, ends_at: datetime, capacity: int,
    site_id: int | None = None, place: str = "", lead_worker_id: int | None = None,
    lesson_id: int | None = None,
) -> Session:
    require_staff(actor)
    site = _site(actor, site_id)
    title = typed_text(title, "title", 120, "Give the session a title.")
    _times(starts_at, ends_at)
    session = Session(
        site_id=site.id, title=title, starts_at=starts_at, ends_at=ends_at,
        place=typed_text(place, "place", 120), capacity=_capacity(capacity),
        lead_worker=_lead(site.id, lead_worker_id), lesson=_lesson(lesson_id),
    )
    db.session.add(session)
    db.session.flush()
    record(actor, "session.created", "session", session.id, session.site_id,
           title=session.title, starts_at=starts_at.isoformat())
    return session


_UNSET: Any = object()


def update_session(
    actor: User, session: Session, *, expected_version: int | None = None,
    title: str | None = None, starts_at: datetime | None = None,
    ends_at: datetime | None = None, place: str | None = None,
    capacity: int | None = None, lead_worker_id: Any = _UNSET, lesson_id: Any = _UNSET,
) -> Session:
    """Change a session. Only the arguments given change; None clears lead and lesson."""
    require_staff(actor)
    if expected_version is not None and expected_version != session.version:
        raise Conflict(STALE)
    changed: list[str] = []
    if title is not None:
        session.title = typed_text(title, "title", 120, "Give the session a title.")
        changed.append("title")
    if place is not None:
        session.place = typed_text(place, "place", 120)
        changed.append("place")
    new_start = starts_at if starts_at is not None else session.starts_at
    new_end = ends_at if ends_at is not None else session.ends_at
    if (new_start, new_end) != (session.starts_at, session.ends_at):
        _times(new_start, new_end)
        if any(b.state is BookingState.RESERVED for b in session_bookings(session)):
            # The cameras were booked for the old time; moving them silently could clash.
            raise Conflict("Cameras are booked for this session's time. Cancel those "
                           "bookings first, then change the time.",
                           {"starts_at": ["Cameras are booked for the current time."]})
        session.starts_at, session.ends_at = new_start, new_end
        changed.append("time")
    if capacity is not None:
        capacity = _capacity(capacity)
        # Taken in turn with enrolments, so none slips in above the new capacity.
        _lock_session(session)
        enrolled = db.session.execute(select(func.count()).select_from(Enrolment).where(
            Enrolment.session_id == session.id)).scalar_one()
        if capacity < enrolled:
            raise Conflict(f"{enrolled} people are enrolled, so the session needs at least "
                           f"{enrolled} places.",
                           {"capacity": [f"At least {enrolled}: that many are enrolled."]})
        session.capacity = capacity
        changed.append("capacity")
    if lead_worker_id is not _UNSET:
        session.lead_worker = _lead(session.site_id, lead_worker_id)
        changed.append("lead_worker")
    if lesson_id is not _UNSET:
        session.lesson = _lesson(lesson_id)
        changed.append("lesson")
    _flush()
    if changed:
        record(actor, "session.updated", "session", session.id, session.site_id,
               fields=changed)
    return session


# --- enrolment and the register ---------------------------------------------------------


def _participant(session: Session, participant_id: Any) -> User:
    person = get_row(User, participant_id)
    if person is None or person.role is not Role.PARTICIPANT or \
            person.site_id != session.site_id:
        raise NotFound("There is no such participant at this session's site.",
                       {"participant_id": ["Choose a participant of this site."]})
    return person


def enrol(actor: User, session: Session, participant_id: int,
          now: datetime | None = None) -> Enrolment:
    """Give a participant a place, if one is left, whoever else is enrolling right now."""
    require_staff(actor)
    person = _participant(session, participant_id)
    if not person.active:
        raise Invalid.field("participant_id", f"{person.display_name}'s account is "
                            "deactivated.")
    _lock_session(session)
    db.session.refresh(session)
    taken = db.session.execute(select(func.count()).select_from(Enrolment).where(
        Enrolment.session_id == session.id)).scalar_one()
    if db.session.scalar(select(Enrolment.id).where(
            Enrolment.session_id == session.id,
            Enrolment.participant_id == person.id)) is not None:
        raise Conflict(f"{person.display_name} is already enrolled in this session.",
                       {"participant_id": ["Already enrolled."]})
    if taken >= session.capacity:
        raise Conflict(f"The session is full: all {session.capacity} places are taken.",
                       {"participant_id": [f"No places left (all {session.capacity} taken)."]})
    enrolment = Enrolment(session=session, participant=person, enrolled_at=now or utcnow())
    db.session.add(enrolment)
    flush_or_conflict(f"{person.display_name} was enrolled at the same moment.")
    record(actor, "session.enrolled", "session", session.id, session.site_id,
           participant_id=person.id)
    return enrolment


def _enrolment(session: Session, participant_id: Any) -> Enrolment:
    enrolment = enrolment_of(session, participant_id)
    if enrolment is None:
        raise NotFound("That person is not enrolled in this session.",
                       {"participant_id": ["Not enrolled in this session."]})
    return enrolment


def unenrol(actor: User, session: Session, participant_id: int) -> None:
    require_staff(actor)
    enrolment = _enrolment(session, participant_id)
    session.enrolments.remove(enrolment)
    db.session.flush()
    record(actor, "session.unenrolled", "session", session.id, session.site_id,
           participant_id=participant_id)


def leave_future_sessions(actor: User, participant: User, now: datetime) -> int:
    """Take the person off every session that has not started yet; how many there were."""
    enrolments = db.session.scalars(
        select(Enrolment).join(Session, Session.id == Enrolment.session_id)
        .where(Enrolment.participant_id == participant.id, Session.starts_at > now)
        .order_by(Enrolment.id)).all()
    for enrolment in enrolments:
        session = enrolment.session
        session.enrolments.remove(enrolment)
        record(actor, "session.unenrolled", "session", session.id, session.site_id,
               participant_id=participant.id)
    db.session.flush()
    return len(enrolments)


def forget_participant(participant: User) -> tuple[int, int]:
    """Erasure: every enrolment goes, past and future. Returns how many sessions they
    were enrolled in and how many they came to, the only part worth keeping."""
    enrolments = db.session.scalars(select(Enrolment).where(
        Enrolment.participant_id == participant.id)).all()
    attended = sum(e.attended is True for e in enrolments)
    for enrolment in enrolments:
        enrolment.session.enrolments.remove(enrolment)
    db.session.flush()
    return len(enrolments), attended


# auth owns the person and sends these signals; their places in sessions are ours.


@participant_erasing.connect
def _forget_enrolments(participant: User, **_: Any) -> dict[str, int]:
    sessions, attended = forget_participant(participant)
    return {"sessions": sessions, "sessions_attended": attended}


@participant_moving.connect
def _leave_for_move(participant: User, *, actor: User, now: datetime, **_: Any
                    ) -> dict[str, int]:
    return {"sessions_left": leave_future_sessions(actor, participant, now)}


def set_attendance(actor: User, session: Session, participant_id: int, attended: bool,
                   now: datetime | None = None) -> Enrolment:
    """The register: came (True) or did not (False), for someone enrolled."""
    require_staff(actor)
    if type(attended) is not bool:
        raise Invalid.field("attended", "Say yes or no.")
    enrolment = _enrolment(session, participant_id)
    enrolment.attended = attended
    enrolment.attendance_taken_at = now or utcnow()
    db.session.flush()
    record(actor, "session.attendance", "session", session.id, session.site_id,
           participant_id=participant_id, attended=attended)
    return enrolment


def walk_in(actor: User, session: Session, participant_id: int,
            now: datetime | None = None) -> Enrolment:
    """Someone of the site came without a place: enrolled and marked here in one step,
    under the same rules as enrolling (their site, active, a place left)."""
    enrolment = enrol(actor, session, participant_id, now)
    return set_attendance(actor, session, enrolment.participant_id, True, now)


# --- cameras ----------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def reserve_cameras(actor: User, session: Session, *, count: int | None = None,
                    camera_ids: list[int] | None = None,
                    now: datetime | None = None) -> list[Booking]:
    """Book cameras for the session's time in one step: all of them, or none.

    `count` takes any free cameras of the site; `camera_ids` names them. Nothing is
    booked unless every one can be; the caller's rollback undoes a partial run.
    """
    require_staff(actor)
    now = now or utcnow()
    if (count is None) == (camera_ids is None):
        raise Invalid.field("count", "Say how many cameras, or which ones.")
    if session.ends_at <= now:
        raise Conflict("This session is over; its cameras cannot be booked now.")
    free = free_cameras(session)
    free_words = (f"Only {_plural(len(free), 'camera')} "
                  f"{'is' if len(free) == 1 else 'are'} free at that time.")
    if count is not None:
        if type(count) is not int or count < 1:
            raise Invalid.field("count", "Give a number of cameras, 1 or more.")
        if count > len(free):
            raise Conflict(f"{free_words} Nothing was booked.",
                           {"free": [str(len(free))]})
        chosen = free[:count]
    else:
        if not camera_ids or len(set(camera_ids)) != len(camera_ids):
            raise Invalid.field("camera_ids", "Choose each camera once.")
        free_ids = {c.id for c in free}
        chosen = []
        for camera_id in camera_ids:
            camera = get_row(Camera, camera_id)
            if camera is None or camera.site_id != session.site_id:
                raise NotFound("There is no such camera at this session's site.",
                               {"camera_ids": ["Choose cameras of this site."]})
            chosen.append(camera)
        busy = [c.asset_tag for c in chosen if c.id not in free_ids]
        if busy:
            raise Conflict(f"{', '.join(busy)} {'is' if len(busy) == 1 else 'are'} not free "
                           f"then. {free_words} Nothing was booked.",
                           {"free": [str(len(free))]})
    # A session under way gets its cameras from now: a booking cannot start in the past.
    starts_at = max(session.starts_at, now)
    bookings = []
    for camera in chosen:
        try:
            bookings.append(stock.create_booking(actor, camera.id, None, starts_at,
                                                 session.ends_at, "", now,
                                                 session_id=session.id))
        except Conflict:
            db.session.rollback()
            raise Conflict("A camera was booked by someone else at the same moment. "
                           "Nothing was booked. Try again.") from None
    record(actor, "session.cameras_reserved", "session", session.id, session.site_id,
           camera_ids=[c.id for c in chosen])
    return bookings


def hand_out(actor: User, session: Session, booking_id: int, participant_id: int,
             ticked: dict[str, bool], note: str = "", now: datetime | None = None) -> Booking:
    """Give one of the session's cameras to someone enrolled, and mark them as here."""
    require_staff(actor)
    now = now or utcnow()
    booking = get_row(Booking, booking_id)
    if booking is None or booking.session_id != session.id:
        raise NotFound("That camera is not booked for this session.")
    enrolment = enrolment_of(session, participant_id)
    if enrolment is None:
        raise Invalid.field("participant_id", "Only people enrolled in this session can "
                            "take its cameras.")
    booking = stock.check_out(actor, booking, ticked, note=note, now=now,
                              participant_id=participant_id)
    if enrolment.attended is not True:
        enrolment.attended, enrolment.attendance_taken_at = True, now
    db.session.flush()
    record(actor, "session.camera_handed_out", "session", session.id, session.site_id,
           booking_id=booking.id, participant_id=participant_id)
    return booking


# --- the calendar feed ------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def new_calendar_secret(actor: User) -> str:
    """Make (or replace) the secret in a worker's feed address; only its hash is kept."""
    require_staff(actor)
    raw = secrets.token_urlsafe(32)
    replaced = actor.calendar_token_hash is not None
    actor.calendar_token_hash = _hash(raw)
    db.session.flush()
    record(actor, "calendar_feed.replaced" if replaced else "calendar_feed.created",
           "user", actor.id, actor.site_id)
    return raw


def user_for_calendar_secret(raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == _hash(raw)))
    if user is None or not user.active or not user.is_staff:
        return None
    return user


def feed_sessions(user: User, now: datetime) -> list[Session]:
    """A worker's sessions for their calendar: the ones they lead, recent and ahead."""
    return list(db.session.scalars(
        select(Session).where(Session.lead_worker_id == user.id,
                              Session.site_id == user.site_id,
                              Session.ends_at > now - FEED_HISTORY)
        .order_by(Session.starts_at, Session.id)))
