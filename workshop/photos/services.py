"""The rules for photos: who may upload for whom, storing a checked upload, who sees what."""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit import services as audit
from workshop.audit.services import record
from workshop.auth import services as auth
from workshop.auth.models import Role, Site, User
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from workshop.extensions import db
from workshop.flickr import services as flickr
from workshop.flickr.models import FlickrJob
from workshop.lessons.models import Topic
from workshop.photos import imaging, metadata
from workshop.photos.models import (
    CoachingNote,
    Consent,
    ConsentEnd,
    ConsentPurpose,
    Credit,
    NoteTopic,
    Photo,
    PhotoState,
)
from workshop.photos.storage import (
    COPY_KINDS,
    FileTooLarge,
    delete_after_commit,
    storage,
    track_new_files,
)
from workshop.programme import services as programme
from workshop.programme.models import Enrolment, Session
from workshop.stock import services as stock
from workshop.stock.models import Booking

CAPTION_LIMIT = 300
COMMENT_LIMIT = 1000
# Formats a browser shows and a participant recognises, for the messages.
FORMAT_NAMES = "JPEG, PNG, WebP or HEIC"


class TooLarge(DomainError):
    status = 413
    title = "File too large"


# Refusals for the kind of file (415), as against a photo we cannot take (422).
UNSUPPORTED = ("unsupported_format", "not_an_image", "video")


class NotAPhoto(DomainError):
    """The file is not one we can read (415) or not one we will take (422)."""

    title = "This file cannot be used"

    def __init__(self, refused: imaging.Refused):
        super().__init__(refused.message, {"file": [refused.message]})
        self.code = refused.code
        self.status = 415 if refused.code in UNSUPPORTED else 422


class AlreadyUploaded(Conflict):
    def __init__(self, photo: Photo):
        message = "You have already uploaded this photo. It is kept once, with its feedback."
        super().__init__(message, {"file": [message]})
        self.photo = photo


def too_large_message(limit: int) -> str:
    return (f"This photo is bigger than {limit // (1024 * 1024)} MB, so it cannot be sent. "
            "Ask a worker to help make it smaller.")


def _limit(name: str) -> int:
    return int(current_app.config[name])


# --- who sees what ----------------------------------------------------------------------


def visible_photos(actor: User) -> Select[tuple[Photo]]:
    """Participants see their own photos; workers their site's; admins all."""
    query = select(Photo).order_by(Photo.created_at.desc(), Photo.id.desc())
    if actor.role is Role.PARTICIPANT:
        return query.where(Photo.owner_id == actor.id)
    if not actor.is_admin:
        query = query.where(Photo.site_id == actor.site_id)
    return query


def get_photo(actor: User, photo_id: int) -> Photo:
    photo = get_row(Photo, photo_id)
    if photo is None or not can_see(actor, photo):
        # Another person's photo answers exactly like one that does not exist.
        raise NotFound("There is no such photo.")
    return photo


def can_see(actor: User, photo: Photo) -> bool:
    if actor.role is Role.PARTICIPANT:
        return photo.owner_id == actor.id
    return actor.is_admin or photo.site_id == actor.site_id


def participant_photos(actor: User, participant: User) -> list[Photo]:
    """One participant's photos, oldest first (their progress over time)."""
    query = visible_photos(actor).where(Photo.owner_id == participant.id)
    return list(db.session.scalars(query.order_by(None).order_by(Photo.created_at, Photo.id)))


def get_participant(actor: User, participant_id: int | None, field: str = "participant_id"
                    ) -> User:
    """The participant a photo is for: participants only ever themselves."""
    if actor.role is Role.PARTICIPANT:
        if participant_id not in (None, actor.id):
            raise NotFound("There is no such participant.")
        return actor
    if participant_id is None:
        raise Invalid.field(field, "Choose whose photo this is.")
    participant = get_row(User, participant_id)
    if (participant is None or participant.role is not Role.PARTICIPANT
            or not (actor.is_admin or participant.site_id == actor.site_id)):
        raise Invalid.field(field, "There is no such participant at your site.")
    if not participant.active:
        raise Invalid.field(field, f"{participant.display_name}'s account is deactivated.")
    return participant


def _session_for(actor: User, owner: User, session_id: int | None) -> Session | None:
    if session_id is None:
        return None
    session = get_row(Session, session_id)
    if session is None or session.site_id != owner.site_id:
        raise Invalid.field("session_id", "There is no such session at this site.")
    if actor.role is Role.PARTICIPANT and not db.session.scalar(
            select(Enrolment.id).where(Enrolment.session_id == session.id,
                                       Enrolment.participant_id == owner.id)):
        raise Invalid.field("session_id", "You are not on that session's list.")
    return session


def _booking_for(owner: User, booking_id: int | None) -> Booking | None:
    if booking_id is None:
        return None
    booking = get_row(Booking, booking_id)
    if (booking is None or booking.site_id != owner.site_id
            or booking.participant_id not in (None, owner.id)):
        raise Invalid.field("booking_id", "There is no such loan for this participant.")
    return booking


def _clean_caption(caption: str | None) -> str:
    caption = " ".join((caption or "").split())
    if len(caption) > CAPTION_LIMIT:
        raise Invalid.field("caption", f"Keep the caption to {CAPTION_LIMIT} characters.")
    return caption


# --- upload -----------------------------------------------------------------------------


@dataclass
class UploadFor:
    """Whose upload this is and what it belongs to, checked once for several files."""

    owner: User
    session: Session | None
    booking: Booking | None


def upload_target(actor: User, participant_id: int | None = None,
                  session_id: int | None = None, booking_id: int | None = None) -> UploadFor:
    owner = get_participant(actor, participant_id)
    return UploadFor(owner, _session_for(actor, owner, session_id), _booking_for(owner, booking_id))


def upload(actor: User, target: UploadFor, stream: BinaryIO, caption: str | None = "") -> Photo:
    """Check an uploaded file and keep it, with its display copies and checks.

    Nothing is stored for a refused file. The files are written after the row is flushed,
    so a repeat caught by the database leaves no file behind either.
    """
    caption = _clean_caption(caption)
    store = storage()
    try:
        received = store.receive(stream, _limit("PHOTO_MAX_BYTES"))
    except FileTooLarge as exc:
        raise TooLarge(too_large_message(exc.limit)) from None
    try:
        if received.size == 0:
            raise NotAPhoto(imaging.Refused("empty", "This file is empty. Please choose the "
                                                     "photo again."))
        existing = db.session.scalar(select(Photo).where(
            Photo.owner_id == target.owner.id, Photo.content_hash == received.sha256))
        if existing is not None:
            raise AlreadyUploaded(existing)
        try:
            processed = imaging.process(received.path, max_pixels=_limit("PHOTO_MAX_PIXELS"))
        except imaging.Refused as refused:
            raise NotAPhoto(refused) from None
        # Staff can download the original: it keeps its picture bit for bit, but not where
        # it was taken or whose camera took it (the checks above have read what they need).
        # It stays under the hash of what was received, which is what a repeat matches.
        metadata.scrub_file(received.path)
        photo = Photo(
            site_id=target.owner.site_id, owner=target.owner, uploaded_by_id=actor.id,
            session=target.session, booking=target.booking, caption=caption,
            content_hash=received.sha256, format=processed.format,
            mime_type=processed.mime_type, byte_size=received.size, width=processed.width,
            height=processed.height, megapixels=processed.megapixels, checks=processed.checks,
        )
        db.session.add(photo)
        # The same file from the same person in two requests at once.
        flush_or_conflict("This photo is being uploaded already. Look in your photos in a "
                          "moment.")
        created = store.keep(received, {"large": processed.large, "thumb": processed.thumb})
        track_new_files(db.session(), created)
    finally:
        received.discard()
    record(actor, "photo.uploaded", "photo", photo.id, site_id=photo.site_id,
           owner_id=photo.owner_id, bytes=photo.byte_size,
           verdicts={name: check.get("verdict") for name, check in photo.checks.items()})
    return photo


# --- coaching notes ---------------------------------------------------------------------


def add_note(actor: User, photo: Photo, topic: NoteTopic | str, comment: str | None = ""
             ) -> CoachingNote:
    if not actor.is_staff:
        raise NotFound("There is no such photo.")
    try:
        topic = NoteTopic(topic)
    except ValueError:
        raise Invalid.field("topic", "Choose light, distance, steadiness or framing.") from None
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise Invalid.field("comment", f"Keep the note to {COMMENT_LIMIT} characters.")
    note = CoachingNote(photo=photo, author_id=actor.id, topic=topic, comment=comment)
    db.session.add(note)
    db.session.flush()
    record(actor, "photo.note_added", "photo", photo.id, site_id=photo.site_id,
           topic=topic.value)
    return note


# --- consent ----------------------------------------------------------------------------

# The words shown when consent is asked, by purpose and version. A change of wording is a
# new version, so every consent keeps pointing at the words the person actually saw.
CONSENT_WORDING: dict[ConsentPurpose, dict[int, str]] = {
    ConsentPurpose.GALLERY: {
        1: "Yes, this photo may be shown in the programme's public gallery on the internet, "
           "with my chosen name or as Anonymous. A worker checks it first. I can say no "
           "again at any time, and it comes down straight away.",
    },
    ConsentPurpose.FLICKR: {
        1: "Yes, this photo may be put on the programme's Flickr group, where anyone can "
           "see it, with my chosen name or as Anonymous. A worker checks it first. I can "
           "say no again at any time, and we take it off Flickr.",
    },
}


def current_wording(purpose: ConsentPurpose) -> tuple[int, str]:
    versions = CONSENT_WORDING[purpose]
    latest = max(versions)
    return latest, versions[latest]


def _purposes(purposes: list[str] | tuple[str, ...]) -> list[ConsentPurpose]:
    try:
        chosen = list(dict.fromkeys(ConsentPurpose(p) for p in purposes))
    except ValueError:
        raise Invalid.field("purposes", "Choose gallery, flickr or both.") from None
    if not chosen:
        raise Invalid.field("purposes", "Choose gallery, flickr or both.")
    return chosen


def _may_decide_for(actor: User, photo: Photo) -> None:
    # The participant for themselves; a worker of the site records what they said in person.
    if photo.owner_id != actor.id and not actor.is_staff:
        raise NotFound("There is no such photo.")


def consents_in_force(photo: Photo, now: datetime | None = None) -> dict[str, Consent]:
    now = now or utcnow()
    return {c.purpose.value: c for c in photo.consents if c.in_force(now)}


def give_consent(actor: User, photo: Photo, purposes: list[str], now: datetime | None = None
                 ) -> list[Consent]:
    """Record a yes for each purpose; one already in force is kept as it is."""
    _may_decide_for(actor, photo)
    now = now or utcnow()
    current = consents_in_force(photo, now)
    _end_lapsed(photo, now)
    given, added = [], False
    for purpose in _purposes(purposes):
        if purpose.value in current:
            given.append(current[purpose.value])
            continue
        added = True
        version, _ = current_wording(purpose)
        consent = Consent(
            photo=photo, purpose=purpose, wording_version=version, given_at=now,
            given_by_id=actor.id,
            witnessed_by_id=actor.id if actor.id != photo.owner_id else None,
            expires_at=now + timedelta(days=_limit("CONSENT_DAYS")))
        db.session.add(consent)
        given.append(consent)
        record(actor, "photo.consent_given", "photo", photo.id, site_id=photo.site_id,
               purpose=purpose.value, wording_version=version,
               witnessed=consent.witnessed_by_id is not None)
    if added and photo.state in (PhotoState.SUBMITTED, PhotoState.APPROVED):
        # As with a withdrawal: a decision made on the photo at the same moment meets a
        # changed version and is refused, rather than publishing from an older view of
        # its consents.
        flag_modified(photo, "state")
    _flush_consents()
    # An approved photo goes where its consents now allow, at once: back into the gallery
    # after a withdrawal, or there for the first time after a Flickr-only approval (and
    # likewise onto Flickr); one whose consent lapsed just now comes down.
    refresh_where_shown(photo, now)
    return given


def withdraw_consent(actor: User, photo: Photo, purposes: list[str],
                     now: datetime | None = None) -> list[Consent]:
    """End the consents in force for these purposes; asking twice is not an error.

    A withdrawal must win over a decision made on the photo at the same moment: if the
    photo's row changed under it, it starts again on the fresh row instead of failing.
    """
    _may_decide_for(actor, photo)
    chosen = _purposes(purposes)
    now = now or utcnow()
    for _ in range(3):
        try:
            return _withdraw(actor, photo, chosen, now)
        except StaleDataError:
            db.session.rollback()
    raise Conflict("This photo kept changing while we tried. Please try again.")


def _withdraw(actor: User, photo: Photo, purposes: list[ConsentPurpose], now: datetime
              ) -> list[Consent]:
    current = consents_in_force(photo, now)
    ended = []
    for purpose in purposes:
        consent = current.get(purpose.value)
        if consent is None:
            continue
        consent.ended_at, consent.end_reason, consent.ended_by_id = (
            now, ConsentEnd.WITHDRAWN, actor.id)
        ended.append(consent)
        record(actor, "photo.consent_withdrawn", "photo", photo.id, site_id=photo.site_id,
               purpose=purpose.value, witnessed=actor.id != photo.owner_id)
    if ended and photo.state in (PhotoState.SUBMITTED, PhotoState.APPROVED):
        if not consents_in_force(photo, now):
            photo.state = PhotoState.WITHDRAWN
        # A withdrawal always changes the photo's row, so an approval decided at the same
        # moment meets a changed version and is refused.
        flag_modified(photo, "state")
    db.session.flush()
    refresh_where_shown(photo, now)
    return ended


def _end_lapsed(photo: Photo, now: datetime) -> None:
    for consent in photo.consents:
        if consent.ended_at is None and consent.expires_at <= now:
            consent.ended_at, consent.end_reason = now, ConsentEnd.EXPIRED


def _flush_consents() -> None:
    message = ("Someone changed this photo's consent at the same moment. Look again and "
               "try once more.")
    try:
        flush_or_conflict(message)
    except StaleDataError:
        # A decision on the photo (an approval, say) was saved meanwhile.
        db.session.rollback()
        raise Conflict(message) from None


def expire_consents(now: datetime | None = None) -> int:
    """Mark consents past their end date as expired (a daily job); returns how many."""
    now = now or utcnow()
    lapsed = db.session.scalars(select(Consent).where(
        Consent.ended_at.is_(None), Consent.expires_at <= now)).all()
    for consent in lapsed:
        consent.ended_at, consent.end_reason = now, ConsentEnd.EXPIRED
        record(None, "photo.consent_expired", "photo", consent.photo_id,
               site_id=consent.photo.site_id, purpose=consent.purpose.value)
    db.session.flush()
    for photo in {consent.photo for consent in lapsed}:
        refresh_where_shown(photo, now)
    return len(lapsed)


def consent_history(actor: User) -> list[Consent]:
    """Every consent given for the actor's own photos, newest first."""
    return list(db.session.scalars(
        select(Consent).join(Consent.photo).where(Photo.owner_id == actor.id)
        .order_by(Consent.given_at.desc(), Consent.id.desc())))


# --- the gallery's copies ---------------------------------------------------------------


def is_public(photo: Photo, now: datetime | None = None) -> bool:
    """In the public gallery: approved, not reported, and its gallery consent in force."""
    return (photo.state is PhotoState.APPROVED and photo.reported_at is None
            and ConsentPurpose.GALLERY.value in consents_in_force(photo, now))


def on_flickr(photo: Photo, now: datetime | None = None) -> bool:
    """Meant to be in the Flickr group: approved, and its Flickr consent in force."""
    return (photo.state is PhotoState.APPROVED
            and ConsentPurpose.FLICKR.value in consents_in_force(photo, now))


def refresh_where_shown(photo: Photo, now: datetime | None = None) -> None:
    """Make the gallery's copies exist exactly while the photo is public, and queue what
    Flickr needs to match.

    Called after every change that can show or hide a photo. Taking copies down happens
    at once, before the request commits: if it then fails, the photo is hidden for a
    moment too long, never shown a moment too long. Flickr is changed by the sync worker
    from the job added here, in the same transaction as the change.
    """
    store = storage()
    if is_public(photo, now):
        photo.published_at = photo.published_at or now or utcnow()
        track_new_files(db.session(), store.publish(photo.content_hash, photo.uuid))
    else:
        store.unpublish(photo.uuid)
    flickr.sync_photo(photo, on_flickr(photo, now))


# --- moderation -------------------------------------------------------------------------

# What the approving worker confirms, one line each (the keys are the API's).
CHECKLIST = {
    "no_identifiable_people": "Nobody else who could be recognised is in it without "
                              "having agreed.",
    "no_drug_references": "No drug use, paraphernalia (tin foil, needles, pipes) or places "
                          "tied to using or dealing.",
    "no_location_details": "No address, house number, number plate, clinic sign or anything "
                           "else that shows where someone lives or is treated.",
    "caption_is_safe": "The caption and the credit say none of these things either.",
}
REASON_LIMIT = 500


def _decide_flush() -> None:
    flush_or_conflict("Something changed on this photo a moment ago (perhaps its consent "
                      "was taken back). Look at it again.", StaleDataError)


def submit(actor: User, photo: Photo, caption: str | None, credit: Credit | str,
           theme: Topic | str | None = None, now: datetime | None = None) -> Photo:
    """The owner asks for the photo to go public, where its consents allow.

    The theme (what they were practising) defaults to the topic of the session's lesson.
    """
    if photo.owner_id != actor.id:
        raise NotFound("There is no such photo.")
    if photo.state not in (PhotoState.PRIVATE, PhotoState.REJECTED, PhotoState.WITHDRAWN):
        raise Conflict("This photo has been sent for checking already.")
    now = now or utcnow()
    if not consents_in_force(photo, now):
        raise Invalid.field("consent", "First choose where this photo may go: the gallery, "
                                       "Flickr, or both.")
    try:
        credit = Credit(credit)
    except ValueError:
        raise Invalid.field("credit", "Choose your name or Anonymous.") from None
    if theme:
        try:
            theme = Topic(theme)
        except ValueError:
            raise Invalid.field("theme", "Choose light, distance, steadiness or other.") from None
    elif photo.session is not None and photo.session.lesson is not None:
        theme = photo.session.lesson.topic
    photo.caption = _clean_caption(caption)
    photo.theme = theme or None
    photo.credit = credit
    photo.credit_name = actor.display_name if credit is Credit.DISPLAY_NAME else None
    photo.state, photo.submitted_at = PhotoState.SUBMITTED, now
    photo.decided_at = photo.decided_by_id = photo.rejection_reason = None
    _decide_flush()
    refresh_where_shown(photo, now)
    record(actor, "photo.submitted", "photo", photo.id, site_id=photo.site_id,
           credit=credit.value)
    return photo


def _may_moderate(actor: User, photo: Photo) -> None:
    if not actor.is_staff:
        raise NotFound("There is no such photo.")
    if photo.state is not PhotoState.SUBMITTED:
        raise Conflict("This photo is not waiting for a decision.")
    # A second pair of eyes: whoever sent the photo in cannot also let it out.
    if actor.id == photo.uploaded_by_id:
        raise Conflict("Another worker must check this photo, as you uploaded it.")


def approve(actor: User, photo: Photo, checklist: dict[str, bool],
            now: datetime | None = None) -> Photo:
    _may_moderate(actor, photo)
    missing = [key for key in CHECKLIST if checklist.get(key) is not True]
    if missing:
        raise Invalid("Check every line before approving.",
                      {key: ["Confirm this, or reject the photo."] for key in missing})
    now = now or utcnow()
    if not consents_in_force(photo, now):
        raise Conflict("Its consent has been taken back, so it cannot be approved.")
    photo.state, photo.decided_at, photo.decided_by_id = PhotoState.APPROVED, now, actor.id
    _decide_flush()
    refresh_where_shown(photo, now)
    record(actor, "photo.approved", "photo", photo.id, site_id=photo.site_id,
           checklist=sorted(CHECKLIST),
           purposes=sorted(consents_in_force(photo, now)))
    return photo


def reject(actor: User, photo: Photo, reason: str, now: datetime | None = None) -> Photo:
    _may_moderate(actor, photo)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "Say kindly why, so they can try again.")
    if len(reason) > REASON_LIMIT:
        raise Invalid.field("reason", f"Keep it to {REASON_LIMIT} characters.")
    photo.state, photo.decided_at, photo.decided_by_id = (
        PhotoState.REJECTED, now or utcnow(), actor.id)
    photo.rejection_reason = reason
    _decide_flush()
    record(actor, "photo.rejected", "photo", photo.id, site_id=photo.site_id)
    return photo


def report(photo: Photo, reason: str | None, now: datetime | None = None) -> Photo:
    """A visitor's report: the photo leaves the gallery at once, until a worker looks."""
    if not is_public(photo, now):
        raise NotFound("There is no such photo.")
    photo.reported_at = now or utcnow()
    photo.report_reason = (reason or "").strip()[:REASON_LIMIT] or None
    _decide_flush()
    refresh_where_shown(photo, now)
    record(None, "photo.reported", "photo", photo.id, site_id=photo.site_id)
    return photo


def review_report(actor: User, photo: Photo, keep: bool, reason: str = "",
                  now: datetime | None = None) -> Photo:
    """Put a reported photo back, or take it down with a reason its owner will read."""
    if not actor.is_staff:
        raise NotFound("There is no such photo.")
    if photo.reported_at is None:
        raise Conflict("This photo has not been reported.")
    if keep:
        photo.reported_at = photo.report_reason = None
    else:
        reason = reason.strip() or ("It was taken out of the gallery after someone raised a "
                                    "concern. Talk to a worker if you would like to know more.")
        photo.state, photo.rejection_reason = PhotoState.REJECTED, reason[:REASON_LIMIT]
        photo.decided_at, photo.decided_by_id = now or utcnow(), actor.id
        photo.reported_at = None
    _decide_flush()
    refresh_where_shown(photo, now)
    record(actor, "photo.report_reviewed", "photo", photo.id, site_id=photo.site_id,
           kept=keep)
    return photo


def reported_photos(actor: User) -> Select[tuple[Photo]]:
    if not actor.is_staff:
        raise NotFound("There is nothing here.")
    return (visible_photos(actor).where(Photo.reported_at.is_not(None))
            .order_by(None).order_by(Photo.reported_at, Photo.id))


def moderation_queue(actor: User) -> Select[tuple[Photo]]:
    """Submitted photos of the worker's site, oldest first."""
    if not actor.is_staff:
        raise NotFound("There is nothing here.")
    return (visible_photos(actor).where(Photo.state == PhotoState.SUBMITTED)
            .order_by(None).order_by(Photo.submitted_at, Photo.id))


# --- erasure ----------------------------------------------------------------------------


def erase_participant(actor: User, participant: User, confirm: str,
                      now: datetime | None = None) -> int:
    """The right to erasure: every photo and copy of theirs goes, what was planned for
    them is cancelled, their places in sessions go, and what remains in the history
    (their cameras' loans, the audit) no longer leads to them: only counts are kept.

    Refused while a camera is out with them: the site must first know it is back.
    Returns how many photos were deleted.
    """
    if participant.role is not Role.PARTICIPANT or not (
            actor.is_admin or (actor.is_staff and participant.site_id == actor.site_id)):
        raise NotFound("There is no such participant.")
    if confirm.strip() != participant.username:
        raise Invalid.field("confirm", f"Type {participant.username} to confirm.")
    stock.refuse_while_on_loan(participant, "erasing them")
    # No reason is written: a note is free text, and erasure leaves none.
    cancelled = stock.cancel_reservations_of(actor, participant, now or utcnow(), "")
    loans = stock.forget_borrower(participant)
    sessions, attended = programme.forget_participant(participant)
    store = storage()
    owned = db.session.scalars(select(Photo).where(Photo.owner_id == participant.id)).all()
    owned_ids = [photo.id for photo in owned]
    hashes = {photo.content_hash for photo in owned}
    for photo in owned:
        # Out of public view at once; the rest waits for the commit. Flickr's copy is
        # taken down by the removal job, which outlives the photo's row.
        store.unpublish(photo.uuid)
        flickr.sync_photo(photo, False)
        db.session.delete(photo)
    db.session.flush()
    shared = set(db.session.scalars(
        select(Photo.content_hash).where(Photo.content_hash.in_(hashes))))
    delete_after_commit(db.session(), [
        path for content_hash in hashes - shared
        for path in (store.original_path(content_hash),
                     *(store.copy_path(content_hash, kind) for kind in COPY_KINDS))])
    auth.anonymise(participant)
    events = audit.forget(participant.id, owned_ids)
    record(actor, "user.erased", "user", participant.id, site_id=participant.site_id,
           photos=len(owned), loans=loans, reservations_cancelled=cancelled,
           sessions=sessions, sessions_attended=attended, audit_events=events)
    return len(owned)


# --- moving to another site -------------------------------------------------------------


@dataclass
class Move:
    photos: int
    reservations_cancelled: int
    sessions_left: int


def move_participant(actor: User, participant: User, site_id: int,
                     now: datetime | None = None) -> Move:
    """Move a participant to another site, with their photos (and so their consents and
    Flickr jobs): the old site's workers no longer see or act on them, the new site's do.

    Reservations are of the old site's cameras and places in its sessions, which the
    person will not come to: they are cancelled. While a camera is out with them the move
    is refused, so the old site still knows who has it.
    """
    if not actor.is_admin:
        raise Forbidden("Only an admin can change a person's site.")
    if participant.role is not Role.PARTICIPANT:
        raise NotFound("There is no such participant.")
    site = get_row(Site, site_id)
    if site is None:
        raise NotFound("There is no such site.")
    if site.id == participant.site_id:
        return Move(0, 0, 0)
    now = now or utcnow()
    stock.refuse_while_on_loan(participant, "moving them to another site")
    cancelled = stock.cancel_reservations_of(
        actor, participant, now, "Cancelled: the borrower moved to another site.")
    left = programme.leave_future_sessions(actor, participant, now)
    owned = db.session.scalars(select(Photo).where(Photo.owner_id == participant.id)
                               .order_by(Photo.id)).all()
    old_site_id = participant.site_id
    for photo in owned:
        photo.site_id = site.id
    if owned:
        db.session.execute(
            update(FlickrJob).where(FlickrJob.photo_id.in_([p.id for p in owned]))
            .values(site_id=site.id).execution_options(synchronize_session=False))
    participant.site_id = site.id
    flush_or_conflict("Something changed on this person's photos a moment ago. "
                      "Try the move again.", StaleDataError)
    record(actor, "user.moved", "user", participant.id, site_id=site.id,
           from_site_id=old_site_id, photos=len(owned), reservations_cancelled=cancelled,
           sessions_left=left)
    return Move(len(owned), cancelled, left)


def update_person(actor: User, person: User, **changes: Any) -> User:
    """Change a person's details (auth.services.update_user); a participant's new site is
    a move, which takes their photos, reservations and sessions along."""
    if person.role is Role.PARTICIPANT and "site_id" in changes:
        move_participant(actor, person, changes.pop("site_id"))
    return auth.update_user(actor, person, **changes)


# --- progress ---------------------------------------------------------------------------


def progress(photos: list[Photo]) -> dict[str, Any]:
    """How a participant's photos fared, check by check, for the progress page."""
    summary: dict[str, Any] = {"count": len(photos), "checks": {}}
    for name, good in (("steadiness", "ok"), ("light", "ok"), ("resolution", "ok")):
        verdicts = [p.verdict(name) for p in photos]
        recent = verdicts[-5:]
        summary["checks"][name] = {
            "good": sum(v == good for v in verdicts),
            "recent_good": sum(v == good for v in recent),
            "recent": len(recent),
        }
    return summary


# --- keeping storage and rows in step -----------------------------------------------------

# An upload in progress has files without a committed row for a moment; those are left.
ORPHAN_GRACE = timedelta(hours=1)


@dataclass
class FsckReport:
    orphans: list[Path] = field(default_factory=list)
    missing_originals: list[int] = field(default_factory=list)
    missing_copies: list[Path] = field(default_factory=list)


def fsck(clean: bool, grace: timedelta = ORPHAN_GRACE) -> FsckReport:
    """Find files no photo row points to, and rows whose files are gone.

    With clean, orphans are deleted and missing display copies are made again from the
    original; a missing original cannot be mended, only reported.
    """
    store = storage()
    report = FsckReport()
    photos = db.session.scalars(select(Photo).options(selectinload(Photo.consents))
                                .order_by(Photo.id)).all()
    rows = [(p.id, p.content_hash) for p in photos]
    now = utcnow()
    # A gallery copy of a photo that is no longer public is an orphan too.
    known = {content_hash for _, content_hash in rows} | {
        "public:" + p.uuid for p in photos if is_public(p, now)}
    cutoff = time.time() - grace.total_seconds()
    for content_hash, path in store.files():
        if content_hash in known or path.stat().st_mtime > cutoff:
            continue
        report.orphans.append(path)
        if clean:
            path.unlink(missing_ok=True)
    checked: set[str] = set()
    for photo_id, content_hash in rows:
        original = store.original_path(content_hash)
        if not original.exists():
            report.missing_originals.append(photo_id)
            continue
        if content_hash in checked:
            continue
        checked.add(content_hash)
        missing = [k for k in COPY_KINDS if not store.copy_path(content_hash, k).exists()]
        report.missing_copies.extend(store.copy_path(content_hash, k) for k in missing)
        if clean and missing:
            processed = imaging.process(original, max_pixels=_limit("PHOTO_MAX_PIXELS"))
            for kind in missing:
                store.write_copy(content_hash, kind, getattr(processed, kind))
    return report
