"""Friendly error pages in the site's layout, and problem+json under /api."""

from tests.fixtures.pages import login, post_form


def test_500_page_is_friendly_and_rolls_back(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", "broken", broken)
    app.add_url_rule("/api/v1/broken", "api_broken", broken)
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.text
    assert "boom" not in response.text
    assert 'href="/static/css/app.css"' in response.text  # the site's own layout
    api = client.get("/api/v1/broken")
    assert api.status_code == 500 and api.mimetype == "application/problem+json"
    assert "boom" not in api.text


def test_413_page(app, client, worker):
    login(client, worker)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = post_form(client, "/account", {"display_name": "x" * 5000})
    assert response.status_code == 413
    assert "That is too big" in response.text


def test_429_page(app, client, worker):
    app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"] = "1 per 10 minutes"
    login(client, worker, "wrong-passphrase")
    response = login(client, worker, "wrong-passphrase")
    assert response.status_code == 429
    assert "Please wait a moment" in response.text
    assert "Too many tries" in response.text


def test_403_page(app, client, worker, site):
    from tests.fixtures.accounts import make_account

    colleague = make_account(app, "colleague", "worker", site)
    login(client, worker)
    response = post_form(client, f"/people/{colleague.id}/active", {"active": "0"},
                         page="/people")
    assert response.status_code == 403
    assert "You cannot do that" in response.text
    assert "only manage participants of your own site" in response.text


def test_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "That did not work" in response.text


def test_nul_in_a_form_is_a_clear_400(client, worker):
    response = post_form(client, "/login", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.text


def test_health_check_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"
