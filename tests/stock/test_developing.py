"""Disposables at the lab: which lab and when, "developed" in plain words, then the scans.

Used-up cameras leave the stock list and get no labels.
"""

from datetime import date, timedelta

import pytest

from tests.fixtures.accounts import user
from tests.fixtures.clock import NOW, hours
from tests.fixtures.pages import login, post_form, text
from tests.fixtures.stock import book, booking_row, camera_row, lend, now
from workshop.errors import Invalid
from workshop.extensions import db
from workshop.stock import services as stock
from workshop.stock.models import BookingState, CameraStatus
from workshop.timezones import to_local


@pytest.fixture
def signed_in(client, worker):
    login(client, worker)
    return client


def _sent(app, worker, participant, disposable, **fields) -> int:
    loan = lend(app, worker, disposable, participant.id, now() + timedelta(days=3))
    with app.app_context():
        booking = stock.get_booking(user(worker), loan)
        stock.send_for_developing(user(worker), booking, **fields)
        db.session.commit()
    return loan


def test_the_lab_and_its_date_are_kept(ctx, worker, participant, disposable):
    booking = book(worker, disposable, participant)
    stock.check_out(user(worker), booking, {"body": True, "lens": True}, now=NOW)
    back = to_local(NOW).date() + timedelta(days=7)
    stock.send_for_developing(user(worker), booking, now=NOW + hours(3),
                              lab="  Photo Lab on High St ", lab_expected_on=back)
    db.session.commit()
    assert (booking.lab, booking.lab_expected_on) == ("Photo Lab on High St", back)


@pytest.mark.parametrize("field, value, message", [
    ("lab", "x" * 121, "at most 120"),
    ("lab_expected_on", date(2026, 11, 30), "today or a day to come"),
    ("lab_expected_on", date(2027, 12, 1), "within the next few months"),
])
def test_a_bad_lab_or_date_is_refused_and_nothing_changes(ctx, worker, participant,
                                                          disposable, field, value, message):
    booking = book(worker, disposable, participant)
    stock.check_out(user(worker), booking, {"body": True, "lens": True}, now=NOW)
    db.session.commit()
    with pytest.raises(Invalid, match=message) as refused:
        stock.send_for_developing(user(worker), booking, now=NOW, **{field: value})
    assert field in refused.value.errors
    db.session.rollback()
    assert stock.get_booking(user(worker), booking.id).state is BookingState.OUT


def test_the_page_asks_for_the_lab_and_date_and_shows_them(app, signed_in, worker,
                                                           participant, disposable):
    loan = lend(app, worker, disposable, participant.id, now() + timedelta(days=3))
    form = signed_in.get(f"/loans/{loan}/send-for-developing").get_data(as_text=True)
    assert 'name="lab"' in form and 'type="date"' in form
    with app.app_context():
        back = to_local(now()).date() + timedelta(days=5)
    response = post_form(signed_in, f"/loans/{loan}/send-for-developing",
                         {"lab": "Snappy Prints", "lab_expected_on": back.isoformat(),
                          "expected_version": str(booking_row(app, loan).version)})
    assert response.status_code == 302
    page = text(signed_in.get(f"/cameras/{disposable}"))
    assert f"Sent for developing to Snappy Prints, expected back {back:%a %-d %b}" in page
    assert "Used up (sent for developing)" not in page


def test_a_date_in_the_past_goes_back_to_the_form(app, signed_in, worker, participant,
                                                  disposable):
    loan = lend(app, worker, disposable, participant.id, now() + timedelta(days=3))
    response = post_form(signed_in, f"/loans/{loan}/send-for-developing",
                         {"lab": "Snappy", "lab_expected_on": "2020-01-01",
                          "expected_version": str(booking_row(app, loan).version)})
    assert response.status_code == 422
    assert "Give today or a day to come." in text(response)
    assert booking_row(app, loan).state is BookingState.OUT
    response = post_form(signed_in, f"/loans/{loan}/send-for-developing",
                         {"lab_expected_on": "soon",
                          "expected_version": str(booking_row(app, loan).version)})
    assert response.status_code == 422 and "Give a date" in text(response)


def test_developed_shows_as_developed_and_leads_to_the_scans(app, signed_in, worker,
                                                             participant, disposable):
    loan = _sent(app, worker, participant, disposable, lab="Snappy")
    response = post_form(signed_in, f"/loans/{loan}/developed",
                         {"expected_version": str(booking_row(app, loan).version)})
    assert response.status_code == 302
    scans = f"/photos/upload?participant_id={participant.id}&booking_id={loan}"
    assert response.headers["Location"] == scans
    upload = signed_in.get(scans).get_data(as_text=True)
    assert f'<option selected value="{participant.id}">Sky</option>' in upload
    assert f'<option selected value="{loan}">' in upload
    page = signed_in.get(f"/cameras/{disposable}")
    words = text(page)
    assert "Developed: the prints are back" in words
    assert "Used up (sent for developing)" not in words and "Print its label" not in words
    assert f'href="{scans.replace("&", "&amp;")}">Upload the scans for Sky' in \
        page.get_data(as_text=True)


def test_used_up_cameras_leave_the_stock_list_and_get_no_label(app, signed_in, worker,
                                                               participant, disposable,
                                                               camera):
    _sent(app, worker, participant, disposable, lab="Snappy")
    assert camera_row(app, disposable).status is CameraStatus.USED
    stock_list = text(signed_in.get("/cameras"))
    assert "CAM-01" in stock_list and "DSP-01" not in stock_list
    used = signed_in.get("/cameras?status=used").get_data(as_text=True)
    assert "DSP-01" in used and f'id="pick-{disposable}"' not in used
    assert "Sent for developing to Snappy" in used and "Print labels" not in used
    response = signed_in.get(f"/cameras/labels?camera={disposable}")
    assert response.status_code == 302 and response.headers["Location"] == "/cameras"
    sheet = signed_in.get(f"/cameras/labels?camera={disposable}&camera={camera}")
    assert "CAM-01" in text(sheet) and "DSP-01" not in text(sheet)


def test_another_sites_film_is_not_found(app, client, worker, other_worker, participant,
                                         disposable):
    loan = _sent(app, worker, participant, disposable)
    login(client, other_worker)
    assert client.get(f"/loans/{loan}/developed").status_code == 404
    assert client.get(f"/cameras/{disposable}").status_code == 404
