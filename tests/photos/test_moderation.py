"""Moderation: submit with a credit, a second person approves with the checklist or sends
it back kindly, and a withdrawal always wins over an approval made at the same moment."""

import io

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import api_token, make_account, user
from tests.fixtures.app import race
from tests.fixtures.pages import assert_problem, login, post_form
from tests.fixtures.photos import ALL_CHECKED, photo
from workshop.audit.models import AuditEvent
from workshop.errors import Conflict, Invalid
from workshop.extensions import db
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services
from workshop.photos.models import Photo, PhotoState


def _consented_photo(app, account, purposes=("gallery",), seed=0) -> int:
    with app.app_context():
        owner = user(account)
        created = services.upload(owner, services.upload_target(owner),
                                  io.BytesIO(photo(seed=seed)))
        consenting.give_consent(owner, created, list(purposes))
        db.session.commit()
        return created.id


@pytest.fixture
def second_worker(app, worker):
    return make_account(app, "worker3", "worker", worker.site_id)


def test_submit_then_approve_by_another_worker(app, participant, worker):
    photo_id = _consented_photo(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        moderating.submit(user(participant), found, "  The  canal ", "display_name")
        db.session.commit()
        assert (found.state, found.caption, found.credit_name) == (
            PhotoState.SUBMITTED, "The canal", "Sky")
        assert db.session.scalars(moderating.moderation_queue(user(worker))).all() == [found]
        moderating.approve(user(worker), found, ALL_CHECKED)
        db.session.commit()
        assert found.state is PhotoState.APPROVED and found.decided_by_id == worker.id
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["photo.submitted", "photo.approved"]


def test_submitting_needs_consent_and_a_credit(app, participant):
    with app.app_context():
        owner = user(participant)
        found = services.upload(owner, services.upload_target(owner), io.BytesIO(photo()))
        with pytest.raises(Invalid) as no_consent:
            moderating.submit(owner, found, "", "anonymous")
        assert "consent" in no_consent.value.errors
        consenting.give_consent(owner, found, ["flickr"])
        with pytest.raises(Invalid) as bad_credit:
            moderating.submit(owner, found, "", "my real name")
        assert "credit" in bad_credit.value.errors
        moderating.submit(owner, found, "", "anonymous")
        assert found.credit_name is None
        with pytest.raises(Conflict):
            moderating.submit(owner, found, "", "anonymous")


def test_the_uploader_cannot_approve_and_every_line_must_be_checked(
        app, participant, worker, second_worker):
    with app.app_context():
        uploader = user(worker)
        found = services.upload(uploader, services.upload_target(uploader, participant.id),
                                io.BytesIO(photo()))
        consenting.give_consent(user(participant), found, ["gallery"])
        moderating.submit(user(participant), found, "", "anonymous")
        with pytest.raises(Conflict, match="Another worker"):
            moderating.approve(uploader, found, ALL_CHECKED)
        with pytest.raises(Invalid) as missing:
            moderating.approve(user(second_worker), found,
                               {**ALL_CHECKED, "no_drug_references": False})
        assert list(missing.value.errors) == ["no_drug_references"]
        moderating.approve(user(second_worker), found, ALL_CHECKED)
        assert found.state is PhotoState.APPROVED


def test_rejected_with_a_kind_reason_and_sent_again(app, client, participant, worker):
    photo_id = _consented_photo(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        moderating.submit(user(participant), found, "", "anonymous")
        with pytest.raises(Invalid):
            moderating.reject(user(worker), found, "   ")
        moderating.reject(user(worker), found, "Lovely light, but a face in the back can be "
                                             "recognised. Try one without people?")
        db.session.commit()
    login(client, participant)
    page = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "Not shared this time." in page and "a face in the back" in page
    again = post_form(client, f"/photos/{photo_id}/submit",
                      {"caption": "The bridge", "credit": "display_name"},
                      page=f"/photos/{photo_id}")
    assert again.status_code == 302
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        assert found.state is PhotoState.SUBMITTED and found.rejection_reason is None


def test_withdrawing_the_last_consent_takes_an_approved_photo_back(app, participant, worker):
    photo_id = _consented_photo(app, participant, purposes=("gallery", "flickr"))
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        moderating.submit(user(participant), found, "", "anonymous")
        moderating.approve(user(worker), found, ALL_CHECKED)
        consenting.withdraw_consent(user(participant), found, ["flickr"])
        assert found.state is PhotoState.APPROVED
        consenting.withdraw_consent(user(participant), found, ["gallery"])
        assert found.state is PhotoState.WITHDRAWN
        with pytest.raises(Conflict):
            moderating.approve(user(worker), found, ALL_CHECKED)


def test_an_approval_and_a_withdrawal_at_once_end_withdrawn(database_uri, tmp_path, app,
                                                           participant, worker):
    for round_ in range(3):
        photo_id = _consented_photo(app, participant, seed=round_)
        with app.app_context():
            moderating.submit(user(participant), db.session.get(Photo, photo_id), "",
                              "anonymous")
            db.session.commit()

        def act(who, photo_id=photo_id):
            found = db.session.get(Photo, photo_id)
            if who == "worker":
                moderating.approve(user(worker), found, ALL_CHECKED)
            else:
                consenting.withdraw_consent(user(participant), found, ["gallery"])

        outcomes = race(database_uri, tmp_path, ["worker", "participant"], act)
        assert all(o in ("won", "conflict") for o in outcomes), outcomes
        with app.app_context():
            found = db.session.get(Photo, photo_id)
            assert found.state is PhotoState.WITHDRAWN, outcomes
            assert consenting.consents_in_force(found) == {}


def test_moderation_on_the_pages(app, client, participant, worker):
    photo_id = _consented_photo(app, participant)
    login(client, participant)
    page = f"/photos/{photo_id}"
    assert post_form(client, f"{page}/submit", {"caption": "Ducks", "credit": "anonymous"},
                     page=page).status_code == 302
    staff = app.test_client()
    login(staff, worker)
    queue = staff.get("/photos/moderation").get_data(as_text=True)
    assert f'href="/photos/{photo_id}#share"' in queue and "Ducks" in queue
    some = {key: "y" for key in list(moderating.CHECKLIST)[:2]}
    refused = post_form(staff, f"{page}/approve", some, page=page)
    assert refused.status_code == 422
    assert "Confirm this, or reject the photo." in refused.get_data(as_text=True)
    approved = post_form(staff, f"{page}/approve", dict.fromkeys(moderating.CHECKLIST, "y"),
                         page=page)
    assert approved.status_code == 302
    assert "Approved on" in client.get(page).get_data(as_text=True)
    assert "Nothing waiting" in staff.get("/photos/moderation").get_data(as_text=True)
    assert client.get("/photos/moderation").status_code in (403, 404)


def test_moderation_through_the_api(app, client, participant, worker, second_worker,
                                    other_worker):
    photo_id = _consented_photo(app, participant)
    mine = api_token(app, participant)
    base = f"/api/v1/photos/{photo_id}"
    submitted = client.post(f"{base}/submit", json={"caption": "Rain", "credit":
                                                    "display_name"}, headers=mine)
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    assert submitted.json["state"] == "submitted" and submitted.json["credit_name"] == "Sky"
    assert_problem(client.post(f"{base}/approve", json={"checklist": ALL_CHECKED},
                               headers=mine), 404)
    assert_problem(client.post(f"{base}/approve", json={"checklist": ALL_CHECKED},
                               headers=api_token(app, other_worker)), 404)
    staff = api_token(app, worker)
    queue = client.get("/api/v1/moderation", headers=staff).json
    assert [p["id"] for p in queue["items"]] == [photo_id]
    assert_problem(client.get("/api/v1/moderation", headers=mine), 404)
    partial = {"checklist": {**ALL_CHECKED, "caption_is_safe": False}}
    assert_problem(client.post(f"{base}/approve", json=partial, headers=staff), 422)
    assert_problem(client.post(f"{base}/approve", json={"checklist": {}}, headers=staff), 422)
    rejected = client.post(f"{base}/reject", json={"reason": "Too dark to see, sadly."},
                           headers=api_token(app, second_worker))
    assert rejected.json["state"] == "rejected"
    assert rejected.json["rejection_reason"] == "Too dark to see, sadly."
    client.post(f"{base}/submit", json={"credit": "anonymous"}, headers=mine)
    approved = client.post(f"{base}/approve", json={"checklist": ALL_CHECKED}, headers=staff)
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    assert approved.json["credit_name"] is None
