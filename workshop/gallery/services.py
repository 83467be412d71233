"""What the public may see: approved, unreported photos whose gallery consent is in force.

The gallery shows the photos feature's photos, so it reads that feature's models (and
the sites and names of auth's); neither of them imports the gallery.
"""

import base64
import binascii
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, select, tuple_

from workshop.audit.services import record
from workshop.auth.models import Role, Site, User
from workshop.db import MAX_ID
from workshop.errors import Invalid, NotFound
from workshop.extensions import db
from workshop.lessons.models import Topic
from workshop.photos.models import Consent, ConsentPurpose, Credit, Photo

PAGE_SIZE = 24


def public_photos(now: datetime | None = None) -> Select[Photo]:
    """What is in the gallery (Photo.is_public, checked in SQL on every read)."""
    return select(Photo).where(Photo.is_public(now))


def shown_until(photo_ids: list[int]) -> datetime | None:
    """When the first of these photos' gallery consents runs out: a page showing them is
    right until then (or until something changes)."""
    if not photo_ids:
        return None
    return db.session.scalar(select(func.min(Consent.expires_at)).where(
        Consent.photo_id.in_(photo_ids), Consent.purpose == ConsentPurpose.GALLERY,
        Consent.ended_at.is_(None)))


def get_public(photo_uuid: str, now: datetime | None = None) -> Photo:
    photo = db.session.scalar(public_photos(now).where(Photo.uuid == photo_uuid))
    if photo is None:
        raise NotFound("This photo is not in the gallery.")
    return photo


def encode_cursor(photo: Photo) -> str:
    assert photo.published_at is not None, "a photo in the gallery has been published"
    key = {"at": photo.published_at.isoformat(), "id": photo.id}
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        at = datetime.fromisoformat(key["at"]).astimezone(UTC)
        photo_id = key["id"]
    except (ValueError, KeyError, TypeError, binascii.Error, OverflowError):
        raise Invalid.field("cursor", "This page link is not valid; start again.") from None
    # An id no row can have would reach the database as a number it cannot take.
    if type(photo_id) is not int or not 0 <= photo_id <= MAX_ID:
        raise Invalid.field("cursor", "This page link is not valid; start again.")
    return at, photo_id


def _month(month: str) -> tuple[datetime, datetime]:
    try:
        first = date.fromisoformat(month + "-01")
        # December of year 9999 has no following month to end at.
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except ValueError:
        raise Invalid.field("month", "Give a month like 2026-11.") from None
    return (datetime(first.year, first.month, 1, tzinfo=UTC),
            datetime(after.year, after.month, 1, tzinfo=UTC))


@dataclass
class GalleryPage:
    photos: list[Photo]
    next_cursor: str | None


def gallery_page(theme: str | None = None, month: str | None = None,
                 cursor: str | None = None, limit: int = PAGE_SIZE,
                 now: datetime | None = None) -> GalleryPage:
    """Newest first, continued from the last photo of the page before (never OFFSET)."""
    query = public_photos(now)
    if theme:
        try:
            query = query.where(Photo.theme == Topic(theme))
        except ValueError:
            raise Invalid.field("theme", "Choose light, distance, steadiness or other.") from None
    if month:
        start, end = _month(month)
        query = query.where(Photo.published_at >= start, Photo.published_at < end)
    if cursor:
        at, photo_id = _decode_cursor(cursor)
        # A row comparison, so PostgreSQL starts the index scan at the cursor instead of
        # walking down to it and filtering (as an OR of the two columns would make it).
        query = query.where(tuple_(Photo.published_at, Photo.id) < tuple_(at, photo_id))
    rows = list(db.session.scalars(
        query.order_by(Photo.published_at.desc(), Photo.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return GalleryPage(rows, encode_cursor(rows[-1]) if more and rows else None)


# --- portfolios and site names ------------------------------------------------------------


def set_portfolio(actor: User, on: bool) -> User:
    """A participant opts in to (or out of) a page listing their public, named photos.

    Its address is random, so it says nothing about who they are; opting out and in again
    gives a new one.
    """
    if actor.role is not Role.PARTICIPANT:
        raise NotFound("Only participants have portfolio pages.")
    if on and actor.portfolio_slug is None:
        actor.portfolio_slug = secrets.token_urlsafe(12)
    elif not on:
        actor.portfolio_slug = None
    db.session.flush()
    record(actor, "user.portfolio_on" if on else "user.portfolio_off", "user", actor.id,
           site_id=actor.site_id)
    return actor


def portfolio(slug: str, now: datetime | None = None) -> tuple[User, list[Photo]]:
    """The participant and their public photos credited by name (never the anonymous ones,
    which must not be tied to a name), newest first."""
    owner = db.session.scalar(select(User).where(User.portfolio_slug == slug,
                                                 User.active.is_(True)))
    if owner is None:
        raise NotFound("There is no such portfolio.")
    photos = db.session.scalars(
        public_photos(now).where(Photo.owner_id == owner.id,
                                 Photo.credit == Credit.DISPLAY_NAME)
        .order_by(Photo.published_at.desc(), Photo.id.desc()).limit(200)).all()
    return owner, list(photos)


def set_gallery_shows_name(actor: User, site: Site, shown: bool) -> Site:
    if not actor.is_admin:
        raise NotFound("There is no such site.")
    site.gallery_shows_name = shown
    db.session.flush()
    record(actor, "site.gallery_name_shown" if shown else "site.gallery_name_hidden", "site",
           site.id, site_id=site.id)
    return site
