"""Photos in S3-compatible object storage (a real SeaweedFS): private objects, a store
that does not answer, replacing a file in place, and the storage setting itself."""

import io

import pytest
import requests

from tests.fixtures.accounts import api_token, user
from tests.fixtures.app import more_apps
from tests.fixtures.pages import assert_problem, fetch
from tests.fixtures.photos import photo, photo_count, publish, stored_files, upload
from tests.fixtures.storage import free_ports, s3_settings
from workshop import ConfigError, create_app
from workshop.photos import services
from workshop.photos.storage import FileBackend, S3Backend, storage


@pytest.fixture
def app_overrides(request) -> dict:
    """SeaweedFS, or each store for a test that asks for `each_storage`."""
    if "each_storage" in request.fixturenames:
        return request.getfixturevalue("each_storage")
    return request.getfixturevalue("s3")


def test_photos_land_in_the_bucket_and_no_one_reads_them_without_the_app(
        app, client, participant, worker, seaweedfs):
    shown = publish(app, participant, worker)
    keys = {str(key) for key in stored_files(app)}
    assert f"public/{shown.uuid[:2]}/{shown.uuid}-large.jpg" in keys
    with app.app_context():
        store = storage()
        assert isinstance(store.backend, S3Backend)
        original = store.original_path(shown.content_hash)
    # Straight at the bucket, without the app's keys: refused, public copy or original.
    for key in (original.key, f"public/{shown.uuid[:2]}/{shown.uuid}-large.jpg"):
        bare = requests.get(f"{seaweedfs.endpoint}/{original.backend.bucket}/"
                            f"{original.backend.prefix}{key}", timeout=5)
        assert bare.status_code == 403, bare.text
    # Through the app: the gallery's copy for anyone, the original only after the check.
    assert fetch(client, f"/gallery/{shown.uuid}/large.jpg").status_code == 200
    assert fetch(client, f"/photos/{shown.id}/original").status_code in (302, 401)


def test_a_store_that_does_not_answer_is_a_clear_503_and_keeps_nothing(
        app, participant, database_uri, tmp_path):
    (port,) = free_ports(1)  # nothing listens there
    down = {**s3_settings(None), "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    with more_apps(database_uri, tmp_path / "down", **down) as (unanswered,):
        response = upload(unanswered.test_client(), api_token(app, participant), photo())
        body = assert_problem(response, 503)
        assert "photo store is not answering" in body["detail"]
        with unanswered.app_context():
            assert not list(storage().tmp_dir.iterdir())
    assert photo_count(app) == 0


@pytest.mark.usefixtures("each_storage")
def test_a_file_is_replaced_in_place_and_served_with_a_new_etag(app, client, participant,
                                                                worker):
    shown = publish(app, participant, worker)
    first = fetch(client, f"/gallery/{shown.uuid}/large.jpg")
    blurred = photo((320, 240), seed=5)
    with app.app_context():
        store = storage()
        public = store.public_path(shown.uuid, "large")
        assert not store.write(public, b"kept only if missing")
        assert store.write(public, blurred, replace=True)
    again = fetch(client, f"/gallery/{shown.uuid}/large.jpg",
                  headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.data == blurred
    assert again.headers["ETag"] != first.headers["ETag"]


def test_a_rolled_back_upload_leaves_no_object(app, participant):
    with app.app_context():
        actor = user(participant)
        services.upload(actor, services.upload_target(actor), io.BytesIO(photo()))
        assert len(stored_files(app)) == 3
    assert stored_files(app) == []


def test_the_storage_setting_chooses_the_store(tmp_path):
    folder = create_app({"TESTING": True, "STORAGE_URL": f"file://{tmp_path}/there"})
    with folder.app_context():
        assert storage().backend == FileBackend(tmp_path / "there")
    with pytest.raises(ConfigError, match="FLASK_STORAGE_URL"):
        create_app({"TESTING": True, "STORAGE_URL": "ftp://somewhere"})
    with pytest.raises(ConfigError, match="FLASK_STORAGE_URL"):
        create_app({"TESTING": True, "STORAGE_URL": "s3://"})
