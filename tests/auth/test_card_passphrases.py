"""A passphrase printed on a card is accepted however it is typed (spaces, capitals);
every other passphrase is still compared character for character."""

import pytest
from argon2 import PasswordHasher

from tests.fixtures.accounts import make_account
from tests.fixtures.pages import login
from workshop.auth.models import User
from workshop.auth.passphrases import (
    card_form,
    generate_passphrase,
    hash_passphrase,
    verify_passphrase,
)
from workshop.extensions import db


@pytest.mark.parametrize("typed", [
    "apple-river-sun-12", "Apple river sun 12", "APPLE RIVER SUN 12", " apple  river-sun 12 ",
    "Apple-River-Sun-12",
])
def test_a_card_passphrase_has_one_card_form_however_typed(typed):
    assert card_form(typed) == "apple-river-sun-12"


@pytest.mark.parametrize("typed", [
    "demo-worker-pass",          # not three card words and a number
    "apple river sun",           # no number
    "apple river sun 12 13",     # one part too many
    "apple river sun 09",        # the cards' numbers run from 10 to 99
    "apple river sun 100",
    "apple river lorry 12",      # "lorry" is not a card word
    "apple_river_sun_12",        # only spaces and dashes are read as gaps
    "applerriversun12",
])
def test_anything_else_has_no_card_form(typed):
    assert card_form(typed) is None


def test_every_generated_passphrase_is_in_its_card_form():
    for _ in range(200):
        made = generate_passphrase()
        assert card_form(made) == made


def test_a_card_passphrase_is_stored_in_its_card_form():
    stored = hash_passphrase("Apple River Sun 12")
    assert verify_passphrase(stored, "apple-river-sun-12")
    assert verify_passphrase(stored, "apple river SUN 12")
    assert not verify_passphrase(stored, "apple river sun 13")


def test_other_passphrases_still_match_exactly():
    stored = hash_passphrase("My Own Long Passphrase")
    assert verify_passphrase(stored, "My Own Long Passphrase")
    assert not verify_passphrase(stored, "my own long passphrase")
    assert not verify_passphrase(stored, "My-Own-Long-Passphrase")


def test_a_hash_made_before_card_forms_were_kept_still_opens():
    # Someone set "Apple-River-Sun-12" themselves, hashed as typed, before this change.
    stored = PasswordHasher().hash("Apple-River-Sun-12")
    assert verify_passphrase(stored, "Apple-River-Sun-12")
    assert verify_passphrase(stored, "apple-river-sun-12") is False


def test_a_participant_logs_in_with_the_card_typed_with_spaces_and_capitals(
        app, client, site):
    sky = make_account(app, "sky", "participant", site, password="apple-river-sun-12")
    response = login(client, sky, password="Apple river sun 12")
    assert response.status_code == 302 and response.location == "/dashboard"


def test_a_near_miss_on_a_card_passphrase_still_fails(app, client, site):
    sky = make_account(app, "sky", "participant", site, password="apple-river-sun-12")
    response = login(client, sky, password="Apple river sun 21")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)


def test_an_own_passphrase_is_not_loosened(app, client, site):
    sky = make_account(app, "sky", "participant", site, password="Quiet Harbour Morning")
    assert login(client, sky, password="quiet harbour morning").status_code == 401
    assert login(client, sky, password="Quiet Harbour Morning").status_code == 302


def test_a_card_passphrase_typed_in_with_capitals_is_stored_in_card_form(app, client, site):
    sky = make_account(app, "sky", "participant", site, password="Gold Boat Moon 34")
    with app.app_context():
        stored = db.session.get(User, sky.id).password_hash
    assert verify_passphrase(stored, "gold-boat-moon-34")
    assert login(client, sky, password="gold-boat-moon-34").status_code == 302


def test_the_login_page_marks_the_passphrase_for_its_show_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert "data-show-passphrase" in page and "js/show-passphrase.js" in page
