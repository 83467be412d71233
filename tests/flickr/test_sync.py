"""The sync engine against a fake Flickr with faults: every approved photo with Flickr
consent ends up in the group exactly once, withdrawn ones leave, nothing is lost."""

import io
import threading
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from tests.fixtures.accounts import user
from tests.fixtures.app import more_apps, race
from tests.fixtures.flickr import (
    approved_photo,
    connect,
    copies,
    drain,
    jobs,
    on_flickr,
    run_once,
    uuid_of,
)
from tests.fixtures.photos import photo, withdraw
from tests.flickr.fake_flickr import Fault
from workshop.auth.services import erase_participant, move_participant
from workshop.db import utcnow
from workshop.errors import Invalid
from workshop.extensions import db
from workshop.flickr import services
from workshop.flickr import worker as sync_worker
from workshop.flickr.models import ErrorKind, FlickrJob, JobAction, JobResult, JobState
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services as photos
from workshop.photos.models import ConsentPurpose, Photo

TRANSIENT_FAULTS = [
    Fault.error(105, "Service currently unavailable"),
    Fault.error(106, "Write operation failed"),
    Fault.http(429),
    Fault.http(500),
    Fault.http(503),
    Fault.drop(after_effect=False),
    Fault.delay(3, after_effect=False),
]


def assert_in_group_once(fake, app, photo_ids):
    for photo_id in photo_ids:
        sent = copies(fake, app, photo_id)
        assert len(sent) == 1, (photo_id, sent)
        assert sent[0].id in fake.group_pool(fake.group_id)
    assert len(fake.photos) == len(photo_ids), "Flickr holds a copy it should not"


# --- the outbox -------------------------------------------------------------------------


def test_approval_adds_an_upload_job_only_with_flickr_consent(app, participant, worker):
    both = approved_photo(app, participant, worker, seed=1)
    gallery_only = approved_photo(app, participant, worker, ("gallery",), seed=2)
    queued = jobs(app)
    assert [(j.photo_id, j.action, j.state) for j in queued] == [
        (both, JobAction.UPLOAD, JobState.QUEUED)]
    assert gallery_only not in {j.photo_id for j in queued}


def test_withdrawing_before_the_upload_calls_it_off(app, participant, worker):
    photo_id = approved_photo(app, participant, worker)
    withdraw(app, participant, photo_id, ("flickr",))
    assert [(j.action, j.state) for j in jobs(app)] == [(JobAction.UPLOAD, JobState.CANCELLED)]


def test_a_refused_approval_adds_no_job(app, participant, worker):
    with app.app_context():
        owner = user(participant)
        found = photos.upload(owner, photos.upload_target(owner), io.BytesIO(photo()))
        consenting.give_consent(owner, found, ["flickr"])
        moderating.submit(owner, found, "", "anonymous")
        db.session.commit()
        with pytest.raises(Invalid):
            moderating.approve(user(worker), found, {"no_drug_references": True})
        db.session.rollback()
    assert jobs(app) == []


# --- sending ----------------------------------------------------------------------------


def test_approved_photos_reach_the_group_with_the_right_details(app, connected, participant,
                                                                worker):
    fake = connected
    photo_ids = [approved_photo(app, participant, worker, seed=seed) for seed in range(3)]
    drain(app)
    assert_in_group_once(fake, app, photo_ids)
    sent = copies(fake, app, photo_ids[0])[0]
    assert (sent.title, sent.description) == ("The canal at dusk", "Photo by Sky")
    assert (sent.is_public, sent.safety_level, sent.content_type) == ("1", "1", "1")
    # The display copy without metadata, never the original.
    with app.app_context():
        original = db.session.get(Photo, photo_ids[0])
        assert sent.data != (photos.storage().original_path(original.content_hash)
                             .read_bytes())
    with Image.open(io.BytesIO(sent.data)) as image:
        assert not image.getexif() and "exif" not in image.info
    assert {(j.state, j.result) for j in jobs(app)} == {(JobState.DONE, JobResult.IN_GROUP)}


def test_a_photo_without_a_caption_goes_as_untitled(app, connected, participant, worker):
    photo_id = approved_photo(app, participant, worker, caption="")
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        assert found.caption == ""
    drain(app)
    sent = copies(connected, app, photo_id)[0]
    assert sent.title == "Untitled"


def test_a_moderated_group_leaves_it_waiting_for_approval(app, connected, participant,
                                                          worker):
    connected.add_group(connected.group_id, moderated=True)
    photo_id = approved_photo(app, participant, worker)
    drain(app)
    (job,) = jobs(app)
    assert (job.state, job.result) == (JobState.DONE, JobResult.PENDING)
    assert services.STATUS_LABELS[services.status_of(job)] == "Waiting for the group's approval"
    flickr_id = copies(connected, app, photo_id)[0].id
    assert flickr_id in connected.pending(connected.group_id)


@pytest.mark.parametrize("code", [3, 7])
def test_already_in_the_pool_or_queue_counts_as_done(app, connected, participant, worker,
                                                     code):
    connected.inject("flickr.groups.pools.add", Fault.error(code, "Already there"))
    approved_photo(app, participant, worker)
    drain(app)
    (job,) = jobs(app)
    assert job.state is JobState.DONE
    assert job.result is (JobResult.IN_GROUP if code == 3 else JobResult.PENDING)


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS, ids=lambda f: repr(f))
@pytest.mark.parametrize("target", ["upload", "flickr.groups.pools.add"])
def test_transient_faults_are_retried_until_done(app, connected, participant, worker,
                                                 fault, target):
    connected.inject(target, fault, times=2)
    photo_id = approved_photo(app, participant, worker)
    assert run_once(app) == 1
    (job,) = jobs(app)
    assert (job.state, job.error_kind, job.attempts) == (
        JobState.QUEUED, ErrorKind.TRANSIENT, 1)
    assert job.last_error
    drain(app)
    assert_in_group_once(connected, app, [photo_id])
    (job,) = jobs(app)
    assert (job.state, job.attempts, job.last_error) == (JobState.DONE, 2, None)


@pytest.mark.parametrize("fault", [Fault.delay(3, after_effect=True),
                                   Fault.drop(after_effect=True), Fault.http(502)],
                         ids=["timeout-after-upload", "dropped-after-upload", "502"])
def test_an_upload_that_may_have_arrived_is_looked_for_not_sent_again(
        app, connected, participant, worker, fault):
    if fault.kind == "http":
        # A 5xx after Flickr stored the file: the fake stores it, then answers 502.
        fault = Fault.http(502, after_effect=True)
    connected.inject("upload", fault)
    photo_id = approved_photo(app, participant, worker)
    run_once(app)
    (job,) = jobs(app)
    assert job.uncertain and job.state is JobState.QUEUED
    assert len(copies(connected, app, photo_id)) == 1
    drain(app)
    assert_in_group_once(connected, app, [photo_id])
    assert connected.count("upload") == 1
    assert connected.count("flickr.photos.search") >= 1


def test_extra_copies_from_earlier_tries_are_deleted(app, connected, participant, worker):
    photo_id = approved_photo(app, participant, worker)
    photo_uuid = uuid_of(app, photo_id)
    # Two copies made by uncertain tries (say, a worker killed twice mid-upload).
    for _ in range(2):
        connected.add_photo(tags=f'"{sync_worker.machine_tag(photo_uuid)}"')
    with app.app_context():
        db.session.execute(FlickrJob.__table__.update().values(uncertain=True))
        db.session.commit()
    drain(app)
    assert_in_group_once(connected, app, [photo_id])
    assert connected.count("upload") == 0


@pytest.mark.parametrize("target,code", [
    ("flickr.groups.pools.add", 5), ("flickr.groups.pools.add", 8),
    ("flickr.groups.pools.add", 10), ("flickr.groups.pools.add", 11), ("upload", 5)])
def test_permanent_errors_wait_for_a_person(app, connected, participant, worker, target,
                                            code):
    connected.inject(target, Fault.error(code, "Flickr's own words"))
    photo_id = approved_photo(app, participant, worker)
    run_once(app)
    (job,) = jobs(app)
    assert (job.state, job.error_kind) == (JobState.ATTENTION, ErrorKind.PERSON)
    assert "Flickr's own words" in job.last_error
    calls = len(connected.calls)
    # Not retried by itself, however often the worker runs.
    assert run_once(app) == 0 and run_once(app) == 0
    assert len(connected.calls) == calls
    with app.app_context():
        services.retry(user(worker), db.session.get(Photo, photo_id))
        db.session.commit()
    drain(app)
    assert_in_group_once(connected, app, [photo_id])


def test_a_broken_connection_waits_for_a_new_one(app, connected, participant, worker):
    connected.revoke_tokens()
    photo_id = approved_photo(app, participant, worker)
    run_once(app)
    (job,) = jobs(app)
    assert (job.state, job.error_kind) == (JobState.ATTENTION, ErrorKind.AUTH)
    assert "connect the account again" in job.last_error
    connect(app)
    (job,) = jobs(app)
    assert job.state is JobState.QUEUED
    drain(app)
    assert_in_group_once(connected, app, [photo_id])


def test_nothing_is_sent_before_an_account_is_connected(app, fake, participant, worker):
    photo_id = approved_photo(app, participant, worker)
    assert run_once(app) == 0
    assert fake.calls == [] and jobs(app)[0].state is JobState.QUEUED
    connect(app)
    drain(app)
    assert_in_group_once(fake, app, [photo_id])


def test_a_withdrawal_and_its_removal_job_are_kept_or_lost_together(app, connected,
                                                                   participant, worker):
    """Flickr hears of the withdrawal through a signal, inside the withdrawal's own
    transaction: rolled back, neither is left."""
    photo_id = approved_photo(app, participant, worker)
    drain(app)
    with app.app_context():
        consenting.withdraw_consent(user(participant), db.session.get(Photo, photo_id),
                                    ["flickr"])
        queued = db.session.scalars(select(FlickrJob.action).where(
            FlickrJob.state == JobState.QUEUED)).all()
        assert queued == [JobAction.REMOVE]
        db.session.rollback()
        assert db.session.get(Photo, photo_id).has_consent(ConsentPurpose.FLICKR, utcnow())
    assert [job.action for job in jobs(app)] == [JobAction.UPLOAD]


def test_a_moved_participants_jobs_go_to_the_new_site(app, admin, participant, worker,
                                                      other_worker):
    photo_id = approved_photo(app, participant, worker)
    with app.app_context():
        move_participant(user(admin), user(participant), other_worker.site_id)
        db.session.commit()
    assert [(job.photo_id, job.site_id) for job in jobs(app)] == [
        (photo_id, other_worker.site_id)]


# --- taking down ------------------------------------------------------------------------


def test_withdrawn_photos_leave_the_group_and_flickr(app, connected, participant, worker):
    kept, withdrawn = (approved_photo(app, participant, worker, seed=s) for s in (1, 2))
    drain(app)
    withdrawn_uuid = uuid_of(app, withdrawn)
    flickr_id = on_flickr(connected, withdrawn_uuid)[0].id
    withdraw(app, participant, withdrawn, ("flickr",))
    connected.inject("flickr.photos.delete", Fault.http(500), times=2)
    connected.inject("flickr.groups.pools.remove", Fault.error(105, "Busy"))
    drain(app)
    assert on_flickr(connected, withdrawn_uuid) == []
    assert flickr_id not in connected.group_pool(connected.group_id)
    assert_in_group_once(connected, app, [kept])
    removal = [j for j in jobs(app) if j.action is JobAction.REMOVE]
    assert [(j.state, j.result) for j in removal] == [(JobState.DONE, JobResult.REMOVED)]


def test_withdrawing_during_an_upload_takes_it_down_after(app, connected, participant,
                                                          worker):
    # The upload times out after Flickr stored the file; then consent is taken back.
    connected.inject("upload", Fault.delay(3, after_effect=True))
    photo_id = approved_photo(app, participant, worker)
    run_once(app)
    withdraw(app, participant, photo_id, ("flickr",))
    drain(app)
    assert copies(connected, app, photo_id) == []
    assert connected.count("upload") == 1


def test_expired_consent_and_erasure_take_photos_down(app, connected, participant, worker):
    expiring, erased = (approved_photo(app, participant, worker, seed=s) for s in (1, 2))
    drain(app)
    uuids = [uuid_of(app, expiring), uuid_of(app, erased)]
    with app.app_context():
        for consent in db.session.get(Photo, expiring).consents:
            consent.given_at = utcnow() - timedelta(days=2)
            consent.expires_at = utcnow() - timedelta(days=1)
        db.session.flush()
        assert consenting.expire_consents() == 2
        erase_participant(user(worker), user(participant), participant.username)
        db.session.commit()
    drain(app)
    assert [on_flickr(connected, u) for u in uuids] == [[], []]
    assert connected.photos == {}


# --- workers ----------------------------------------------------------------------------


def test_two_workers_at_once_do_each_job_once(app, app_overrides, connected, participant,
                                              worker, database_uri, tmp_path):
    photo_ids = [approved_photo(app, participant, worker, seed=seed) for seed in range(8)]
    # Each upload takes a moment, so the workers really overlap.
    connected.inject("upload", Fault.delay(0.2, after_effect=False), times=8)
    outcomes = race(database_uri, tmp_path, ["a", "b"],
                    lambda name: sync_worker.run(once=True, log=lambda line: None),
                    **app_overrides)
    assert outcomes == ["won", "won"]
    assert_in_group_once(connected, app, photo_ids)
    assert connected.count("upload") == 8
    assert connected.count("flickr.groups.pools.add") == 8


def test_a_taken_over_job_is_not_written_by_its_old_worker(app, connected, participant,
                                                           worker):
    approved_photo(app, participant, worker)
    with app.app_context():
        job = sync_worker.claim_next()
        first_id, first_claim = job.id, job.claim
        # Its lease runs out and another worker takes it over.
        db.session.execute(FlickrJob.__table__.update().values(lease_until=utcnow()))
        db.session.commit()
        second = sync_worker.claim_next()
        assert second.id == first_id and second.claim != first_claim
        with pytest.raises(sync_worker.LostLease):
            sync_worker._save(FlickrJob(id=first_id, claim=first_claim), attempts=5)
        assert db.session.get(FlickrJob, first_id).attempts == 0


def test_the_call_budget_is_shared_by_all_workers(app, app_overrides, database_uri, tmp_path,
                                                  connected, participant, worker, redis_url):
    for seed in range(4):
        approved_photo(app, participant, worker, seed=seed)
    before = len(connected.calls)
    # Two worker processes' worth of apps, counting in one Redis.
    limited = dict(app_overrides, FLICKR_RATE_LIMIT="5 per hour",
                   FLICKR_RATE_LIMIT_STORAGE_URI=redis_url)
    with more_apps(database_uri, tmp_path, 2, **limited) as apps:
        threads = [threading.Thread(target=run_once, args=(each,)) for each in apps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(connected.calls) - before == 5
    states = jobs(app)
    # Nothing failed for it: the rest wait for the budget, no attempt counted.
    assert all(j.state in (JobState.QUEUED, JobState.DONE) and j.attempts == 0
               for j in states)
    waiting = [j for j in states if j.state is JobState.QUEUED]
    assert waiting and all(j.due_at > utcnow() + timedelta(minutes=30) for j in waiting)


def test_backoff_grows_is_capped_and_jittered(app):
    app.config.update(FLICKR_BACKOFF_SECONDS=10, FLICKR_BACKOFF_MAX_SECONDS=60)
    with app.app_context():
        for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
            waits = {services.backoff(attempts).total_seconds() for _ in range(50)}
            assert all(ceiling / 2 <= w <= ceiling for w in waits), (attempts, waits)
            assert len(waits) > 1


def test_jobs_of_one_photo_run_in_order(app, connected, participant, worker):
    photo_id = approved_photo(app, participant, worker)
    with app.app_context():
        upload = sync_worker.claim_next()
        consenting.withdraw_consent(user(participant), db.session.get(Photo, photo_id),
                                    ["flickr"])
        db.session.commit()
        # The removal waits while its photo's upload is in hand.
        assert sync_worker.claim_next() is None
        assert upload.action is JobAction.UPLOAD
    with app.app_context():
        jobs_now = db.session.scalars(select(FlickrJob).order_by(FlickrJob.id)).all()
        assert [j.action for j in jobs_now] == [JobAction.UPLOAD, JobAction.REMOVE]
