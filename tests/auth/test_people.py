"""People and sites pages: who may see and change whom."""

from sqlalchemy import func, select

from tests.fixtures.pages import login, post_form
from workshop.audit.models import AuditEvent
from workshop.auth.models import Role, Site, User
from workshop.extensions import db


def test_worker_creates_a_participant_without_email_or_real_name(app, client, worker, site):
    login(client, worker)
    page = client.get("/people/new")
    assert page.status_code == 200
    assert "e-mail" in page.text  # the page says none is needed
    response = post_form(client, "/people/new", {
        "display_name": "Sunny", "username": "sunny", "role": "participant",
        "site_id": str(site), "password": "kite-moon-river-42"}, follow_redirects=True)
    assert response.status_code == 200
    assert "kite-moon-river-42" in response.text  # shown once, on the card
    assert "sunny" in response.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "sunny"))
        assert user.role is Role.PARTICIPANT and user.site_id == site
        assert "kite-moon-river-42" not in user.password_hash
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "user.created", AuditEvent.target_id == user.id))
        assert event.actor_id == worker.id


def test_new_person_page_suggests_a_passphrase(client, worker):
    login(client, worker)
    page = client.get("/people/new").text
    assert 'name="password"' in page
    first = page.split('name="password"')[1].split('value="')[1].split('"')[0]
    assert len(first) >= 10


def test_worker_cannot_create_a_worker(app, client, worker, site):
    login(client, worker)
    response = post_form(client, "/people/new", {
        "display_name": "Boss", "username": "boss", "role": "admin",
        "site_id": str(site), "password": "kite-moon-river-42"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "boss")) is None


def test_worker_cannot_create_in_another_site(app, client, worker, other_site):
    login(client, worker)
    response = post_form(client, "/people/new", {
        "display_name": "Away", "username": "away", "role": "participant",
        "site_id": str(other_site), "password": "kite-moon-river-42"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "away")) is None


def test_duplicate_username_is_a_clear_message(app, client, worker, participant, site):
    login(client, worker)
    response = post_form(client, "/people/new", {
        "display_name": "Other Sky", "username": "SKY", "role": "participant",
        "site_id": str(site), "password": "kite-moon-river-42"})
    assert response.status_code == 422
    assert "This username is taken" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_another_sites_person_is_404(client, worker, other_participant, participant):
    login(client, worker)
    assert client.get(f"/people/{participant.id}").status_code == 200
    assert client.get(f"/people/{other_participant.id}").status_code == 404
    response = post_form(client, f"/people/{other_participant.id}/active", {"active": "0"},
                         page="/people")
    assert response.status_code == 404
    assert "robin" not in client.get("/people").text


def test_participant_cannot_reach_staff_pages(client, participant):
    login(client, participant)
    for url in ("/people", "/people/new", f"/people/{participant.id}", "/sites"):
        assert client.get(url).status_code == 404, url


def test_worker_resets_a_participants_passphrase(app, client, worker, participant):
    participant_browser = app.test_client()
    login(participant_browser, participant)
    login(client, worker)
    response = post_form(client, f"/people/{participant.id}/passphrase",
                         {"password": "new-card-passphrase"},
                         page=f"/people/{participant.id}", follow_redirects=True)
    assert response.status_code == 200
    assert "new-card-passphrase" in response.text
    assert participant_browser.get("/dashboard").status_code == 302  # logged out
    fresh = app.test_client()
    assert login(fresh, participant, "new-card-passphrase").status_code == 302


def test_worker_cannot_reset_another_workers_passphrase(app, client, worker, site):
    from tests.fixtures.accounts import make_account

    colleague = make_account(app, "colleague", "worker", site)
    login(client, worker)
    response = post_form(client, f"/people/{colleague.id}/passphrase",
                         {"password": "new-card-passphrase"}, page="/people")
    assert response.status_code == 403
    assert login(app.test_client(), colleague).status_code == 302


def test_reactivate(app, client, admin, worker):
    login(client, admin)
    post_form(client, f"/people/{worker.id}/active", {"active": "0"}, page="/people")
    assert login(app.test_client(), worker).status_code == 401
    post_form(client, f"/people/{worker.id}/active", {"active": "1"}, page="/people")
    assert login(app.test_client(), worker).status_code == 302


def test_admin_cannot_deactivate_themselves(app, client, admin):
    login(client, admin)
    response = post_form(client, f"/people/{admin.id}/active", {"active": "0"}, page="/people")
    assert response.status_code == 422
    assert client.get("/dashboard").status_code == 200


def test_admin_creates_sites_and_workers(app, client, admin):
    login(client, admin)
    response = post_form(client, "/sites", {"name": "East Hub", "slug": "east-hub"})
    assert response.status_code == 302
    with app.app_context():
        site_id = db.session.scalar(select(Site.id).where(Site.slug == "east-hub"))
    response = post_form(client, "/people/new", {
        "display_name": "Jo", "username": "jo.east", "role": "worker",
        "site_id": str(site_id), "password": "kite-moon-river-42"}, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.username == "jo.east")) \
            is Role.WORKER


def test_bad_site_slug_and_duplicate(app, client, admin, site):
    login(client, admin)
    response = post_form(client, "/sites", {"name": "Bad", "slug": "Not A Slug!"})
    assert response.status_code == 422
    assert "lower-case letters" in response.text
    response = post_form(client, "/sites", {"name": "Again", "slug": "north-hub"})
    assert response.status_code == 422
    assert "taken" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Site)) == 1


def test_worker_cannot_see_sites_page(client, worker):
    login(client, worker)
    assert client.get("/sites").status_code == 404


def test_participant_changes_display_name(app, client, participant):
    login(client, participant)
    response = post_form(client, "/account", {"display_name": "  Sky   Blue "})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, participant.id).display_name == "Sky Blue"


def test_tokens_are_made_and_revoked_on_the_account_page(app, client, worker):
    login(client, worker)
    response = post_form(client, "/account/tokens", {"token-name": "phone app"},
                         page="/account", follow_redirects=True)
    assert response.status_code == 200
    raw = response.text.split('id="token-value">')[1].split("<")[0]
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert raw not in client.get("/account").text  # shown only once

    from workshop.auth.models import ApiToken

    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    post_form(client, f"/account/tokens/{token_id}/revoke", {}, page="/account")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(app, client, worker, other_participant, admin):
    """A worker may end the tokens of their own site's participants only (test_tokens)."""
    from tests.fixtures.accounts import api_token
    from workshop.auth.models import ApiToken

    for owner in (other_participant, admin):
        headers = api_token(app, owner)
        with app.app_context():
            token_id = db.session.scalar(select(ApiToken.id).join(ApiToken.user)
                                         .where(User.id == owner.id))
        client = app.test_client()
        login(client, worker)
        for url in (f"/account/tokens/{token_id}/revoke", f"/tokens/{token_id}/revoke"):
            response = post_form(client, url, {}, page="/account")
            assert response.status_code == 404
        assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_a_name_of_only_invisible_characters_is_refused(app, client, participant):
    login(client, participant)
    response = post_form(client, "/account", {"display_name": "\u200b\u200b"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, participant.id).display_name == "Sky"


def test_a_passphrase_of_one_repeated_character_is_refused(client, worker):
    login(client, worker)
    response = post_form(client, "/account/passphrase",
                         {"current": worker.password, "new": "x" * 20})
    assert response.status_code == 422
    assert "not one character again and again" in response.text
