"""Faces found in a photo: where each is, how sure the detector was, and what was
recorded for it."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from workshop.db import Model, UTCDateTime, string_enum, utcnow
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

    # Every answer about a photo tells each face's status and purposes: loaded with the
    # faces, together, rather than one query per face.
    decisions: Mapped[list["FaceDecision"]] = relationship(
        back_populates="face", order_by="FaceDecision.id", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin")

    @property
    def box(self) -> list[float]:
        return [self.x, self.y, self.w, self.h]

    @property
    def decision(self) -> "FaceDecision | None":
        """The decision in force, or None while nothing is recorded."""
        return next((d for d in self.decisions if d.ended_at is None), None)

    @property
    def status(self) -> "FaceStatus":
        decision = self.decision
        return decision.status if decision else FaceStatus.UNREVIEWED

    @property
    def purposes(self) -> list[str]:
        # Only a yes has purposes: services.decide, which alone makes decisions, leaves
        # them empty for any other status.
        decision = self.decision
        return list(decision.purposes) if decision else []

    def cleared_for(self, purpose: str) -> bool:
        """May be shown as it is in a public copy for this purpose: nobody, or someone
        whose yes for it is in force. Anything else is obscured."""
        return self.status is FaceStatus.NOT_A_PERSON or purpose in self.purposes


class FaceStatus(enum.StrEnum):
    # Nothing recorded yet: the photo cannot be approved for anything public.
    UNREVIEWED = "unreviewed"
    # The person agreed, for the decision's purposes.
    CONSENTED = "consented"
    # Obscured in every public copy.
    BLUR = "blur"
    # A poster, a statue: a worker said it is nobody.
    NOT_A_PERSON = "not_a_person"


class AgreedHow(enum.StrEnum):
    VERBAL = "verbal"
    WRITTEN = "written"


class DecisionEnd(enum.StrEnum):
    # The person photographed took their yes back.
    WITHDRAWN = "withdrawn"
    # Someone recorded a new decision for the face.
    REPLACED = "replaced"


class FaceDecision(Model):
    """What was recorded for one face: a person's yes (who, how, when, for what), "blur in
    public" or "not a person".

    Ended decisions stay as the history; at most one per face is in force.
    """

    __tablename__ = "face_decisions"
    __table_args__ = (
        Index("uq_face_decisions_in_force", "face_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        CheckConstraint("status != 'consented' OR (name IS NOT NULL AND how IS NOT NULL "
                        "AND agreed_on IS NOT NULL)", name="consent_complete"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    face_id: Mapped[int] = mapped_column(ForeignKey("faces.id", ondelete="CASCADE"),
                                         index=True)
    status: Mapped[FaceStatus] = mapped_column(string_enum(FaceStatus, "face_status", 20))
    # A first name or a description ("man in the red hat"): never required to be real.
    name: Mapped[str | None] = mapped_column(String(100))
    how: Mapped[AgreedHow | None] = mapped_column(string_enum(AgreedHow, "agreed_how", 10))
    agreed_on: Mapped[date | None] = mapped_column(Date)
    # A scan (or photo) of the signed form, kept as photos keep an original: named by the
    # SHA-256 of its bytes in the photos' storage, with what kind of file it is.
    form_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    form_type: Mapped[str | None] = mapped_column(String(40))
    # ConsentPurpose values, checked by the service against the enum as it is then, so a
    # purpose added later needs no migration here.
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[DecisionEnd | None] = mapped_column(
        string_enum(DecisionEnd, "face_decision_end", 20))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    face: Mapped[Face] = relationship(back_populates="decisions")
