"""Cameras and their bookings (loans)."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.auth.models import Site, User
from workshop.db import Model, UTCDateTime, string_enum, utcnow


class CameraKind(enum.StrEnum):
    DIGITAL = "digital"
    DISPOSABLE = "disposable"


class CameraStatus(enum.StrEnum):
    AVAILABLE = "available"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"
    LOST = "lost"
    # A disposable that has been shot and sent for developing: it will not come back.
    USED = "used"


class BookingState(enum.StrEnum):
    RESERVED = "reserved"
    OUT = "out"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"
    SENT_FOR_DEVELOPING = "sent_for_developing"
    DEVELOPED = "developed"


# Only these hold the camera; the database refuses two of them overlapping in time.
ACTIVE_STATES = (BookingState.RESERVED, BookingState.OUT)


class Camera(Model):
    __tablename__ = "cameras"
    __table_args__ = (
        CheckConstraint("megapixels IS NULL OR megapixels > 0", name="megapixels_positive"),
        CheckConstraint("exposures IS NULL OR exposures > 0", name="exposures_positive"),
        # Unique within a site only: a tag unique over all sites would let a worker find
        # out, by being refused, which tags another site's cameras have.
        UniqueConstraint("site_id", "asset_tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    asset_tag: Mapped[str] = mapped_column(String(40))
    kind: Mapped[CameraKind] = mapped_column(string_enum(CameraKind, "camera_kind", 24))
    make: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(80), default="")
    megapixels: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    exposures: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CameraStatus] = mapped_column(
        string_enum(CameraStatus, "camera_status", 24), default=CameraStatus.AVAILABLE)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    site: Mapped[Site] = relationship()

    # A stale edit (someone changed the camera since the form was opened) fails at flush.
    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        name = " ".join(p for p in (self.make, self.model) if p)
        return f"{self.asset_tag} ({name})" if name else self.asset_tag


class Booking(Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # Overlaps are refused by an exclusion constraint (PostgreSQL) or triggers
        # (SQLite), both made in the migration: SQLAlchemy cannot declare either portably.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    # The camera's site when booked; bookings are listed and guarded by site.
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Cameras reserved for a workshop session; the participant is set at hand-out.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[BookingState] = mapped_column(
        string_enum(BookingState, "booking_state", 24), default=BookingState.RESERVED, index=True)
    # For staff only: a borrower never sees it, nor the notes on the hand-over checklists.
    note: Mapped[str] = mapped_column(Text, default="")
    # What the worker chose to tell the borrower; shown to them.
    participant_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A disposable sent for developing: the lab it went to and when the prints are due.
    lab: Mapped[str] = mapped_column(String(120), default="", server_default="")
    lab_expected_on: Mapped[date | None] = mapped_column(Date)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    checkout_condition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_condition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    camera: Mapped[Camera] = relationship()
    participant: Mapped[User | None] = relationship(foreign_keys=[participant_id])
    # programme.models.Session, not imported: programme imports stock, not the reverse.
    session: Mapped["Session | None"] = relationship()  # type: ignore[name-defined]  # noqa: F821
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    checked_out_by: Mapped[User | None] = relationship(foreign_keys=[checked_out_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    # Two workers acting on one booking at once: the second flush fails, not overwrites.
    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, now: datetime) -> bool:
        return self.state is BookingState.OUT and self.ends_at < now
