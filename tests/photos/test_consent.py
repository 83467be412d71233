"""Consent per photo and purpose: given, witnessed, withdrawn in one step, expiring."""

import io
from datetime import timedelta

from sqlalchemy import select

from tests.fixtures.accounts import api_token, make_account, user
from tests.fixtures.pages import assert_problem, login, post_form
from tests.fixtures.photos import photo
from workshop.audit.models import AuditEvent
from workshop.db import utcnow
from workshop.extensions import db
from workshop.photos import consent as consenting
from workshop.photos import services
from workshop.photos.models import Consent, Photo


def _photo_of(app, account, seed=0) -> int:
    with app.app_context():
        actor = user(account)
        created = services.upload(actor, services.upload_target(actor),
                                  io.BytesIO(photo(seed=seed)))
        db.session.commit()
        return created.id


def test_consent_is_per_purpose_and_records_the_wording(app, participant):
    photo_id = _photo_of(app, participant)
    with app.app_context():
        owner, found = user(participant), db.session.get(Photo, photo_id)
        consenting.give_consent(owner, found, ["gallery"])
        db.session.commit()
        in_force = consenting.consents_in_force(found)
        assert set(in_force) == {"gallery"}
        consent = in_force["gallery"]
        assert consent.wording_version == 1 and consent.witnessed_by_id is None
        assert consent.expires_at - consent.given_at == timedelta(days=730)
        # Saying yes again changes nothing; the other purpose is separate.
        consenting.give_consent(owner, found, ["gallery", "flickr"])
        db.session.commit()
        assert len(found.consents) == 2


def test_a_worker_records_consent_and_withdrawal_given_in_person(app, participant, worker):
    photo_id = _photo_of(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        consenting.give_consent(user(worker), found, ["flickr"])
        db.session.commit()
        assert consenting.consents_in_force(found)["flickr"].witnessed_by_id == worker.id
        consenting.withdraw_consent(user(worker), found, ["flickr"])
        db.session.commit()
        assert consenting.consents_in_force(found) == {}
        ended = found.consents[0]
        assert ended.end_reason.value == "withdrawn" and ended.ended_by_id == worker.id
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["photo.consent_given", "photo.consent_withdrawn"]


def test_consent_expires_when_displayed_and_through_the_daily_command(app, participant,
                                                                     runner):
    photo_id = _photo_of(app, participant)
    app.config["CONSENT_DAYS"] = 1
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        long_ago = utcnow() - timedelta(days=2)
        consenting.give_consent(user(participant), found, ["gallery"], now=long_ago)
        db.session.commit()
        assert consenting.consents_in_force(found) == {}
    result = runner.invoke(args=["consent", "expire"])
    assert result.exit_code == 0 and "1 consent expired" in result.output
    with app.app_context():
        consent = db.session.scalar(select(Consent))
        assert consent.end_reason.value == "expired"
        # A fresh yes can be given after the old one lapsed.
        consenting.give_consent(user(participant), db.session.get(Photo, photo_id), ["gallery"])
        db.session.commit()
    assert "0 consents expired" in runner.invoke(args=["consent", "expire"]).output


def test_participant_gives_and_withdraws_on_the_pages(app, client, participant):
    photo_id = _photo_of(app, participant)
    login(client, participant)
    page = f"/photos/{photo_id}"
    assert "public gallery on the internet" in client.get(page).get_data(as_text=True)
    response = post_form(client, f"/photos/{photo_id}/consent", {"purpose": "gallery"},
                         page=page)
    assert response.status_code == 302
    mine = client.get("/photos/consents").get_data(as_text=True)
    assert "yes to the public gallery" in mine and "Say no" in mine
    response = post_form(client, f"/photos/{photo_id}/withdraw",
                         {"purpose": "gallery", "back": "consents"}, page="/photos/consents")
    assert response.status_code == 302 and response.headers["Location"] == "/photos/consents"
    assert "You said no again" in client.get("/photos/consents").get_data(as_text=True)
    bad = post_form(client, f"/photos/{photo_id}/consent", {"purpose": "billboard"},
                    page=page)
    assert bad.status_code == 422
    with app.app_context():
        assert len(db.session.scalars(select(Consent)).all()) == 1


def test_nobody_else_can_consent_for_a_photo(app, client, participant, other_worker):
    photo_id = _photo_of(app, participant)
    kit = make_account(app, "kit", "participant", participant.site_id)
    for account in (kit, other_worker):
        headers = api_token(app, account)
        response = client.post(f"/api/v1/photos/{photo_id}/consent",
                               json={"purposes": ["gallery"]}, headers=headers)
        assert_problem(response, 404)
    with app.app_context():
        assert db.session.scalar(select(Consent)) is None


def test_consent_and_withdraw_through_the_api(app, client, participant):
    photo_id = _photo_of(app, participant)
    headers = api_token(app, participant)
    given = client.post(f"/api/v1/photos/{photo_id}/consent",
                        json={"purposes": ["gallery", "flickr"]}, headers=headers)
    assert given.status_code == 200, given.get_data(as_text=True)
    assert sorted(c["purpose"] for c in given.json["consents"] if c["active"]) == [
        "flickr", "gallery"]
    withdrawn = client.post(f"/api/v1/photos/{photo_id}/withdraw",
                            json={"purposes": ["flickr"]}, headers=headers)
    active = [c["purpose"] for c in withdrawn.json["consents"] if c["active"]]
    assert active == ["gallery"]
    shown = client.get(f"/api/v1/photos/{photo_id}", headers=headers).json
    assert [c["end_reason"] for c in shown["consents"]] == [None, "withdrawn"]
    for body in ({"purposes": []}, {"purposes": ["poster"]}, {}):
        assert_problem(client.post(f"/api/v1/photos/{photo_id}/consent", json=body,
                                   headers=headers), 422)
