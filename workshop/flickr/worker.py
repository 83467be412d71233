"""The sync worker: claims due jobs and carries them out on Flickr step by step.

Unlike a web request it commits as it goes: each step's outcome (the Flickr photo id
above all) is stored the moment it is known, so a worker killed at any point leaves a
job that the next worker can finish without sending the photo twice.
"""

import contextlib
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from io import BytesIO
from typing import cast

from flask import current_app
from flickrapi import FlickrAPI
from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import aliased

from workshop.db import utcnow
from workshop.extensions import db
from workshop.flickr import client, services
from workshop.flickr.client import Failure, RateLimited
from workshop.flickr.models import ErrorKind, FlickrJob, JobAction, JobResult, JobState
from workshop.photos import services as photos
from workshop.photos.models import ConsentPurpose, Photo
from workshop.photos.storage import StorageUnavailable

# groups.pools.add: already in the pool; taken into the group's queue, or already there.
IN_POOL = 3
QUEUED_FOR_GROUP = {6, 7}
# groups.pools.remove: not in the pool. photos.delete: no such photo. Both mean "gone".
NOT_IN_POOL = 2
NO_SUCH_PHOTO = 1


class LostLease(Exception):
    """Another worker took this job over after our lease ran out: stop touching it."""


def machine_tag(photo_uuid: str) -> str:
    return f"workshop:photo={photo_uuid}"


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["FLICKR_LEASE_SECONDS"])


def claim_next(due_by: datetime | None = None) -> FlickrJob | None:
    """Take the oldest job due by then (default now) whose photo has no earlier job still
    to do, or None.

    One UPDATE does the choosing and the taking: on PostgreSQL the candidate row is
    locked and rows other workers hold are skipped; on SQLite the statement holds the
    database's write lock. Either way two workers never take the same job.
    """
    now = utcnow()
    due_by = due_by or now
    candidate, earlier = aliased(FlickrJob), aliased(FlickrJob)
    due = or_(and_(candidate.state == JobState.QUEUED, candidate.due_at <= due_by),
              and_(candidate.state == JobState.RUNNING, candidate.lease_until <= due_by))
    # A photo's jobs run in order: its removal never overtakes its upload.
    blocked = (select(earlier.id)
               .where(earlier.photo_uuid == candidate.photo_uuid, earlier.id < candidate.id,
                      earlier.state.in_([JobState.QUEUED, JobState.RUNNING]))
               .exists())
    chosen = (select(candidate.id).where(due, ~blocked)
              .order_by(candidate.due_at, candidate.id).limit(1)
              .with_for_update(skip_locked=True))
    claim = uuid.uuid4().hex
    job_id = db.session.execute(
        update(FlickrJob).where(FlickrJob.id.in_(chosen))
        .values(state=JobState.RUNNING, claim=claim, lease_until=now + _lease(),
                updated_at=now)
        .returning(FlickrJob.id)
        .execution_options(synchronize_session=False)).scalar()
    db.session.commit()
    if job_id is None:
        return None
    return db.session.get(FlickrJob, job_id)


def _save(job: FlickrJob, **values) -> None:
    """Store a step's outcome and renew the lease, only while the job is still ours."""
    now = utcnow()
    values.setdefault("lease_until", now + _lease())
    done = cast(CursorResult, db.session.execute(
        update(FlickrJob)
        .where(FlickrJob.id == job.id, FlickrJob.claim == job.claim,
               FlickrJob.state == JobState.RUNNING)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)))
    if done.rowcount != 1:
        db.session.rollback()
        raise LostLease(job.id)
    db.session.commit()
    db.session.refresh(job)


def _let_go(job: FlickrJob, **values) -> None:
    """Store the job's new state and give up the claim: the job is no longer ours."""
    _save(job, claim=None, lease_until=None, **values)


def _finish(job: FlickrJob, result: JobResult) -> None:
    _let_go(job, state=JobState.DONE, result=result, finished_at=utcnow(), error_kind=None,
            last_error=None)


def _found_on_flickr(api: FlickrAPI, photo_uuid: str) -> list[str]:
    """The account's photos carrying this photo's machine tag, oldest first."""
    found = client.call(api.photos.search, user_id="me", machine_tags=machine_tag(photo_uuid),
                        per_page="100")
    return sorted((p.get("id") for p in found.iter("photo")), key=lambda i: (len(i), i))


def _delete(api: FlickrAPI, flickr_id: str, group_id: str | None) -> None:
    if group_id:
        try:
            client.call(api.groups.pools.remove, photo_id=flickr_id, group_id=group_id)
        except Failure as failure:
            if failure.code not in (NOT_IN_POOL, NO_SUCH_PHOTO):
                raise
    try:
        client.call(api.photos.delete, photo_id=flickr_id)
    except Failure as failure:
        if failure.code != NO_SUCH_PHOTO:
            raise


def _send(api: FlickrAPI, job: FlickrJob, photo: Photo) -> str:
    # Made now, from what is recorded now: faces without a yes for Flickr are obscured.
    # (A change after this adds a removal and a fresh upload behind this job.)
    try:
        public = photos.public_copy(photo, ConsentPurpose.FLICKR, "large")
    except FileNotFoundError:
        raise Failure(ErrorKind.PERSON, "The photo's display copy is missing on the server. "
                      "Run 'flask photos fsck' to make it again, then try again.") from None
    except StorageUnavailable as error:
        raise Failure(ErrorKind.TRANSIENT, error.message) from None
    # Marked before sending: if no answer comes (or the worker dies), the next try looks
    # on Flickr first instead of sending a second copy.
    _save(job, uncertain=True)
    credit = photo.credit_name or "Anonymous"
    answer = client.call(
        api.upload, upload=True,
        # Only for the multipart's file name: the title is set, so it is never shown.
        filename=f"{photo.uuid}.jpg", fileobj=BytesIO(public),
        title=photo.caption or "Untitled", description=f"Photo by {credit}",
        tags=f'"{machine_tag(photo.uuid)}"', is_public="1", is_friend="0",
        is_family="0", safety_level="1", content_type="1", format="etree")
    flickr_id = answer.findtext("photoid")
    if not flickr_id:
        raise Failure(ErrorKind.TRANSIENT, "Flickr's answer to the upload held no photo id.",
                      uncertain=True)
    _save(job, flickr_photo_id=flickr_id, uncertain=False)
    return flickr_id


def _upload(api: FlickrAPI, job: FlickrJob) -> None:
    photo = db.session.get(Photo, job.photo_id) if job.photo_id else None
    if photo is None:
        # Erased meanwhile; its removal job (added with the erasure) cleans up.
        _let_go(job, state=JobState.CANCELLED, finished_at=utcnow())
        return
    flickr_id = job.flickr_photo_id
    if flickr_id is None and job.uncertain:
        found = _found_on_flickr(api, job.photo_uuid)
        if found:
            flickr_id = found[0]
            # Never two copies on Flickr: any extra from earlier uncertain tries goes.
            for extra in found[1:]:
                _delete(api, extra, None)
            _save(job, flickr_photo_id=flickr_id, uncertain=False)
    if flickr_id is None:
        flickr_id = _send(api, job, photo)
    try:
        client.call(api.groups.pools.add, photo_id=flickr_id,
                    group_id=current_app.config["FLICKR_GROUP_ID"])
    except Failure as failure:
        if failure.code == IN_POOL:
            _finish(job, JobResult.IN_GROUP)
        elif failure.code in QUEUED_FOR_GROUP:
            _finish(job, JobResult.PENDING)
        else:
            raise
        return
    _finish(job, JobResult.IN_GROUP)


def _remove(api: FlickrAPI, job: FlickrJob) -> None:
    known = {flickr_id for flickr_id in db.session.scalars(
        select(FlickrJob.flickr_photo_id).where(FlickrJob.photo_uuid == job.photo_uuid))
        if flickr_id is not None}
    # Searching as well finds copies whose id we never heard (an uncertain upload).
    for flickr_id in sorted(known | set(_found_on_flickr(api, job.photo_uuid))):
        _delete(api, flickr_id, current_app.config["FLICKR_GROUP_ID"])
    _finish(job, JobResult.REMOVED)


def _failed(job: FlickrJob, failure: Failure) -> None:
    attempts = job.attempts + 1
    values = {"attempts": attempts, "error_kind": failure.kind, "last_error": failure.message}
    if failure.uncertain:
        values["uncertain"] = True
    # A removal is a promise to the participant: it keeps trying unless only a new
    # connection can help. An upload that Flickr refused waits for a person.
    retry = failure.kind is ErrorKind.TRANSIENT or (
        job.action is JobAction.REMOVE and failure.kind is ErrorKind.PERSON)
    if retry:
        values.update(state=JobState.QUEUED, due_at=utcnow() + services.backoff(attempts))
    else:
        values.update(state=JobState.ATTENTION)
    _let_go(job, **values)


def run_job(api: FlickrAPI, job: FlickrJob) -> None:
    """Carry out one claimed job; whatever happens, the job ends up recorded."""
    try:
        try:
            (_upload if job.action is JobAction.UPLOAD else _remove)(api, job)
        except Failure as failure:
            _failed(job, failure)
        except RateLimited as limited:
            # Not the job's fault: back in the queue for when the budget allows, untouched.
            _let_go(job, state=JobState.QUEUED,
                    due_at=datetime.fromtimestamp(limited.retry_at, utcnow().tzinfo))
    except LostLease:
        current_app.logger.warning("Flickr job %s was taken over by another worker", job.id)


def run(once: bool = False, stop: threading.Event | None = None,
        log: Callable[[str], None] = print) -> int:
    """The worker's loop; returns how many jobs it ran.

    With once, it does the jobs that are due when it starts (retries that fall due later
    wait for the next run) and returns.
    """
    stop = stop or threading.Event()
    started = utcnow()
    ran = 0
    waiting_for_account = False
    while not stop.is_set():
        db.session.rollback()
        token = services.connected_token()
        if token is None:
            if once:
                log("No Flickr account is connected: nothing was sent.")
                break
            if not waiting_for_account:
                log("Waiting for an admin to connect the Flickr account.")
                waiting_for_account = True
            stop.wait(current_app.config["FLICKR_POLL_SECONDS"])
            continue
        waiting_for_account = False
        job = claim_next(started if once else None)
        if job is None:
            if once:
                break
            stop.wait(current_app.config["FLICKR_POLL_SECONDS"])
            continue
        try:
            with client.opened(token) as api:
                run_job(api, job)
        except Exception:
            # A fault of ours (a bug, a disk error) must not stop the other jobs: this one
            # is tried again later, and the log says why.
            current_app.logger.exception("Flickr job %s failed unexpectedly", job.id)
            db.session.rollback()
            with contextlib.suppress(LostLease):
                _failed(job, Failure(ErrorKind.TRANSIENT, "Something went wrong on our side. "
                                     "It has been logged; we will try again."))
        ran += 1
        log(f"Job {job.id} ({job.action.value} of photo {job.photo_uuid}): "
            f"{services.status_of(job)}")
    return ran
