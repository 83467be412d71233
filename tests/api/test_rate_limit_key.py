"""The API's rate limit counts per verified token, and per address for everyone else."""

from tests.fixtures.accounts import api_token
from tests.fixtures.pages import assert_problem


def test_spelling_the_header_differently_buys_no_fresh_allowance(app, client, worker):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = api_token(app, worker)
    raw = headers["Authorization"].removeprefix("Bearer ")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    for variant in (f"bearer {raw}", f"Bearer  {raw}", f"BEARER {raw}", f"Bearer {raw} "):
        response = client.get("/api/v1/me", headers={"Authorization": variant})
        assert_problem(response, 429)


def test_junk_authorization_is_counted_by_address(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        response = client.get("/api/v1/gallery", headers={"Authorization": f"junk {n}"})
        assert response.status_code == 200
    for header in ("junk 99", "Bearer wks_not-a-real-token", ""):
        response = client.get("/api/v1/gallery", headers={"Authorization": header})
        assert_problem(response, 429)
    # Another address has its own allowance.
    response = client.get("/api/v1/gallery", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200


def test_each_verified_token_has_its_own_allowance(app, client, worker, admin):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    first, second = api_token(app, worker), api_token(app, admin)
    for _ in range(2):
        assert client.get("/api/v1/me", headers=first).status_code == 200
    assert_problem(client.get("/api/v1/me", headers=first), 429)
    # Same address, another token: not blocked by the first token's use.
    assert client.get("/api/v1/me", headers=second).status_code == 200
