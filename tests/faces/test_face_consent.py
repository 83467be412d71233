"""What each person in a photo said: recorded with its history, required before approval,
and obeyed by every public copy (the gallery's and Flickr's)."""

import io
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from tests.faces import pictures
from tests.faces.pictures import crop, laplacian_variance
from tests.fixtures.accounts import api_token, user
from tests.fixtures.exhibitions import plan, read_pdf
from tests.fixtures.flickr import drain, flickr_settings, on_flickr
from tests.fixtures.pages import csrf_from, login
from tests.fixtures.photos import ALL_CHECKED, multipart
from workshop.audit.models import AuditEvent
from workshop.errors import Invalid, NotFound
from workshop.extensions import db
from workshop.faces import services as faces
from workshop.faces.models import DecisionEnd, Face, FaceDecision, FaceStatus
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services as photos
from workshop.photos.models import Photo, PhotoState
from workshop.photos.storage import storage


@pytest.fixture
def app_overrides(fake) -> dict:
    return flickr_settings(fake)


def friends(app, participant, purposes=("gallery",)) -> int:
    """Two friends in one photo, uploaded, consented to and sent for checking; its id."""
    with app.app_context():
        owner = user(participant)
        found = photos.upload(owner, photos.upload_target(owner),
                              io.BytesIO(pictures.jpeg(pictures.two_people())))
        consenting.give_consent(owner, found, list(purposes))
        moderating.submit(owner, found, "Friends", "anonymous")
        db.session.commit()
        assert len(found.faces) == 2
        return found.id


def face_ids(photo_id: int) -> list[int]:
    return list(db.session.scalars(select(Face.id).where(Face.photo_id == photo_id)
                                   .order_by(Face.id)))


def test_a_yes_is_recorded_and_its_withdrawal_kept_as_history(app, participant):
    photo_id = friends(app, participant)
    with app.app_context():
        owner = user(participant)
        first, _ = face_ids(photo_id)
        face = db.session.get(Face, first)
        faces.decide(owner, face, "consented", ["gallery"], " Sam ", "verbal")
        db.session.commit()
        assert (face.status, face.purposes, face.decision.name) == (
            FaceStatus.CONSENTED, ["gallery"], "Sam")
        faces.withdraw(owner, face)
        db.session.commit()
        old, new = db.session.scalars(select(FaceDecision).where(FaceDecision.face_id == first)
                                      .order_by(FaceDecision.id)).all()
        assert old.end_reason is DecisionEnd.WITHDRAWN and old.name == "Sam"
        assert new.status is FaceStatus.BLUR and new.ended_at is None
        assert face.status is FaceStatus.BLUR and face.purposes == []
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("face.%")).order_by(AuditEvent.id)).all()
        assert actions == ["face.decided", "face.consent_withdrawn"]


@pytest.mark.parametrize("status, purposes, name, how, field", [
    ("consented", ["gallery"], "", "verbal", "name"),
    ("consented", [], "Sam", "verbal", "purposes"),
    ("consented", ["billboard"], "Sam", "verbal", "purposes"),
    ("consented", ["gallery"], "Sam", "shouted", "how"),
    ("consented", ["gallery"], "x" * 101, "verbal", "name"),
    ("unreviewed", [], None, None, "status"),
    ("maybe", [], None, None, "status"),
    ("not_a_person", [], None, None, "status"),
])
def test_an_incomplete_decision_is_refused_and_nothing_kept(
        app, participant, status, purposes, name, how, field):
    photo_id = friends(app, participant)
    with app.app_context():
        face = db.session.get(Face, face_ids(photo_id)[0])
        with pytest.raises(Invalid) as refused:
            faces.decide(user(participant), face, status, purposes, name, how)
        assert field in refused.value.errors
        db.session.rollback()
        assert db.session.scalars(select(FaceDecision)).all() == []


def test_approval_waits_for_every_face_and_names_the_one_missing(app, participant, worker):
    photo_id = friends(app, participant, purposes=("gallery", "flickr"))
    with app.app_context():
        owner, moderator = user(participant), user(worker)
        found = db.session.get(Photo, photo_id)
        first, second = (db.session.get(Face, i) for i in face_ids(photo_id))
        faces.decide(owner, first, "consented", ["gallery"], "Sam", "written")
        db.session.commit()
        with pytest.raises(Invalid) as refused:
            moderating.approve(moderator, found, ALL_CHECKED)
        message = refused.value.message
        assert f"Face 1, {faces.where(first)}: no yes for Flickr" in message
        assert f"Face 2, {faces.where(second)}: no yes for Gallery or Flickr" in message
        assert "no_identifiable_people" in refused.value.errors
        db.session.rollback()
        assert found.state is PhotoState.SUBMITTED
        faces.decide(owner, first, "consented", ["gallery", "flickr"], "Sam", "written")
        faces.decide(moderator, second, "not_a_person")
        moderating.approve(moderator, found, ALL_CHECKED)
        db.session.commit()
        assert found.state is PhotoState.APPROVED


def test_the_public_copy_blurs_who_did_not_agree_and_leaves_who_did(app, participant, worker):
    photo_id = friends(app, participant)
    with app.app_context():
        owner = user(participant)
        found = db.session.get(Photo, photo_id)
        agreed, blurred = (db.session.get(Face, i) for i in face_ids(photo_id))
        faces.decide(owner, agreed, "consented", ["gallery"], "Sam", "verbal")
        faces.decide(owner, blurred, "blur")
        moderating.approve(user(worker), found, ALL_CHECKED)
        db.session.commit()
        store = storage()
        private = store.copy_path(found.content_hash, "large").read_bytes()
        public = store.public_path(found.uuid, "large").read_bytes()
        assert laplacian_variance(crop(public, blurred)) < laplacian_variance(
            crop(private, blurred)) / 10
        clear = np.asarray(crop(public, agreed), dtype=np.int16)
        as_taken = np.asarray(crop(private, agreed), dtype=np.int16)
        # Only the JPEG's second encoding touches it.
        assert np.abs(clear - as_taken).mean() < 2
        # The thumbnail, too; and the original and private copies are never changed.
        thumb = store.public_path(found.uuid, "thumb").read_bytes()
        assert laplacian_variance(crop(thumb, blurred)) < laplacian_variance(
            crop(store.copy_path(found.content_hash, "thumb").read_bytes(), blurred)) / 10
        assert store.copy_path(found.content_hash, "large").read_bytes() == private


def test_a_withdrawal_reblurs_the_gallery_at_once(app, client, participant, worker):
    photo_id = friends(app, participant)
    with app.app_context():
        owner = user(participant)
        found = db.session.get(Photo, photo_id)
        agreed, blurred = (db.session.get(Face, i) for i in face_ids(photo_id))
        faces.decide(owner, agreed, "consented", ["gallery"], "Sam", "verbal")
        faces.decide(owner, blurred, "blur")
        moderating.approve(user(worker), found, ALL_CHECKED)
        db.session.commit()
        uuid, agreed_id = found.uuid, agreed.id
    url = f"/gallery/{uuid}/large.jpg"
    with client.get(url) as before:
        assert before.status_code == 200
        seen, etag = before.data, before.headers["ETag"]
    with app.app_context():
        agreed = db.session.get(Face, agreed_id)
        variance = laplacian_variance(crop(seen, agreed))
        faces.withdraw(user(participant), agreed)
        db.session.commit()
        # A browser asking again with the old ETag gets the new copy, not a 304.
        with client.get(url, headers={"If-None-Match": etag}) as after:
            assert after.status_code == 200 and after.headers["ETag"] != etag
            assert laplacian_variance(crop(after.data, agreed)) < variance / 10


def test_flickr_gets_the_blurred_copy_and_a_new_one_after_a_withdrawal(
        app, connected, participant, worker):
    photo_id = friends(app, participant, purposes=("gallery", "flickr"))
    with app.app_context():
        owner = user(participant)
        found = db.session.get(Photo, photo_id)
        agreed, blurred = (db.session.get(Face, i) for i in face_ids(photo_id))
        # A yes for the gallery only: obscured on Flickr, clear in the gallery.
        faces.decide(owner, agreed, "consented", ["gallery", "flickr"], "Sam", "verbal")
        faces.decide(owner, blurred, "blur")
        moderating.approve(user(worker), found, ALL_CHECKED)
        db.session.commit()
        uuid = found.uuid
        private = storage().copy_path(found.content_hash, "large").read_bytes()
    drain(app)
    [sent] = on_flickr(connected, uuid)
    with app.app_context():
        agreed, blurred = (db.session.get(Face, i) for i in face_ids(photo_id))
        assert laplacian_variance(crop(sent.data, blurred)) < laplacian_variance(
            crop(private, blurred)) / 10
        assert laplacian_variance(crop(sent.data, agreed)) > laplacian_variance(
            crop(private, agreed)) / 2
        faces.withdraw(user(participant), agreed, ["flickr"])
        db.session.commit()
        assert agreed.purposes == ["gallery"]
    drain(app)
    [resent] = on_flickr(connected, uuid)
    assert resent.id != sent.id
    with app.app_context():
        agreed = db.session.get(Face, face_ids(photo_id)[0])
        assert laplacian_variance(crop(resent.data, agreed)) < laplacian_variance(
            crop(private, agreed)) / 10
        # The gallery keeps them clear: they still agree to it.
        public = storage().public_path(uuid, "large").read_bytes()
        assert laplacian_variance(crop(public, agreed)) > laplacian_variance(
            crop(private, agreed)) / 2


def test_the_pages_record_a_yes_and_take_it_back(app, participant_client, participant):
    photo_id = friends(app, participant)
    with app.app_context():
        first = face_ids(photo_id)[0]
    page = participant_client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "People in the photo" in page and "Nothing recorded yet." in page
    form = participant_client.get(f"/photos/{photo_id}/faces/{first}")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "not_a_person" not in html
    refused = participant_client.post(f"/photos/{photo_id}/faces/{first}", data={
        "csrf_token": csrf_from(html), "status": "consented", "how": "verbal",
        "purposes": ["gallery"]})
    assert refused.status_code == 422
    assert "Write their first name" in refused.get_data(as_text=True)
    saved = participant_client.post(f"/photos/{photo_id}/faces/{first}", data={
        "csrf_token": csrf_from(html), "status": "consented", "name": "Sam",
        "how": "written", "agreed_on": "2026-12-01", "purposes": ["gallery"]},
        follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Sam signed a form on 1 December 2026, for Gallery." in text
    html = participant_client.get(f"/photos/{photo_id}/faces/{first}").get_data(as_text=True)
    taken_back = participant_client.post(f"/photos/{photo_id}/faces/{first}/withdraw",
                                         data={"csrf_token": csrf_from(html)},
                                         follow_redirects=True)
    assert "is blurred in public from now on" in taken_back.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Face, first).status is FaceStatus.BLUR


def test_the_checklist_says_what_is_recorded(app, worker_client, participant):
    photo_id = friends(app, participant)
    page = worker_client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "2 found: 2 with nothing recorded yet." in page


def test_another_persons_face_answers_404(app, client, participant, other_participant,
                                          other_worker):
    photo_id = friends(app, participant)
    with app.app_context():
        first = face_ids(photo_id)[0]
        found = db.session.get(Photo, photo_id)
        with pytest.raises(NotFound):
            faces.get_face(found, first + 1000)
    for account in (other_participant, other_worker):
        headers = api_token(app, account)
        answer = client.put(f"/api/v1/photos/{photo_id}/faces/{first}", headers=headers,
                            json={"status": "blur"})
        assert answer.status_code == 404
        assert answer.content_type == "application/problem+json"


def test_the_api_records_a_decision_and_lists_it(app, client, participant, worker):
    photo_id = friends(app, participant)
    with app.app_context():
        first, second = face_ids(photo_id)
    headers = api_token(app, participant)
    url = f"/api/v1/photos/{photo_id}/faces/{first}"
    answer = client.put(url, headers=headers, json={
        "status": "consented", "purposes": ["gallery"], "name": "Sam", "how": "verbal"})
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "consented" and answer.json["purposes"] == ["gallery"]
    for bad in ({"status": "consented", "purposes": ["gallery"], "how": "verbal"},
                {"status": "consented", "purposes": ["moon"], "name": "Sam", "how": "verbal"},
                {"status": "blur", "extra": 1}, {"status": "not_a_person"}, {}, []):
        refused = client.put(f"/api/v1/photos/{photo_id}/faces/{second}", headers=headers,
                             json=bad)
        assert 400 <= refused.status_code < 500, (bad, refused.status_code)
        assert refused.content_type == "application/problem+json"
    worker_headers = api_token(app, worker)
    marked = client.put(f"/api/v1/photos/{photo_id}/faces/{second}", headers=worker_headers,
                        json={"status": "not_a_person"})
    assert marked.status_code == 200 and marked.json["purposes"] == []
    listed = client.get(f"/api/v1/photos/{photo_id}", headers=headers).json["faces"]
    assert [(f["status"], f["purposes"]) for f in listed] == [
        ("consented", ["gallery"]), ("not_a_person", [])]


def test_a_signed_form_is_kept_as_an_original_and_is_no_orphan(app, participant):
    photo_id = friends(app, participant)
    scan = pictures.jpeg(pictures.landscape())
    with app.app_context():
        owner = user(participant)
        face = db.session.get(Face, face_ids(photo_id)[0])
        for how, content, message in (("verbal", scan, "goes with"),
                                      ("written", b"just words", "JPEG or PNG")):
            with pytest.raises(Invalid) as refused:
                faces.decide(owner, face, "consented", ["gallery"], "Sam", how,
                             scan=io.BytesIO(content))
            assert message in refused.value.errors["scan"][0]
            db.session.rollback()
        decision = faces.decide(owner, face, "consented", ["gallery", "flickr"], "Sam",
                                "written", scan=io.BytesIO(scan))
        db.session.commit()
        path = storage().original_path(decision.form_hash)
        assert decision.form_type == "image/jpeg" and path.read_bytes() == scan
        # A yes that loses a purpose keeps its form.
        assert faces.withdraw(owner, face, ["flickr"]).form_hash == decision.form_hash
        db.session.commit()
        assert path not in photos.fsck(clean=True, grace=timedelta(0)).orphans
        assert path.exists()


def test_the_signed_form_is_sent_back_to_its_owner_only(app, client, participant,
                                                       other_participant):
    photo_id = friends(app, participant)
    with app.app_context():
        first = face_ids(photo_id)[0]
    login(client, participant)
    html = client.get(f"/photos/{photo_id}/faces/{first}").get_data(as_text=True)
    scan = pictures.jpeg(pictures.landscape())
    saved = client.post(f"/photos/{photo_id}/faces/{first}", **multipart(
        {"csrf_token": csrf_from(html), "status": "consented", "name": "Sam",
         "how": "written", "purposes": "gallery"}, "scan", [(scan, "form.jpg")]))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = client.get(f"/photos/{photo_id}/faces/{first}").get_data(as_text=True)
    assert "See the signed form" in page
    with client.get(f"/photos/{photo_id}/faces/{first}/form") as sent:
        assert sent.status_code == 200 and sent.data == scan
    stranger = app.test_client()
    login(stranger, other_participant)
    with stranger.get(f"/photos/{photo_id}/faces/{first}/form") as refused:
        assert refused.status_code == 404


def test_an_exhibition_obscures_who_did_not_agree_to_it_on_paper_and_at_the_event(
        app, client, participant, worker):
    # Both said yes to the gallery, only one to the exhibition.
    photo_id = friends(app, participant, purposes=("gallery", "exhibition"))
    with app.app_context():
        owner = user(participant)
        found = db.session.get(Photo, photo_id)
        agreed, gallery_only = (db.session.get(Face, i) for i in face_ids(photo_id))
        faces.decide(owner, agreed, "consented", ["gallery", "exhibition"], "Sam", "verbal")
        faces.decide(owner, gallery_only, "consented", ["gallery"], "Jo", "verbal")
        db.session.commit()
        private = storage().copy_path(found.content_hash, "large").read_bytes()
        uuid = found.uuid
    exhibition_id = plan(app, worker, [photo_id], printed=True)

    headers = api_token(app, worker)
    printed = read_pdf(client.get(f"/api/v1/exhibitions/{exhibition_id}/prints.pdf",
                                  headers=headers).get_data())
    xobject = printed.pages[0]["/Resources"]["/XObject"]
    on_paper = next(iter(xobject.values())).get_object().get_data()
    at_event = client.get(f"/exhibitions/{exhibition_id}/photos/{uuid}.jpg")
    assert at_event.status_code == 200
    for shown in (on_paper, at_event.get_data()):
        assert laplacian_variance(crop(shown, gallery_only)) < laplacian_variance(
            crop(private, gallery_only)) / 10
        assert laplacian_variance(crop(shown, agreed)) > laplacian_variance(
            crop(private, agreed)) / 2
