"""Camera and loan pages: each flow, each refusal, and that a refusal changes nothing.

The pages use the real clock, so times here are picked relative to now.
"""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import segno
from sqlalchemy import func, select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.pages import login, post_form, text
from tests.fixtures.stock import booking_row, camera_row, lend, make_camera, now
from workshop.audit.models import AuditEvent
from workshop.extensions import db
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState, Camera, CameraStatus
from workshop.templating import local_time
from workshop.timezones import end_of_today, to_local, to_utc

LONDON = ZoneInfo("Europe/London")
ALL_TICKED = {"ok_body": "y", "ok_lens": "y", "ok_strap": "y", "ok_power": "y",
              "ok_card": "y", "ok_card_wiped": "y"}


# --- helpers ----------------------------------------------------------------------------



def typed(moment: datetime) -> str:
    """A moment as a datetime-local input sends it: the programme's wall clock, to the minute."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def minute(moment: datetime) -> datetime:
    """What survives the trip through an input: the moment, seconds dropped."""
    return moment.replace(second=0, microsecond=0)



def reserve(app, worker, camera_id, participant_id, starts_at, ends_at, at=None) -> int:
    with app.app_context():
        booking = stock.create_booking(user(worker), camera_id, participant_id, starts_at,
                                       ends_at, now=at or starts_at)
        db.session.commit()
        return booking.id





def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def set_status(app, worker, camera_id, status):
    with app.app_context():
        stock.update_camera(user(worker), db.session.get(Camera, camera_id), status=status)
        db.session.commit()


@pytest.fixture
def signed_in(client, worker):
    login(client, worker)
    return client


# --- who sees what ----------------------------------------------------------------------


def test_camera_list_shows_this_sites_cameras_and_where_they_are(
        app, signed_in, worker, other_worker, participant, camera):
    make_camera(app, worker, "CAM-02", make="Nikon")
    make_camera(app, other_worker, "AWAY-01")
    lend(app, worker, camera, participant.id, now() + timedelta(hours=3))
    page = text(signed_in.get("/cameras"))
    assert "CAM-01" in page and "CAM-02" in page
    assert "AWAY-01" not in page
    assert "Out with Sky" in page
    assert "On the shelf" in page


def test_admin_sees_every_sites_cameras(app, client, admin, worker, other_worker):
    make_camera(app, worker, "CAM-01")
    make_camera(app, other_worker, "AWAY-01")
    login(client, admin)
    page = text(client.get("/cameras"))
    assert "CAM-01" in page and "AWAY-01" in page
    assert "North Hub" in page and "South Hub" in page


def test_participants_cannot_reach_camera_pages(client, participant, camera):
    login(client, participant)
    for url in ("/cameras", f"/cameras/{camera}", "/loans", "/cameras/new",
                f"/cameras/labels?camera={camera}", f"/people/{participant.id}/loans"):
        assert client.get(url).status_code == 404, url
    assert "Cameras" not in client.get("/dashboard").get_data(as_text=True)


def test_another_sites_camera_and_its_pages_are_404(app, signed_in, other_worker):
    away = make_camera(app, other_worker, "AWAY-01")
    for url in (f"/cameras/{away}", f"/cameras/{away}/edit", f"/cameras/{away}/status",
                f"/cameras/{away}/book", f"/cameras/{away}/hand-over"):
        assert signed_in.get(url).status_code == 404, url


def test_another_sites_booking_is_404_and_untouched(app, signed_in, other_worker,
                                                   other_participant):
    away = make_camera(app, other_worker, "AWAY-01")
    loan = lend(app, other_worker, away, other_participant.id, now() + timedelta(hours=2))
    version = booking_row(app, loan).version
    for action in ("return", "extend", "write-off", "hand-over", "cancel"):
        assert signed_in.get(f"/loans/{loan}/{action}").status_code == 404
    response = post_form(signed_in, f"/loans/{loan}/return", {"expected_version": version},
                         page="/cameras")
    assert response.status_code == 404
    assert booking_row(app, loan).state is BookingState.OUT
    assert "AWAY-01" not in text(signed_in.get("/loans/all"))


# --- adding and editing cameras ---------------------------------------------------------


def test_worker_adds_a_camera(app, signed_in, worker, site):
    response = post_form(signed_in, "/cameras/new", {
        "asset_tag": "cam-07", "kind": "digital", "make": "Canon", "model": "IXUS 185",
        "megapixels": "20", "notes": "Blue case"})
    assert response.status_code == 302
    with app.app_context():
        camera = db.session.scalar(select(Camera).where(Camera.asset_tag == "CAM-07"))
        assert camera.site_id == site and camera.model == "IXUS 185"
        assert camera.megapixels == 20 and camera.status is CameraStatus.AVAILABLE
    assert response.headers["Location"] == f"/cameras/{camera.id}"
    page = text(signed_in.get(response.headers["Location"]))
    assert "CAM-07 is added" in page
    assert "Blue case" in page


def test_worker_adds_a_disposable_with_its_exposures(app, signed_in):
    response = post_form(signed_in, "/cameras/new", {
        "asset_tag": "DSP-09", "kind": "disposable", "make": "Kodak", "exposures": "27"})
    assert response.status_code == 302
    with app.app_context():
        camera = db.session.scalar(select(Camera).where(Camera.asset_tag == "DSP-09"))
        assert camera.exposures == 27 and camera.kind.value == "disposable"


def test_admin_adds_a_camera_to_a_chosen_site(app, client, admin, site, other_site):
    login(client, admin)
    page = client.get("/cameras/new").get_data(as_text=True)
    assert "South Hub" in page
    response = post_form(client, "/cameras/new", {
        "site_id": str(other_site), "asset_tag": "S-1", "kind": "digital"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Camera.site_id).where(Camera.asset_tag == "S-1")) \
            == other_site


def test_duplicate_asset_tag_is_refused_next_to_the_field(app, signed_in, camera):
    response = post_form(signed_in, "/cameras/new", {"asset_tag": "cam-01", "kind": "digital"})
    assert response.status_code == 409
    assert "CAM-01 is already used by another camera." in text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(app, Camera) == 1


@pytest.mark.parametrize("data, message", [
    ({"asset_tag": "", "kind": "digital"}, "Give the asset tag."),
    ({"asset_tag": "CAM 07!", "kind": "digital"}, "Use up to 40 letters"),
    ({"asset_tag": "CAM-07", "kind": "digital", "exposures": "27"},
     "Only disposable cameras have a number of exposures."),
    ({"asset_tag": "CAM-07", "kind": "digital", "megapixels": "lots"}, "Give a number"),
    ({"asset_tag": "CAM-07", "kind": "digital", "megapixels": "NaN"}, "Give a number"),
    ({"asset_tag": "CAM-07", "kind": "digital", "megapixels": "Infinity"}, "Give a number"),
    ({"asset_tag": "CAM-07", "kind": "digital", "megapixels": "5000"},
     "Megapixels must be between 0.1 and 1000."),
    ({"asset_tag": "CAM-07", "kind": "disposable", "exposures": "500"},
     "Exposures must be between 1 and 100."),
    ({"asset_tag": "CAM-07", "kind": "film"}, "Not a valid choice"),
])
def test_bad_camera_details_are_explained(app, signed_in, data, message):
    response = post_form(signed_in, "/cameras/new", data)
    assert response.status_code == 422
    assert message in text(response)
    assert count(app, Camera) == 0


def test_worker_cannot_add_a_camera_to_another_site(app, signed_in, other_site):
    response = post_form(signed_in, "/cameras/new", {
        "site_id": str(other_site), "asset_tag": "S-1", "kind": "digital"})
    assert response.status_code == 404
    assert count(app, Camera) == 0


def test_worker_edits_a_camera(app, signed_in, camera):
    page = signed_in.get(f"/cameras/{camera}/edit").get_data(as_text=True)
    assert 'name="expected_version" type="hidden" value="1"' in page
    response = post_form(signed_in, f"/cameras/{camera}/edit", {
        "asset_tag": "CAM-01", "make": "Canon", "model": "IXUS 190", "megapixels": "20",
        "notes": "New strap", "expected_version": "1"})
    assert response.status_code == 302
    edited = camera_row(app, camera)
    assert edited.model == "IXUS 190" and edited.notes == "New strap" and edited.version == 2


def test_a_stale_camera_edit_is_refused_not_saved_over(app, signed_in, worker, camera):
    page = signed_in.get(f"/cameras/{camera}/edit").get_data(as_text=True)
    # Someone else saves a change after this page was opened.
    with app.app_context():
        stock.update_camera(user(worker), db.session.get(Camera, camera), notes="Theirs")
        db.session.commit()
    response = post_form(signed_in, f"/cameras/{camera}/edit", {
        "asset_tag": "CAM-01", "model": "Mine", "notes": "Mine", "expected_version": "1"},
        page=f"/cameras/{camera}")
    assert "expected_version" in page
    assert response.status_code == 409
    assert "Someone changed this camera a moment ago" in text(response)
    kept = camera_row(app, camera)
    assert kept.notes == "Theirs" and kept.model == "IXUS 185"


def test_edit_to_a_taken_asset_tag_is_refused(app, signed_in, worker, camera):
    make_camera(app, worker, "CAM-02")
    response = post_form(signed_in, f"/cameras/{camera}/edit", {
        "asset_tag": "CAM-02", "expected_version": "1"})
    assert response.status_code == 409
    assert camera_row(app, camera).asset_tag == "CAM-01"


def test_status_change_puts_a_camera_in_repair_and_cancels_its_bookings(
        app, signed_in, worker, participant, camera):
    tomorrow = now() + timedelta(days=1)
    booked = reserve(app, worker, camera, participant.id, tomorrow, tomorrow + timedelta(hours=3),
                     at=now())
    response = post_form(signed_in, f"/cameras/{camera}/status",
                         {"status": "in_repair", "expected_version": "1"})
    assert response.status_code == 302
    assert camera_row(app, camera).status is CameraStatus.IN_REPAIR
    assert booking_row(app, booked).state is BookingState.CANCELLED
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert "In repair." in page and "No one can borrow it until it is fixed." in page
    assert "Available → In repair" in page


def test_status_of_a_camera_out_on_loan_cannot_change(app, signed_in, worker, participant,
                                                      camera):
    lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    version = camera_row(app, camera).version
    response = post_form(signed_in, f"/cameras/{camera}/status",
                         {"status": "retired", "expected_version": str(version)})
    assert response.status_code == 409
    assert "CAM-01 is out on loan. Take it back first." in text(response)
    assert camera_row(app, camera).status is CameraStatus.AVAILABLE


# --- the camera's page ------------------------------------------------------------------


def big_button(response) -> str:
    match = re.search(r'class="button primary big-action" href="([^"]+)">([^<]+)<',
                      response.get_data(as_text=True))
    assert match, "no big button on the camera's page"
    return f"{match.group(2).strip()} -> {match.group(1)}"


def test_the_big_button_is_the_next_sensible_step(app, signed_in, worker, participant,
                                                  camera):
    assert big_button(signed_in.get(f"/cameras/{camera}")) == \
        f"Hand over now -> /cameras/{camera}/hand-over"
    soon = now() + timedelta(minutes=10)
    if end_of_today(now(), LONDON) > soon + timedelta(minutes=5):
        booked = reserve(app, worker, camera, participant.id, soon, soon + timedelta(hours=1),
                         at=now())
        assert big_button(signed_in.get(f"/cameras/{camera}")) == \
            f"Hand over to Sky -> /loans/{booked}/hand-over"
        with app.app_context():
            stock.cancel(user(worker), db.session.get(Booking, booked))
            db.session.commit()
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    assert big_button(signed_in.get(f"/cameras/{camera}")) == \
        f"Take back from Sky -> /loans/{loan}/return"


def test_a_disposable_out_offers_developing_then_developed(app, signed_in, worker,
                                                           participant, disposable):
    loan = lend(app, worker, disposable, participant.id, now() + timedelta(days=3))
    page = signed_in.get(f"/cameras/{disposable}")
    assert big_button(page) == \
        f"Got it back from Sky: send for developing -> /loans/{loan}/send-for-developing"
    assert "Take it back unused" in text(page)
    response = post_form(signed_in, f"/loans/{loan}/send-for-developing",
                         {"expected_version": str(booking_row(app, loan).version)})
    assert response.status_code == 302
    assert booking_row(app, loan).state is BookingState.SENT_FOR_DEVELOPING
    assert camera_row(app, disposable).status is CameraStatus.USED
    page = signed_in.get(f"/cameras/{disposable}")
    assert big_button(page) == \
        f"The photos are back: mark as developed -> /loans/{loan}/developed"
    response = post_form(signed_in, f"/loans/{loan}/developed",
                         {"expected_version": str(booking_row(app, loan).version)})
    assert response.status_code == 302
    assert booking_row(app, loan).state is BookingState.DEVELOPED
    page = text(signed_in.get(f"/cameras/{disposable}"))
    assert "Sent for developing by Worker" in page and "Marked developed by Worker" in page


def test_a_digital_camera_is_not_sent_for_developing(app, signed_in, worker, participant,
                                                     camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    response = signed_in.get(f"/loans/{loan}/send-for-developing")
    assert response.status_code == 409
    assert "Only disposable cameras are sent for developing." in text(response)
    assert booking_row(app, loan).state is BookingState.OUT


def test_the_camera_page_tells_the_whole_history(app, signed_in, worker, participant,
                                                 camera):
    other = make_account(app, "kim", "worker", participant.site_id, display_name="Kim")
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2),
                ticked={"body": True, "lens": True})
    with app.app_context():
        stock.check_in(user(other), db.session.get(Booking, loan), {"body": True},
                       damaged=True, note="Lens cracked")
        db.session.commit()
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert "Booked by Worker" in page
    assert "Handed over by Worker" in page
    assert "Not ticked: Strap is there; Battery or charger is there" in page
    assert "Taken back by Kim" in page
    assert "Damaged: sent for repair." in page
    assert "Lens is clean and not scratched" in page.split("Taken back by Kim")[1]
    assert "“Lens cracked”" in page
    assert "damaged at return" in page


# --- handing over -----------------------------------------------------------------------


def test_worker_hands_a_camera_over_to_someone_standing_there(app, signed_in, participant,
                                                              camera):
    page = signed_in.get(f"/cameras/{camera}/hand-over")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Memory card is wiped of the last person" in unescape(body)
    assert '<option value="' + str(participant.id) + '">Sky</option>' in body
    back = now() + timedelta(hours=4)
    response = post_form(signed_in, f"/cameras/{camera}/hand-over", {
        "participant_id": str(participant.id), "ends_at": typed(back),
        **{k: v for k, v in ALL_TICKED.items() if k != "ok_strap"}, "note": "With case"})
    assert response.status_code == 302
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.state is BookingState.OUT and booking.participant_id == participant.id
        assert booking.ends_at == minute(back)
        assert booking.checkout_condition["items"]["strap"] is False
        assert booking.checkout_condition["items"]["card_wiped"] is True
        assert booking.checkout_condition["note"] == "With case"
    flashed = text(signed_in.get(f"/cameras/{camera}"))
    assert "CAM-01 is out with Sky." in flashed and "Not ticked: Strap is there." in flashed


def test_hand_over_needs_a_person_and_a_time(app, signed_in, participant, camera):
    response = post_form(signed_in, f"/cameras/{camera}/hand-over", {"ends_at": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Choose who is borrowing it." in page
    assert "Give the date and time it comes back." in page
    assert count(app, Booking) == 0


def test_hand_over_to_another_sites_participant_is_404(app, signed_in, camera,
                                                       other_participant):
    response = post_form(signed_in, f"/cameras/{camera}/hand-over", {
        "participant_id": str(other_participant.id),
        "ends_at": typed(now() + timedelta(hours=2))})
    assert response.status_code == 404
    assert count(app, Booking) == 0


@pytest.mark.parametrize("status", ["in_repair", "retired", "lost"])
def test_a_camera_that_is_not_available_cannot_be_lent(app, signed_in, worker, participant,
                                                       camera, status):
    set_status(app, worker, camera, status)
    for url in (f"/cameras/{camera}/hand-over", f"/cameras/{camera}/book"):
        page = signed_in.get(url)
        assert page.status_code == 409
        assert "so it cannot be lent" in text(page)
    response = post_form(signed_in, f"/cameras/{camera}/hand-over", {
        "participant_id": str(participant.id), "ends_at": typed(now() + timedelta(hours=2))},
        page=f"/cameras/{camera}")
    assert response.status_code == 409
    assert count(app, Booking) == 0


def test_hand_over_of_a_booked_camera_with_the_checklist(app, signed_in, worker, participant,
                                                         camera):
    start = now() + timedelta(minutes=30)
    booked = reserve(app, worker, camera, participant.id, start, start + timedelta(hours=3),
                     at=now())
    page = signed_in.get(f"/loans/{booked}/hand-over").get_data(as_text=True)
    assert 'name="expected_version" type="hidden" value="1"' in page
    response = post_form(signed_in, f"/loans/{booked}/hand-over",
                         {**ALL_TICKED, "expected_version": "1"})
    assert response.status_code == 302
    booking = booking_row(app, booked)
    assert booking.state is BookingState.OUT
    assert booking.starts_at <= now()  # an early hand-over starts now
    assert all(booking.checkout_condition["items"].values())


def test_hand_over_when_the_camera_is_out_with_someone_else_names_the_loan(
        app, signed_in, worker, participant, camera):
    other = make_account(app, "lee", "participant", participant.site_id, display_name="Lee")
    start = now() + timedelta(hours=1)
    booked = reserve(app, worker, camera, other.id, start, start + timedelta(hours=2), at=now())
    loan = lend(app, worker, camera, participant.id, now() + timedelta(minutes=50))
    response = post_form(signed_in, f"/loans/{booked}/hand-over",
                         {**ALL_TICKED, "expected_version": "1"})
    assert response.status_code == 409
    assert "CAM-01 is out with Sky from" in text(response)
    assert f"booking {loan}" not in text(response)  # no internal id in the sentence
    assert booking_row(app, booked).state is BookingState.RESERVED


def test_a_stale_hand_over_is_refused(app, signed_in, worker, participant, camera):
    start = now() + timedelta(hours=1)
    booked = reserve(app, worker, camera, participant.id, start, start + timedelta(hours=2),
                     at=now())
    signed_in.get(f"/loans/{booked}/hand-over")
    with app.app_context():  # another worker changes the end meanwhile
        stock.extend(user(worker), db.session.get(Booking, booked),
                     start + timedelta(hours=3))
        db.session.commit()
    response = post_form(signed_in, f"/loans/{booked}/hand-over",
                         {**ALL_TICKED, "expected_version": "1"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone changed this booking a moment ago" in text(response)
    # Sent back showing the booking as it is now, ready to send again.
    assert 'name="expected_version" type="hidden" value="2"' in page
    assert booking_row(app, booked).state is BookingState.RESERVED


# --- booking ahead ----------------------------------------------------------------------


def test_worker_books_a_camera_ahead(app, signed_in, participant, camera):
    start = now() + timedelta(days=2)
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(participant.id), "starts_at": typed(start),
        "ends_at": typed(start + timedelta(hours=5)), "note": "Park walk"})
    assert response.status_code == 302
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.state is BookingState.RESERVED
        assert booking.starts_at == minute(start)
        assert booking.ends_at == minute(start + timedelta(hours=5))
        assert booking.note == "Park walk"
        assert booking.created_by_id is not None
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert "CAM-01 is booked for Sky" in page
    assert "Booked ahead" in page


def test_the_booking_form_suggests_tomorrow(signed_in, camera):
    page = signed_in.get(f"/cameras/{camera}/book").get_data(as_text=True)
    tomorrow = (now().astimezone(LONDON) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert f'value="{tomorrow}T10:00"' in page and f'value="{tomorrow}T17:00"' in page
    assert 'type="datetime-local"' in page


@pytest.mark.parametrize("start_hours, end_hours, field_message", [
    (30, 28, "The end must be after the start."),
    (-3, 2, "That start is in the past."),
    (2, 24 * 70, "A loan can last at most 60 days."),
])
def test_bad_booking_times_are_explained(app, signed_in, participant, camera, start_hours,
                                         end_hours, field_message):
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(participant.id),
        "starts_at": typed(now() + timedelta(hours=start_hours)),
        "ends_at": typed(now() + timedelta(hours=end_hours))})
    assert response.status_code == 422
    assert field_message in text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(app, Booking) == 0


def test_a_time_that_is_not_a_time_is_explained(app, signed_in, participant, camera):
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(participant.id), "starts_at": "tomorrow",
        "ends_at": typed(now() + timedelta(hours=30))})
    assert response.status_code == 422
    assert "Give a date and a time" in text(response)
    assert count(app, Booking) == 0


def test_an_overlapping_booking_names_the_one_it_clashes_with(app, signed_in, worker,
                                                              participant, camera):
    other = make_account(app, "lee", "participant", participant.site_id, display_name="Lee")
    start = now() + timedelta(days=1)
    first = reserve(app, worker, camera, other.id, start, start + timedelta(hours=4), at=now())
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(participant.id),
        "starts_at": typed(start + timedelta(hours=2)),
        "ends_at": typed(start + timedelta(hours=6))})
    assert response.status_code == 409
    page = text(response)
    # The person and both dates, not the booking's internal id.
    assert (f"CAM-01 is booked for Lee from {local(app, start)} to "
            f"{local(app, start + timedelta(hours=4))}. Choose another time") in page
    assert f"booking {first}" not in page
    assert 'role="alert"' in response.get_data(as_text=True)
    assert count(app, Booking) == 1


def local(app, moment: datetime) -> str:
    with app.app_context():
        return local_time(moment)


def test_booking_for_another_sites_participant_is_404(app, signed_in, camera,
                                                      other_participant):
    start = now() + timedelta(days=1)
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(other_participant.id), "starts_at": typed(start),
        "ends_at": typed(start + timedelta(hours=2))})
    assert response.status_code == 404
    assert count(app, Booking) == 0


def test_a_booking_across_the_clock_change_keeps_the_typed_local_times(app, signed_in,
                                                                       participant, camera):
    change = next_clock_change(now() + timedelta(days=1))
    start_local = (change - timedelta(days=1)).astimezone(LONDON).replace(
        hour=11, minute=0, second=0, microsecond=0, tzinfo=None)
    end_local = start_local + timedelta(days=2)  # same wall-clock time, two days on
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(participant.id),
        "starts_at": start_local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end_local.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302, text(response)
    booking = booking_row(app, count_one(app))
    assert booking.starts_at == start_local.replace(tzinfo=LONDON).astimezone(UTC)
    assert booking.ends_at == end_local.replace(tzinfo=LONDON).astimezone(UTC)
    # An hour more or less than 48 went by, and both ends still read 11:00.
    assert (booking.ends_at - booking.starts_at) != timedelta(days=2)
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert f"{start_local:%-d %b %Y}, 11:00 to {end_local:%-d %b %Y}, 11:00" in page


def next_clock_change(after: datetime) -> datetime:
    moment = after
    offset = moment.astimezone(LONDON).utcoffset()
    while moment.astimezone(LONDON).utcoffset() == offset:
        moment += timedelta(hours=1)
    return moment


def count_one(app) -> int:
    with app.app_context():
        (booking_id,) = db.session.scalars(select(Booking.id)).all()
        return booking_id


# --- taking back ------------------------------------------------------------------------


def test_worker_takes_a_camera_back(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    page = text(signed_in.get(f"/loans/{loan}/return"))
    assert "From Sky." in page and "It is damaged or broken" in page
    response = post_form(signed_in, f"/loans/{loan}/return", {**ALL_TICKED,
                                                               "expected_version": "2"})
    assert response.status_code == 302
    booking = booking_row(app, loan)
    assert booking.state is BookingState.RETURNED and booking.returned_by_id == worker.id
    assert booking.return_condition == {"items": {k[3:]: True for k in ALL_TICKED},
                                        "damaged": False, "note": ""}
    assert camera_row(app, camera).status is CameraStatus.AVAILABLE
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert "CAM-01 is back on the shelf." in page
    assert "Hand over now" in page


def test_a_damaged_return_puts_the_camera_in_repair_and_says_so(app, signed_in, worker,
                                                                participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    response = post_form(signed_in, f"/loans/{loan}/return", {
        "ok_body": "y", "damaged": "y", "note": "Dropped", "expected_version": "2"})
    assert response.status_code == 302
    assert camera_row(app, camera).status is CameraStatus.IN_REPAIR
    assert booking_row(app, loan).return_condition["damaged"] is True
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert "It is marked damaged and is now in repair" in page
    assert "No one can borrow it until it is fixed." in page


def test_returning_a_camera_that_is_not_out_is_a_friendly_page(app, signed_in, worker,
                                                               participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    with app.app_context():
        stock.check_in(user(worker), db.session.get(Booking, loan), {})
        db.session.commit()
    version = booking_row(app, loan).version
    page = signed_in.get(f"/loans/{loan}/return")
    assert page.status_code == 409
    assert "This booking is returned, so it cannot be taken back." in text(page)
    assert "Go to CAM-01" in text(page)
    # The form sent from a tab opened before (or a double tap) gets the same kind answer.
    response = post_form(signed_in, f"/loans/{loan}/return",
                         {"ok_body": "y", "expected_version": "2"}, page="/cameras")
    assert response.status_code == 409
    assert "This booking is returned, so it cannot be taken back." in text(response)
    assert booking_row(app, loan).version == version
    # A booking never handed over cannot be taken back either.
    start = now() + timedelta(days=1)
    booked = reserve(app, worker, camera, participant.id, start, start + timedelta(hours=1),
                     at=now())
    page = signed_in.get(f"/loans/{booked}/return")
    assert page.status_code == 409
    assert "This booking is reserved, so it cannot be taken back." in text(page)


def test_a_return_sent_twice_changes_nothing_the_second_time(app, signed_in, worker,
                                                             participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    form = {"ok_body": "y", "expected_version": "2"}
    assert post_form(signed_in, f"/loans/{loan}/return", form).status_code == 302
    events = count(app, AuditEvent)
    returned = booking_row(app, loan)
    again = post_form(signed_in, f"/loans/{loan}/return", form, page="/cameras")
    assert again.status_code == 409
    assert "Go to CAM-01" in text(again)
    assert count(app, AuditEvent) == events
    assert booking_row(app, loan).returned_at == returned.returned_at


def test_a_stale_return_is_refused(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    with app.app_context():
        stock.extend(user(worker), db.session.get(Booking, loan), now() + timedelta(hours=5))
        db.session.commit()
    response = post_form(signed_in, f"/loans/{loan}/return",
                         {"ok_body": "y", "expected_version": "2"})
    assert response.status_code == 409
    assert "Someone changed this booking a moment ago" in text(response)
    assert booking_row(app, loan).state is BookingState.OUT


# --- extend, cancel, write off ----------------------------------------------------------


def test_worker_gives_more_time(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    later = now() + timedelta(days=1)
    response = post_form(signed_in, f"/loans/{loan}/extend",
                         {"ends_at": typed(later), "expected_version": "2"})
    assert response.status_code == 302
    assert booking_row(app, loan).ends_at == minute(later)
    assert f"now due back {local(app, minute(later))}" in text(signed_in.get(f"/cameras/{camera}"))


def test_extending_into_the_next_booking_names_it(app, signed_in, worker, participant, camera):
    other = make_account(app, "lee", "participant", participant.site_id, display_name="Lee")
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    start = now() + timedelta(hours=5)
    booked = reserve(app, worker, camera, other.id, start, start + timedelta(hours=2), at=now())
    end_before = booking_row(app, loan).ends_at
    response = post_form(signed_in, f"/loans/{loan}/extend",
                         {"ends_at": typed(now() + timedelta(hours=6)), "expected_version": "2"})
    assert response.status_code == 409
    assert f"booking {booked}" not in text(response)
    assert "is booked for Lee" in text(response)
    assert booking_row(app, loan).ends_at == end_before


def test_extending_to_an_earlier_time_is_explained(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=5))
    response = post_form(signed_in, f"/loans/{loan}/extend",
                         {"ends_at": typed(now() + timedelta(hours=2)), "expected_version": "2"})
    assert response.status_code == 422
    assert "The new end must be later than the current one." in text(response)


def test_worker_cancels_a_booking(app, signed_in, worker, participant, camera):
    start = now() + timedelta(days=1)
    booked = reserve(app, worker, camera, participant.id, start, start + timedelta(hours=2),
                     at=now())
    assert "The camera will be free" in text(signed_in.get(f"/loans/{booked}/cancel"))
    response = post_form(signed_in, f"/loans/{booked}/cancel", {"expected_version": "1"})
    assert response.status_code == 302
    booking = booking_row(app, booked)
    assert booking.state is BookingState.CANCELLED and booking.closed_by_id == worker.id
    assert "Cancelled by Worker" in text(signed_in.get(f"/cameras/{camera}"))


def test_a_loan_that_is_out_cannot_be_cancelled(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    response = signed_in.get(f"/loans/{loan}/cancel")
    assert response.status_code == 409
    assert "This booking is out, so it cannot be cancelled." in text(response)
    assert booking_row(app, loan).state is BookingState.OUT


def test_writing_off_is_kind_and_ends_the_loan(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    page = text(signed_in.get(f"/loans/{loan}/write-off"))
    assert "No one is in trouble. The loan just ends." in page
    response = post_form(signed_in, f"/loans/{loan}/write-off",
                         {"note": "Moved away", "expected_version": "2"})
    assert response.status_code == 302
    booking = booking_row(app, loan)
    assert booking.state is BookingState.WRITTEN_OFF and "Moved away" in booking.note
    assert camera_row(app, camera).status is CameraStatus.LOST
    page = text(signed_in.get(f"/cameras/{camera}"))
    assert "No one is in trouble." in page
    assert "Written off (not returned) by Worker" in page


# --- lists and the dashboard ------------------------------------------------------------


@pytest.fixture
def a_week_of_loans(app, worker, participant, other_worker, other_participant):
    """One loan of each kind the dashboard counts, plus one at another site."""
    t = now()
    cams = {tag: make_camera(app, worker, tag) for tag in
            ("OUT-1", "LATE-1", "TODAY-1", "AHEAD-1", "FIX-1", "BACK-1")}
    lend(app, worker, cams["OUT-1"], participant.id, t + timedelta(days=3))
    late_start = t - timedelta(days=1)
    lend(app, worker, cams["LATE-1"], participant.id, late_start + timedelta(hours=3),
         at=late_start)
    left_today = end_of_today_at(app, t) - t
    lend(app, worker, cams["TODAY-1"], participant.id,
         t + min(left_today / 2, timedelta(hours=2)))
    reserve(app, worker, cams["AHEAD-1"], participant.id, t + timedelta(days=2),
            t + timedelta(days=2, hours=3), at=t)
    set_status(app, worker, cams["FIX-1"], "in_repair")
    back = lend(app, worker, cams["BACK-1"], participant.id, t + timedelta(hours=2))
    with app.app_context():
        stock.check_in(user(worker), db.session.get(Booking, back), {})
        db.session.commit()
    away = make_camera(app, other_worker, "AWAY-1")
    lend(app, other_worker, away, other_participant.id, t + timedelta(hours=1))
    return cams


def end_of_today_at(app, moment):
    with app.app_context():
        return end_of_today(moment, LONDON)


def numbers(response) -> dict[str, int]:
    found = re.findall(r'href="([^"]+)">\s*<span class="number-value">(\d+)</span>',
                       response.get_data(as_text=True))
    return {href: int(value) for href, value in found}


def test_dashboard_numbers_tell_the_truth_and_link_to_their_lists(app, signed_in,
                                                                  a_week_of_loans):
    shown = numbers(signed_in.get("/dashboard"))
    assert shown == {"/loans": 3, "/loans/due_today": 1, "/loans/overdue": 1,
                     "/loans/reserved": 1, "/cameras?status=in_repair": 1}
    # Each number is the length of the list it links to.
    expected_tags = {"/loans": {"OUT-1", "LATE-1", "TODAY-1"}, "/loans/due_today": {"TODAY-1"},
                     "/loans/overdue": {"LATE-1"}, "/loans/reserved": {"AHEAD-1"},
                     "/cameras?status=in_repair": {"FIX-1"}}
    for href, tags in expected_tags.items():
        page = signed_in.get(href).get_data(as_text=True)
        listed = set(re.findall(r'class="asset-tag" href="[^"]+">([^<]+)<', page))
        assert listed == tags, href
        assert len(listed) == shown[href]
    assert "Overdue" in text(signed_in.get("/loans/overdue"))


def test_all_loans_lists_every_loan_of_the_site(app, signed_in, a_week_of_loans):
    page = signed_in.get("/loans/all").get_data(as_text=True)
    listed = re.findall(r'class="asset-tag" href="[^"]+">([^<]+)<', page)
    assert sorted(listed) == ["AHEAD-1", "BACK-1", "LATE-1", "OUT-1", "TODAY-1"]


def test_an_unknown_list_is_404(signed_in):
    assert signed_in.get("/loans/lost_and_found").status_code == 404
    assert signed_in.get("/cameras?status=melted").status_code == 404


def test_the_participant_dashboard_has_no_stock_numbers(client, participant):
    login(client, participant)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Your photos since you last looked" in page and 'href="/photos/upload"' in page
    assert "number-value" not in page


def test_the_admin_dashboard_counts_every_site(app, client, admin, a_week_of_loans):
    login(client, admin)
    assert numbers(client.get("/dashboard"))["/loans"] == 4


# --- a participant's loans --------------------------------------------------------------


def test_a_participants_loan_history(app, signed_in, worker, participant, camera):
    loan = lend(app, worker, camera, participant.id, now() + timedelta(hours=2))
    with app.app_context():
        stock.check_in(user(worker), db.session.get(Booking, loan), {"body": True},
                       note="All fine")
        db.session.commit()
    person = signed_in.get(f"/people/{participant.id}").get_data(as_text=True)
    assert f'href="/people/{participant.id}/loans"' in person
    page = text(signed_in.get(f"/people/{participant.id}/loans"))
    assert "Camera loans: Sky" in page
    assert "CAM-01" in page and "Taken back by Worker" in page and "“All fine”" in page


def test_loan_history_of_another_sites_participant_or_a_worker_is_404(
        signed_in, worker, other_participant):
    assert signed_in.get(f"/people/{other_participant.id}/loans").status_code == 404
    assert signed_in.get(f"/people/{worker.id}/loans").status_code == 404


# --- QR labels --------------------------------------------------------------------------


def test_labels_carry_a_qr_code_of_the_camera_page_and_the_asset_tag(app, signed_in, worker,
                                                                     camera, other_worker):
    second = make_camera(app, worker, "CAM-02")
    away = make_camera(app, other_worker, "AWAY-01")
    response = signed_in.get(f"/cameras/labels?camera={camera}&camera={second}&camera={away}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for camera_id, tag in ((camera, "CAM-01"), (second, "CAM-02")):
        address = f"http://localhost/cameras/{camera_id}"
        expected = segno.make(address, error="m", micro=False).svg_data_uri(
            border=4, omitsize=True)
        assert f'src="{expected}"' in page
        assert f'<p class="label-tag">{tag}</p>' in page
    assert "AWAY-01" not in page
    assert "data-print" in page


def test_the_camera_list_offers_labels_by_ticking(signed_in, camera):
    page = signed_in.get("/cameras").get_data(as_text=True)
    assert 'action="/cameras/labels"' in page and 'method="get"' in page
    assert f'name="camera" value="{camera}"' in page


def test_labels_with_no_camera_chosen_send_you_back(signed_in, other_worker, app):
    away = make_camera(app, other_worker, "AWAY-01")
    for url in ("/cameras/labels", f"/cameras/labels?camera={away}",
                "/cameras/labels?camera=x"):
        response = signed_in.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/cameras"
    assert "Choose at least one camera" in text(signed_in.get("/cameras"))


# --- the time zone helpers --------------------------------------------------------------


@pytest.mark.parametrize("typed_local, utc", [
    # Winter (GMT) and summer (BST).
    (datetime(2027, 1, 10, 12, 0), datetime(2027, 1, 10, 12, 0, tzinfo=UTC)),
    (datetime(2027, 7, 10, 12, 0), datetime(2027, 7, 10, 11, 0, tzinfo=UTC)),
    # The hour the clocks skip in spring moves on; the hour they repeat in autumn is the first.
    (datetime(2027, 3, 28, 1, 30), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    (datetime(2027, 10, 31, 1, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
])
def test_typed_local_times_become_utc(typed_local, utc):
    assert to_utc(typed_local, LONDON) == utc


def test_stored_times_fill_the_inputs_in_local_time():
    assert to_local(datetime(2027, 7, 10, 11, 0, 42, tzinfo=UTC), LONDON) == \
        datetime(2027, 7, 10, 12, 0)


@pytest.mark.parametrize("moment, end", [
    (datetime(2027, 1, 10, 9, 0, tzinfo=UTC), datetime(2027, 1, 11, 0, 0, tzinfo=UTC)),
    # 23:30 UTC on a summer evening is already tomorrow in London.
    (datetime(2027, 7, 10, 23, 30, tzinfo=UTC), datetime(2027, 7, 11, 23, 0, tzinfo=UTC)),
    # The day the clocks go forward has 23 hours; the day they go back, 25.
    (datetime(2027, 3, 28, 9, 0, tzinfo=UTC), datetime(2027, 3, 28, 23, 0, tzinfo=UTC)),
    (datetime(2027, 10, 31, 9, 0, tzinfo=UTC), datetime(2027, 11, 1, 0, 0, tzinfo=UTC)),
])
def test_end_of_today_is_the_programmes_midnight(moment, end):
    assert end_of_today(moment, LONDON) == end - timedelta(microseconds=1)


def test_ids_out_of_range_are_refused_plainly(app, signed_in, camera):
    huge = str(2**70)
    response = post_form(signed_in, f"/cameras/{camera}/hand-over", {
        "participant_id": huge, "ends_at": typed(now() + timedelta(hours=2))})
    assert response.status_code == 422
    response = post_form(signed_in, f"/cameras/{camera}/hand-over", {
        "participant_id": "sky", "ends_at": typed(now() + timedelta(hours=2))})
    assert response.status_code == 422
    assert signed_in.get(f"/cameras/labels?camera={huge}").status_code == 302
    assert count(app, Booking) == 0


def test_a_date_with_no_utc_time_is_explained(app, signed_in, participant, camera):
    app.config["TZ"] = ZoneInfo("Asia/Tokyo")  # east of UTC, so year 1 has no UTC time
    response = post_form(signed_in, f"/cameras/{camera}/book", {
        "participant_id": str(participant.id), "starts_at": "0001-01-01T00:30",
        "ends_at": "0001-01-01T02:30"})
    assert response.status_code == 422
    assert "Give a date and a time" in text(response)
    assert count(app, Booking) == 0
