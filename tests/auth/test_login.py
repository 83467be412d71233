"""Logging in and out, sessions, idle time-out, passphrase changes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.pages import login, post_form
from workshop.auth.models import LoginSession, User
from workshop.extensions import db

WRONG = "That username and passphrase do not match"


def test_worker_logs_in_and_sees_dashboard(client, worker):
    response = login(client, worker)
    assert response.status_code == 302
    assert response.location == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Hello, Worker" in page.text


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


@pytest.mark.parametrize("username, password", [
    ("worker", "not-the-passphrase"),
    ("nobody-here", "worker-passphrase-1"),
])
def test_wrong_username_and_wrong_passphrase_look_the_same(client, worker, username, password):
    html = client.get("/login").text
    from tests.fixtures.pages import csrf_from

    response = client.post("/login", data={"csrf_token": csrf_from(html),
                                           "username": username, "password": password})
    assert response.status_code == 401
    assert WRONG in response.text
    assert client.get("/dashboard").status_code == 302


def test_username_is_not_case_sensitive(client, worker):
    response = post_form(client, "/login", {"username": " WORKER ",
                                            "password": worker.password})
    assert response.status_code == 302


def test_deactivated_person_cannot_log_in(app, client, worker):
    with app.app_context():
        db.session.get(User, worker.id).active = False
        db.session.commit()
    assert login(client, worker).status_code == 401


def test_logout_is_a_post_and_the_old_cookie_stops_working(app, client, worker):
    login(client, worker)
    captured = client.get_cookie("workshop_session").value
    assert client.get("/logout").status_code == 405  # no state change on GET
    response = post_form(client, "/logout", {}, page="/dashboard")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302

    # Replaying the cookie captured before logout gets nowhere.
    thief = app.test_client()
    thief.set_cookie("workshop_session", captured)
    assert thief.get("/dashboard").status_code == 302


def test_login_starts_a_new_session(app, client, worker):
    client.get("/login")
    before = client.get_cookie("workshop_session")
    login(client, worker)
    after = client.get_cookie("workshop_session")
    assert before is None or before.value != after.value
    with app.app_context():
        sessions = db.session.scalars(select(LoginSession)).all()
        assert len(sessions) == 1 and sessions[0].user_id == worker.id


def test_passphrase_change_ends_every_other_login(app, client, worker):
    login(client, worker)
    other_browser = app.test_client()
    login(other_browser, worker)
    captured = client.get_cookie("workshop_session").value

    response = post_form(client, "/account/passphrase",
                         {"current": worker.password, "new": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this browser carries on
    assert other_browser.get("/dashboard").status_code == 302
    replay = app.test_client()
    replay.set_cookie("workshop_session", captured)
    assert replay.get("/dashboard").status_code == 302

    fresh = app.test_client()
    assert login(fresh, worker).status_code == 401
    assert login(fresh, worker, "a-brand-new-passphrase").status_code == 302


def test_passphrase_change_needs_the_current_one(client, worker):
    login(client, worker)
    response = post_form(client, "/account/passphrase",
                         {"current": "wrong-one-here", "new": "a-brand-new-passphrase"})
    assert response.status_code == 422
    assert "not your current passphrase" in response.text


def test_passphrase_change_refuses_a_short_one(client, worker):
    login(client, worker)
    response = post_form(client, "/account/passphrase",
                         {"current": worker.password, "new": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in response.text


def _age_sessions(app, by: timedelta):
    with app.app_context():
        for login_session in db.session.scalars(select(LoginSession)):
            login_session.last_seen_at -= by
        db.session.commit()


def test_participant_is_logged_out_after_30_idle_minutes(app, client, participant):
    login(client, participant)
    _age_sessions(app, timedelta(minutes=29))
    assert client.get("/dashboard").status_code == 200
    _age_sessions(app, timedelta(minutes=31))
    assert client.get("/dashboard").status_code == 302


def test_worker_is_not_logged_out_after_30_idle_minutes(app, client, worker):
    login(client, worker)
    _age_sessions(app, timedelta(minutes=31))
    assert client.get("/dashboard").status_code == 200


def test_deactivating_ends_sessions_at_once(app, client, worker, participant):
    participant_browser = app.test_client()
    login(participant_browser, participant)
    assert participant_browser.get("/dashboard").status_code == 200

    login(client, worker)
    response = post_form(client, f"/people/{participant.id}/active", {"active": "0"},
                         page=f"/people/{participant.id}")
    assert response.status_code == 302
    assert participant_browser.get("/dashboard").status_code == 302
    with app.app_context():
        assert db.session.get(User, participant.id).active is False
