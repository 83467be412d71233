"""The rules for one person's page: what it gathers about a participant, and for whom."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workshop.auth import services as auth
from workshop.auth.models import Role, User
from workshop.errors import NotFound
from workshop.extensions import db
from workshop.photos import lists
from workshop.photos import services as photos
from workshop.photos.models import CoachingNote, Consent, Photo
from workshop.programme import services as programme
from workshop.programme.models import Enrolment, Session
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState

# Enough to see how someone is getting on; each part links to its full list.
RECENT = 6


@dataclass
class Overview:
    loans_out: list[Booking]
    loan_count: int
    # Each with its state in words (photos.lists.state_words).
    recent_photos: list[tuple[Photo, str]]
    photo_count: int
    attended: list[Session]
    attended_count: int
    upcoming: list[Session]
    notes: list[CoachingNote]
    consents: list[Consent]


def _count(query) -> int:
    return db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())) or 0


def overview(actor: User, person_id: int, now: datetime) -> Overview:
    """Everything about one participant, for a worker of their site (or an admin).

    Anyone else, and anyone who is not a participant, is not found: the page answers as
    one for an id that does not exist.
    """
    person = auth.get_user(actor, person_id)
    if not actor.is_staff or person.role is not Role.PARTICIPANT:
        raise NotFound("There is no such person.")
    loans = stock.visible_bookings(actor, participant_id=person.id).order_by(None).order_by(
        Booking.starts_at.desc(), Booking.id.desc())
    owned = photos.visible_photos(actor).where(Photo.owner_id == person.id)
    # Only this site's sessions: someone who moved here keeps no trail of where they were.
    theirs = programme.visible_sessions(actor).join(
        Enrolment, Enrolment.session_id == Session.id).where(
        Enrolment.participant_id == person.id)
    attended = theirs.where(Enrolment.attended.is_(True)).order_by(None).order_by(
        Session.starts_at.desc())
    upcoming = theirs.where(Session.ends_at > now)
    # Notes and consents are shown with their photo: loaded together, not one by one.
    notes = (select(CoachingNote).options(selectinload(CoachingNote.photo))
             .join(Photo, Photo.id == CoachingNote.photo_id)
             .where(Photo.owner_id == person.id)
             .order_by(CoachingNote.created_at.desc(), CoachingNote.id.desc()))
    consents = (select(Consent).options(selectinload(Consent.photo))
                .join(Photo, Photo.id == Consent.photo_id)
                .where(Photo.owner_id == person.id, Consent.in_force(now))
                .order_by(Consent.given_at.desc(), Consent.id.desc()))
    return Overview(
        loans_out=list(db.session.scalars(loans.where(Booking.state == BookingState.OUT))),
        loan_count=_count(loans),
        recent_photos=[(p, lists.state_words(p, now))
                       for p in db.session.scalars(owned.limit(RECENT))],
        photo_count=_count(owned),
        attended=list(db.session.scalars(attended.limit(RECENT))),
        attended_count=_count(attended),
        upcoming=list(db.session.scalars(upcoming.limit(RECENT))),
        notes=list(db.session.scalars(notes.limit(RECENT))),
        consents=list(db.session.scalars(consents)),
    )
