"""Sending photos from the pages: feedback, refusals that leave nothing, who sees what."""

import pytest
from PIL import Image
from sqlalchemy import select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.clock import NOW, hours
from tests.fixtures.pages import assert_problem, fetch, login, post_form
from tests.fixtures.photos import photo, photo_count, send_photos, stored_files
from tests.fixtures.stock import make_camera
from tests.photos import images
from workshop.extensions import db
from workshop.photos.models import Photo
from workshop.programme import services as programme
from workshop.stock import services as stock


def test_participant_sends_a_photo_and_gets_feedback(app, participant_client, participant):
    response = send_photos(participant_client, [(images.jpeg((1600, 1200)), "beach.jpg")],
                           caption="The beach")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["ok"] and body["state"] == "private"
    assert set(body["checks"]) >= {"resolution", "steadiness", "light"}
    assert [line["check"] for line in body["feedback"]][:2] == ["steadiness", "light"]
    assert all(line["message"] for line in body["feedback"])
    with app.app_context():
        stored = db.session.get(Photo, body["id"])
        assert stored.owner_id == participant.id and stored.uploaded_by_id == participant.id
        assert stored.caption == "The beach" and stored.width == 1600
    page = participant_client.get(body["url"]).get_data(as_text=True)
    assert "The beach" in page and "Feedback" in page


def test_several_photos_without_javascript(app, participant_client):
    files = [(photo((800, 600), seed=n), f"p{n}.jpg") for n in range(3)]
    files.append((images.text(), "notes.jpg"))
    response = send_photos(participant_client, files, as_json=False)
    # Redirected after the POST: a reload of the page shown sends nothing again.
    assert response.status_code == 303 and response.headers["Location"] == "/photos/upload/sent"
    page = participant_client.get("/photos/upload/sent").get_data(as_text=True)
    assert page.count('class="upload-item done"') == 3
    assert page.count('class="upload-item failed"') == 1
    assert photo_count(app) == 3


def test_feedback_points_to_the_matching_lesson(app, participant_client, runner):
    assert runner.invoke(args=["lessons", "load"]).exit_code == 0
    response = send_photos(participant_client, [(photo((1200, 900), blur=12), "b.jpg")])
    assert response.status_code == 201
    steadiness = next(line for line in response.json["feedback"]
                      if line["check"] == "steadiness")
    assert not steadiness["good"]
    # The participant's one-page handout, not the worker's plan.
    assert steadiness["lesson_url"].startswith("/lessons/")
    assert steadiness["lesson_url"].endswith("/handout")
    lesson = participant_client.get(steadiness["lesson_url"])
    assert lesson.status_code == 200
    assert "Print the handout" in lesson.get_data(as_text=True)


def test_the_same_file_twice_is_kept_once(app, participant_client):
    content = images.jpeg((640, 480))
    assert send_photos(participant_client, [(content, "a.jpg")]).status_code == 201
    files_before = stored_files(app)
    again = assert_problem(send_photos(participant_client, [(content, "copy-of-a.jpg")]), 409)
    assert "already" in again["detail"] and again["photo_url"].startswith("/photos/")
    assert photo_count(app) == 1
    assert stored_files(app) == files_before


BAD_FILES = {
    "empty": (b"", 422),
    "truncated": (images.truncated_jpeg(), 422),
    "text": (images.text(), 415),
    "html": (images.html(), 415),
    "svg": (images.svg(), 415),
    "php": (images.php(), 415),
    # Refused for moving, which says more to a participant than "not a format we take".
    "gif": (images.gif(), 422),
    "animated_webp": (images.webp(animated=True), 422),
    "png_bomb": (images.png_bomb(), 422),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_is_refused_and_leaves_nothing(app, participant_client, kind):
    content, status = BAD_FILES[kind]
    response = send_photos(participant_client, [(content, "photo.jpg")])
    assert response.status_code == status, response.get_data(as_text=True)
    message = assert_problem(response, status)["detail"]
    assert message and "Traceback" not in message and "PIL" not in message
    assert photo_count(app) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("kind", ["cmyk", "png16", "transparent", "polyglot", "heic", "webp"])
def test_unusual_but_real_photos_are_accepted(app, participant_client, kind):
    content = {
        "cmyk": lambda: images.cmyk_jpeg((640, 480)),
        "png16": lambda: images.png((640, 480), mode="I;16"),
        "transparent": lambda: images.png((640, 480), mode="RGBA"),
        "polyglot": lambda: images.polyglot_jpeg((640, 480)),
        "heic": lambda: images.heic((640, 480)),
        "webp": lambda: images.webp((640, 480)),
    }[kind]()
    response = send_photos(participant_client, [(content, f"photo.{kind}")])
    assert response.status_code == 201, response.get_data(as_text=True)
    thumb = fetch(participant_client, response.json["thumb_url"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert b"<script" not in thumb.data and b"<?php" not in thumb.data


def test_too_big_is_refused_before_it_is_stored(app, participant_client):
    app.config["PHOTO_MAX_BYTES"] = 50_000
    big = images.jpeg((2000, 1500), quality=95)
    assert len(big) > 50_000
    response = send_photos(participant_client, [(big, "big.jpg")])
    assert "bigger than" in assert_problem(response, 413)["detail"]
    assert photo_count(app) == 0 and stored_files(app) == []


def test_too_many_files_at_once(app, participant_client):
    app.config["PHOTO_MAX_FILES"] = 2
    files = [(photo((320, 240), seed=n), f"{n}.jpg") for n in range(3)]
    response = send_photos(participant_client, files)
    assert "up to 2" in assert_problem(response, 422)["detail"]
    assert photo_count(app) == 0


def test_worker_uploads_for_a_participant_with_a_session(app, worker_client, participant,
                                                         worker):
    with app.app_context():
        session = programme.create_session(user(worker), title="Light", starts_at=NOW,
                                           ends_at=NOW + hours(2), capacity=6)
        db.session.commit()
        session_id = session.id
    missing = send_photos(worker_client, [(photo(), "scan.jpg")])
    assert missing.status_code == 422 and photo_count(app) == 0
    response = send_photos(worker_client, [(photo(), "scan.jpg")],
                           participant_id=participant.id, session_id=session_id)
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Photo, response.json["id"])
        assert stored.owner_id == participant.id and stored.uploaded_by_id == worker.id
        assert stored.session_id == session_id


def test_worker_cannot_upload_for_another_sites_participant(app, worker_client,
                                                           other_participant):
    response = send_photos(worker_client, [(photo(), "x.jpg")],
                           participant_id=other_participant.id)
    assert response.status_code == 422
    assert photo_count(app) == 0


def _upload_as(app, account, content=None):
    client = app.test_client()
    login(client, account)
    response = send_photos(client, [(content or photo(), "mine.jpg")])
    assert response.status_code == 201
    return response.json["id"]


def test_who_can_see_a_photo_and_its_files(app, client, participant, worker, other_worker):
    photo_id = _upload_as(app, participant)
    other = make_account(app, "kit", "participant", participant.site_id)
    urls = [f"/photos/{photo_id}"] + [f"/photos/{photo_id}/{kind}"
                                      for kind in ("thumb", "large", "original")]
    for account, allowed in ((participant, True), (worker, True), (other, False),
                             (other_worker, False)):
        fresh = app.test_client()
        login(fresh, account)
        for url in urls:
            assert fetch(fresh, url).status_code == (200 if allowed else 404), (account, url)
    anonymous = app.test_client()
    for url in urls:
        response = fetch(anonymous, url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_files_are_served_safely(app, participant_client):
    response = send_photos(participant_client, [(images.polyglot_jpeg((640, 480)), "p.jpg")])
    photo_id = response.json["id"]
    large = fetch(participant_client, f"/photos/{photo_id}/large")
    assert large.mimetype == "image/jpeg"
    assert large.headers["X-Content-Type-Options"] == "nosniff"
    assert large.headers["Cache-Control"] == "private, no-cache"
    again = fetch(participant_client, f"/photos/{photo_id}/large",
                  headers={"If-None-Match": large.headers["ETag"]})
    assert again.status_code == 304
    original = fetch(participant_client, f"/photos/{photo_id}/original")
    assert original.mimetype == "image/jpeg"
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in original.headers["Content-Security-Policy"]


def test_worker_adds_a_coaching_note_the_participant_sees(app, client, participant, worker):
    photo_id = _upload_as(app, participant)
    login(client, worker)
    response = post_form(client, f"/photos/{photo_id}/notes",
                         {"topic": "distance", "comment": "Step two paces closer."},
                         page=f"/photos/{photo_id}")
    assert response.status_code == 302
    bad = post_form(client, f"/photos/{photo_id}/notes", {"topic": "lunch"},
                    page=f"/photos/{photo_id}")
    assert bad.status_code == 422
    fresh = app.test_client()
    login(fresh, participant)
    page = fresh.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert "Step two paces closer." in page and "Distance" in page
    with app.app_context():
        assert len(db.session.get(Photo, photo_id).notes) == 1


def test_participant_cannot_add_notes(app, participant_client):
    photo_id = send_photos(participant_client, [(photo(), "a.jpg")]).json["id"]
    response = post_form(participant_client, f"/photos/{photo_id}/notes",
                         {"topic": "light"}, page=f"/photos/{photo_id}")
    assert response.status_code in (403, 404)


def test_progress_page_shows_checks_over_time(app, participant_client):
    send_photos(participant_client, [(photo((1200, 900), seed=0), "1.jpg")])
    send_photos(participant_client, [(photo((1200, 900), seed=2, blur=12), "2.jpg")])
    page = participant_client.get("/photos/progress").get_data(as_text=True)
    assert "2 photos so far" in page
    assert page.count('class="dot-good"') + page.count('class="dot-try"') == 4
    assert 'class="dot-info"' not in page
    assert "<svg" in page and "<table" in page


def test_a_photo_that_could_not_be_checked_is_neither_good_nor_try_again(participant_client):
    plain = images.jpeg(image=Image.new("RGB", (1200, 900), (150, 170, 190)))
    body = send_photos(participant_client, [(plain, "sky.jpg")]).json
    assert body["checks"]["steadiness"]["verdict"] == "unsure"
    line = next(line for line in body["feedback"] if line["check"] == "steadiness")
    assert (line["good"], line["tone"]) == (False, "info")
    progress = participant_client.get("/photos/progress").get_data(as_text=True)
    assert 'class="dot-info"' in progress and "Keeping still: </span>Not sure" in progress
    assert "Keeping still: </span>Good" not in progress
    listing = participant_client.get("/photos").get_data(as_text=True)
    assert "Keeping still: not sure" in listing


def test_staff_see_a_participants_progress_but_not_another_sites(
        app, client, participant, worker, other_worker):
    _upload_as(app, participant)
    for account, status in ((worker, 200), (other_worker, 404)):
        fresh = app.test_client()
        login(fresh, account)
        assert fresh.get(f"/photos/progress/{participant.id}").status_code == status


def test_photo_list_for_staff_filters_by_participant(app, client, participant, worker):
    _upload_as(app, participant)
    login(client, worker)
    page = client.get(f"/photos?participant_id={participant.id}").get_data(as_text=True)
    assert "Sky&#39;s photos" in page and 'class="thumb"' in page
    with app.app_context():
        assert db.session.scalar(select(Photo.owner_id)) == participant.id


def test_worker_links_scans_to_the_participants_loan_only(app, worker_client, worker,
                                                          participant):
    other = make_account(app, "kit", "participant", participant.site_id)
    camera_id = make_camera(app, worker, "DSP-01", kind="disposable", exposures=27)
    with app.app_context():
        loan = stock.create_booking(user(worker), camera_id, participant.id, NOW,
                                    NOW + hours(4), now=NOW)
        db.session.commit()
        loan_id = loan.id
    wrong = send_photos(worker_client, [(photo(seed=3), "scan.jpg")],
                        participant_id=other.id, booking_id=loan_id)
    assert wrong.status_code == 422 and photo_count(app) == 0
    right = send_photos(worker_client, [(photo(seed=3), "scan.jpg")],
                        participant_id=participant.id, booking_id=loan_id)
    assert right.status_code == 201
    with app.app_context():
        assert db.session.get(Photo, right.json["id"]).booking_id == loan_id
