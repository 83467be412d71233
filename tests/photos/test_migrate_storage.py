"""flask photos migrate-storage: a folder's photos copied to SeaweedFS, picked up again
after an interruption without copying anything twice, and served from there."""

import io

import pytest

from tests.fixtures.accounts import user
from tests.fixtures.app import more_apps
from tests.fixtures.pages import fetch
from tests.fixtures.photos import photo, publish, stored_files
from workshop.extensions import db
from workshop.photos import services
from workshop.photos.storage import S3Backend, StorageUnavailable


@pytest.fixture
def target(s3) -> str:
    return s3["STORAGE_URL"]


@pytest.fixture
def app_overrides(s3) -> dict:
    """On the folder, with the bucket's address and keys set for the command."""
    return {name: value for name, value in s3.items() if name != "STORAGE_URL"}


def test_photos_are_copied_once_across_an_interruption(app, runner, participant, worker,
                                                       monkeypatch, target, s3, database_uri,
                                                       tmp_path):
    shown = publish(app, participant, worker)
    with app.app_context():  # a private one: three files
        actor = user(participant)
        services.upload(actor, services.upload_target(actor), io.BytesIO(photo(seed=1)))
        db.session.commit()
    kept = {str(key) for key in stored_files(app)}
    assert len(kept) == 8
    real_put = S3Backend.put
    puts: list[str] = []

    def put_until_the_line_drops(backend, key, source, *, replace):
        if len(puts) == 3:
            raise StorageUnavailable("The photo store is not answering.")
        puts.append(key)
        return real_put(backend, key, source, replace=replace)

    monkeypatch.setattr(S3Backend, "put", put_until_the_line_drops)
    broken = runner.invoke(args=["photos", "migrate-storage", "--to", target])
    assert broken.exit_code == 1
    assert "3 files copied so far; run the command again" in broken.output

    monkeypatch.setattr(S3Backend, "put", lambda backend, key, source, *, replace: (
        puts.append(key), real_put(backend, key, source, replace=replace))[1])
    again = runner.invoke(args=["photos", "migrate-storage", "--to", target])
    assert again.exit_code == 0, again.output
    assert "5 files copied, 3 already there" in again.output
    assert sorted(puts) == sorted(kept), "every file copied, none twice"
    caught_up = runner.invoke(args=["photos", "migrate-storage", "--to", target])
    assert "0 files copied, 8 already there" in caught_up.output

    with more_apps(database_uri, tmp_path / "moved", **s3) as (moved,):
        assert {str(key) for key in stored_files(moved)} == kept
        served = fetch(moved.test_client(), f"/gallery/{shown.uuid}/large.jpg")
        assert served.status_code == 200
        assert served.data == fetch(app.test_client(), f"/gallery/{shown.uuid}/large.jpg").data
        with moved.app_context():
            report = services.fsck(clean=False)
            assert (report.orphans, report.missing_copies, report.missing_originals) == (
                [], [], [])


def test_the_same_place_or_a_bad_address_is_refused(app, runner):
    for url, words in ((f"file://{app.config['STORAGE_DIR']}", "already"),
                       ("ftp://elsewhere", "neither")):
        result = runner.invoke(args=["photos", "migrate-storage", "--to", url])
        assert result.exit_code == 2 and words in result.output, result.output
