"""The rules for what a photo's owner may still change, and what they hear back about it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit.services import record
from workshop.auth.models import User
from workshop.db import flush_or_conflict, utcnow
from workshop.errors import Conflict, NotFound
from workshop.extensions import db
from workshop.photos.models import CoachingNote, Photo, PhotoState
from workshop.photos.services import clean_caption

# Before a worker has decided, nobody but the owner and the site's workers has seen the
# caption; after an approval it is public, and only a new check may change it.
CAPTION_OPEN = (PhotoState.PRIVATE, PhotoState.SUBMITTED)


def require_owner(actor: User, photo: Photo) -> None:
    """Only the owner may do this. Someone else's photo answers exactly like one that does
    not exist (as get_photo)."""
    if photo.owner_id != actor.id:
        raise NotFound("There is no such photo.")


def _flush() -> None:
    flush_or_conflict("A worker decided on this photo a moment ago. Look at it again.",
                      StaleDataError)


def change_caption(actor: User, photo: Photo, caption: str | None) -> Photo:
    """The owner rewrites the caption, while no worker has decided on the photo yet."""
    require_owner(actor, photo)
    if photo.state not in CAPTION_OPEN:
        if photo.state is PhotoState.APPROVED:
            raise Conflict("A worker has approved this photo with its caption, so the "
                           "caption stays as it is. You can still take back your yes.")
        raise Conflict("A worker has looked at this photo already. You can change the "
                       "caption when you send it again.")
    photo.caption = clean_caption(caption)
    _flush()
    record(actor, "photo.caption_changed", "photo", photo.id, site_id=photo.site_id)
    return photo


def take_back(actor: User, photo: Photo) -> Photo:
    """The owner takes a photo out of the moderation queue: it is private again."""
    require_owner(actor, photo)
    if photo.state is not PhotoState.SUBMITTED:
        raise Conflict("This photo is not waiting for a worker, so there is nothing to take "
                       "back.")
    photo.state, photo.submitted_at = PhotoState.PRIVATE, None
    _flush()
    record(actor, "photo.taken_back", "photo", photo.id, site_id=photo.site_id)
    return photo


# --- what happened since they last looked --------------------------------------------------


@dataclass
class News:
    photo: Photo
    at: datetime
    # "gallery", "flickr", "approved", "sent_back", "hidden", "note"
    kind: str
    # The worker who left a note, by their display name.
    by: str | None = None


def news(owner: User, limit: int = 10) -> list[News]:
    """What workers and visitors did to the owner's photos since owner.photos_seen_at
    (everything, before they first looked), newest first."""
    since = owner.photos_seen_at
    items: list[News] = []
    decided = select(Photo).where(Photo.owner_id == owner.id, or_(
        Photo.decided_at.is_not(None), Photo.reported_at.is_not(None)))
    if since is not None:
        decided = decided.where(or_(Photo.decided_at > since, Photo.reported_at > since))
    for photo in db.session.scalars(decided):
        if photo.reported_at is not None and (since is None or photo.reported_at > since):
            items.append(News(photo, photo.reported_at, "hidden"))
        elif (photo.decided_at is not None and (since is None or photo.decided_at > since)
              # Their own "no" after an approval is nothing new to them.
              and photo.state is not PhotoState.WITHDRAWN):
            items.append(News(photo, photo.decided_at, _decision(photo)))
    notes = (select(CoachingNote).join(CoachingNote.photo)
             .where(Photo.owner_id == owner.id, CoachingNote.author_id != owner.id))
    if since is not None:
        notes = notes.where(CoachingNote.created_at > since)
    items += [News(note.photo, note.created_at, "note", note.author.display_name)
              for note in db.session.scalars(notes)]
    items.sort(key=lambda item: (item.at, item.photo.id), reverse=True)
    return items[:limit]


def _decision(photo: Photo) -> str:
    if photo.state is PhotoState.REJECTED:
        return "sent_back"
    if photo.is_public():
        return "gallery"
    if photo.on_flickr():
        return "flickr"
    return "approved"


def mark_looked(owner: User, now: datetime | None = None) -> None:
    """The owner has seen what happened: the next news starts from now."""
    owner.photos_seen_at = now or utcnow()
