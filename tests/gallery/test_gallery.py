"""The public gallery shows only approved photos with gallery consent in force, credited by
the chosen name; a withdrawal, an expiry or a report takes a photo out at once."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.app import more_apps
from tests.fixtures.pages import csrf_from, fetch, login
from tests.fixtures.photos import gallery_ids, photo, publish, withdraw
from tests.fixtures.queries import sql_statements
from workshop.auth.models import User
from workshop.db import utcnow
from workshop.extensions import db
from workshop.gallery import services as gallery
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services
from workshop.photos.models import Photo, PhotoState
from workshop.photos.storage import storage


def test_an_approved_photo_with_gallery_consent_is_public(app, client, participant, worker):
    shown = publish(app, participant, worker, caption="The lock gates")
    page = client.get("/gallery").get_data(as_text=True)
    assert f"/gallery/{shown.uuid}" in page and "Sky" in page
    assert participant.username not in page.replace("Sky", "")
    detail = client.get(f"/gallery/{shown.uuid}").get_data(as_text=True)
    assert "The lock gates" in detail and "Report this photo" in detail
    large = fetch(client, f"/gallery/{shown.uuid}/large.jpg")
    assert large.status_code == 200 and large.mimetype == "image/jpeg"
    assert large.headers["Cache-Control"] == "public, no-cache"
    # The private routes still need a login, public or not.
    assert fetch(client, f"/photos/{shown.id}/original").status_code == 302
    body = client.get("/api/v1/gallery").json
    assert body["next"] is None
    assert body["items"] == [{
        "id": shown.uuid, "caption": "The lock gates", "credit": "Sky", "theme": None,
        "page_url": f"/gallery/{shown.uuid}",
        "thumb_url": f"/gallery/{shown.uuid}/thumb.jpg",
        "large_url": f"/gallery/{shown.uuid}/large.jpg"}]


def test_caches_must_ask_again_so_a_withdrawal_reaches_them_at_once(
        app, client, participant, worker):
    shown = publish(app, participant, worker)
    urls = [f"/gallery/{shown.uuid}/{kind}.jpg" for kind in ("large", "thumb")]
    kept = {}
    for url in urls:
        first = fetch(client, url)
        assert first.status_code == 200 and first.headers["ETag"]
        # Revalidated before every use: no max-age to serve it blind, nothing immutable.
        assert first.headers["Cache-Control"] == "public, no-cache"
        kept[url] = first.headers["ETag"]
        again = fetch(client, url, headers={"If-None-Match": kept[url]})
        assert again.status_code == 304 and not again.get_data()
    for url in ("/gallery", f"/gallery/{shown.uuid}", "/api/v1/gallery"):
        assert "no-cache" in client.get(url).headers["Cache-Control"], url

    withdraw(app, participant, shown.id, ("gallery",))

    # A cache asking with the copy it kept is told the photo is gone.
    for url in urls:
        assert fetch(client, url, headers={"If-None-Match": kept[url]}).status_code == 404


def test_only_approved_consented_unreported_photos_are_shown(app, client, participant,
                                                            worker):
    anonymous = publish(app, participant, worker, seed=1, credit="anonymous")
    flickr_only = publish(app, participant, worker, seed=2, purposes=("flickr",))
    with app.app_context():
        owner = user(participant)
        waiting = services.upload(owner, services.upload_target(owner),
                                  io.BytesIO(photo((320, 240), seed=3)))
        consenting.give_consent(owner, waiting, ["gallery"])
        moderating.submit(owner, waiting, "", "anonymous")
        db.session.commit()
        waiting_uuid = waiting.uuid
    assert gallery_ids(client) == [anonymous.uuid]
    assert client.get("/api/v1/gallery").json["items"][0]["credit"] == "Anonymous"
    for hidden in (flickr_only.uuid, waiting_uuid):
        assert client.get(f"/gallery/{hidden}").status_code == 404
        assert fetch(client, f"/gallery/{hidden}/thumb.jpg").status_code == 404


@pytest.mark.usefixtures("each_storage")
def test_withdrawing_takes_it_out_at_once_and_deletes_the_public_copies(
        app, client, participant, worker):
    shown = publish(app, participant, worker)
    with app.app_context():
        copies = [storage().public_path(shown.uuid, kind) for kind in ("large", "thumb")]
        assert all(stored.exists() for stored in copies)
    seen = fetch(client, f"/gallery/{shown.uuid}/large.jpg")
    assert seen.status_code == 200 and seen.data[:2] == b"\xff\xd8"
    assert fetch(client, f"/gallery/{shown.uuid}/large.jpg",
                 headers={"If-None-Match": seen.headers["ETag"]}).status_code == 304
    withdraw(app, participant, shown.id, ("gallery",))
    assert gallery_ids(client) == []
    assert client.get(f"/gallery/{shown.uuid}").status_code == 404
    assert fetch(client, f"/gallery/{shown.uuid}/large.jpg").status_code == 404
    with app.app_context():
        assert not any(stored.exists() for stored in copies)
    with app.app_context():
        assert db.session.get(Photo, shown.id).state is PhotoState.WITHDRAWN


def test_an_expired_consent_hides_the_photo_before_the_daily_job(app, client, runner,
                                                                participant, worker):
    app.config["CONSENT_DAYS"] = 1
    old = publish(app, participant, worker, now=utcnow() - timedelta(days=2))
    assert gallery_ids(client) == []
    assert client.get(f"/gallery/{old.uuid}").status_code == 404
    with app.app_context():
        assert storage().public_path(old.uuid, "thumb").exists()
    assert runner.invoke(args=["consent", "expire"]).exit_code == 0
    with app.app_context():
        assert not storage().public_path(old.uuid, "thumb").exists()


def test_a_report_hides_it_until_a_worker_decides(app, client, participant, worker):
    shown = publish(app, participant, worker)
    page = client.get(f"/gallery/{shown.uuid}/report").get_data(as_text=True)
    response = client.post(f"/gallery/{shown.uuid}/report",
                           data={"csrf_token": csrf_from(page), "reason": "My neighbour"})
    assert response.status_code == 302
    assert gallery_ids(client) == []
    with app.app_context():
        found = db.session.get(Photo, shown.id)
        assert found.report_reason == "My neighbour"
        queue = db.session.scalars(moderating.reported_photos(user(worker))).all()
        assert queue == [found]
        moderating.review_report(user(worker), found, keep=True)
        db.session.commit()
    assert gallery_ids(client) == [shown.uuid]
    with app.app_context():
        found = db.session.get(Photo, shown.id)
        moderating.report(found, "")
        moderating.review_report(user(worker), found, keep=False)
        db.session.commit()
        assert found.state is PhotoState.REJECTED and "concern" in found.rejection_reason
    assert gallery_ids(client) == []


def test_pages_by_key_with_theme_and_month_filters(app, client, participant, worker):
    second = make_account(app, "worker3", "worker", worker.site_id)
    start = utcnow() - timedelta(days=40)
    made = [publish(app, participant, second if n % 2 else worker, seed=n,
                    theme="light" if n % 3 == 0 else "distance",
                    now=start + timedelta(days=n)) for n in range(30)]
    newest_first = [p.uuid for p in reversed(made)]
    first = client.get("/api/v1/gallery").json
    assert [i["id"] for i in first["items"]] == newest_first[:24]
    rest = client.get("/api/v1/gallery", query_string={"cursor": first["next"]}).json
    assert [i["id"] for i in rest["items"]] == newest_first[24:] and rest["next"] is None
    light = gallery_ids(client, theme="light", limit=100)
    assert light == [p.uuid for p in reversed(made) if p.theme.value == "light"]
    month = made[0].published_at.strftime("%Y-%m")
    in_month = gallery_ids(client, month=month, limit=100)
    assert in_month == [p.uuid for p in reversed(made)
                        if p.published_at.strftime("%Y-%m") == month]
    html = client.get("/gallery").get_data(as_text=True)
    assert 'rel="next"' in html
    assert client.get("/api/v1/gallery", query_string={"cursor": "bad"}).status_code == 422
    assert client.get("/gallery?after=bad").status_code == 422
    assert client.get("/gallery?month=2026-13").status_code == 422


@pytest.mark.parametrize("count", [3, 12])
def test_a_gallery_page_costs_the_same_queries_however_many_photos(app, client, participant,
                                                                  worker, count):
    for n in range(count):
        publish(app, participant, worker, seed=n)
    with app.app_context(), sql_statements() as statements:
        assert client.get("/gallery").status_code == 200
        html_queries = len(statements)
        statements.clear()
        assert client.get("/gallery").status_code == 200
        kept_queries = len(statements)
        statements.clear()
        assert len(client.get("/api/v1/gallery").json["items"]) == count
        api_queries = len(statements)
    # The same few queries whatever is on the page: the gallery's version, the photos,
    # their faces (loaded with any list of photos, one query for all) and the earliest end
    # of their consents. Served again: only the version.
    assert (html_queries, kept_queries, api_queries) == (4, 1, 2), statements


def test_gallery_needs_no_login_and_shows_no_site_or_username(app, client, participant,
                                                              worker):
    publish(app, participant, worker, credit="anonymous")
    html = client.get("/gallery").get_data(as_text=True)
    assert "North Hub" not in html and participant.username not in html
    with app.app_context():
        assert db.session.scalar(select(Photo.credit_name)) is None


def test_portfolio_lists_only_named_public_photos_and_can_be_turned_off(
        app, client, participant, worker):
    named = publish(app, participant, worker, seed=1, caption="Named")
    publish(app, participant, worker, seed=2, credit="anonymous", caption="Secret")
    owner = app.test_client()
    login(owner, participant)
    page = owner.get("/photos").get_data(as_text=True)
    response = owner.post("/gallery/portfolio", data={"csrf_token": csrf_from(page),
                                                      "portfolio": "on"})
    assert response.status_code == 302
    with app.app_context():
        slug = db.session.get(User, participant.id).portfolio_slug
    assert slug and participant.username not in slug
    portfolio = client.get(f"/gallery/people/{slug}").get_data(as_text=True)
    assert "Photos by Sky" in portfolio and "Named" in portfolio and "Secret" not in portfolio
    detail = client.get(f"/gallery/{named.uuid}").get_data(as_text=True)
    assert f'href="/gallery/people/{slug}"' in detail
    page = owner.get("/photos").get_data(as_text=True)
    owner.post("/gallery/portfolio", data={"csrf_token": csrf_from(page), "portfolio": "off"})
    assert client.get(f"/gallery/people/{slug}").status_code == 404


def test_the_site_name_shows_only_when_an_admin_turns_it_on(app, client, participant,
                                                            worker, admin):
    shown = publish(app, participant, worker)
    assert "North Hub" not in client.get(f"/gallery/{shown.uuid}").get_data(as_text=True)
    boss = app.test_client()
    login(boss, admin)
    page = boss.get("/sites").get_data(as_text=True)
    boss.post(f"/gallery/sites/{participant.site_id}/name",
              data={"csrf_token": csrf_from(page), "shown": "1"})
    assert "North Hub" in client.get(f"/gallery/{shown.uuid}").get_data(as_text=True)
    helper = app.test_client()
    login(helper, worker)
    page = helper.get("/photos").get_data(as_text=True)
    refused = helper.post(f"/gallery/sites/{participant.site_id}/name",
                          data={"csrf_token": csrf_from(page), "shown": "0"})
    assert refused.status_code == 404


# --- pages kept for visitors --------------------------------------------------------------


def test_a_kept_page_changes_with_the_next_change(app, client, database_uri, tmp_path,
                                                  participant, worker):
    shown = publish(app, participant, worker, seed=1, caption="The first")
    first = client.get("/gallery").get_data()
    assert client.get("/gallery").get_data() == first
    # Another process (its own kept pages) publishes a photo: this one knows at once.
    with more_apps(database_uri, tmp_path) as (other,):
        second = publish(other, participant, worker, seed=2, caption="The second")
    html = client.get("/gallery").get_data(as_text=True)
    assert shown.uuid in html and second.uuid in html
    # A withdrawal, then a participant's portfolio and a site's name on the photo's page.
    assert "The first" in client.get(f"/gallery/{shown.uuid}").get_data(as_text=True)
    withdraw(app, participant, shown.id, ("gallery",))
    assert shown.uuid not in client.get("/gallery").get_data(as_text=True)
    assert client.get(f"/gallery/{shown.uuid}").status_code == 404
    assert "/gallery/people/" not in client.get(f"/gallery/{second.uuid}").get_data(
        as_text=True)
    with app.app_context():
        gallery.set_portfolio(user(participant), True)
        db.session.commit()
    assert "/gallery/people/" in client.get(f"/gallery/{second.uuid}").get_data(as_text=True)


def test_a_kept_page_ends_when_a_consent_runs_out(app, client, participant, worker):
    import time

    shown = publish(app, participant, worker)
    with app.app_context():
        (consent,) = db.session.get(Photo, shown.id).consents
        # Ends in a moment, with no change to the database when it does.
        consent.expires_at = utcnow() + timedelta(seconds=1.5)
        db.session.commit()
    assert shown.uuid in client.get("/gallery").get_data(as_text=True)
    assert shown.uuid in client.get("/gallery").get_data(as_text=True)
    time.sleep(1.6)
    assert shown.uuid not in client.get("/gallery").get_data(as_text=True)


def test_signed_in_people_and_messages_are_never_kept(app, client, participant, worker):
    publish(app, participant, worker)
    anonymous = client.get("/gallery").get_data(as_text=True)
    assert "Log out" not in anonymous
    login(client, participant)
    mine = client.get("/gallery").get_data(as_text=True)
    assert "Log out" in mine
    # And a visitor after them still gets the page for visitors.
    assert "Log out" not in app.test_client().get("/gallery").get_data(as_text=True)


def _reported(found, now):
    found.reported_at = now


def _unpublished(found, now):
    found.published_at = None


def _sent_back(found, now):
    found.state = PhotoState.REJECTED


def _consent_lapsed(found, now):
    for consent in found.consents:
        consent.given_at, consent.expires_at = now - timedelta(days=2), now - timedelta(days=1)


@pytest.mark.parametrize("change, public", [
    (None, True), (_reported, False), (_unpublished, False), (_sent_back, False),
    (_consent_lapsed, False)])
def test_public_means_the_same_on_a_photo_and_in_a_query(app, participant, worker, change,
                                                        public):
    """Photo.is_public is the one definition: the photo page's check and the gallery's
    query agree, each condition included (published_at too)."""
    shown = publish(app, participant, worker)
    with app.app_context():
        found, now = db.session.get(Photo, shown.id), utcnow()
        if change is not None:
            change(found, now)
        db.session.flush()
        assert found.is_public(now) is public
        assert (db.session.scalar(select(Photo.id).where(Photo.is_public(now)))
                == (shown.id if public else None))
        assert (db.session.scalar(gallery.public_photos(now)) is not None) is public
