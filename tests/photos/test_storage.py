"""Storage: files appear with their row or not at all, and fsck finds what is out of step."""

import hashlib
import io
import os
import time
from types import SimpleNamespace

import pytest

from tests.fixtures.accounts import make_account, user
from tests.fixtures.app import race
from tests.fixtures.photos import photo, photo_count, stored_files
from workshop.extensions import db
from workshop.photos import services
from workshop.photos.models import Photo
from workshop.photos.storage import StoredFile, storage

pytestmark = pytest.mark.usefixtures("each_storage")


def _upload(account, content: bytes) -> Photo:
    actor = user(account)
    return services.upload(actor, services.upload_target(actor), io.BytesIO(content))


def test_files_are_named_by_content_and_kept_after_commit(app, participant):
    content = photo()
    with app.app_context():
        created = _upload(participant, content)
        db.session.commit()
        digest = hashlib.sha256(content).hexdigest()
        store = storage()
        assert created.content_hash == digest
        assert store.original_path(digest).read_bytes() == content
        assert all(store.copy_path(digest, k).exists() for k in ("large", "thumb"))
    assert not any(p.name.startswith((".writing", "upload-")) for p in stored_files(app))


def test_a_rolled_back_upload_leaves_no_files(app, participant):
    with app.app_context():
        _upload(participant, photo())
        assert stored_files(app)
        db.session.rollback()
    assert stored_files(app) == []
    assert photo_count(app) == 0


def test_a_file_shared_by_two_people_stays_when_one_upload_fails(app, participant):
    other = make_account(app, "kit", "participant", participant.site_id)
    content = photo()
    with app.app_context():
        _upload(participant, content)
        db.session.commit()
    kept = stored_files(app)
    with app.app_context():
        _upload(other, content)
        db.session.rollback()
    assert stored_files(app) == kept


def test_fsck_reports_and_cleans_orphans_and_remakes_copies(app, participant, runner,
                                                            monkeypatch):
    with app.app_context():
        kept = _upload(participant, photo())
        db.session.commit()
        store = storage()
        # What a crash between writing the files and committing the row leaves behind,
        # and an upload that is still going on.
        crashed = store.original_path("ab" + "0" * 62)
        store.write(crashed, b"left by a crash")
        store.tmp_dir.mkdir(parents=True, exist_ok=True)
        in_progress = store.tmp_dir / "upload-in-progress"
        in_progress.write_bytes(b"arriving")
        thumb = store.copy_path(kept.content_hash, "thumb")
        thumb.delete()
        # Kept beside the photos by someone else: not fsck's to judge.
        not_ours = StoredFile(store.backend, "elsewhere/notes.txt")
        store.write(not_ours, b"not a photo")
    # Two hours on (an object's time cannot be set back): the crash's file is old by
    # then, and the upload is still arriving.
    later = time.time() + 2 * 3600
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: later))
    os.utime(in_progress, (later, later))

    report = runner.invoke(args=["photos", "fsck", "--dry-run"])
    assert report.exit_code == 0, report.output
    assert "1 orphan files, 1 missing copies, 0 photos without their original" in report.output
    assert f"Would remove orphan file {crashed}" in report.output
    with app.app_context():
        assert crashed.exists() and not thumb.exists()

    cleaned = runner.invoke(args=["photos", "fsck"])
    assert cleaned.exit_code == 0, cleaned.output
    with app.app_context():
        assert not crashed.exists() and not_ours.exists()
        assert in_progress.exists(), "an upload younger than the grace period is left alone"
        assert thumb.exists()


def test_fsck_reports_a_missing_original(app, participant, runner):
    with app.app_context():
        created = _upload(participant, photo())
        db.session.commit()
        storage().original_path(created.content_hash).delete()
        photo_id = created.id
    result = runner.invoke(args=["photos", "fsck"])
    assert result.exit_code == 1
    assert f"Photo {photo_id}: its original file is missing" in result.output


def test_the_same_photo_sent_twice_at_once_is_kept_once(database_uri, tmp_path, app,
                                                        participant, app_overrides):
    content = photo(seed=9)
    outcomes = race(database_uri, tmp_path, [1, 2, 3],
                    act=lambda _: _upload(participant, content), **app_overrides)
    assert outcomes == ["conflict", "conflict", "won"], outcomes
    assert photo_count(app) == 1
    digest = hashlib.sha256(content).hexdigest()
    assert sorted(p.name for p in stored_files(app)) == [
        digest, f"{digest}-large.jpg", f"{digest}-thumb.jpg"]
