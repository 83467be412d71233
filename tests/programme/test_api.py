"""The sessions API: the same rules as the pages, as JSON and problem+json."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import api_token, make_account
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera
from workshop.extensions import db
from workshop.programme.models import Enrolment, Session
from workshop.stock.models import Booking

START = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)


def iso(value: datetime) -> str:
    return value.isoformat()


@pytest.fixture
def headers(app, worker) -> dict:
    return api_token(app, worker)


@pytest.fixture
def upcoming(app, worker) -> int:
    return make_session(app, worker, start=START)


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_plan_get_and_list(client, headers, worker):
    response = client.post("/api/v1/sessions", headers=headers, json={
        "title": "Get close", "starts_at": "2030-06-01T10:00:00+01:00",
        "ends_at": "2030-06-01T12:00:00+01:00", "place": "Park", "capacity": 5,
        "lead_worker_id": worker.id})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert datetime.fromisoformat(body["starts_at"]) == datetime(2030, 6, 1, 9, tzinfo=UTC)
    assert (body["site_id"], body["capacity"], body["version"], body["enrolments"]) == (
        worker.site_id, 5, 1, [])
    assert client.get(f"/api/v1/sessions/{body['id']}", headers=headers).get_json() == body
    listed = client.get("/api/v1/sessions", headers=headers).get_json()
    assert [s["id"] for s in listed["items"]] == [body["id"]]


def test_end_before_start_is_422_and_nothing_is_saved(app, client, headers):
    response = client.post("/api/v1/sessions", headers=headers, json={
        "title": "Backwards", "starts_at": "2030-06-01T12:00:00Z",
        "ends_at": "2030-06-01T10:00:00Z", "capacity": 5})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "ends_at" in response.get_json()["errors"]
    assert rows(app, Session) == 0


def test_times_need_an_offset(app, client, headers):
    response = client.post("/api/v1/sessions", headers=headers, json={
        "title": "Naive", "starts_at": "2030-06-01T10:00:00",
        "ends_at": "2030-06-01T12:00:00", "capacity": 5})
    assert response.status_code == 422
    assert rows(app, Session) == 0


def test_stale_patch_is_409(app, client, headers, upcoming):
    url = f"/api/v1/sessions/{upcoming}"
    first = client.patch(url, headers=headers, json={"title": "New", "version": 1})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    second = client.patch(url, headers=headers, json={"title": "Newer", "version": 1})
    assert second.status_code == 409
    assert client.get(url, headers=headers).get_json()["title"] == "New"


def test_patch_clears_the_lead_with_null(client, headers, app, worker):
    session_id = make_session(app, worker, start=START, lead_worker_id=worker.id)
    response = client.patch(f"/api/v1/sessions/{session_id}", headers=headers,
                            json={"lead_worker_id": None})
    assert response.get_json()["lead_worker_id"] is None


def test_enrol_capacity_twice_other_site_and_unenrol(app, client, headers, worker,
                                                     participant, other_participant):
    session_id = make_session(app, worker, start=START, capacity=1)
    kim = make_account(app, "kim", "participant", worker.site_id)
    url = f"/api/v1/sessions/{session_id}/enrolments"
    ok = client.post(url, headers=headers, json={"participant_id": participant.id})
    assert ok.status_code == 201
    assert [e["participant_id"] for e in ok.get_json()["enrolments"]] == [participant.id]
    assert client.post(url, headers=headers,
                       json={"participant_id": participant.id}).status_code == 409
    full = client.post(url, headers=headers, json={"participant_id": kim.id})
    assert full.status_code == 409 and "full" in full.get_json()["detail"]
    assert client.post(url, headers=headers,
                       json={"participant_id": other_participant.id}).status_code == 404
    assert rows(app, Enrolment) == 1
    gone = client.delete(url, headers=headers, json={"participant_id": participant.id})
    assert gone.status_code == 200 and gone.get_json()["enrolments"] == []


def test_attendance(app, client, headers, worker, participant, upcoming):
    client.post(f"/api/v1/sessions/{upcoming}/enrolments", headers=headers,
                json={"participant_id": participant.id})
    response = client.post(f"/api/v1/sessions/{upcoming}/attendance", headers=headers,
                           json={"participant_id": participant.id, "attended": True})
    assert response.get_json()["enrolments"][0]["attended"] is True
    kim = make_account(app, "kim", "participant", worker.site_id)
    assert client.post(f"/api/v1/sessions/{upcoming}/attendance", headers=headers,
                       json={"participant_id": kim.id, "attended": True}).status_code == 404


def test_reserve_cameras_all_or_none(app, client, headers, worker, upcoming):
    cameras = [make_camera(app, worker, f"CAM-0{n}") for n in range(2)]
    url = f"/api/v1/sessions/{upcoming}/reserve-cameras"
    too_many = client.post(url, headers=headers, json={"count": 3})
    assert too_many.status_code == 409
    assert too_many.get_json()["detail"] == ("Only 2 cameras are free at that time. "
                                             "Nothing was booked.")
    assert rows(app, Booking) == 0
    assert client.post(url, headers=headers, json={}).status_code == 422
    assert client.post(url, headers=headers,
                       json={"count": 1, "camera_ids": [cameras[0]]}).status_code == 422
    ok = client.post(url, headers=headers, json={"camera_ids": cameras})
    assert ok.status_code == 201
    assert [b["camera_id"] for b in ok.get_json()["bookings"]] == cameras
    assert rows(app, Booking) == 2


def test_participants_read_their_own_sessions_only_and_cannot_write(
        app, client, headers, worker, participant, upcoming):
    other = make_session(app, worker, start=START, title="Not mine")
    kim = make_account(app, "kim", "participant", worker.site_id)
    for person in (participant, kim):
        client.post(f"/api/v1/sessions/{upcoming}/enrolments", headers=headers,
                    json={"participant_id": person.id})
    mine = api_token(app, participant)
    seen = client.get("/api/v1/sessions", headers=mine).get_json()["items"]
    assert [s["id"] for s in seen] == [upcoming]
    # Only their own enrolment: who else is coming is not theirs to see.
    assert [e["participant_id"] for e in seen[0]["enrolments"]] == [participant.id]
    assert client.get(f"/api/v1/sessions/{other}", headers=mine).status_code == 404
    assert client.patch(f"/api/v1/sessions/{upcoming}", headers=mine,
                        json={"title": "Mine now"}).status_code == 403
    assert client.post("/api/v1/sessions", headers=mine, json={
        "title": "X", "starts_at": iso(START), "ends_at": iso(START + timedelta(hours=1)),
        "capacity": 2}).status_code == 403
    assert client.post(f"/api/v1/sessions/{upcoming}/attendance", headers=mine, json={
        "participant_id": participant.id, "attended": True}).status_code == 403


def test_another_sites_session_is_404(app, client, other_worker, upcoming):
    theirs = api_token(app, other_worker)
    assert client.get(f"/api/v1/sessions/{upcoming}", headers=theirs).status_code == 404
    assert client.patch(f"/api/v1/sessions/{upcoming}", headers=theirs,
                        json={"title": "Mine"}).status_code == 404


def test_sessions_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/sessions"]) == {"get", "post"}
    assert set(paths["/sessions/{session_id}"]) == {"get", "patch"}
    assert set(paths["/sessions/{session_id}/enrolments"]) == {"post", "delete"}
    assert "post" in paths["/sessions/{session_id}/attendance"]
    assert "post" in paths["/sessions/{session_id}/reserve-cameras"]
