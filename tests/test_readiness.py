"""/healthz and /readyz for a load balancer: alive, and able to reach what it needs."""

import pytest

from tests.fixtures.app import more_apps
from tests.fixtures.storage import free_ports, s3_settings


def test_ready_on_the_embedded_defaults(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"ready": True}
    assert client.get("/healthz").status_code == 200


def test_ready_with_redis_and_seaweedfs(database_uri, tmp_path, redis_url, s3):
    with more_apps(database_uri, tmp_path, RATELIMIT_STORAGE_URI=redis_url, **s3) as (app,):
        assert app.test_client().get("/readyz").json == {"ready": True}


def test_what_cannot_be_reached_is_named_with_a_503(tmp_path, database_uri):
    nothing, also_nothing = free_ports(2)  # nobody listens on these
    unreachable = {
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{nothing}/0",
        **s3_settings(None), "S3_ENDPOINT_URL": f"http://127.0.0.1:{also_nothing}",
    }
    with more_apps(database_uri, tmp_path, **unreachable) as (app,):
        client = app.test_client()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json == {"ready": False, "failed": {
            "rate_limits": "not answering", "photo_store": "not answering"}}
        assert client.get("/healthz").status_code == 200, "alive all the same"


@pytest.mark.parametrize("uri", ["sqlite:///{tmp}/no/such/folder/workshop.db",
                                 "postgresql+psycopg://nobody@127.0.0.1:{port}/none"])
def test_a_database_that_does_not_answer_is_named(tmp_path, uri, database_uri):
    (port,) = free_ports(1)
    broken = uri.format(tmp=tmp_path, port=port)
    with more_apps(database_uri, tmp_path, SQLALCHEMY_DATABASE_URI=broken) as (app,):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"ready": False, "failed": {"database": "not answering"}}
