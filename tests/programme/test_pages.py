"""The session pages: planning, enrolling, the register, cameras and the calendar feed."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests.fixtures.accounts import make_account
from tests.fixtures.pages import csrf_from, login, post_form
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera
from workshop.auth.models import User
from workshop.extensions import db
from workshop.programme.models import Enrolment, Session
from workshop.stock.models import Booking, BookingState

START = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)


def local(app, value: datetime) -> str:
    return value.astimezone(app.config["TZ"]).strftime("%Y-%m-%dT%H:%M")


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def upcoming(app, worker) -> int:
    return make_session(app, worker, start=START, lead_worker_id=worker.id)


@pytest.fixture
def as_worker(client, worker):
    login(client, worker)
    return client


def test_plan_a_session(app, as_worker, worker):
    response = post_form(as_worker, "/sessions/new", {
        "title": "Window light", "starts_at": local(app, START),
        "ends_at": local(app, START + timedelta(hours=2)), "place": "Group room",
        "capacity": "6", "lead_worker_id": str(worker.id), "lesson_id": ""})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(Session))
        assert (session.title, session.starts_at, session.capacity) == (
            "Window light", START, 6)
    page = as_worker.get(response.location).get_data(as_text=True)
    assert "Window light" in page and "0 of 6 taken" in page


def test_end_before_start_is_sent_back(app, as_worker):
    response = post_form(as_worker, "/sessions/new", {
        "title": "Backwards", "starts_at": local(app, START),
        "ends_at": local(app, START - timedelta(hours=1)), "capacity": "6"})
    assert response.status_code == 422
    assert "The end must be after the start." in response.get_data(as_text=True)
    assert rows(app, Session) == 0


def test_a_stale_edit_is_sent_back_with_409(app, as_worker, upcoming):
    url = f"/sessions/{upcoming}/edit"
    page = as_worker.get(url).get_data(as_text=True)
    token = csrf_from(page)
    fields = {"csrf_token": token, "title": "Changed", "starts_at": local(app, START),
              "ends_at": local(app, START + timedelta(hours=2)), "capacity": "4",
              "expected_version": "1"}
    assert as_worker.post(url, data=fields).status_code == 302
    stale = as_worker.post(url, data={**fields, "title": "Changed again"})
    assert stale.status_code == 409
    assert "changed this session a moment ago" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Session, upcoming).title == "Changed"


def test_enrol_from_the_session_page_until_it_is_full(app, as_worker, worker, participant):
    session_id = make_session(app, worker, start=START, capacity=1)
    kim = make_account(app, "kim", "participant", worker.site_id)
    url = f"/sessions/{session_id}"
    ok = post_form(as_worker, f"{url}/enrol", {"enrol-participant_id": str(participant.id)},
                   page=url)
    assert ok.status_code == 302
    full = post_form(as_worker, f"{url}/enrol", {"enrol-participant_id": str(kim.id)},
                     page=url)
    # The page says it is full, so there is no form to post from; the request is refused.
    assert full.status_code in (400, 409)
    assert rows(app, Enrolment) == 1
    page = as_worker.get(url).get_data(as_text=True)
    assert "The session is full." in page and "Sky" in page


def test_enrolling_someone_from_another_site_is_not_found(app, as_worker, upcoming,
                                                         other_participant):
    url = f"/sessions/{upcoming}"
    response = post_form(as_worker, f"{url}/enrol",
                         {"enrol-participant_id": str(other_participant.id)}, page=url)
    assert response.status_code == 404
    assert rows(app, Enrolment) == 0


def test_take_the_register_one_tap_each(app, as_worker, worker, participant, upcoming):
    post_form(as_worker, f"/sessions/{upcoming}/enrol",
              {"enrol-participant_id": str(participant.id)}, page=f"/sessions/{upcoming}")
    url = f"/sessions/{upcoming}/register"
    page = as_worker.get(url).get_data(as_text=True)
    assert "0 of 1 here." in page
    response = as_worker.post(url, data={"csrf_token": csrf_from(page),
                                         "participant_id": participant.id,
                                         "attended": "yes"})
    assert response.status_code == 302
    assert response.location.endswith(f"#person-{participant.id}")
    assert "1 of 1 here." in as_worker.get(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Enrolment.attended)) is True


def test_the_register_refuses_someone_not_enrolled(app, as_worker, participant, upcoming):
    url = f"/sessions/{upcoming}/register"
    response = post_form(as_worker, url, {"participant_id": participant.id,
                                          "attended": "yes"})
    assert response.status_code == 404


def test_reserving_too_many_says_how_many_are_free(app, as_worker, worker, upcoming):
    make_camera(app, worker, "CAM-01")
    url = f"/sessions/{upcoming}/cameras"
    response = post_form(as_worker, url, {"which": "count", "count-count": "2"})
    assert response.status_code == 409
    assert "Only 1 camera is free at that time. Nothing was booked." in \
        response.get_data(as_text=True)
    assert rows(app, Booking) == 0
    ok = post_form(as_worker, url, {"which": "count", "count-count": "1"})
    assert ok.status_code == 302
    assert rows(app, Booking) == 1


def test_hand_out_a_sessions_camera_to_someone_enrolled(app, as_worker, worker, participant,
                                                        upcoming):
    make_camera(app, worker, "CAM-01")
    post_form(as_worker, f"/sessions/{upcoming}/enrol",
              {"enrol-participant_id": str(participant.id)}, page=f"/sessions/{upcoming}")
    post_form(as_worker, f"/sessions/{upcoming}/cameras", {"which": "count",
                                                           "count-count": "1"})
    with app.app_context():
        booking_id = db.session.scalar(select(Booking.id))
    page = as_worker.get(f"/sessions/{upcoming}").get_data(as_text=True)
    assert "Hand out" in page
    response = post_form(as_worker, f"/sessions/{upcoming}/hand-out/{booking_id}", {
        "participant_id": str(participant.id), "ok_body": "y", "ok_lens": "y"})
    assert response.status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.state is BookingState.OUT and booking.participant_id == participant.id
    assert "Out with Sky" in as_worker.get(f"/sessions/{upcoming}").get_data(as_text=True)


def test_lists_and_the_month(app, as_worker, worker, upcoming):
    make_session(app, worker, title="Last week", start=START - timedelta(days=9))
    page = as_worker.get("/sessions").get_data(as_text=True)
    assert page.index("Light and shade") < page.index("Past sessions") < page.index(
        "Last week")
    month = START.astimezone(app.config["TZ"]).strftime("%Y-%m")
    calendar = as_worker.get(f"/sessions/calendar?month={month}").get_data(as_text=True)
    assert "Light and shade" in calendar
    assert as_worker.get("/sessions/calendar?month=nonsense").status_code == 404


def test_other_sites_and_participants_get_404_on_staff_pages(app, client, other_worker,
                                                             participant, upcoming):
    login(client, other_worker)
    assert client.get(f"/sessions/{upcoming}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/dashboard")
                                                         .get_data(as_text=True))})
    login(client, participant)
    assert client.get(f"/sessions/{upcoming}").status_code == 404  # not enrolled
    assert client.get(f"/sessions/{upcoming}/register").status_code == 404


def test_a_participant_sees_their_session_without_other_names(app, client, worker,
                                                              participant, upcoming):
    from workshop.programme import services as programme

    kim = make_account(app, "kim", "participant", worker.site_id)
    with app.app_context():
        actor = db.session.get(User, worker.id)
        for person in (participant, kim):
            programme.enrol(actor, programme.get_session(actor, upcoming), person.id)
        db.session.commit()
    login(client, participant)
    page = client.get(f"/sessions/{upcoming}").get_data(as_text=True)
    assert "Light and shade" in page and "Kim" not in page
    assert "Light and shade" in client.get("/dashboard").get_data(as_text=True)


def test_the_calendar_feed(app, as_worker, client, worker, upcoming):
    response = post_form(as_worker, "/sessions/calendar-feed", {}, page="/sessions",
                         follow_redirects=True)
    assert response.status_code == 200
    address = re.search(r'id="feed-address">([^<]+)<', response.get_data(as_text=True))[1]
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        stored = db.session.get(User, worker.id).calendar_token_hash
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    anonymous = app.test_client()
    feed = anonymous.get(f"/calendar/{secret}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    [event] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(event["summary"]) == "Light and shade"
    assert str(event["location"]) == "Group room"
    assert event.decoded("dtstart") == START
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert b"Z\r\n" in feed.data  # written in UTC
    # Replacing the address stops the old one.
    post_form(as_worker, "/sessions/calendar-feed", {}, page="/sessions")
    assert anonymous.get(f"/calendar/{secret}.ics").status_code == 404
    assert anonymous.get("/calendar/guess.ics").status_code == 404


def test_the_feed_names_no_participants(app, as_worker, worker, participant, upcoming):
    post_form(as_worker, f"/sessions/{upcoming}/enrol",
              {"enrol-participant_id": str(participant.id)}, page=f"/sessions/{upcoming}")
    response = post_form(as_worker, "/sessions/calendar-feed", {}, page="/sessions",
                         follow_redirects=True)
    address = re.search(r'id="feed-address">([^<]+)<', response.get_data(as_text=True))[1]
    feed = app.test_client().get("/calendar/" + address.rsplit("/", 1)[1])
    assert b"Sky" not in feed.data and b"sky" not in feed.data
