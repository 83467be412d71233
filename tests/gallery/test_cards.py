"""Visitors land in the gallery; its cards carry their captions; everyone can reach it."""

import re

from tests.fixtures.pages import login
from tests.fixtures.photos import publish


def card_of(html: str, uuid: str) -> str:
    return re.search(rf'<a href="/gallery/{uuid}">(.*?)</a>', html, re.S)[1]


def test_the_home_page_sends_visitors_to_the_gallery_and_people_home(client, participant):
    visitor = client.get("/")
    assert visitor.status_code == 302 and visitor.headers["Location"] == "/gallery"
    gallery = client.get("/gallery").get_data(as_text=True)
    assert '<a class="header-login" href="/login">Log in</a>' in gallery
    assert "header-login" not in client.get("/login").get_data(as_text=True)
    login(client, participant)
    assert client.get("/").headers["Location"] == "/dashboard"


def test_a_card_shows_its_caption_once_to_a_screen_reader(app, client, participant, worker):
    titled = publish(app, participant, worker, seed=1, caption="The lock gates")
    html = client.get("/gallery").get_data(as_text=True)
    card = card_of(html, titled.uuid)
    assert '<span class="photo-caption">The lock gates</span>' in card
    assert 'alt=""' in card  # the caption beside it says it
    assert card.count("The lock gates") == 1


def test_signed_in_people_have_the_gallery_in_their_menu(client, participant):
    login(client, participant)
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/gallery">Gallery</a>' in html
    gallery = client.get("/gallery").get_data(as_text=True)
    assert '<a href="/gallery" aria-current="page">Gallery</a>' in gallery
    assert "API tokens" not in html and "My consents" not in html
    assert "Where my photos may go" in html
