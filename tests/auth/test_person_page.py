"""One participant's page for their site's workers: loans, photos with their state,
progress, sessions they came to, coaching notes and consents, each linking on."""

import io
from datetime import UTC, datetime, timedelta

from tests.fixtures.accounts import make_account, user
from tests.fixtures.pages import login, text
from tests.fixtures.photos import photo, publish
from tests.fixtures.programme import make_session
from tests.fixtures.stock import lend, make_camera
from workshop.extensions import db
from workshop.photos import services as photos
from workshop.programme import services as programme


def _history(app, worker, participant):
    """A loan out, a photo with a note, a shared photo, a session attended, one to come."""
    kim = make_account(app, "kim", "worker", worker.site_id, display_name="Kim")
    camera = make_camera(app, worker, "CAM-07")
    lend(app, worker, camera, participant.id, datetime.now(UTC) + timedelta(days=2))
    past = make_session(app, worker, title="Window light",
                        start=datetime.now(UTC) - timedelta(days=3))
    coming = make_session(app, worker, title="Getting close",
                          start=datetime.now(UTC) + timedelta(days=3))
    with app.app_context():
        actor = user(worker)
        for session_id in (past, coming):
            programme.enrol(actor, programme.get_session(actor, session_id), participant.id)
        programme.set_attendance(actor, programme.get_session(actor, past), participant.id,
                                 True)
        owner = user(participant)
        private = photos.upload(owner, photos.upload_target(owner),
                                io.BytesIO(photo((160, 120), seed=9)), "by the river")
        photos.add_note(actor, private, "framing", "Lovely lines")
        db.session.commit()
    shared = publish(app, participant, kim, seed=10, caption="the park")
    return camera, past, coming, shared


def test_a_worker_sees_everything_about_one_participant(app, client, worker, participant):
    camera, past, coming, shared = _history(app, worker, participant)
    login(client, worker)
    response = client.get(f"/people/{participant.id}")
    assert response.status_code == 200
    html, words = response.get_data(as_text=True), text(response).replace(" ,", ",")
    assert "Has CAM-07, due back" in words and f'href="/cameras/{camera}"' in html
    assert f'href="/people/{participant.id}/loans">All 1 loan of Sky' in html
    assert "Private" in words and "In the gallery" in words
    assert f'href="/photos?participant_id={participant.id}">All 2 photos' in html
    assert f'href="/photos/progress/{participant.id}"' in html
    assert f'href="/photos/upload?participant_id={participant.id}"' in html
    assert f'href="/sessions/{past}">Window light' in html
    assert "Came to 1 session" in words
    assert f'href="/sessions/{coming}">Getting close' in html
    assert "Framing : Lovely lines by Worker" in words
    assert f'href="/photos/{shared.id}#consent">' in html
    assert "the public gallery, said yes" in words


def test_a_new_participants_page_says_there_is_nothing_yet(app, client, worker, participant):
    login(client, worker)
    words = text(client.get(f"/people/{participant.id}"))
    for line in ("Nothing on loan now.", "No photos yet.", "Not marked as here at any "
                 "session yet.", "No coaching notes yet.", "No photo of theirs may go "
                 "anywhere outside the programme."):
        assert line in words


def test_only_staff_of_their_site_see_it(app, client, worker, participant, other_worker,
                                         admin):
    _history(app, worker, participant)
    for account, status in ((other_worker, 404), (participant, 404), (admin, 200)):
        fresh = app.test_client()
        login(fresh, account)
        assert fresh.get(f"/people/{participant.id}").status_code == status, account


def test_a_workers_page_has_no_participant_parts(app, client, worker, admin):
    login(client, admin)
    words = text(client.get(f"/people/{worker.id}"))
    assert "Coaching notes" not in words and "Camera loans" not in words
    assert "Username worker" in words


def test_names_lead_to_the_person_from_the_lists(app, client, worker, participant):
    session_id = make_session(app, worker)
    with app.app_context():
        actor = user(worker)
        programme.enrol(actor, programme.get_session(actor, session_id), participant.id)
        owner = user(participant)
        photos.upload(owner, photos.upload_target(owner), io.BytesIO(photo((160, 120))))
        db.session.commit()
    login(client, worker)
    link = f'href="/people/{participant.id}"'
    for page in ("/people", f"/sessions/{session_id}/register", "/photos"):
        assert link in client.get(page).get_data(as_text=True), page
