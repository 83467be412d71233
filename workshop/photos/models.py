"""Photos, their automatic checks, and workers' coaching notes."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from workshop.auth.models import Site, User
from workshop.db import Model, UTCDateTime, string_enum, utcnow
from workshop.lessons.models import Topic
from workshop.programme.models import Session
from workshop.stock.models import Booking


class PhotoState(enum.StrEnum):
    # Seen only by its owner and the workers of its site.
    PRIVATE = "private"
    # Waiting in its site's moderation queue.
    SUBMITTED = "submitted"
    # A second person checked it: it may go where its consents allow.
    APPROVED = "approved"
    # Sent back with a reason; it can be submitted again.
    REJECTED = "rejected"
    # Every consent was taken back after it was submitted: it goes nowhere.
    WITHDRAWN = "withdrawn"


class Credit(enum.StrEnum):
    DISPLAY_NAME = "display_name"
    ANONYMOUS = "anonymous"


class NoteTopic(enum.StrEnum):
    LIGHT = "light"
    DISTANCE = "distance"
    STEADINESS = "steadiness"
    FRAMING = "framing"


class ConsentPurpose(enum.StrEnum):
    GALLERY = "gallery"
    FLICKR = "flickr"
    # Printed and shown at an exhibition the workers build; never the gallery or Flickr.
    EXHIBITION = "exhibition"


class ConsentEnd(enum.StrEnum):
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def _new_uuid() -> str:
    return uuid.uuid4().hex


class Photo(Model):
    __tablename__ = "photos"
    __table_args__ = (
        # The same participant sending the same file twice is told so, not stored twice.
        UniqueConstraint("owner_id", "content_hash"),
        # The gallery's pages are read by this key, newest first, never by OFFSET.
        Index("ix_photos_gallery_order", "published_at", "id"),
        # A site's photos to check and those reported, in the order they are worked
        # through: a handful among a site's thousands, found without reading the rest.
        Index("ix_photos_moderation_queue", "site_id", "submitted_at", "id",
              sqlite_where=text("state = 'submitted'"),
              postgresql_where=text("state = 'submitted'")),
        Index("ix_photos_reported", "site_id", "reported_at", "id",
              sqlite_where=text("reported_at IS NOT NULL"),
              postgresql_where=text("reported_at IS NOT NULL")),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
        CheckConstraint("byte_size > 0", name="bytes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A handle that does not count photos, for anything that leaves the app (Flickr tags).
    uuid: Mapped[str] = mapped_column(String(32), unique=True, default=_new_uuid)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    caption: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 of the original file: its name in storage, and how a repeat is recognised.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(10))
    mime_type: Mapped[str] = mapped_column(String(40))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    megapixels: Mapped[float] = mapped_column(Float)
    checks: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[PhotoState] = mapped_column(
        string_enum(PhotoState, "photo_state", 20), default=PhotoState.PRIVATE, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # How it is credited in public, fixed when it is submitted: the chosen display name
    # then, or "Anonymous"; never a username.
    credit: Mapped[Credit | None] = mapped_column(string_enum(Credit, "photo_credit", 20))
    credit_name: Mapped[str | None] = mapped_column(String(80))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why it was sent back, in the worker's kind words; shown to the participant.
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # What the participant was practising (a lesson topic): the gallery's filter.
    theme: Mapped[Topic | None] = mapped_column(string_enum(Topic, "photo_theme", 20))
    # When it first went into the gallery: the gallery's order, newest first.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Someone pressed "Report this photo": hidden at once until a worker looks.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    site: Mapped[Site] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    session: Mapped[Session | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    notes: Mapped[list["CoachingNote"]] = relationship(
        back_populates="photo", order_by="CoachingNote.id", cascade="all, delete-orphan")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="photo", order_by="Consent.id", cascade="all, delete-orphan")

    # Two decisions on one photo at once (approve and withdraw, say): the second to
    # flush fails instead of overwriting the first.
    __mapper_args__ = {"version_id_col": version}

    def verdict(self, check: str) -> str | None:
        return (self.checks.get(check) or {}).get("verdict")

    # Where a photo may be seen, each said once and usable both on a loaded photo and in a
    # query (Photo.is_public(now) in a WHERE clause): the page, the gallery and the daily
    # check of the files can then never disagree. (mypy sees a hybrid_method, inside the
    # class body, as the plain function it wraps: hence the ignores on .inplace.expression.)

    @hybrid_method
    def has_consent(self, purpose: ConsentPurpose, now: datetime) -> bool:
        return any(c.purpose is purpose and c.in_force(now) for c in self.consents)

    @has_consent.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _has_consent_sql(cls, purpose: ConsentPurpose, now: datetime) -> ColumnElement[bool]:
        return exists().where(Consent.photo_id == cls.id, Consent.purpose == purpose,
                              Consent.in_force(now))

    @hybrid_method
    def cleared_for_gallery(self, now: datetime | None = None) -> bool:
        """Approved, not reported, and its gallery consent in force: it goes into the
        gallery (published_at is then set, once)."""
        return (self.state is PhotoState.APPROVED and self.reported_at is None
                and self.has_consent(ConsentPurpose.GALLERY, now or utcnow()))

    @cleared_for_gallery.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _cleared_for_gallery_sql(cls, now: datetime | None = None) -> ColumnElement[bool]:
        return and_(cls.state == PhotoState.APPROVED, cls.reported_at.is_(None),
                    cls.has_consent(ConsentPurpose.GALLERY, now or utcnow()))

    @hybrid_method
    def cleared_for_exhibition(self, now: datetime) -> bool:
        """May join an exhibition now: its owner's yes for exhibitions in force, and not
        hidden for a report."""
        return self.has_consent(ConsentPurpose.EXHIBITION, now) and self.reported_at is None

    @cleared_for_exhibition.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _cleared_for_exhibition_sql(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.has_consent(ConsentPurpose.EXHIBITION, now), cls.reported_at.is_(None))

    @hybrid_method
    def is_public(self, now: datetime | None = None) -> bool:
        """In the public gallery: cleared for it, and published. Checked on every read,
        so a consent that expired this morning hides the photo before the daily job."""
        return self.cleared_for_gallery(now) and self.published_at is not None

    @is_public.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _is_public_sql(cls, now: datetime | None = None) -> ColumnElement[bool]:
        return and_(cls.cleared_for_gallery(now), cls.published_at.is_not(None))

    @hybrid_method
    def on_flickr(self, now: datetime | None = None) -> bool:
        """Meant to be in the Flickr group: approved, and its Flickr consent in force."""
        return (self.state is PhotoState.APPROVED
                and self.has_consent(ConsentPurpose.FLICKR, now or utcnow()))

    @on_flickr.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _on_flickr_sql(cls, now: datetime | None = None) -> ColumnElement[bool]:
        return and_(cls.state == PhotoState.APPROVED,
                    cls.has_consent(ConsentPurpose.FLICKR, now or utcnow()))


class CoachingNote(Model):
    """A worker's one-tap note on a photo, shown to the participant with the checks."""

    __tablename__ = "coaching_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic: Mapped[NoteTopic] = mapped_column(string_enum(NoteTopic, "note_topic", 20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    photo: Mapped[Photo] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class Consent(Model):
    """Yes to one purpose for one photo, with the words that were shown and who saw it.

    Ended consents stay as the history; at most one per photo and purpose is in force.
    """

    __tablename__ = "consents"
    __table_args__ = (
        Index("uq_consents_in_force", "photo_id", "purpose", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        CheckConstraint("expires_at > given_at", name="expires_after_given"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(
        string_enum(ConsentPurpose, "consent_purpose", 20))
    # Which version of the wording for this purpose was shown (consent.CONSENT_WORDING).
    wording_version: Mapped[int] = mapped_column(Integer)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    given_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The worker who heard the participant say yes, when a worker recorded it for them.
    witnessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[ConsentEnd | None] = mapped_column(
        string_enum(ConsentEnd, "consent_end", 20))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    photo: Mapped[Photo] = relationship(back_populates="consents")
    witnessed_by: Mapped[User | None] = relationship(foreign_keys=[witnessed_by_id])

    @hybrid_method
    def in_force(self, now: datetime) -> bool:
        return self.ended_at is None and self.expires_at > now

    @in_force.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _in_force_sql(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.ended_at.is_(None), cls.expires_at > now)

    @property
    def active(self) -> bool:
        return self.in_force(utcnow())
