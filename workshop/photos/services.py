"""The rules for photos: who may upload for whom, storing a checked upload, who sees what,
the gallery's copies, erasure, progress and keeping files in step.

Consent (consent.py) and moderation (moderation.py) have modules of their own.

A photo belongs to a person at a site and may name a session, a loan and a lesson topic,
so photos import those features' models; none of them imports photos. Flickr and the
gallery read photos; photos tell Flickr of a change by signal (workshop.signals).
"""

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import IO, Any

from flask import current_app
from PIL import Image
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit import services as audit
from workshop.audit.services import record
from workshop.auth.models import Role, Site, User
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.errors import Conflict, DomainError, Invalid, NotFound
from workshop.extensions import db
from workshop.photos import imaging, metadata
from workshop.photos.models import CoachingNote, ConsentPurpose, NoteTopic, Photo, PhotoState
from workshop.photos.storage import (
    COPY_KINDS,
    FileTooLarge,
    StoredFile,
    delete_after_commit,
    storage,
    track_new_files,
)
from workshop.programme.models import Enrolment, Session
from workshop.signals import (
    participant_erasing,
    participant_moving,
    photo_publishing,
    photo_stored,
    photo_visibility_changed,
    stored_files_wanted,
)
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


def visible_photos(actor: User) -> Select[Photo]:
    """Participants see their own photos; workers their site's; admins all."""
    # Lists show whose each photo is: one query for the owners, not one a row.
    query = select(Photo).order_by(Photo.created_at.desc(), Photo.id.desc()).options(
        selectinload(Photo.owner))
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


def clean_caption(caption: str | None) -> str:
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


def upload(actor: User, target: UploadFor, stream: IO[bytes], caption: str | None = "") -> Photo:
    """Check an uploaded file and keep it, with its display copies and checks.

    Nothing is stored for a refused file. The files are written after the row is flushed,
    so a repeat caught by the database leaves no file behind either.
    """
    caption = clean_caption(caption)
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
        # Features that look at the picture (faces) add their checks before the audit row.
        photo_stored.send(photo, large=processed.large)
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


# --- the gallery's copies ---------------------------------------------------------------


def public_copy(photo: Photo, purpose: ConsentPurpose, kind: str) -> bytes:
    """A display copy as it may be seen in public for this purpose: what the features that
    look at the picture (faces) obscure, obscured for good. The original and the private
    copies are never changed."""
    data = storage().copy_path(photo.content_hash, kind).read_bytes()
    with Image.open(BytesIO(data)) as opened:
        picture = opened.convert("RGB")
        icc = opened.info.get("icc_profile")
    changed = photo_publishing.send(photo, purpose=purpose, picture=picture)
    if not any(obscured for _, obscured in changed):
        return data
    return imaging.encode_jpeg(picture, icc)


def print_copy(photo: Photo, purpose: ConsentPurpose) -> bytes:
    """The original at full size as a high-quality JPEG for a print, with what public copies
    obscure for this purpose (faces without a yes) obscured in it too."""
    store = storage()
    with store.local_copy(store.original_path(photo.content_hash)) as path:
        picture, icc = imaging.full_picture(path, max_pixels=_limit("PHOTO_MAX_PIXELS"))
    photo_publishing.send(photo, purpose=purpose, picture=picture)
    return imaging.encode_jpeg(picture, icc, quality=imaging.PRINT_QUALITY)


def mark_decision_changed(photo: Photo) -> bool:
    """After a change to what a waiting or approved photo's people agreed to (its consents,
    its faces): its row is marked changed, so an approval decided at the same moment, on
    the older view, meets a changed version and is refused. True if it was marked."""
    if photo.state not in (PhotoState.SUBMITTED, PhotoState.APPROVED):
        return False
    flag_modified(photo, "state")
    return True


def refresh_where_shown(photo: Photo, now: datetime | None = None,
                        changed: Collection[ConsentPurpose] = ()) -> None:
    """Make the gallery's copies exist exactly while the photo is public, and tell the
    features that copy it elsewhere (Flickr) where it now belongs.

    Called after every change that can show or hide a photo; changed names the purposes
    whose public copy must be made again (a face newly obscured or cleared). Taking copies
    down (or making them again) happens at once, before the request commits: if it then
    fails, the copy is removed, so the photo is hidden for a moment too long, never shown
    a moment too long. Flickr is changed by the sync worker from the job its receiver
    adds, in the same transaction as the change.
    """
    now = now or utcnow()
    store = storage()
    if photo.published_at is None and photo.cleared_for_gallery(now):
        photo.published_at = now
    public = photo.is_public(now)
    if not public:
        store.unpublish(photo.uuid)
    elif ConsentPurpose.GALLERY in changed or not all(
            store.public_path(photo.uuid, kind).exists() for kind in COPY_KINDS):
        copies = {kind: public_copy(photo, ConsentPurpose.GALLERY, kind) for kind in COPY_KINDS}
        track_new_files(db.session(), store.publish(photo.uuid, copies))
    photo_visibility_changed.send(photo, public=public, on_flickr=photo.on_flickr(now),
                                  changed=frozenset(changed))


# --- a participant erased, or moved to another site -----------------------------------
# auth owns the person and sends the signals; their photos are this feature's to act on.


@participant_erasing.connect
def _erase_photos(participant: User, **_: Any) -> dict[str, int]:
    """Every photo of theirs and every copy goes; Flickr's copies follow."""
    store = storage()
    owned = db.session.scalars(select(Photo).where(Photo.owner_id == participant.id)).all()
    owned_ids = [photo.id for photo in owned]
    hashes = {photo.content_hash for photo in owned}
    for photo in owned:
        # Out of public view at once; the rest waits for the commit. Flickr's copy is
        # taken down by the removal job, which outlives the photo's row.
        store.unpublish(photo.uuid)
        photo_visibility_changed.send(photo, public=False, on_flickr=False)
        db.session.delete(photo)
    db.session.flush()
    shared = set(db.session.scalars(
        select(Photo.content_hash).where(Photo.content_hash.in_(hashes))))
    delete_after_commit(db.session(), [
        path for content_hash in hashes - shared
        for path in (store.original_path(content_hash),
                     *(store.copy_path(content_hash, kind) for kind in COPY_KINDS))])
    return {"photos": len(owned), "audit_events": audit.forget_targets("photo", owned_ids)}


@participant_moving.connect
def _move_photos(participant: User, *, site: Site, **_: Any) -> dict[str, int]:
    """Their photos go with them (and so their consents): from now on only the new site's
    workers see them, moderate them or act on them."""
    owned = db.session.scalars(select(Photo).where(Photo.owner_id == participant.id)
                               .order_by(Photo.id)).all()
    for photo in owned:
        photo.site_id = site.id
    flush_or_conflict("Something changed on this person's photos a moment ago. "
                      "Try the move again.", StaleDataError)
    return {"photos": len(owned)}


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
    orphans: list[StoredFile] = field(default_factory=list)
    missing_originals: list[int] = field(default_factory=list)
    missing_copies: list[StoredFile] = field(default_factory=list)


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
        "public:" + p.uuid for p in photos if p.is_public(now)}
    for _, kept in stored_files_wanted.send(None):
        known |= kept
    cutoff = time.time() - grace.total_seconds()
    # One listing answers "is it there" for every row: asking an object store file by
    # file would take hours at a million photos.
    present: set[str] = set()
    for owner, stored, modified in store.files():
        present.add(stored.key)
        if owner in known or modified > cutoff:
            continue
        report.orphans.append(stored)
        if clean:
            stored.delete()
    checked: set[str] = set()
    for photo_id, content_hash in rows:
        original = store.original_path(content_hash)
        if original.key not in present:
            report.missing_originals.append(photo_id)
            continue
        if content_hash in checked:
            continue
        checked.add(content_hash)
        copies = {kind: store.copy_path(content_hash, kind) for kind in COPY_KINDS}
        missing = {kind: copy for kind, copy in copies.items() if copy.key not in present}
        report.missing_copies.extend(missing.values())
        if clean and missing:
            with store.local_copy(original) as path:
                processed = imaging.process(path, max_pixels=_limit("PHOTO_MAX_PIXELS"))
            for kind, copy in missing.items():
                store.write(copy, getattr(processed, kind))
    return report
