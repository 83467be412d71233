"""The JSON API: tokens, roles and sites, problem+json errors, paging, the document."""

import re

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import api_token
from tests.fixtures.pages import assert_problem, login
from workshop.auth.models import User
from workshop.extensions import db


def test_me(app, client, worker):
    response = client.get("/api/v1/me", headers=api_token(app, worker))
    assert response.status_code == 200
    assert response.json["id"] == worker.id
    assert response.json["role"] == "worker"
    assert "password" not in str(response.json) and "hash" not in str(response.json)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wks_nope", "Basic abc",
                                    "Bearer wks_ünïcode"])
def test_no_or_bad_token_is_401(client, worker, header):
    headers = {"Authorization": header} if header else {}
    body = assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert "Bearer" in body["detail"]


def test_token_stops_working_when_the_person_is_deactivated(app, client, worker):
    headers = api_token(app, worker)
    with app.app_context():
        db.session.get(User, worker.id).active = False
        db.session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_session_cookie_does_not_sign_api_requests(client, worker):
    login(client, worker)
    assert_problem(client.get("/api/v1/me"), 401)


def test_unknown_path_and_method_are_problems(app, client, worker):
    headers = api_token(app, worker)
    assert_problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    response = client.delete("/api/v1/me", headers=headers)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_admin_creates_a_site(app, client, admin):
    response = client.post("/api/v1/sites", headers=api_token(app, admin),
                           json={"name": "East Hub", "slug": "east-hub"})
    assert response.status_code == 201
    assert response.json["slug"] == "east-hub" and response.json["id"] > 0


def test_worker_cannot_create_a_site(app, client, worker):
    response = client.post("/api/v1/sites", headers=api_token(app, worker),
                           json={"name": "East Hub", "slug": "east-hub"})
    assert_problem(response, 403)


def test_duplicate_slug_is_409_and_bad_slug_422(app, client, admin, site):
    headers = api_token(app, admin)
    assert_problem(client.post("/api/v1/sites", headers=headers,
                               json={"name": "Again", "slug": "north-hub"}), 409)
    body = assert_problem(client.post("/api/v1/sites", headers=headers,
                                      json={"name": "Bad", "slug": "Bad Slug"}), 422)
    assert "slug" in body["errors"]


def test_sites_page_with_a_cursor(app, client, admin):
    headers = api_token(app, admin)
    for n in range(5):
        client.post("/api/v1/sites", headers=headers, json={"name": f"S{n}", "slug": f"s{n}"})
    seen, cursor = [], None
    while True:
        url = "/api/v1/sites?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=headers).json
        assert len(page["items"]) <= 2
        seen += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["s0", "s1", "s2", "s3", "s4"]


@pytest.mark.parametrize("query", ["limit=0", "limit=500", "limit=abc", "cursor=%%%",
                                   "cursor=eyJhZnRlciI6IC0xfQ=="])
def test_bad_paging_is_422(app, client, admin, query):
    assert_problem(client.get(f"/api/v1/sites?{query}", headers=api_token(app, admin)), 422)


def test_worker_sees_only_their_sites_people(app, client, worker, participant,
                                             other_participant):
    headers = api_token(app, worker)
    ids = {u["id"] for u in client.get("/api/v1/users", headers=headers).json["items"]}
    assert ids == {worker.id, participant.id}
    assert client.get(f"/api/v1/users/{participant.id}", headers=headers).status_code == 200
    assert_problem(client.get(f"/api/v1/users/{other_participant.id}", headers=headers), 404)
    assert_problem(client.patch(f"/api/v1/users/{other_participant.id}", headers=headers,
                                json={"display_name": "x"}), 404)
    sites = client.get("/api/v1/sites", headers=headers).json["items"]
    assert [s["id"] for s in sites] == [worker.site_id]


def test_worker_creates_a_participant_in_their_site(app, client, worker, site):
    response = client.post("/api/v1/users", headers=api_token(app, worker), json={
        "username": "newbie", "role": "participant", "display_name": "Newbie",
        "password": "kite-moon-river-42"})
    assert response.status_code == 201
    assert response.json["site_id"] == site
    assert response.json["role"] == "participant"


@pytest.mark.parametrize("body, status", [
    ({"username": "boss", "role": "worker", "display_name": "Boss",
      "password": "kite-moon-river-42"}, 403),
    ({"username": "x", "role": "participant", "display_name": "X",
      "password": "kite-moon-river-42"}, 422),
    ({"username": "shorty", "role": "participant", "display_name": "S",
      "password": "short"}, 422),
    ({"username": "extra", "role": "participant", "display_name": "E",
      "password": "kite-moon-river-42", "is_admin": True}, 422),
    ({"username": "typed", "role": "participant", "display_name": "T",
      "password": "kite-moon-river-42", "site_id": "1"}, 422),
    ({"username": "nul\x00", "role": "participant", "display_name": "N",
      "password": "kite-moon-river-42"}, 422),
    ({"username": "sky", "role": "participant", "display_name": "Dup",
      "password": "kite-moon-river-42"}, 409),
])
def test_bad_user_bodies(app, client, worker, participant, body, status):
    response = client.post("/api/v1/users", headers=api_token(app, worker), json=body)
    assert_problem(response, status)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.display_name == body["display_name"])
                                 ) is None


def test_worker_cannot_create_in_another_site(app, client, worker, other_site):
    response = client.post("/api/v1/users", headers=api_token(app, worker), json={
        "username": "away", "role": "participant", "display_name": "Away",
        "password": "kite-moon-river-42", "site_id": other_site})
    assert_problem(response, 404)


def test_wrong_content_type_invalid_json_and_too_large(app, client, admin):
    headers = api_token(app, admin)
    assert_problem(client.post("/api/v1/sites", headers=headers, data="name=x",
                               content_type="application/x-www-form-urlencoded"), 415)
    assert_problem(client.post("/api/v1/sites", headers=headers, data="{not json",
                               content_type="application/json"), 400)
    assert_problem(client.post("/api/v1/sites", headers=headers, data="[1, 2]",
                               content_type="application/json"), 422)
    app.config["MAX_CONTENT_LENGTH"] = 100
    assert_problem(client.post("/api/v1/sites", headers=headers,
                               json={"name": "x" * 200, "slug": "big"}), 413)


def test_patch_password_ends_the_persons_logins(app, client, worker, participant):
    browser = app.test_client()
    login(browser, participant)
    response = client.patch(f"/api/v1/users/{participant.id}", headers=api_token(app, worker),
                            json={"password": "fresh-card-passphrase",
                                  "display_name": "Sky Two"})
    assert response.status_code == 200
    assert response.json["display_name"] == "Sky Two"
    assert browser.get("/dashboard").status_code == 302
    assert login(app.test_client(), participant, "fresh-card-passphrase").status_code == 302


def test_participant_sees_only_themselves(app, client, participant, worker):
    headers = api_token(app, participant)
    items = client.get("/api/v1/users", headers=headers).json["items"]
    assert [u["id"] for u in items] == [participant.id]
    assert_problem(client.get(f"/api/v1/users/{worker.id}", headers=headers), 404)
    assert_problem(client.patch(f"/api/v1/users/{participant.id}", headers=headers,
                                json={"role": "admin"}), 403)
    response = client.patch(f"/api/v1/users/{participant.id}", headers=headers,
                            json={"display_name": "Sky Blue"})
    assert response.status_code == 200


def test_admin_changes_role_and_site(app, client, admin, worker, other_site):
    response = client.patch(f"/api/v1/users/{worker.id}", headers=api_token(app, admin),
                            json={"site_id": other_site})
    assert response.status_code == 200
    assert response.json["site_id"] == other_site


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule[len("/api/v1"):]
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"not in the OpenAPI document: {missing}"


def test_api_requests_are_rate_limited_per_token(app, client, worker, participant):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = api_token(app, worker)
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.get("/api/v1/sites", headers=headers)  # nested blueprints count too
    body = assert_problem(response, 429)
    assert "wait" in body["detail"]
    assert response.headers["Retry-After"]
    # Another token has its own allowance.
    assert client.get("/api/v1/me", headers=api_token(app, participant)).status_code == 200
