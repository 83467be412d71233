"""What participants write about their photos, the questions they answer, and themes."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.db import Model, UTCDateTime, utcnow
from workshop.photos.models import Photo

# The photovoice method's usual questions, in plain words; a site may reword them.
DEFAULT_QUESTIONS = (
    "What do you see here?",
    "What is really happening?",
    "How does it relate to our lives?",
    "Why is it like this?",
    "What could we do about it?",
)


class SiteQuestions(Model):
    """A site's own wording of the questions (one per line of DEFAULT_QUESTIONS)."""

    __tablename__ = "discussion_questions"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"),
                                         primary_key=True)
    wordings: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reflection(Model):
    """The owner's answers about one photo, and how far they share it.

    Answers are seen by the owner and their site's workers only, unless the owner chose
    to show them with the photo when the group looks at it.
    """

    __tablename__ = "reflections"

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          primary_key=True)
    # A short name for the photo: the title of its caption card at an exhibition.
    title: Mapped[str] = mapped_column(String(80), default="")
    # One answer per question, by position; "" for one left empty.
    answers: Mapped[list[str]] = mapped_column(JSON)
    # In the session's slideshow, for the group to talk about.
    shared_with_group: Mapped[bool] = mapped_column(Boolean, default=False)
    # The answers beside the photo in the slideshow.
    answers_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    # Their display name beside the photo in the slideshow; else nobody's.
    name_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Theme(Model):
    """A theme the group named, kept per site, in its own words."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    photos: Mapped[list[Photo]] = relationship(secondary="photo_themes",
                                               order_by=Photo.id)


class PhotoTheme(Model):
    __tablename__ = "photo_themes"

    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"),
                                          primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
