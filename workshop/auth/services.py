"""The rules for sites, users, login sessions and API tokens, and for a participant's
erasure and move to another site.

Every other feature holds rows that point at users and sites, so they import this
package's models; never the other way. What a person's erasure or move means to
another feature is that feature's business: this module sends the signals
(workshop.signals) and the features do their part in the same transaction.
"""

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, select, update
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit import services as audit
from workshop.audit.services import record
from workshop.auth.models import ApiToken, LoginSession, Role, Site, User
from workshop.auth.passphrases import (
    hash_passphrase,
    needs_rehash,
    passphrase_problem,
    verify_passphrase,
)
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.errors import Conflict, Forbidden, Invalid, NotFound
from workshop.extensions import db
from workshop.signals import (
    participant_erasing,
    participant_leaving,
    participant_moving,
    send_counting,
)

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
API_TOKEN_PREFIX = "wks_"  # noqa: S105 -- marks a string as ours, it is no secret
# Writing last_seen_at on every request would make every page view a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sites ------------------------------------------------------------------------------


def visible_sites(actor: User) -> Select[Site]:
    query = select(Site).order_by(Site.id)
    if not actor.is_admin:
        query = query.where(Site.id == actor.site_id)
    return query


def get_site(actor: User, site_id: int) -> Site:
    site = get_row(Site, site_id)
    if site is None or not (actor.is_admin or site.id == actor.site_id):
        raise NotFound("There is no such site.")
    return site


def create_site(actor: User | None, name: str, slug: str) -> Site:
    """Add a site. actor is None only for the command line, which is trusted."""
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only an admin can add sites.")
    name, slug = name.strip(), slug.strip().lower()
    if not name or len(name) > 120:
        raise Invalid.field("name", "Give the site a name of up to 120 characters.")
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise Invalid.field(
            "slug", "Use lower-case letters, digits and single dashes, like north-hub."
        )
    if db.session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise Conflict(f"A site with the short name {slug} already exists.",
                       {"slug": ["This short name is taken."]})
    site = Site(name=name, slug=slug)
    db.session.add(site)
    db.session.flush()
    record(actor, "site.created", "site", site.id, site.id, slug=slug)
    return site


def site_by_slug(slug: str) -> Site | None:
    return db.session.scalar(select(Site).where(Site.slug == slug.strip().lower()))


# --- users ------------------------------------------------------------------------------


def visible_users(actor: User) -> Select[User]:
    query = select(User).order_by(User.id)
    if actor.role is Role.WORKER:
        query = query.where(User.site_id == actor.site_id)
    elif actor.role is Role.PARTICIPANT:
        query = query.where(User.id == actor.id)
    return query


def get_user(actor: User, user_id: int) -> User:
    user = db.session.scalar(visible_users(actor).where(User.id == user_id))
    if user is None:
        raise NotFound("There is no such person.")
    return user


def require_staff(actor: User, message: str = "Only workers can do that.") -> None:
    """The services' own check, so the API and every other caller meet it, not only pages."""
    if not actor.is_staff:
        raise Forbidden(message)


def _check_may_manage(actor: User, role: Role, site_id: int | None) -> None:
    """Admins manage everyone; workers manage the participants of their own site."""
    if actor.is_admin:
        return
    if actor.role is Role.WORKER and role is Role.PARTICIPANT and site_id == actor.site_id:
        return
    raise Forbidden("You can only manage participants of your own site.")


def _clean_display_name(display_name: str) -> str:
    display_name = " ".join(display_name.split())
    # A name of only invisible characters (zero-width spaces, say) would show as nothing.
    visible = any(unicodedata.category(ch)[0] not in "CZ" for ch in display_name)
    if not visible or len(display_name) > 80:
        raise Invalid.field("display_name", "Give a name of up to 80 characters. "
                            "A nickname is fine.")
    return display_name


def _check_passphrase(passphrase: str, field: str = "password") -> None:
    problem = passphrase_problem(passphrase)
    if problem:
        raise Invalid.field(field, problem)


def create_user(
    actor: User | None, username: str, role: Role | str, display_name: str,
    password: str, site_id: int | None = None,
) -> User:
    """Make an account. actor is None only for the command line, which is trusted."""
    try:
        role = Role(role)
    except ValueError:
        raise Invalid.field("role", "Choose admin, worker or participant.") from None
    if actor is not None and not actor.is_admin and site_id is None:
        site_id = actor.site_id
    if site_id is not None:
        site = get_row(Site, site_id)
        if site is None or (actor is not None and not actor.is_admin
                            and site.id != actor.site_id):
            raise NotFound("There is no such site.")
    elif role is not Role.ADMIN:
        raise Invalid.field("site_id", "Choose the site this person belongs to.")
    if actor is not None:
        _check_may_manage(actor, role, site_id)

    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise Invalid.field("username", "Use 3 to 40 lower-case letters, digits, dots, "
                            "dashes or underscores, starting with a letter or digit.")
    display_name = _clean_display_name(display_name)
    _check_passphrase(password)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"The username {username} is taken.",
                       {"username": ["This username is taken. Try another."]})

    user = User(username=username, role=role, display_name=display_name,
                site_id=site_id, password_hash=hash_passphrase(password))
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", "user", user.id, site_id, role=role.value)
    return user


def update_user(
    actor: User, user: User, *, display_name: str | None = None, active: bool | None = None,
    password: str | None = None, role: Role | str | None = None,
    site_id: int | None = None,
) -> User:
    """Change a person's details. Only the fields given (not None) change."""
    is_self = actor.id == user.id
    if is_self and not actor.is_admin:
        if any(v is not None for v in (active, password, role, site_id)):
            raise Forbidden("You can change your own display name here; "
                            "change your passphrase on your account page.")
    else:
        _check_may_manage(actor, user.role, user.site_id)
    if (role is not None or site_id is not None) and not actor.is_admin:
        raise Forbidden("Only an admin can change a person's role or site.")

    changed: list[str] = []
    if display_name is not None:
        user.display_name = _clean_display_name(display_name)
        changed.append("display_name")
    if role is not None or site_id is not None:
        try:
            new_role = Role(role) if role is not None else user.role
        except ValueError:
            raise Invalid.field("role", "Choose admin, worker or participant.") from None
        new_site = site_id if site_id is not None else user.site_id
        if new_site is not None and get_row(Site, new_site) is None:
            raise NotFound("There is no such site.")
        if new_role is not Role.ADMIN and new_site is None:
            raise Invalid.field("site_id", "Choose the site this person belongs to.")
        if is_self and new_role is not Role.ADMIN:
            raise Invalid.field("role", "You cannot take away your own admin role.")
        if user.role is Role.PARTICIPANT and new_site != user.site_id:
            # Their photos and bookings must not stay behind: move_participant.
            raise Invalid.field("site_id", "Move a participant with the move, which takes "
                                "their photos with them.")
        user.role, user.site_id = new_role, new_site
        changed.append("role")
    if password is not None:
        _check_passphrase(password)
        user.password_hash = hash_passphrase(password)
        # The "lost card" remedy: whoever found the card may have made a token with it.
        end_all_sessions(user)
        end_all_api_tokens(user)
        changed.append("password")
    if active is not None and active != user.active:
        if is_self:
            raise Invalid.field("active", "You cannot deactivate your own account.")
        user.active = active
        if not active:
            end_all_sessions(user)
            end_all_api_tokens(user)
        changed.append("active")
    db.session.flush()
    if changed:
        record(actor, "user.updated", "user", user.id, user.site_id, fields=changed)
    return user


# --- logging in -------------------------------------------------------------------------


def authenticate(username: str, password: str) -> User | None:
    """The user if the passphrase is right and the account active, else None.

    Every failure looks the same to the caller, so the page cannot tell anyone which
    usernames exist.
    """
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    ok = verify_passphrase(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_passphrase(password)
    return user


def start_login_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    login = LoginSession(user=user, token_hash=_digest(token), created_at=now, last_seen_at=now)
    db.session.add(login)
    user.last_login_at = now
    db.session.flush()
    user.login_session = login
    user._session_token = token
    record(user, "user.logged_in", "user", user.id, user.site_id)
    return token


def idle_timeout(user: User, config) -> timedelta:
    if user.role is Role.PARTICIPANT:
        return config["PARTICIPANT_IDLE_TIMEOUT"]
    return config["STAFF_IDLE_TIMEOUT"]


def load_login_session(token: str, config, now: datetime | None = None) -> User | None:
    """The signed-in user for a session cookie's token, if that login is still live."""
    now = now or utcnow()
    login = db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _digest(token),
                                   LoginSession.ended_at.is_(None))
    )
    if login is None or not login.user.active:
        return None
    if now - login.last_seen_at > idle_timeout(login.user, config):
        login.ended_at = now
        return None
    if now - login.last_seen_at > LAST_SEEN_RESOLUTION:
        login.last_seen_at = now
    user = login.user
    user.login_session = login
    user._session_token = token
    return user


def end_login_session(user: User) -> None:
    if user.login_session is not None:
        user.login_session.ended_at = utcnow()
        record(user, "user.logged_out", "user", user.id, user.site_id)


def end_all_sessions(user: User) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def change_passphrase(user: User, current: str, new: str) -> str:
    """Set a new passphrase; ends every login, then starts a new one for this browser."""
    if not verify_passphrase(user.password_hash, current):
        raise Invalid.field("current", "That is not your current passphrase.")
    _check_passphrase(new, "new")
    user.password_hash = hash_passphrase(new)
    end_all_sessions(user)
    end_all_api_tokens(user)
    record(user, "user.changed_passphrase", "user", user.id, user.site_id)
    return start_login_session(user)


# --- API tokens -------------------------------------------------------------------------


def may_hold_api_tokens(user: User) -> bool:
    """Staff always; a participant only when an admin has allowed it."""
    return user.role is not Role.PARTICIPANT or user.api_tokens_allowed


def token_ends_at(token: ApiToken, config) -> datetime:
    """When a token stops working: a fixed life from when it was made, or sooner when it
    lies unused (a token on a lost phone or a shared PC should not wait for ever)."""
    made = token.created_at + timedelta(days=config["API_TOKEN_DAYS"])
    idle = (token.last_used_at or token.created_at) + timedelta(
        days=config["API_TOKEN_IDLE_DAYS"])
    return min(made, idle)


def _is_live(token: ApiToken, config, now: datetime) -> bool:
    return token.revoked_at is None and now < token_ends_at(token, config)


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    if not may_hold_api_tokens(user):
        raise Forbidden("Participants can have API tokens only when an admin allows it.")
    name = " ".join(name.split()) or "API token"
    if len(name) > 80:
        raise Invalid.field("name", "Give the token a name of up to 80 characters.")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_digest(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    record(user, "token.created", "api_token", token.id, user.site_id)
    return token, raw


def visible_tokens(actor: User) -> Select[ApiToken]:
    """Admins see every token; workers those of their site's participants (to end them
    when a card is lost); a participant their own."""
    query = (select(ApiToken).join(ApiToken.user).where(ApiToken.revoked_at.is_(None))
             .order_by(ApiToken.id))
    if actor.role is Role.WORKER:
        query = query.where(User.site_id == actor.site_id, User.role == Role.PARTICIPANT)
    elif actor.role is Role.PARTICIPANT:
        query = query.where(ApiToken.user_id == actor.id)
    return query


def live_tokens(actor: User, config, owner: User | None = None) -> list[ApiToken]:
    """The tokens actor may see that still work (of owner alone, when given)."""
    query = visible_tokens(actor)
    if owner is not None:
        query = query.where(ApiToken.user_id == owner.id)
    now = utcnow()
    # Ended tokens are filtered here, not in SQL: the rule is date arithmetic that
    # SQLite and PostgreSQL spell differently, and the lists are short.
    return [t for t in db.session.scalars(query) if _is_live(t, config, now)]


def user_tokens(user: User, config) -> list[ApiToken]:
    return live_tokens(user, config, owner=user)


def revoke_api_token(actor: User, token_id: int) -> ApiToken:
    """End a token: its owner's, any for an admin, a site's participants' for a worker."""
    token = get_row(ApiToken, token_id)
    if token is None or token.revoked_at is not None or not (
        token.user_id == actor.id
        or db.session.scalar(visible_tokens(actor).where(ApiToken.id == token.id)) is not None
    ):
        raise NotFound("There is no such token.")
    token.revoked_at = utcnow()
    record(actor, "token.revoked", "api_token", token.id, token.user.site_id,
           owner_id=token.user_id)
    return token


def end_all_api_tokens(user: User) -> int:
    """End every token of this person; how many were still in use."""
    result = cast(CursorResult, db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ))
    return result.rowcount


def set_api_tokens_allowed(actor: User, user: User, allowed: bool) -> None:
    """An admin lets a participant make API tokens, or takes that back (ending them)."""
    if not actor.is_admin:
        raise Forbidden("Only an admin can allow a participant API tokens.")
    if user.role is not Role.PARTICIPANT:
        raise Invalid.field("allowed", "Workers and admins can always make API tokens.")
    if user.api_tokens_allowed == allowed:
        return
    user.api_tokens_allowed = allowed
    if not allowed:
        end_all_api_tokens(user)
    db.session.flush()
    record(actor, "user.api_tokens_allowed" if allowed else "user.api_tokens_withdrawn",
           "user", user.id, user.site_id)


def api_token_for(raw: str, config) -> ApiToken | None:
    """The live token this raw value is, if any; marks it used."""
    if not raw.startswith(API_TOKEN_PREFIX) or not raw.isascii():
        return None  # cannot be one of ours; no need to ask the database
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw),
                               ApiToken.revoked_at.is_(None))
    )
    now = utcnow()
    if token is None or not _is_live(token, config, now):
        return None
    user = token.user
    if not user.active or not may_hold_api_tokens(user):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_SEEN_RESOLUTION:
        token.last_used_at = now
    return token


def anonymise(user: User) -> None:
    """Strip an account of everything that names or reaches its person, and of the times
    they were here; the row stays, nameless and locked, for the erasure's own record."""
    # Deleted, not ended: each row holds when they logged in and how long they stayed.
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)
                       .execution_options(synchronize_session=False))
    user.username = f"erased-{user.id}-{secrets.token_hex(4)}"
    user.display_name = "Former participant"
    # No passphrase hashes to this: the account can never be logged into.
    user.password_hash = "!erased"  # noqa: S105 -- not a secret: a hash nothing matches
    user.active = False
    user.calendar_token_hash = None
    user.last_login_at = user.photos_seen_at = None
    # A portfolio address someone saved must not find anything, now or later.
    user.portfolio_slug = None


# --- erasure ----------------------------------------------------------------------------


def erase_participant(actor: User, participant: User, confirm: str,
                      now: datetime | None = None) -> int:
    """The right to erasure: every photo and copy of theirs goes, what was planned for
    them is cancelled, their places in sessions go, and what remains in the history
    (their cameras' loans, the audit) no longer leads to them: only counts are kept.

    Refused while a camera is out with them: the site must first know it is back.
    Returns how many photos were deleted.
    """
    if participant.role is not Role.PARTICIPANT or not (
            actor.is_admin or (actor.is_staff and participant.site_id == actor.site_id)):
        raise NotFound("There is no such participant.")
    if confirm.strip() != participant.username:
        raise Invalid.field("confirm", f"Type {participant.username} to confirm.")
    participant_leaving.send(participant, doing="erasing them")
    counts = send_counting(participant_erasing, participant, actor=actor,
                           now=now or utcnow())
    anonymise(participant)
    # Last: the features above have recorded what they did, and it may name the person.
    counts["audit_events"] += audit.forget(participant.id)
    record(actor, "user.erased", "user", participant.id, site_id=participant.site_id,
           **counts)
    return counts["photos"]


# --- moving to another site -------------------------------------------------------------


def move_participant(actor: User, participant: User, site_id: int,
                     now: datetime | None = None) -> dict[str, int]:
    """Move a participant to another site, with their photos (and so their consents and
    Flickr jobs): the old site's workers no longer see or act on them, the new site's do.

    Reservations are of the old site's cameras and places in its sessions, which the
    person will not come to: they are cancelled. While a camera is out with them the move
    is refused, so the old site still knows who has it. Returns the counts of what moved
    or was cancelled.
    """
    if not actor.is_admin:
        raise Forbidden("Only an admin can change a person's site.")
    if participant.role is not Role.PARTICIPANT:
        raise NotFound("There is no such participant.")
    site = get_row(Site, site_id)
    if site is None:
        raise NotFound("There is no such site.")
    if site.id == participant.site_id:
        return {}
    participant_leaving.send(participant, doing="moving them to another site")
    counts = send_counting(participant_moving, participant, actor=actor, site=site,
                           now=now or utcnow())
    old_site_id = participant.site_id
    participant.site_id = site.id
    flush_or_conflict("Something changed on this person's photos a moment ago. "
                      "Try the move again.", StaleDataError)
    record(actor, "user.moved", "user", participant.id, site_id=site.id,
           from_site_id=old_site_id, **counts)
    return counts


def update_person(actor: User, person: User, **changes: Any) -> User:
    """Change a person's details (update_user); a participant's new site is a move, which
    takes their photos, reservations and sessions along."""
    if person.role is Role.PARTICIPANT and "site_id" in changes:
        move_participant(actor, person, changes.pop("site_id"))
    return update_user(actor, person, **changes)
