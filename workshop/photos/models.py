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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.auth.models import Site, User
from workshop.db import UTCDateTime, string_enum, utcnow
from workshop.extensions import db
from workshop.programme.models import Session
from workshop.stock.models import Booking


class PhotoState(enum.StrEnum):
    # Seen only by its owner and the workers of its site.
    PRIVATE = "private"


class NoteTopic(enum.StrEnum):
    LIGHT = "light"
    DISTANCE = "distance"
    STEADINESS = "steadiness"
    FRAMING = "framing"


def _new_uuid() -> str:
    return uuid.uuid4().hex


class Photo(db.Model):
    __tablename__ = "photos"
    __table_args__ = (
        # The same participant sending the same file twice is told so, not stored twice.
        UniqueConstraint("owner_id", "content_hash"),
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
        string_enum(PhotoState, "photo_state", 20), default=PhotoState.PRIVATE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    site: Mapped[Site] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    session: Mapped[Session | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    notes: Mapped[list["CoachingNote"]] = relationship(
        back_populates="photo", order_by="CoachingNote.id", cascade="all, delete-orphan")

    def verdict(self, check: str) -> str | None:
        return (self.checks.get(check) or {}).get("verdict")


class CoachingNote(db.Model):
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
