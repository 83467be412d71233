"""API tokens end with the passphrase, expire, lapse unused, and can be ended by staff."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.fixtures.accounts import api_token
from tests.fixtures.app import make_config
from tests.fixtures.pages import login, post_form
from workshop import create_app
from workshop.auth.models import ApiToken, User
from workshop.db import utcnow
from workshop.extensions import db


def _works(client, headers) -> bool:
    status = client.get("/api/v1/me", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


def _token_id(app, account) -> int:
    with app.app_context():
        return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == account.id)
                                 .order_by(ApiToken.id.desc()))


def _age(app, account, *, made: timedelta, used: timedelta | None) -> None:
    now = utcnow()
    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.user_id == account.id).values(
            created_at=now - made, last_used_at=None if used is None else now - used))
        db.session.commit()


def test_changing_the_passphrase_ends_every_token(client, worker, app):
    headers, second = api_token(app, worker), api_token(app, worker)
    assert _works(client, headers) and _works(client, second)
    login(client, worker)
    assert "API tokens will stop working" in client.get("/account/passphrase").text
    response = post_form(client, "/account/passphrase",
                         {"current": worker.password, "new": "a-brand-new-passphrase-7"})
    assert response.status_code == 302
    assert "API tokens have stopped working" in client.get(response.location).text
    assert not _works(client, headers) and not _works(client, second)


def test_a_reset_by_a_worker_ends_the_participants_tokens(client, worker, participant, app):
    headers = api_token(app, participant)
    login(client, worker)
    assert "API tokens will stop working" in client.get(f"/people/{participant.id}").text
    response = post_form(client, f"/people/{participant.id}/passphrase",
                         {"password": "lost-card-new-pass-51"},
                         page=f"/people/{participant.id}", follow_redirects=True)
    assert response.status_code == 200
    assert not _works(client, headers)


def test_a_reset_through_the_api_ends_the_tokens_too(client, admin, worker, app):
    headers = api_token(app, worker)
    response = client.patch(f"/api/v1/users/{worker.id}", headers=api_token(app, admin),
                            json={"password": "lost-card-new-pass-52"})
    assert response.status_code == 200
    assert not _works(client, headers)


def test_tokens_expire_after_90_days_whatever_their_use(client, worker, app):
    headers = api_token(app, worker)
    _age(app, worker, made=timedelta(days=89), used=timedelta(minutes=5))
    assert _works(client, headers)
    _age(app, worker, made=timedelta(days=91), used=timedelta(minutes=5))
    assert not _works(client, headers)
    _age(app, worker, made=timedelta(days=400), used=timedelta(days=1))
    assert not _works(client, headers)
    app.config["API_TOKEN_DAYS"] = 120
    _age(app, worker, made=timedelta(days=91), used=timedelta(minutes=5))
    assert _works(client, headers)


def test_tokens_lapse_after_30_days_unused(client, worker, app):
    headers = api_token(app, worker)
    _age(app, worker, made=timedelta(days=60), used=timedelta(days=29))
    assert _works(client, headers)
    _age(app, worker, made=timedelta(days=60), used=timedelta(days=31))
    assert not _works(client, headers)
    _age(app, worker, made=timedelta(days=31), used=None)  # made and never used
    assert not _works(client, headers)
    # An ended token is no longer listed as if it worked.
    login(client, worker)
    assert "tests" not in client.get("/account").text.split("tokens-heading")[1]


def test_the_token_lifetime_comes_from_flask_api_token_days(monkeypatch, database_uri,
                                                            tmp_path):
    monkeypatch.setenv("FLASK_API_TOKEN_DAYS", "7")
    monkeypatch.setenv("FLASK_API_TOKEN_IDLE_DAYS", "3")
    config = make_config(database_uri, tmp_path)
    app = create_app(config)
    assert app.config["API_TOKEN_DAYS"] == 7 and app.config["API_TOKEN_IDLE_DAYS"] == 3
    with app.app_context():
        db.engine.dispose()


def test_an_admin_sees_every_token_and_revokes_any(client, admin, worker, participant,
                                                   other_participant, app):
    worker_headers = api_token(app, worker)
    other_headers = api_token(app, other_participant)
    login(client, admin)
    page = client.get("/tokens")
    assert page.status_code == 200
    for account in (worker, participant, other_participant):
        shown = account is not participant  # sky has no token
        assert (f"({account.username}" in page.text) is shown, account.username
    assert "last used" in page.text or "never used" in page.text
    response = post_form(client, f"/tokens/{_token_id(app, other_participant)}/revoke", {},
                         page="/tokens")
    assert response.status_code == 302 and response.location == "/tokens"
    assert not _works(client, other_headers)
    assert _works(client, worker_headers)
    assert f"({other_participant.username}" not in client.get("/tokens").text


def test_a_worker_revokes_the_tokens_of_their_sites_participants(client, worker,
                                                                 other_worker, participant,
                                                                 other_participant, app):
    headers = api_token(app, participant)
    other_headers = api_token(app, other_participant)
    colleague_headers = api_token(app, other_worker)
    login(client, worker)
    page = client.get("/tokens").text
    assert f"({participant.username}" in page
    assert f"({other_participant.username}" not in page  # another site's
    assert f"({other_worker.username}" not in page  # staff tokens are the admin's to see
    assert "Revoke" in client.get(f"/people/{participant.id}").text
    token_id = _token_id(app, participant)
    response = post_form(client, f"/tokens/{token_id}/revoke",
                         {"next": f"/people/{participant.id}"}, page=f"/people/{participant.id}")
    assert response.status_code == 302 and response.location == f"/people/{participant.id}"
    assert not _works(client, headers)
    assert _works(client, other_headers) and _works(client, colleague_headers)


def test_participants_get_no_token_section_unless_an_admin_allows_it(app, admin,
                                                                     participant):
    client = app.test_client()
    login(client, participant)
    account = client.get("/account").text
    assert "API token" not in account
    response = post_form(client, "/account/tokens", {"token-name": "my phone"},
                         page="/account", follow_redirects=True)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None

    staff = app.test_client()
    login(staff, admin)
    assert "Allow API tokens" in staff.get(f"/people/{participant.id}").text
    post_form(staff, f"/people/{participant.id}/api-tokens", {"allowed": "1"},
              page=f"/people/{participant.id}")
    assert "API tokens" in client.get("/account").text
    response = post_form(client, "/account/tokens", {"token-name": "my phone"},
                         page="/account", follow_redirects=True)
    raw = response.text.split('id="token-value">')[1].split("<")[0]
    headers = {"Authorization": f"Bearer {raw}"}
    assert _works(client, headers)

    # Taking the leave back ends the tokens made with it.
    post_form(staff, f"/people/{participant.id}/api-tokens", {"allowed": "0"},
              page=f"/people/{participant.id}")
    assert not _works(client, headers)
    assert "API token" not in client.get("/account").text
    with app.app_context():
        assert not db.session.get(User, participant.id).api_tokens_allowed


@pytest.mark.parametrize("who", ["worker", "participant"])
def test_only_an_admin_allows_tokens(request, app, who, participant):
    account = request.getfixturevalue(who)
    client = app.test_client()
    login(client, account)
    response = post_form(client, f"/people/{participant.id}/api-tokens", {"allowed": "1"},
                         page="/account")
    assert response.status_code == 404
    with app.app_context():
        assert not db.session.get(User, participant.id).api_tokens_allowed
