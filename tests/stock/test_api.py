"""The cameras and bookings API: each endpoint, each bad input, filters, paging, roles.

The API runs on the real clock, so times here are relative to now.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import api_token, make_account, user
from tests.fixtures.pages import assert_problem
from tests.fixtures.stock import ALL_GOOD, act, at, iso, make_camera, post_booking
from workshop.audit.models import AuditEvent
from workshop.extensions import db
from workshop.stock import services as stock
from workshop.stock.models import Booking, Camera


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)




def snapshot(app) -> dict:
    with app.app_context():
        return {model.__tablename__: db.session.execute(
                    select(model.__table__).order_by(model.__table__.c.id)).all()
                for model in (Camera, Booking, AuditEvent)}


@contextmanager
def unchanged(app):
    """The block must leave cameras, bookings and the audit trail exactly as they were."""
    before = snapshot(app)
    yield
    assert snapshot(app) == before


@pytest.fixture
def staff(app, worker) -> dict:
    return api_token(app, worker)


@pytest.fixture
def admin_h(app, admin) -> dict:
    return api_token(app, admin)


@pytest.fixture
def own(app, participant) -> dict:
    """The participant's token."""
    return api_token(app, participant)


@pytest.fixture
def booking(client, staff, camera, participant) -> dict:
    """A reservation of the digital camera an hour from now, for four hours."""
    response = post_booking(client, staff, camera, participant.id)
    assert response.status_code == 201, response.json
    return response.json


def checked_out(client, headers, booking: dict, condition=ALL_GOOD) -> dict:
    response = act(client, headers, booking, "checkout", condition=condition)
    assert response.status_code == 200, response.json
    return response.json


def book_in_the_past(app, worker, camera, participant, days_ago=3, length=4) -> int:
    """A loan handed over days ago that was due back hours later: overdue now."""
    with app.app_context():
        then = at(-24 * days_ago)
        booking = stock.create_booking(user(worker), camera, participant.id, then,
                                       then + timedelta(hours=length), now=then)
        stock.check_out(user(worker), booking, ALL_GOOD, now=then)
        db.session.commit()
        return booking.id


# --- cameras ----------------------------------------------------------------------------


def test_worker_adds_a_camera_to_their_site(client, staff, site):
    response = client.post("/api/v1/cameras", headers=staff, json={
        "asset_tag": "cam-07", "kind": "digital", "make": "Canon", "model": "IXUS 185",
        "megapixels": 20, "notes": "Scratch on the back"})
    assert response.status_code == 201
    assert response.json == {
        "id": response.json["id"], "site_id": site, "asset_tag": "CAM-07", "kind": "digital",
        "make": "Canon", "model": "IXUS 185", "megapixels": 20.0, "exposures": None,
        "status": "available", "notes": "Scratch on the back", "version": 1}


def test_admin_adds_a_disposable_to_a_chosen_site(client, admin_h, other_site):
    response = client.post("/api/v1/cameras", headers=admin_h, json={
        "site_id": other_site, "asset_tag": "DSP-9", "kind": "disposable", "exposures": 27})
    assert response.status_code == 201
    assert response.json["site_id"] == other_site
    assert response.json["exposures"] == 27 and response.json["kind"] == "disposable"


def test_cameras_list_one_site_for_workers_all_for_admins(app, client, staff, admin_h, worker,
                                                          other_worker, camera):
    theirs = make_camera(app, other_worker, "CAM-S1")
    mine = [c["id"] for c in client.get("/api/v1/cameras", headers=staff).json["items"]]
    assert mine == [camera]
    every = [c["id"] for c in client.get("/api/v1/cameras", headers=admin_h).json["items"]]
    assert every == [camera, theirs]


def test_cameras_page_with_a_cursor(app, client, staff, worker):
    made = [make_camera(app, worker, f"CAM-{n:02}") for n in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/cameras?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=staff).json
        pages += 1
        assert len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == made and pages == 3


def test_get_a_camera_and_not_another_sites(app, client, staff, admin_h, camera,
                                            other_worker):
    response = client.get(f"/api/v1/cameras/{camera}", headers=staff)
    assert response.status_code == 200
    assert response.json["asset_tag"] == "CAM-01" and response.json["megapixels"] == 20.0
    theirs = make_camera(app, other_worker, "CAM-S1")
    assert_problem(client.get(f"/api/v1/cameras/{theirs}", headers=staff), 404)
    with unchanged(app):
        assert_problem(client.patch(f"/api/v1/cameras/{theirs}", headers=staff,
                                    json={"notes": "mine now"}), 404)
    assert client.get(f"/api/v1/cameras/{theirs}", headers=admin_h).status_code == 200


def test_patch_changes_only_what_is_sent(client, staff, camera):
    url = f"/api/v1/cameras/{camera}"
    response = client.patch(url, headers=staff, json={"notes": "Lens cap lost", "make": None,
                                                      "megapixels": None, "version": 1})
    assert response.status_code == 200
    assert response.json["notes"] == "Lens cap lost"
    assert response.json["make"] == "Canon"  # null leaves text alone...
    assert response.json["megapixels"] is None  # ...and clears a spec
    assert response.json["version"] == 2
    response = client.patch(url, headers=staff, json={"status": "in_repair"})
    assert response.json["status"] == "in_repair" and response.json["version"] == 3
    assert client.get(url, headers=staff).json == response.json


def test_stale_camera_patch_is_409_and_changes_nothing(app, client, staff, camera):
    url = f"/api/v1/cameras/{camera}"
    assert client.patch(url, headers=staff, json={"notes": "dusty"}).status_code == 200
    with unchanged(app):
        body = assert_problem(client.patch(url, headers=staff,
                                           json={"notes": "cleaned", "version": 1}), 409)
    assert "changed" in body["detail"]
    assert client.get(url, headers=staff).json["notes"] == "dusty"


def test_duplicate_asset_tag_is_409(app, client, staff, worker, camera):
    with unchanged(app):
        body = assert_problem(client.post("/api/v1/cameras", headers=staff, json={
            "asset_tag": " cam-01 ", "kind": "digital"}), 409)
    assert "CAM-01" in body["detail"] and "asset_tag" in body["errors"]
    second = make_camera(app, worker, "CAM-02")
    with unchanged(app):
        assert_problem(client.patch(f"/api/v1/cameras/{second}", headers=staff,
                                    json={"asset_tag": "CAM-01"}), 409)


@pytest.mark.parametrize("fields, field", [
    ({"asset_tag": "has spaces"}, "asset_tag"),
    ({"asset_tag": "X" * 41}, "asset_tag"),
    ({"kind": "film"}, "kind"),
    ({"megapixels": 0}, "megapixels"),
    ({"megapixels": "12"}, "megapixels"),
    ({"exposures": 27}, "exposures"),  # a digital camera has no exposures
    ({"exposures": 0}, "exposures"),
    ({"status": "lost"}, "status"),  # a new camera starts on the shelf
    ({"site_id": "1"}, "site_id"),
    ({"notes": "nul\x00"}, "notes"),
])
def test_bad_camera_bodies_are_422(app, client, staff, fields, field):
    with unchanged(app):
        body = assert_problem(client.post("/api/v1/cameras", headers=staff, json={
            "asset_tag": "CAM-09", "kind": "digital", **fields}), 422)
    assert field in body["errors"]


@pytest.mark.parametrize("fields, status", [
    ({"status": "used"}, 422),  # only sending a disposable for developing uses it up
    ({"exposures": 12}, 422),
    ({"megapixels": -1}, 422),
    ({"version": 0}, 422),
    ({"site_id": 2}, 422),  # moving a camera is not a patch
])
def test_bad_camera_patches(app, client, staff, camera, fields, status):
    with unchanged(app):
        assert_problem(client.patch(f"/api/v1/cameras/{camera}", headers=staff, json=fields),
                       status)


def test_camera_out_on_loan_cannot_change_status(app, client, staff, booking):
    checked_out(client, staff, booking)
    with unchanged(app):
        body = assert_problem(client.patch(f"/api/v1/cameras/{booking['camera_id']}",
                                           headers=staff, json={"status": "retired"}), 409)
    assert "out on loan" in body["detail"]


def test_participants_get_no_camera_endpoints(app, client, own, camera):
    with unchanged(app):
        assert_problem(client.get("/api/v1/cameras", headers=own), 403)
        assert_problem(client.post("/api/v1/cameras", headers=own,
                                   json={"asset_tag": "CAM-77", "kind": "digital"}), 403)
        # One camera answers as if there were none: participants see no stock at all.
        assert_problem(client.get(f"/api/v1/cameras/{camera}", headers=own), 404)
        assert_problem(client.patch(f"/api/v1/cameras/{camera}", headers=own,
                                    json={"notes": "x"}), 404)


# --- making a booking -------------------------------------------------------------------


def test_book_a_camera(client, staff, camera, participant):
    start = at(2)
    response = client.post("/api/v1/bookings", headers=staff, json={
        "camera_id": camera, "participant_id": participant.id,
        # Any offset is understood; the answer is in UTC.
        "starts_at": start.isoformat().replace("+00:00", "Z"),
        "ends_at": (start + timedelta(hours=5)).astimezone(ZoneInfo("Europe/London")).isoformat(),
        "note": "For the canal walk"})
    assert response.status_code == 201, response.json
    body = response.json
    assert parse(body["starts_at"]) == start
    assert parse(body["ends_at"]) == start + timedelta(hours=5)
    assert parse(body["ends_at"]).utcoffset() == timedelta(0)
    assert body | {"id": 0, "starts_at": "", "ends_at": ""} == {
        "id": 0, "camera_id": camera, "participant_id": participant.id,
        "participant_display_name": "Sky", "starts_at": "", "ends_at": "",
        "state": "reserved", "note": "For the canal walk", "participant_note": "",
        "version": 1, "overdue": False,
        "checked_out_at": None, "returned_at": None, "checkout_condition": None,
        "return_condition": None}


def test_a_booking_starting_now_is_fine(client, staff, camera, participant):
    response = post_booking(client, staff, camera, participant.id, start=-1 / 60)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("start, length, field", [
    (5, -2, "ends_at"),  # the end before the start
    (5, 0, "ends_at"),
    (-2, 4, "starts_at"),  # in the past
    (1, 24 * 61, "ends_at"),  # longer than the longest loan
])
def test_bad_periods_are_422(app, client, staff, camera, participant, start, length, field):
    with unchanged(app):
        body = assert_problem(post_booking(client, staff, camera, participant.id, start,
                                           length), 422)
    assert field in body["errors"]


@pytest.mark.parametrize("starts_at", [
    "2030-06-01T10:00:00",  # naive: which 10 o'clock?
    "2030-06-01",
    "2030-06-01T10:00+01:00",
    "1900000000",
    1900000000,
    "2030-02-30T10:00:00Z",
    "0001-01-01T00:00:00+14:00",  # before the start of the calendar in UTC
    "next tuesday",
    "\u0662\u0660\u0663\u0660-06-01T10:00:00Z",  # digits, but not ASCII ones
])
def test_times_without_offset_or_not_iso_are_422(app, client, staff, camera, participant,
                                                 starts_at):
    with unchanged(app):
        body = assert_problem(client.post("/api/v1/bookings", headers=staff, json={
            "camera_id": camera, "participant_id": participant.id,
            "starts_at": starts_at, "ends_at": "2030-06-01T16:00:00+01:00"}), 422)
    assert "starts_at" in body["errors"]


@pytest.mark.parametrize("status", ["retired", "lost", "in_repair"])
def test_a_camera_off_the_shelf_cannot_be_booked(app, client, staff, camera, participant,
                                                 status):
    client.patch(f"/api/v1/cameras/{camera}", headers=staff, json={"status": status})
    with unchanged(app):
        body = assert_problem(post_booking(client, staff, camera, participant.id), 409)
    assert status.replace("_", " ") in body["detail"]


def test_another_sites_participant_or_camera_is_404(app, client, staff, camera,
                                                    other_participant, other_worker,
                                                    participant):
    theirs = make_camera(app, other_worker, "CAM-S1")
    with unchanged(app):
        assert_problem(post_booking(client, staff, camera, other_participant.id), 404)
        assert_problem(post_booking(client, staff, theirs, participant.id), 404)
        assert_problem(post_booking(client, staff, camera, 99_999), 404)


def test_admin_cannot_lend_across_sites_either(app, client, admin_h, camera,
                                               other_participant):
    with unchanged(app):
        assert_problem(post_booking(client, admin_h, camera, other_participant.id), 404)


def test_an_overlap_is_409_naming_the_booking(app, client, staff, camera, participant,
                                              booking):
    other = make_account(app, "kit", "participant", participant.site_id, display_name="Kit")
    with unchanged(app):
        body = assert_problem(post_booking(client, staff, camera, other.id, start=3), 409)
    assert "Sky" in body["detail"] and f"booking {booking['id']}" not in body["detail"]
    assert body["errors"]["clash_booking_id"] == [str(booking["id"])]
    # Back to back is not an overlap.
    assert post_booking(client, staff, camera, other.id, start=5).status_code == 201


def test_an_unknown_field_is_422(app, client, staff, camera, participant):
    with unchanged(app):
        body = assert_problem(post_booking(client, staff, camera, participant.id,
                                           session_id=1), 422)
    assert "session_id" in body["errors"]


# --- hand-over, return and the other endings --------------------------------------------


def test_hand_over_early_and_take_back(app, client, staff, booking):
    out = act(client, staff, booking, "checkout", note="New battery",
              condition={**ALL_GOOD, "strap": False}, version=booking["version"])
    assert out.status_code == 200, out.json
    out = out.json
    assert out["state"] == "out" and out["version"] == booking["version"] + 1
    # Handed over before the booked start: the loan starts now.
    assert parse(out["starts_at"]) < parse(booking["starts_at"])
    assert parse(out["checked_out_at"]) == parse(out["starts_at"])
    assert out["checkout_condition"] == {
        "items": {**ALL_GOOD, "strap": False}, "damaged": False, "note": "New battery"}

    back = act(client, staff, booking, "checkin", condition={"body": True}, note="Muddy")
    assert back.status_code == 200, back.json
    back = back.json
    assert back["state"] == "returned" and back["returned_at"]
    assert back["return_condition"]["items"]["body"] is True
    assert back["return_condition"]["items"]["lens"] is False
    assert back["return_condition"]["note"] == "Muddy"
    # The loan now ends when it came back, not when it was due.
    assert parse(back["ends_at"]) < parse(out["ends_at"])
    camera = client.get(f"/api/v1/cameras/{booking['camera_id']}", headers=staff).json
    assert camera["status"] == "available"
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=staff).json == back


def test_a_damaged_return_sends_the_camera_for_repair(client, staff, camera, participant,
                                                      booking):
    later = post_booking(client, staff, camera, participant.id, start=30).json
    checked_out(client, staff, booking)
    back = act(client, staff, booking, "checkin", condition=ALL_GOOD, damaged=True)
    assert back.status_code == 200
    assert back.json["return_condition"]["damaged"] is True
    assert client.get(f"/api/v1/cameras/{camera}", headers=staff).json["status"] == "in_repair"
    # Its later reservation cannot be honoured, and says so.
    later = client.get(f"/api/v1/bookings/{later['id']}", headers=staff).json
    assert later["state"] == "cancelled" and "in repair" in later["note"]


def test_returning_a_camera_that_is_not_out_is_409(app, client, staff, booking):
    with unchanged(app):
        body = assert_problem(act(client, staff, booking, "checkin", condition=ALL_GOOD), 409)
    assert "reserved" in body["detail"]
    checked_out(client, staff, booking)
    act(client, staff, booking, "checkin", condition=ALL_GOOD)
    with unchanged(app):
        assert_problem(act(client, staff, booking, "checkin", condition=ALL_GOOD), 409)


def test_a_stale_version_is_409_and_changes_nothing(app, client, staff, booking):
    # Another worker extends the booking a moment before this one hands it over.
    seen = booking["version"]
    assert act(client, staff, booking, "extend", ends_at=iso(8)).status_code == 200
    for action, body in [("checkout", {"condition": ALL_GOOD}), ("extend", {"ends_at": iso(9)}),
                         ("cancel", {})]:
        with unchanged(app):
            problem = assert_problem(act(client, staff, booking, action, version=seen, **body),
                                     409)
        assert "changed" in problem["detail"]


@pytest.mark.parametrize("body, field", [
    ({"condition": {"shutter": True}}, "condition.shutter.[key]"),
    ({"condition": {"body": "yes"}}, "condition.body"),
    ({"condition": ALL_GOOD, "damaged": True}, "damaged"),  # no damaged camera goes out
    ({"condition": ALL_GOOD, "note": "x" * 1001}, "note"),
    ({"condition": ALL_GOOD, "version": "1"}, "version"),
])
def test_bad_checkout_bodies_are_422(app, client, staff, booking, body, field):
    with unchanged(app):
        problem = assert_problem(act(client, staff, booking, "checkout", **body), 422)
    assert field in problem["errors"]


def test_a_disposable_has_a_shorter_checklist(app, client, staff, disposable, participant):
    booking = post_booking(client, staff, disposable, participant.id).json
    with unchanged(app):
        problem = assert_problem(act(client, staff, booking, "checkout",
                                     condition={"body": True, "strap": True}), 422)
    assert "strap" in problem["detail"]
    out = act(client, staff, booking, "checkout", condition={"body": True, "lens": True})
    assert out.json["checkout_condition"]["items"] == {"body": True, "lens": True}


def test_extend_a_loan(app, client, staff, camera, participant, booking):
    checked_out(client, staff, booking)
    new_end = at(24)
    response = act(client, staff, booking, "extend", ends_at=new_end.isoformat())
    assert response.status_code == 200
    assert parse(response.json["ends_at"]) == new_end
    later = post_booking(client, staff, camera, participant.id, start=30).json
    with unchanged(app):
        problem = assert_problem(act(client, staff, booking, "extend", ends_at=iso(32)), 409)
        assert problem["errors"]["clash_booking_id"] == [str(later["id"])]
        assert_problem(act(client, staff, booking, "extend", ends_at=iso(2)), 422)
        assert_problem(act(client, staff, booking, "extend",
                           ends_at=at(28).replace(tzinfo=None).isoformat()), 422)


def test_cancel_a_reservation_but_not_a_loan(app, client, staff, camera, participant,
                                             booking):
    response = act(client, staff, booking, "cancel")
    assert response.status_code == 200 and response.json["state"] == "cancelled"
    with unchanged(app):
        assert_problem(act(client, staff, booking, "cancel"), 409)
    loan = post_booking(client, staff, camera, participant.id, start=0).json
    checked_out(client, staff, loan)
    with unchanged(app):
        assert_problem(act(client, staff, loan, "cancel"), 409)


def test_write_off_a_loan_kindly(app, client, staff, booking):
    with unchanged(app):
        assert_problem(act(client, staff, booking, "write-off"), 409)  # not out yet
    checked_out(client, staff, booking)
    response = act(client, staff, booking, "write-off", note="Lost on the bus; no blame.")
    assert response.status_code == 200
    assert response.json["state"] == "written_off"
    assert "Lost on the bus" in response.json["note"]
    camera = client.get(f"/api/v1/cameras/{booking['camera_id']}", headers=staff).json
    assert camera["status"] == "lost"


def test_a_disposable_goes_for_developing_then_is_developed(app, client, staff, disposable,
                                                            participant):
    booking = post_booking(client, staff, disposable, participant.id).json
    with unchanged(app):
        assert_problem(act(client, staff, booking, "send-for-developing"), 409)  # not out
    act(client, staff, booking, "checkout", condition={"body": True, "lens": True})
    with unchanged(app):
        assert_problem(act(client, staff, booking, "developed"), 409)  # not sent yet
    sent = act(client, staff, booking, "send-for-developing")
    assert sent.status_code == 200 and sent.json["state"] == "sent_for_developing"
    camera = client.get(f"/api/v1/cameras/{disposable}", headers=staff).json
    assert camera["status"] == "used"
    developed = act(client, staff, booking, "developed", version=sent.json["version"])
    assert developed.status_code == 200 and developed.json["state"] == "developed"
    with unchanged(app):
        assert_problem(post_booking(client, staff, disposable, participant.id), 409)


def test_a_digital_camera_is_not_sent_for_developing(app, client, staff, booking):
    checked_out(client, staff, booking)
    with unchanged(app):
        body = assert_problem(act(client, staff, booking, "send-for-developing"), 409)
    assert "disposable" in body["detail"]


@pytest.mark.parametrize("action", ["cancel", "send-for-developing", "developed"])
def test_actions_need_a_json_object(app, client, staff, booking, action):
    url = f"/api/v1/bookings/{booking['id']}/{action}"
    with unchanged(app):
        assert_problem(client.post(url, headers=staff), 415)
        assert_problem(client.post(url, headers=staff, json={"reason": "x"}), 422)


# --- lists, filters, roles --------------------------------------------------------------


@pytest.fixture
def many(app, client, staff, worker, camera, disposable, participant) -> dict:
    """A reservation, a loan, an overdue loan and a cancelled booking, over three cameras
    and two participants."""
    kit = make_account(app, "kit", "participant", participant.site_id, display_name="Kit")
    third = make_camera(app, worker, "CAM-03")
    overdue = book_in_the_past(app, worker, third, kit)
    reserved = post_booking(client, staff, camera, participant.id, start=48).json["id"]
    loan = post_booking(client, staff, disposable, kit.id, start=0).json
    checked_out(client, staff, loan, {"body": True, "lens": True})
    cancelled = post_booking(client, staff, camera, kit.id, start=100).json
    act(client, staff, cancelled, "cancel")
    return {"kit": kit.id, "third": third, "overdue": overdue, "reserved": reserved,
            "loan": loan["id"], "cancelled": cancelled["id"]}


@pytest.mark.parametrize("query, expected", [
    ("", ["overdue", "reserved", "loan", "cancelled"]),
    ("camera={camera}", ["reserved", "cancelled"]),
    ("camera={third}", ["overdue"]),
    ("participant={kit}", ["overdue", "loan", "cancelled"]),
    ("participant={sky}", ["reserved"]),
    ("state=out", ["overdue", "loan"]),
    ("state=cancelled", ["cancelled"]),
    ("overdue=true", ["overdue"]),
    ("overdue=false", ["reserved", "loan", "cancelled"]),
    ("state=out&overdue=false&participant={kit}", ["loan"]),
    ("camera={camera}&state=out", []),
])
def test_booking_filters(client, staff, camera, participant, many, query, expected):
    url = "/api/v1/bookings?" + query.format(camera=camera, sky=participant.id, **many)
    response = client.get(url, headers=staff)
    assert response.status_code == 200
    assert [b["id"] for b in response.json["items"]] == [many[name] for name in expected]


def test_overdue_shows_in_the_booking(client, staff, many):
    overdue = client.get(f"/api/v1/bookings/{many['overdue']}", headers=staff).json
    assert overdue["overdue"] is True and overdue["state"] == "out"
    loan = client.get(f"/api/v1/bookings/{many['loan']}", headers=staff).json
    assert loan["overdue"] is False


@pytest.mark.parametrize("query", ["state=lost", "overdue=maybe", "camera=0", "camera=x",
                                   "participant=-1", "limit=0", "cursor=%%%"])
def test_bad_filters_are_422(client, staff, query):
    assert_problem(client.get(f"/api/v1/bookings?{query}", headers=staff), 422)


def test_bookings_page_with_a_cursor(app, client, staff, worker, participant):
    cameras = [make_camera(app, worker, f"CAM-{n:02}") for n in range(5)]
    made = [post_booking(client, staff, c, participant.id).json["id"] for c in cameras]
    seen, cursor = [], None
    while True:
        url = "/api/v1/bookings?state=reserved&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=staff).json
        assert len(page["items"]) <= 2
        seen += [b["id"] for b in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == made


def test_workers_see_their_sites_bookings_admins_all(app, client, staff, admin_h, booking,
                                                     other_worker, other_participant):
    theirs = make_camera(app, other_worker, "CAM-S1")
    other = post_booking(client, api_token(app, other_worker), theirs,
                         other_participant.id).json
    listed = client.get("/api/v1/bookings", headers=staff).json["items"]
    assert [b["id"] for b in listed] == [booking["id"]]
    assert_problem(client.get(f"/api/v1/bookings/{other['id']}", headers=staff), 404)
    for action in ("checkout", "checkin", "cancel", "write-off", "send-for-developing",
                   "developed"):
        with unchanged(app):
            assert_problem(act(client, staff, other, action), 404)
    with unchanged(app):
        assert_problem(act(client, staff, other, "extend", ends_at=iso(20)), 404)
    every = client.get("/api/v1/bookings", headers=admin_h).json["items"]
    assert [b["id"] for b in every] == [booking["id"], other["id"]]
    assert act(client, admin_h, other, "cancel").status_code == 200


def test_participants_see_only_their_own_bookings(app, client, own, staff, camera,
                                                  participant, booking):
    kit = make_account(app, "kit", "participant", participant.site_id, display_name="Kit")
    theirs = post_booking(client, staff, camera, kit.id, start=10).json
    listed = client.get("/api/v1/bookings", headers=own).json["items"]
    assert [b["id"] for b in listed] == [booking["id"]]
    assert listed[0]["participant_display_name"] == "Sky"
    assert client.get(f"/api/v1/bookings?participant={kit.id}", headers=own).json == {
        "items": [], "next_cursor": None}
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=own).json == booking
    assert_problem(client.get(f"/api/v1/bookings/{theirs['id']}", headers=own), 404)


def test_participants_cannot_act_on_bookings(app, client, own, camera, participant, booking):
    with unchanged(app):
        assert_problem(post_booking(client, own, camera, participant.id, start=20), 403)
        for action, body in [("checkout", {"condition": ALL_GOOD}),
                             ("checkin", {"condition": ALL_GOOD}), ("extend", {"ends_at": iso(9)}),
                             ("cancel", {}), ("write-off", {}), ("send-for-developing", {}),
                             ("developed", {})]:
            assert_problem(act(client, own, booking, action, **body), 403)


def test_every_state_change_is_in_the_audit_trail(app, client, staff, booking):
    checked_out(client, staff, booking)
    act(client, staff, booking, "extend", ends_at=iso(12))
    act(client, staff, booking, "checkin", condition=ALL_GOOD)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.target_type == "booking", AuditEvent.target_id == booking["id"])
            .order_by(AuditEvent.id)).all()
    assert actions == ["booking.reserved", "booking.checked_out", "booking.extended",
                       "booking.returned"]
