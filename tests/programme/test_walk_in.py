"""The register: someone of the site who came without a place is added and marked here."""

import pytest

from tests.fixtures.accounts import make_account, user
from tests.fixtures.pages import login, post_form
from tests.fixtures.programme import make_session
from workshop.errors import Conflict, Invalid, NotFound
from workshop.extensions import db
from workshop.programme import services as programme
from workshop.programme.models import Enrolment


def test_a_walk_in_is_enrolled_and_marked_here_at_once(ctx, worker, participant, session_id):
    actor = user(worker)
    enrolment = programme.walk_in(actor, programme.get_session(actor, session_id),
                                  participant.id)
    db.session.commit()
    assert enrolment.attended is True and enrolment.attendance_taken_at is not None
    with pytest.raises(Conflict, match="already enrolled"):
        programme.walk_in(actor, programme.get_session(actor, session_id), participant.id)


def test_the_rules_of_enrolling_hold(app, ctx, worker, participant, other_participant):
    actor = user(worker)
    full = programme.get_session(actor, make_session(app, worker, capacity=1))
    programme.enrol(actor, full, make_account(app, "kit", "participant", worker.site_id).id)
    with pytest.raises(Conflict, match="full"):
        programme.walk_in(actor, full, participant.id)
    db.session.rollback()
    session = programme.get_session(actor, make_session(app, worker))
    with pytest.raises(NotFound):
        programme.walk_in(actor, session, other_participant.id)
    db.session.rollback()
    user(participant).active = False
    with pytest.raises(Invalid, match="deactivated"):
        programme.walk_in(actor, session, participant.id)
    db.session.rollback()
    assert db.session.query(Enrolment).filter_by(session_id=session.id).count() == 0


def test_the_register_page_adds_a_walk_in(app, client, worker, participant, session_id):
    login(client, worker)
    url = f"/sessions/{session_id}/register"
    page = client.get(url).get_data(as_text=True)
    assert "Someone came without a place?" in page
    assert f'<option value="{participant.id}">Sky</option>' in page
    response = post_form(client, f"{url}/walk-in", {"walkin-participant_id": participant.id},
                         page=url, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Sky is added and marked here." in page
    assert "1 of 1 here." in page
    assert "Everyone at this site is on the list already." in page


def test_the_page_refuses_another_sites_person_and_nobody(app, client, worker,
                                                          other_participant, session_id):
    login(client, worker)
    url = f"/sessions/{session_id}/register"
    response = post_form(client, f"{url}/walk-in",
                         {"walkin-participant_id": other_participant.id}, page=url)
    assert response.status_code == 404
    assert "Choose a participant of this site." in response.get_data(as_text=True)
    response = post_form(client, f"{url}/walk-in", {"walkin-participant_id": ""}, page=url)
    assert response.status_code == 422 and "Choose a person." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Enrolment).count() == 0


def test_another_sites_worker_cannot_reach_the_register(app, client, other_worker,
                                                        participant, session_id):
    login(client, other_worker)
    url = f"/sessions/{session_id}/register"
    assert client.get(url).status_code == 404
    response = client.post(f"{url}/walk-in", data={"walkin-participant_id": participant.id})
    assert response.status_code in (400, 404)
    with app.app_context():
        assert db.session.query(Enrolment).count() == 0
