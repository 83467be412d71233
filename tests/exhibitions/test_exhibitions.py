"""Exhibitions: exhibition consent, the ordered list, sending to print, a withdrawal before
and after printing, the pages, and the API's answers."""

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import api_token, user
from tests.fixtures.exhibitions import exhibit_ready, plan
from tests.fixtures.pages import assert_problem, login, post_form
from tests.fixtures.photos import publish, withdraw
from tests.fixtures.queries import sql_statements
from workshop.audit.models import AuditEvent
from workshop.auth import services as auth
from workshop.exhibitions.models import Exhibition, ExhibitionPhoto
from workshop.extensions import db
from workshop.photos.models import Photo

NEW = {"title": "Our lives in pictures", "place": "Town library", "starts_on": "2027-03-01",
       "ends_on": "2027-03-14"}


def test_exhibition_consent_is_a_purpose_of_its_own(app, client, participant, worker):
    photo_id = publish(app, participant, worker, purposes=("exhibition",)).id
    headers = api_token(app, participant)
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        # Approved with only an exhibition yes: neither in the gallery nor on Flickr.
        assert not found.is_public() and not found.on_flickr()
    answer = client.post(f"/api/v1/photos/{photo_id}/withdraw", headers=headers,
                         json={"purposes": ["exhibition"]})
    assert answer.status_code == 200
    assert [c["active"] for c in answer.json["consents"]] == [False]
    answer = client.post(f"/api/v1/photos/{photo_id}/consent", headers=headers,
                         json={"purposes": ["exhibition", "gallery", "flickr"]})
    assert answer.status_code == 200
    assert {c["purpose"] for c in answer.json["consents"] if c["active"]} == {
        "exhibition", "gallery", "flickr"}
    assert_problem(client.post(f"/api/v1/photos/{photo_id}/consent", headers=headers,
                               json={"purposes": ["museum"]}), 422)


def test_the_photo_page_asks_for_and_takes_back_exhibition_consent(app, client, participant,
                                                                   worker):
    photo_id = publish(app, participant, worker).id
    login(client, participant)
    page = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "printed and shown at the programme&#39;s exhibitions" in page
    answer = post_form(client, f"/photos/{photo_id}/consent", {"purpose": "exhibition"},
                       page=f"/photos/{photo_id}", follow_redirects=True)
    assert "Yes to exhibitions" in answer.get_data(as_text=True)
    answer = post_form(client, f"/photos/{photo_id}/withdraw", {"purpose": "exhibition"},
                       page=f"/photos/{photo_id}", follow_redirects=True)
    assert "Not for exhibitions" in answer.get_data(as_text=True)


def test_the_api_builds_an_exhibition_in_order(app, client, participant, worker):
    ids = [exhibit_ready(app, participant, worker, seed=n, caption=f"Photo {n}")
           for n in range(3)]
    headers = api_token(app, worker)
    made = client.post("/api/v1/exhibitions", headers=headers, json=NEW)
    assert made.status_code == 201, made.json
    assert made.json["print_size"] == "20x30" and made.json["printed_at"] is None
    exhibition_id = made.json["id"]
    order = [ids[2], ids[0], ids[1]]
    answer = client.put(f"/api/v1/exhibitions/{exhibition_id}/photos", headers=headers,
                        json={"photo_ids": order})
    assert answer.status_code == 200, answer.json
    assert [p["photo_id"] for p in answer.json["photos"]] == order
    assert [p["position"] for p in answer.json["photos"]] == [1, 2, 3]
    # Reordering keeps the rows and their order is the new one.
    answer = client.put(f"/api/v1/exhibitions/{exhibition_id}/photos", headers=headers,
                        json={"photo_ids": ids[:2]})
    assert [p["photo_id"] for p in answer.json["photos"]] == ids[:2]
    listed = client.get("/api/v1/exhibitions", headers=headers).json
    assert [e["id"] for e in listed["items"]] == [exhibition_id]


def test_a_photo_without_exhibition_consent_is_refused_naming_it(app, client, participant,
                                                                 worker):
    ready = exhibit_ready(app, participant, worker, seed=0, caption="Yes")
    gallery_only = publish(app, participant, worker, seed=1, purposes=("gallery",)).id
    exhibition_id = plan(app, worker, [ready])
    answer = client.put(f"/api/v1/exhibitions/{exhibition_id}/photos",
                        headers=api_token(app, worker),
                        json={"photo_ids": [ready, gallery_only]})
    problem = assert_problem(answer, 409)
    assert f"Photo {gallery_only}" in problem["detail"]
    assert problem["errors"]["photo_ids"] == [problem["detail"]]
    with app.app_context():
        # Nothing half-saved: the list is as it was.
        entries = db.session.scalars(select(ExhibitionPhoto.photo_id)).all()
        assert entries == [ready]


def test_bad_input_is_refused_with_a_4xx(app, client, participant, worker):
    headers = api_token(app, worker)
    for body in ({**NEW, "ends_on": "2027-02-01"}, {**NEW, "starts_on": "1 March"},
                 {**NEW, "starts_on": "2027-02-30"}, {**NEW, "title": ""},
                 {**NEW, "print_size": "A0"}, {**NEW, "place": "x" * 121}):
        assert_problem(client.post("/api/v1/exhibitions", headers=headers, json=body), 422)
    exhibition_id = plan(app, worker, [])
    for photo_ids in ([1, 1], ["1"], [0]):
        assert_problem(client.put(f"/api/v1/exhibitions/{exhibition_id}/photos",
                                  headers=headers, json={"photo_ids": photo_ids}), 422)
    # An empty exhibition cannot be sent to print or made into PDFs.
    assert_problem(client.post(f"/api/v1/exhibitions/{exhibition_id}/print",
                               headers=headers), 409)
    assert_problem(client.get(f"/api/v1/exhibitions/{exhibition_id}/cards.pdf",
                              headers=headers), 409)


def test_other_sites_and_participants_get_404(app, client, participant, worker,
                                              other_participant, other_worker):
    ours = exhibit_ready(app, participant, worker, seed=0, caption="Ours")
    theirs = exhibit_ready(app, other_participant, other_worker, seed=1, caption="Theirs")
    exhibition_id = plan(app, worker, [ours])
    other = api_token(app, other_worker)
    for path in ("", "/catalogue.pdf", "/cards.pdf", "/prints.pdf"):
        assert_problem(client.get(f"/api/v1/exhibitions/{exhibition_id}{path}",
                                  headers=other), 404)
    assert_problem(client.post(f"/api/v1/exhibitions/{exhibition_id}/print", headers=other),
                   404)
    # Another site's photo, even with consent, is not there to choose.
    problem = assert_problem(client.put(
        f"/api/v1/exhibitions/{exhibition_id}/photos", headers=api_token(app, worker),
        json={"photo_ids": [ours, theirs]}), 404)
    assert f"photo {theirs}" in problem["detail"]
    mine = api_token(app, participant)
    assert_problem(client.get(f"/api/v1/exhibitions/{exhibition_id}", headers=mine), 404)
    assert client.get("/api/v1/exhibitions", headers=mine).json["items"] == []
    assert_problem(client.post("/api/v1/exhibitions", headers=mine, json=NEW), 403)
    login(client, other_worker)
    assert client.get(f"/exhibitions/{exhibition_id}").status_code == 404


def test_withdrawing_before_print_takes_the_photo_out(app, participant, worker):
    ids = [exhibit_ready(app, participant, worker, seed=n, caption=f"Photo {n}")
           for n in range(3)]
    exhibition_id = plan(app, worker, ids)
    withdraw(app, participant, ids[0], ("exhibition",))
    with app.app_context():
        exhibition = db.session.get(Exhibition, exhibition_id)
        assert [(e.photo_id, e.position) for e in exhibition.entries] == [
            (ids[1], 1), (ids[2], 2)]
        # Still in the gallery: only the exhibition yes was taken back.
        assert db.session.get(Photo, ids[0]).is_public()


def test_print_freezes_the_list_and_a_later_withdrawal_is_recorded(app, client, participant,
                                                                   worker):
    ids = [exhibit_ready(app, participant, worker, seed=n, caption=f"Photo {n}")
           for n in range(3)]
    exhibition_id = plan(app, worker, ids)
    headers = api_token(app, worker)
    printed = client.post(f"/api/v1/exhibitions/{exhibition_id}/print", headers=headers)
    assert printed.status_code == 200 and printed.json["printed_at"]
    assert_problem(client.put(f"/api/v1/exhibitions/{exhibition_id}/photos", headers=headers,
                              json={"photo_ids": ids[:1]}), 409)
    assert_problem(client.post(f"/api/v1/exhibitions/{exhibition_id}/print", headers=headers),
                   409)

    withdraw(app, participant, ids[1], ("exhibition",))
    answer = client.get(f"/api/v1/exhibitions/{exhibition_id}", headers=headers).json
    assert [p["photo_id"] for p in answer["photos"]] == ids
    assert [p["withdrawn_at"] is not None for p in answer["photos"]] == [False, True, False]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "exhibition.print_withdrawn" in actions

    login(client, worker)
    page = client.get(f"/exhibitions/{exhibition_id}").get_data(as_text=True)
    assert "The print was already made" in page
    # Honoured everywhere else: the public page and the slideshow no longer show it.
    client.post("/logout", data={})
    visitor = app.test_client()
    public = visitor.get(f"/exhibitions/{exhibition_id}/show").get_data(as_text=True)
    assert "Photo 0" in public and "Photo 2" in public and "Photo 1" not in public
    with app.app_context():
        uuids = {i: db.session.get(Photo, i).uuid for i in ids}
    assert visitor.get(
        f"/exhibitions/{exhibition_id}/photos/{uuids[ids[1]]}.jpg").status_code == 404
    shown = visitor.get(f"/exhibitions/{exhibition_id}/photos/{uuids[ids[0]]}.jpg")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    shown.close()
    slideshow = visitor.get(f"/exhibitions/{exhibition_id}/slideshow").get_data(as_text=True)
    assert uuids[ids[1]] not in slideshow and uuids[ids[0]] in slideshow


def test_an_exhibition_is_not_public_before_it_is_sent_to_print(app, client, participant,
                                                               worker):
    exhibition_id = plan(app, worker, [exhibit_ready(app, participant, worker, seed=0,
                                                     caption="Draft")])
    assert client.get(f"/exhibitions/{exhibition_id}/show").status_code == 404
    assert client.get(f"/exhibitions/{exhibition_id}/slideshow").status_code == 404


def test_workers_pages_plan_choose_and_print(app, client, participant, worker):
    ids = [exhibit_ready(app, participant, worker, seed=n, caption=f"Photo {n}")
           for n in range(2)]
    login(client, worker)
    answer = post_form(client, "/exhibitions", {
        "title": "Spring show", "place": "Café", "starts_on": "2027-04-01",
        "ends_on": "2027-03-01", "print_size": "20x30"})
    assert answer.status_code == 422
    answer = post_form(client, "/exhibitions", {
        "title": "Spring show", "place": "Café", "starts_on": "2027-04-01",
        "ends_on": "2027-04-02", "print_size": "20x30"})
    assert answer.status_code == 302
    url = answer.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert f'value="{ids[0]}"' in page and f'value="{ids[1]}"' in page
    answer = post_form(client, f"{url}/photos", {
        "photo_ids": ids, f"position_{ids[0]}": "2", f"position_{ids[1]}": "1"}, page=url)
    assert answer.status_code == 302
    with app.app_context():
        exhibition = db.session.scalars(select(Exhibition)).one()
        assert [e.photo_id for e in exhibition.entries] == [ids[1], ids[0]]
    answer = post_form(client, f"{url}/print", {}, page=url, follow_redirects=True)
    assert "Sent to print" in answer.get_data(as_text=True)
    # Refused after printing, with a 4xx and the list unchanged.
    answer = post_form(client, f"{url}/photos", {"photo_ids": ids[:1]}, page=url)
    assert answer.status_code == 409
    with app.app_context():
        assert len(db.session.scalars(select(ExhibitionPhoto)).all()) == 2


def test_low_detail_photos_are_flagged_before_printing(app, client, participant, worker):
    small = exhibit_ready(app, participant, worker, seed=0, caption="Small", size=(320, 240))
    big = exhibit_ready(app, participant, worker, seed=1, caption="Big", size=(2600, 1800))
    exhibition_id = plan(app, worker, [small, big], print_size="13x18")
    answer = client.get(f"/api/v1/exhibitions/{exhibition_id}",
                        headers=api_token(app, worker)).json
    assert [p["too_small"] for p in answer["photos"]] == [True, False]
    login(client, worker)
    page = client.get(f"/exhibitions/{exhibition_id}").get_data(as_text=True)
    assert "1 of these photos have too little detail" in page


def test_an_erased_participant_leaves_the_exhibition(app, participant, worker, admin):
    photo_id = exhibit_ready(app, participant, worker, seed=0, caption="Gone")
    exhibition_id = plan(app, worker, [photo_id], printed=True)
    with app.app_context():
        auth.erase_participant(user(admin), user(participant), participant.username)
        db.session.commit()
        assert db.session.get(Exhibition, exhibition_id).entries == []


def test_a_participant_moving_site_leaves_plans_not_prints(app, participant, worker, admin,
                                                          other_site):
    planned_photo = exhibit_ready(app, participant, worker, seed=0, caption="Planned")
    printed_photo = exhibit_ready(app, participant, worker, seed=1, caption="Printed")
    planned = plan(app, worker, [planned_photo])
    printed = plan(app, worker, [printed_photo], printed=True)
    with app.app_context():
        counts = auth.move_participant(user(admin), user(participant), other_site)
        db.session.commit()
        assert counts["exhibition_photos"] == 1
        assert db.session.get(Exhibition, planned).entries == []
        assert [e.photo_id for e in db.session.get(Exhibition, printed).entries] == [
            printed_photo]


def test_public_pages_are_asked_for_again_before_a_cache_uses_them(app, client, participant,
                                                                   worker):
    exhibition_id = plan(app, worker, [exhibit_ready(app, participant, worker, seed=0,
                                                     caption="Shown")], printed=True)
    for path in ("show", "slideshow"):
        answer = client.get(f"/exhibitions/{exhibition_id}/{path}")
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize("count", [2, 5])
def test_the_public_pages_ask_as_many_queries_for_five_photos_as_for_two(
        app, client, participant, worker, count):
    ids = [exhibit_ready(app, participant, worker, seed=n, caption=f"Photo {n}")
           for n in range(count)]
    exhibition_id = plan(app, worker, ids, printed=True)
    sent = {}
    for page in ("show", "slideshow"):
        with sql_statements() as statements:
            assert client.get(f"/exhibitions/{exhibition_id}/{page}").status_code == 200
        sent[page] = len(statements)
    # The numbers the review counted with two photos and with five: none a photo.
    assert sent == {"show": 7, "slideshow": 7}, statements
