"""The security baseline: headers, CSRF, cookies, hashing, throttling, redirects."""

import re
import uuid

import pytest
import redis
from sqlalchemy import select

from tests.fixtures.accounts import make_account
from tests.fixtures.app import make_config, more_apps
from tests.fixtures.pages import csrf_from, login, post_form
from workshop import create_app
from workshop.auth.models import User
from workshop.extensions import db


def test_security_headers_on_every_response(client, worker):
    for url in ("/login", "/no-such-page", "/static/css/app.css", "/api/v1/me"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                          "default-src 'self'"):
            assert directive in csp, (url, directive)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        response.close()  # static files are streamed from an open file


def test_signed_in_pages_are_not_stored(client, worker):
    login(client, worker)
    for url in ("/dashboard", "/account", "/people"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    # Static files may be cached.
    with client.get("/static/css/app.css") as response:
        assert response.headers.get("Cache-Control") != "no-store"


def test_pages_have_no_inline_script_or_style(client, admin, participant):
    login(client, admin)
    for url in ("/dashboard", "/account", "/people", "/people/new", "/sites",
                f"/people/{participant.id}"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


def test_every_form_needs_a_csrf_token(app, client, admin, participant):
    """Every POST route outside the token-authenticated API refuses a missing token."""
    login(client, admin)
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        url = re.sub(r"<[^>]+>", str(participant.id), rule.rule)
        response = client.post(url, data={"username": "x", "password": "y", "name": "z",
                                          "active": "0"})
        assert response.status_code == 400, rule.rule
        assert "expired or came from somewhere else" in response.text
        posted += 1
    assert posted >= 8
    with app.app_context():
        # Nothing changed: the participant is still active.
        assert db.session.get(User, participant.id).active


def test_passphrases_are_hashed_with_argon2id(app, worker):
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.id == worker.id))
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert match, stored
    memory_kib, time_cost, _ = map(int, match.groups())
    # OWASP's floor for argon2id is m=19 MiB with t=2; we use the RFC 9106 second choice.
    assert memory_kib >= 19 * 1024 and time_cost >= 2
    assert worker.password not in stored


def test_session_cookie_flags(client, worker):
    response = login(client, worker)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_debug(database_uri, tmp_path):
    config = make_config(database_uri, tmp_path)
    config["TESTING"] = False
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    debug_app = create_app({**config, "DEBUG": True})
    assert debug_app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https://evil.example", "http:evil.example",
    "/\t/evil.example", "///evil.example", "javascript:alert(1)",
])
def test_next_never_leaves_the_site(client, worker, target):
    response = login(client, worker, next_url=target)
    assert response.status_code == 302
    assert response.location == "/dashboard"


def test_next_leads_to_a_path_on_this_site(client, worker):
    response = login(client, worker, next_url="/account")
    assert response.location == "/account"


def test_login_is_throttled_per_account_and_address(app, client, worker):
    app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"] = "3 per 10 minutes"
    for _ in range(3):
        assert login(client, worker, "wrong-passphrase").status_code == 401
    # Even the right passphrase waits now, from this address; others: tests/auth/test_throttle.
    response = login(client, worker)
    assert response.status_code == 429
    assert "Please wait" in response.text


def test_successful_logins_do_not_use_up_the_allowance(app, client, worker):
    app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"] = "2 per 10 minutes"
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 10 minutes"
    for _ in range(4):
        assert login(app.test_client(), worker).status_code == 302


def test_login_is_throttled_per_address(app, client, worker, participant):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 10 minutes"
    for name in ("ann", "bob", "cat"):
        assert post_form(client, "/login", {"username": name, "password": "nope-nope-nope"}
                         ).status_code == 401
    assert login(client, participant).status_code == 429


def test_login_throttle_is_shared_through_redis(database_uri, tmp_path, app, site, redis_url):
    """Two app processes (gunicorn workers) count the same failures when Redis is set."""
    # A name of its own: the Redis keys outlive the test run by the limit's window.
    account = make_account(app, f"redis-{uuid.uuid4().hex[:12]}", "worker", site)
    try:
        with more_apps(database_uri, tmp_path, 2, RATELIMIT_STORAGE_URI=redis_url,
                       LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="2 per 10 minutes",
                       LOGIN_LIMIT_PER_ADDRESS="1000 per minute") as (first, second):
            assert login(first.test_client(), account, "wrong-passphrase").status_code == 401
            assert login(second.test_client(), account, "wrong-passphrase").status_code == 401
            assert login(first.test_client(), account).status_code == 429
            assert login(second.test_client(), account).status_code == 429
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*{account.username}*"):
            client.delete(key)


def test_behind_one_proxy_throttling_counts_the_visitors_address(app, database_uri, tmp_path,
                                                                 worker):
    with more_apps(database_uri, tmp_path, PROXY_COUNT=1,
                   LOGIN_LIMIT_PER_ADDRESS="2 per 10 minutes") as (proxied,):
        for visitor in ("203.0.113.1", "203.0.113.1"):
            client = proxied.test_client()
            html = client.get("/login").text
            response = client.post("/login", headers={"X-Forwarded-For": visitor},
                                   data={"csrf_token": csrf_from(html), "username": "nobody",
                                         "password": "wrong-passphrase"})
            assert response.status_code == 401
        client = proxied.test_client()
        html = client.get("/login").text
        # Another visitor behind the same proxy is not locked out by the first one.
        response = client.post("/login", headers={"X-Forwarded-For": "203.0.113.2"},
                               data={"csrf_token": csrf_from(html), "username": "worker",
                                     "password": worker.password})
        assert response.status_code == 302
