"""Exhibitions and the photos in them, in order."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.auth.models import Site
from workshop.db import Model, UTCDateTime, string_enum, utcnow
from workshop.photos.models import Photo


class PrintSize(enum.StrEnum):
    SMALL = "13x18"
    MEDIUM = "20x30"
    LARGE = "30x45"


# Short side, long side, in centimetres.
PRINT_SIZES_CM: dict[PrintSize, tuple[int, int]] = {
    PrintSize.SMALL: (13, 18), PrintSize.MEDIUM: (20, 30), PrintSize.LARGE: (30, 45)}


class Exhibition(Model):
    __tablename__ = "exhibitions"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # The size the prints are meant for: a photo with less detail is flagged before printing.
    print_size: Mapped[PrintSize] = mapped_column(
        string_enum(PrintSize, "print_size", 10), default=PrintSize.MEDIUM)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sent to print: from then on its list of photos is fixed.
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    site: Mapped[Site] = relationship()
    entries: Mapped[list["ExhibitionPhoto"]] = relationship(
        back_populates="exhibition", order_by="ExhibitionPhoto.position",
        cascade="all, delete-orphan")

    # Sending to print and changing the list at the same moment: the second is refused.
    __mapper_args__ = {"version_id_col": version}

    @property
    def printed(self) -> bool:
        return self.printed_at is not None

    @property
    def dates(self) -> str:
        """Its days as the pages and the catalogue say them: one day, or from and to."""
        if self.ends_on == self.starts_on:
            return f"{self.starts_on:%-d %B %Y}"
        return f"{self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"


class ExhibitionPhoto(Model):
    __tablename__ = "exhibition_photos"
    __table_args__ = (UniqueConstraint("exhibition_id", "photo_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(
        ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True)
    # An erased participant's photo leaves the exhibition with them.
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Its owner took back their yes after the print was made: kept, so the page says so.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    exhibition: Mapped[Exhibition] = relationship(back_populates="entries")
    photo: Mapped[Photo] = relationship()
