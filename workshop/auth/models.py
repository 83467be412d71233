"""Sites, users, their login sessions and API tokens."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.db import Model, UTCDateTime, string_enum, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    WORKER = "worker"
    PARTICIPANT = "participant"


class Site(Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The public gallery names no site unless an admin says so: a clinic's name next to a
    # photo would tell the world its author is in treatment.
    gallery_shows_name: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())

    def __repr__(self) -> str:
        return f"<Site {self.slug}>"


class User(Model):
    __tablename__ = "users"
    __table_args__ = (
        # Only admins work across sites; everyone else belongs to exactly one.
        CheckConstraint("role = 'admin' OR site_id IS NOT NULL", name="site_unless_admin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case so "Sam" and "sam" cannot both exist.
    username: Mapped[str] = mapped_column(String(40), unique=True)
    # A chosen name or pseudonym; never needs to be a real name.
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(string_enum(Role, "role", 20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while a participant has opted in to a public portfolio page: its address.
    portfolio_slug: Mapped[str | None] = mapped_column(String(24), unique=True, index=True)
    # The secret in a worker's calendar feed address (hashed); None until they make one.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True,
                                                            index=True)
    # Participants have no use for API tokens, and one left on the shared PC is a way in:
    # only an admin can let a participant make them. Staff always may.
    api_tokens_allowed: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    # When a participant last looked at their home page: what happened to their photos
    # after it is news to them there (photos.owner.news).
    photos_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site | None] = relationship()

    # Set when a login session is loaded or started: the LoginSession of this request,
    # and the raw token in its cookie. Not columns, so declared for the type checker only
    # (declarative would take an annotation in the class body for a column).
    if TYPE_CHECKING:
        login_session: "LoginSession | None"
        _session_token: str | None
    login_session = None
    _session_token = None

    # Flask-Login protocol. get_id returns the login session's token, not the user id,
    # so that ending a login session (logout, new passphrase, deactivation) makes
    # every copy of its cookie worthless.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self._session_token

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.WORKER)

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class LoginSession(Model):
    """One signed-in browser. The cookie holds a random token; we keep only its hash."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # Tokens are 256 random bits, so a plain SHA-256 is enough (no slow hash needed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown on the profile page so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

