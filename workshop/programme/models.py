"""Workshop sessions and who is enrolled in them."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.auth.models import Site, User
from workshop.db import Model, UTCDateTime, utcnow
from workshop.lessons.models import LessonPlan


class Session(Model):
    """A workshop session (not a login session: those are auth.LoginSession)."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120), default="")
    lead_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson_plans.id", ondelete="SET NULL"))
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    site: Mapped[Site] = relationship()
    lead_worker: Mapped[User | None] = relationship()
    lesson: Mapped[LessonPlan | None] = relationship()
    enrolments: Mapped[list["Enrolment"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Enrolment.id")

    __mapper_args__ = {"version_id_col": version}


class Enrolment(Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"),
                                            index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None until the register is taken; then True (came) or False (did not).
    attended: Mapped[bool | None] = mapped_column(Boolean)
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[Session] = relationship(back_populates="enrolments")
    participant: Mapped[User] = relationship()
