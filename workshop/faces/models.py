"""Faces found in a photo: where each is and how sure the detector was."""

from sqlalchemy import CheckConstraint, Float, ForeignKey
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from workshop.db import Model
from workshop.photos.models import Photo


class Face(Model):
    """One face the detector found, its box in fractions of the upright picture's width
    and height, so it fits every copy of the photo whatever its size."""

    __tablename__ = "faces"
    __table_args__ = (
        CheckConstraint("x >= 0 AND y >= 0 AND w > 0 AND h > 0 AND x + w <= 1.0001 "
                        "AND y + h <= 1.0001", name="box_inside"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          index=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    w: Mapped[float] = mapped_column(Float)
    h: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)

    # Photo.faces is made here, so photos need not know of faces; the rows go with the
    # photo (the database deletes them too). Loaded with the photos of a list, together.
    photo: Mapped[Photo] = relationship(backref=backref(
        "faces", order_by="Face.id", lazy="selectin", cascade="all, delete-orphan",
        passive_deletes=True))

    @property
    def box(self) -> list[float]:
        return [self.x, self.y, self.w, self.h]
