"""The rules of the Flickr connection and its outbox: connecting the account, which jobs a
photo's change calls for, what a person may retry, and each photo's state in plain words.

Flickr copies photos, so it reads the photos feature's models; photos never import
Flickr. It hears of a photo's change through workshop.signals, in the same transaction,
which is what keeps the outbox's promise: no change committed without its job.
"""

import base64
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flickrapi.auth import FlickrAccessToken
from sqlalchemy import func, select, update

from workshop.audit.services import record
from workshop.auth.models import Site, User
from workshop.db import flush_or_conflict, utcnow
from workshop.errors import Conflict, Forbidden, NotFound
from workshop.extensions import db
from workshop.flickr import client
from workshop.flickr.client import FlickrUnavailable
from workshop.flickr.models import (
    UNFINISHED,
    ErrorKind,
    FlickrAccount,
    FlickrJob,
    JobAction,
    JobResult,
    JobState,
)
from workshop.photos.models import ConsentPurpose, Photo
from workshop.signals import participant_moving, photo_visibility_changed

# Flickr's permission to delete: without it a withdrawn photo could not be taken down.
PERMS = "delete"


# --- the access token, sealed -----------------------------------------------------------


def _fernet() -> Fernet:
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        raise FlickrUnavailable("Set FLASK_SECRET_KEY before connecting Flickr: the "
                                "connection is stored encrypted with a key made from it.")
    key = HKDF(algorithm=SHA256(), length=32, salt=None,
               info=b"workshop flickr access token").derive(str(secret).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: FlickrAccessToken) -> bytes:
    plain = json.dumps({"token": token.token, "secret": token.token_secret})
    return _fernet().encrypt(plain.encode())


def unseal(account: FlickrAccount) -> FlickrAccessToken | None:
    """The account's token, or None when it cannot be read (the secret key changed)."""
    try:
        plain = json.loads(_fernet().decrypt(account.sealed_token))
    except (InvalidToken, ValueError):
        return None
    return FlickrAccessToken(plain["token"], plain["secret"], account.perms,
                             account.fullname, account.username, account.user_nsid)


# --- connecting the account -------------------------------------------------------------


def _may_manage(actor: User | None) -> None:
    # None is a terminal on the server: whoever runs the CLI is trusted already.
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only an admin can connect or disconnect Flickr.")


def get_account() -> FlickrAccount | None:
    return db.session.get(FlickrAccount, 1)


@dataclass
class Authorisation:
    """Half of the OAuth dance: where to send the admin, and what to keep till they return."""

    url: str
    request_token: str
    request_secret: str


def _flickr_call(fn, *args, **kwargs):
    try:
        return client.call(fn, *args, **kwargs)
    except client.Failure as failure:
        raise FlickrUnavailable(failure.for_a_click) from None
    except client.RateLimited:
        raise FlickrUnavailable("We have made as many calls to Flickr as it allows in an "
                                "hour. Try again later.") from None


def start_connect(actor: User | None, callback: str) -> Authorisation:
    """Ask Flickr for a request token; callback is our address, or "oob" for a code."""
    _may_manage(actor)
    with client.opened() as api:
        _flickr_call(api.get_request_token, oauth_callback=callback)
        oauth = api.flickr_oauth
        return Authorisation(api.auth_url(perms=PERMS), oauth.resource_owner_key,
                             oauth.resource_owner_secret)


def finish_connect(actor: User | None, request_token: str, request_secret: str,
                   verifier: str) -> FlickrAccount:
    """Trade the verifier for an access token, check it with Flickr and keep it sealed."""
    _may_manage(actor)
    verifier = (verifier or "").strip()
    if not verifier or len(verifier) > 200:
        raise FlickrUnavailable("Flickr did not send back a verification code. Try "
                                "connecting again.")
    with client.opened() as api:
        oauth = api.flickr_oauth
        oauth.resource_owner_key, oauth.resource_owner_secret = request_token, request_secret
        oauth.requested_permissions = PERMS
        try:
            _flickr_call(api.get_access_token, verifier)
        except KeyError:
            raise FlickrUnavailable("Flickr's answer did not hold an access token. Try "
                                    "connecting again.") from None
        token = api.token_cache.token
        # The permission Flickr actually granted, not the one we asked for.
        checked = _flickr_call(api.auth.oauth.checkToken, oauth_token=token.token)
    perms = checked.findtext("oauth/perms")
    if perms != PERMS:
        raise FlickrUnavailable(f"Flickr granted {perms or 'no'} permission; we need "
                                "permission to delete, to take withdrawn photos down.")
    user = checked.find("oauth/user")
    named = user.attrib if user is not None else {}
    account = get_account() or FlickrAccount(id=1)
    account.sealed_token = seal(token)
    account.perms = perms
    account.user_nsid = named.get("nsid") or token.user_nsid
    account.username = named.get("username") or token.username
    account.fullname = named.get("fullname") or token.fullname
    account.connected_at = utcnow()
    account.connected_by_id = actor.id if actor else None
    db.session.add(account)
    # Jobs that stopped because the old connection failed can go on with the new one.
    db.session.execute(
        update(FlickrJob)
        .where(FlickrJob.state == JobState.ATTENTION, FlickrJob.error_kind == ErrorKind.AUTH)
        .values(state=JobState.QUEUED, due_at=utcnow(), error_kind=None)
        .execution_options(synchronize_session=False))
    db.session.flush()
    record(actor, "flickr.connected", "flickr_account", 1, username=account.username)
    return account


def disconnect(actor: User | None) -> None:
    """Forget the token. Jobs wait, unharmed, until an account is connected again."""
    _may_manage(actor)
    account = get_account()
    if account is None:
        raise Conflict("No Flickr account is connected.")
    db.session.delete(account)
    db.session.flush()
    record(actor, "flickr.disconnected", "flickr_account", 1, username=account.username)


def connected_token() -> FlickrAccessToken | None:
    """The connected account's token, or None when there is none (or it is unreadable)."""
    account = get_account()
    return unseal(account) if account else None


@dataclass
class AccountCheck:
    account: FlickrAccount | None
    working: bool
    message: str


def check_account(actor: User) -> AccountCheck:
    """Which account is connected, asked of Flickr itself (flickr.test.login)."""
    _may_manage(actor)
    account = get_account()
    if account is None:
        return AccountCheck(None, False, "No Flickr account is connected.")
    token = unseal(account)
    if token is None:
        return AccountCheck(account, False, "The stored connection cannot be read (the "
                            "app's secret key has changed). Connect the account again.")
    try:
        with client.opened(token) as api:
            login = _flickr_call(api.test.login)
    except FlickrUnavailable as exc:
        return AccountCheck(account, False, exc.message)
    username = login.findtext("user/username") or account.username
    return AccountCheck(account, True, f"Flickr says this is {username}.")


# --- the outbox -------------------------------------------------------------------------


def _latest_job(photo_uuid: str) -> FlickrJob | None:
    return db.session.scalar(
        select(FlickrJob).where(FlickrJob.photo_uuid == photo_uuid,
                                FlickrJob.state != JobState.CANCELLED)
        .order_by(FlickrJob.id.desc()).limit(1))


def sync_photo(photo: Photo, wanted: bool) -> FlickrJob | None:
    """Add the job that brings Flickr in line with the photo, if one is needed.

    Called, through photo_visibility_changed, in the same transaction as every decision
    that can put a photo on Flickr or take it off: approval, withdrawal, expiry, a
    rejection after a report, erasure.
    """
    latest = _latest_job(photo.uuid)
    if wanted:
        if latest is not None and latest.action is JobAction.UPLOAD:
            return None
        return _add_job(photo, JobAction.UPLOAD)
    if latest is None or latest.action is JobAction.REMOVE:
        return None
    if latest.state in (JobState.QUEUED, JobState.ATTENTION):
        latest.state, latest.finished_at = JobState.CANCELLED, utcnow()
        # An upload never tried cannot have reached Flickr: calling it off is enough.
        # (Uploads are only added after a removal, so nothing older is up there either.)
        if latest.attempts == 0 and latest.flickr_photo_id is None:
            db.session.flush()
            return None
    return _add_job(photo, JobAction.REMOVE)


@photo_visibility_changed.connect
def _follow_photo(photo: Photo, *, on_flickr: bool, changed: frozenset = frozenset(),
                  **_: Any) -> None:
    if on_flickr and ConsentPurpose.FLICKR in changed:
        # Flickr's upload cannot change a photo's pixels: the copy there is taken down
        # and the new one (made when it is sent) put up, in that order.
        sync_photo(photo, False)
    sync_photo(photo, on_flickr)


@participant_moving.connect
def _move_jobs(participant: User, *, site: Site, **_: Any) -> None:
    """A participant's photos move to their new site, and so do the photos' jobs: the new
    site's workers see them and may retry them."""
    db.session.execute(
        update(FlickrJob)
        .where(FlickrJob.photo_id.in_(select(Photo.id).where(Photo.owner_id == participant.id)))
        .values(site_id=site.id).execution_options(synchronize_session=False))


def _add_job(photo: Photo, action: JobAction) -> FlickrJob:
    job = FlickrJob(photo_id=photo.id, photo_uuid=photo.uuid, site_id=photo.site_id,
                    action=action, due_at=utcnow())
    db.session.add(job)
    # The same job added by a request at the same moment breaks uq_flickr_jobs_unfinished.
    flush_or_conflict("Someone changed this photo at the same moment. Look again.")
    return job


def backoff(attempts: int) -> timedelta:
    """Exponential, capped, with jitter so that workers retrying together spread out."""
    config = current_app.config
    ceiling = min(config["FLICKR_BACKOFF_MAX_SECONDS"],
                  config["FLICKR_BACKOFF_SECONDS"] * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - jitter


# --- what workers and admins see --------------------------------------------------------

STATUS_LABELS = {
    "queued": "Queued",
    "uploading": "Uploading",
    "in_group": "In the group",
    "pending": "Waiting for the group's approval",
    "attention": "Needs attention",
    "removing": "Being taken down",
    "removed": "Removed",
}


def status_of(job: FlickrJob) -> str:
    if job.state is JobState.ATTENTION:
        return "attention"
    if job.action is JobAction.REMOVE:
        return "removed" if job.state is JobState.DONE else "removing"
    if job.state is JobState.DONE:
        return "pending" if job.result is JobResult.PENDING else "in_group"
    return "uploading" if job.state is JobState.RUNNING else "queued"


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise NotFound("There is nothing here.")


@dataclass
class SyncStatus:
    counts: dict[str, int]
    jobs: list[FlickrJob]


def sync_status(actor: User, limit: int = 200) -> SyncStatus:
    """Each photo's latest job (newest changes first), and how many are in each state."""
    _require_staff(actor)
    latest = (select(func.max(FlickrJob.id))
              .where(FlickrJob.state != JobState.CANCELLED)
              .group_by(FlickrJob.photo_uuid))
    query = select(FlickrJob).where(FlickrJob.id.in_(latest))
    if not actor.is_admin:
        query = query.where(FlickrJob.site_id == actor.site_id)
    jobs = db.session.scalars(
        query.order_by(FlickrJob.updated_at.desc(), FlickrJob.id.desc())).all()
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for job in jobs:
        counts[status_of(job)] += 1
    return SyncStatus(counts, list(jobs[:limit]))


# The same states in words for the photo's owner, who needs no error codes.
OWNER_WORDS = {
    "queued": "It is on its way to the Flickr group.",
    "uploading": "It is on its way to the Flickr group.",
    "in_group": "It is in the Flickr group.",
    "pending": "It is on Flickr, waiting for the group's approval.",
    "attention": "It has not reached Flickr yet. A worker is looking into it.",
    "removing": "It is being taken down from Flickr.",
    "removed": "It has been taken down from Flickr.",
}


def owner_words(photo: Photo) -> str | None:
    """Where the photo is on Flickr, in words for whoever may see it; None if never sent."""
    job = _latest_job(photo.uuid)
    return OWNER_WORDS[status_of(job)] if job else None


def retry(actor: User, photo: Photo, now: datetime | None = None) -> FlickrJob:
    """A person asks for another try now: after fixing what Flickr complained of, or
    rather than wait out a backoff. (Who may see the photo was checked in fetching it.)"""
    _require_staff(actor)
    job = _latest_job(photo.uuid)
    if job is None:
        raise NotFound("This photo has nothing waiting for Flickr.")
    if job.state not in (JobState.ATTENTION, JobState.QUEUED):
        raise Conflict("There is nothing to try again: it is being sent now or is done.")
    job.state, job.due_at, job.error_kind = JobState.QUEUED, now or utcnow(), None
    db.session.flush()
    record(actor, "flickr.retried", "photo", photo.id, site_id=photo.site_id,
           job=job.action.value)
    return job


def unfinished_count() -> int:
    return db.session.scalar(select(func.count(FlickrJob.id))
                             .where(FlickrJob.state.in_(UNFINISHED))) or 0
