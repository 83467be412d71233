"""How photos are listed for workers: each one's state in plain words, the filter by
state, and the order of the moderation queue."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnExpressionArgument

from workshop.auth.models import User
from workshop.db import utcnow
from workshop.photos.consent import consents_in_force
from workshop.photos.models import ConsentPurpose, Photo, PhotoState

# The states a worker can pick on the photo list: key in the address -> words.
FILTERS = {
    "private": "Private",
    "waiting": "Waiting for a check",
    "sent-back": "Sent back",
    "gallery": "In the gallery",
    "flickr": "On Flickr",
}


def state_filter(key: str, now: datetime | None = None) -> ColumnExpressionArgument[bool]:
    """The condition for one of FILTERS, in the photo model's own words for where a
    photo belongs."""
    now = now or utcnow()
    conditions = {
        "private": Photo.state == PhotoState.PRIVATE,
        "waiting": Photo.state == PhotoState.SUBMITTED,
        "sent-back": Photo.state == PhotoState.REJECTED,
        "gallery": Photo.cleared_for_gallery(now),
        "flickr": Photo.on_flickr(now),
    }
    return conditions[key]


def state_words(photo: Photo, now: datetime | None = None) -> str:
    """Where the photo is, as a worker would say it."""
    if photo.state is not PhotoState.APPROVED:
        return {PhotoState.PRIVATE: "Private", PhotoState.SUBMITTED: "Waiting for a check",
                PhotoState.REJECTED: "Sent back",
                PhotoState.WITHDRAWN: "Not shared: consent taken back"}[photo.state]
    if photo.reported_at is not None:
        return "Hidden while we look at a report"
    shown = consents_in_force(photo, now)
    places = [words for purpose, words in ((ConsentPurpose.GALLERY, "in the gallery"),
                                           (ConsentPurpose.FLICKR, "on Flickr"))
              if purpose.value in shown]
    if not places:
        return "Approved, not shared: consent ended"
    words = " and ".join(places)
    return words[0].upper() + words[1:]


def uploaded_by(actor: User, photo: Photo) -> bool:
    """The actor sent this photo in, so another worker must decide on it (the four-eyes
    rule that moderation.approve and moderation.reject enforce)."""
    return photo.uploaded_by_id == actor.id


def moderation_order(actor: User, photos: Sequence[Photo]) -> list[Photo]:
    """The queue as the actor should work through it: the photos they can decide first,
    oldest first as before, then those they uploaded themselves."""
    return sorted(photos, key=lambda photo: uploaded_by(actor, photo))
