"""Lesson plans and their versions."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.auth.models import User
from workshop.db import Model, UTCDateTime, string_enum, utcnow


class Topic(enum.StrEnum):
    LIGHT = "light"
    DISTANCE = "distance"
    STEADINESS = "steadiness"
    OTHER = "other"


class LessonPlan(Model):
    """A plan's identity; what it says lives in its versions, newest is current."""

    __tablename__ = "lesson_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shipped plans have a slug so `flask lessons load` can find them again.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    topic: Mapped[Topic] = mapped_column(string_enum(Topic, "lesson_topic", 20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The number of the current version; a save that started from an older one conflicts.
    version: Mapped[int] = mapped_column(Integer, default=1)

    versions: Mapped[list["LessonPlanVersion"]] = relationship(
        back_populates="plan", order_by="LessonPlanVersion.number",
        cascade="all, delete-orphan")

    @property
    def current(self) -> "LessonPlanVersion":
        return self.versions[-1]


class LessonPlanVersion(Model):
    """One saved state of a plan. Never changed after it is written."""

    __tablename__ = "lesson_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("lesson_plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    # The rest are Markdown, rendered sanitised.
    goals: Mapped[str] = mapped_column(Text)
    length_minutes: Mapped[int] = mapped_column(Integer)
    materials: Mapped[str] = mapped_column(Text)
    activities: Mapped[str] = mapped_column(Text)
    exercise: Mapped[str] = mapped_column(Text)
    discussion: Mapped[str] = mapped_column(Text)
    handout: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    plan: Mapped[LessonPlan] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
