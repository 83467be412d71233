"""A POST that makes a secret answers 303; the next page shows the secret once, and a
reload neither makes a second one nor shows it again."""

import re

from sqlalchemy import func, select

from tests.fixtures.accounts import make_account
from tests.fixtures.pages import login, post_form
from tests.fixtures.photos import photo, send_photos
from workshop.auth.models import ApiToken, User
from workshop.extensions import db
from workshop.photos.models import Photo


def count(app, column) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


def test_a_new_token_is_shown_once(app, client, worker):
    login(client, worker)
    made = post_form(client, "/account/tokens", {"token-name": "phone"}, page="/account")
    assert made.status_code == 303 and made.headers["Location"] == "/account/tokens/new"
    shown = client.get("/account/tokens/new")
    assert shown.status_code == 200
    raw = re.search(r'id="token-value">([^<]+)<', shown.text)[1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code \
        == 200

    reloaded = client.get("/account/tokens/new")
    assert reloaded.status_code == 302 and reloaded.headers["Location"] == "/account"
    account = client.get("/account").text
    assert "A token is shown only once" in account and raw not in account
    assert count(app, ApiToken.id) == 1


def test_a_new_persons_card_is_shown_once(app, client, worker, site):
    login(client, worker)
    made = post_form(client, "/people/new", {
        "display_name": "Sunny", "username": "sunny", "role": "participant",
        "site_id": str(site), "password": "kite-moon-river-42"})
    with app.app_context():
        sunny = db.session.scalar(select(User.id).where(User.username == "sunny"))
    assert made.status_code == 303 and made.headers["Location"] == f"/people/{sunny}/card"
    card = client.get(f"/people/{sunny}/card")
    assert card.status_code == 200 and "kite-moon-river-42" in card.text

    reloaded = client.get(f"/people/{sunny}/card")
    assert reloaded.status_code == 302 and reloaded.headers["Location"] == f"/people/{sunny}"
    page = client.get(f"/people/{sunny}").text
    assert "A login card is shown only once" in page and "kite-moon-river-42" not in page
    assert count(app, User.id) == 2  # the worker and Sunny, once


def test_a_reset_card_is_shown_for_that_person_only(app, client, worker, participant, site,
                                                   other_participant):
    lee = make_account(app, "lee", "participant", site)
    login(client, worker)
    made = post_form(client, f"/people/{participant.id}/passphrase",
                     {"password": "new-card-passphrase"}, page=f"/people/{participant.id}")
    assert made.status_code == 303
    assert made.headers["Location"] == f"/people/{participant.id}/card"
    # Opened for someone else, the waiting card is not shown, and is gone.
    other = client.get(f"/people/{lee.id}/card")
    assert other.status_code == 302 and other.headers["Location"] == f"/people/{lee.id}"
    assert "new-card-passphrase" not in client.get(f"/people/{participant.id}/card").text
    # Another site's person answers 404, as everywhere.
    assert client.get(f"/people/{other_participant.id}/card").status_code == 404


def test_a_new_calendar_address_is_shown_once(app, client, worker):
    login(client, worker)
    made = post_form(client, "/sessions/calendar-feed", {}, page="/sessions")
    assert made.status_code == 303
    assert made.headers["Location"] == "/sessions/calendar-feed/new"
    shown = client.get("/sessions/calendar-feed/new")
    address = re.search(r'id="feed-address">([^<]+)<', shown.text)[1]
    secret = address.rsplit("/", 1)[1]
    assert app.test_client().get(f"/calendar/{secret}").status_code == 200

    reloaded = client.get("/sessions/calendar-feed/new")
    assert reloaded.status_code == 302 and reloaded.headers["Location"] == "/sessions"
    page = client.get("/sessions").text
    assert "A calendar address is shown only once" in page and secret not in page
    # The reload made no new address: the one shown still works.
    assert app.test_client().get(f"/calendar/{secret}").status_code == 200


def test_photos_sent_without_script_are_listed_once_and_a_reload_sends_nothing(
        app, client, participant):
    login(client, participant)
    files = [(photo((800, 600), seed=n), f"p{n}.jpg") for n in range(2)]
    sent = send_photos(client, files, as_json=False)
    assert sent.status_code == 303 and sent.headers["Location"] == "/photos/upload/sent"
    page = client.get("/photos/upload/sent").get_data(as_text=True)
    assert page.count('class="upload-item done"') == 2 and "p1.jpg" in page
    reloaded = client.get("/photos/upload/sent")
    assert reloaded.status_code == 302 and reloaded.headers["Location"] == "/photos"
    assert count(app, Photo.id) == 2
