"""Each booking note has one audience: staff only, or the borrower too."""

from datetime import UTC, datetime, timedelta

from tests.fixtures.accounts import api_token
from tests.fixtures.pages import login, post_form
from tests.fixtures.stock import ALL_GOOD, act, post_booking

INTERNAL = "Lost two chargers before; ask for the bag back"
ON_CHECKLIST = "Scratch on the lens cover, noted at hand-over"
FOR_THEM = "Charger is in the side pocket"


def test_a_participant_reads_only_the_note_meant_for_them(app, client, worker, participant,
                                                          camera):
    staff = api_token(app, worker)
    made = post_booking(client, staff, camera, participant.id, start=0.05, note=INTERNAL,
                        participant_note=FOR_THEM)
    assert made.status_code == 201, made.json
    booking = made.json
    assert (booking["note"], booking["participant_note"]) == (INTERNAL, FOR_THEM)
    out = act(client, staff, booking, "checkout", condition=ALL_GOOD, note=ON_CHECKLIST)
    assert out.status_code == 200, out.json
    assert out.json["checkout_condition"]["note"] == ON_CHECKLIST

    own = api_token(app, participant)
    listed = client.get("/api/v1/bookings", headers=own).json["items"]
    one = client.get(f"/api/v1/bookings/{booking['id']}", headers=own).json
    for seen in (listed[0], one):
        assert seen["participant_note"] == FOR_THEM
        assert seen["note"] == ""
        assert seen["checkout_condition"]["note"] == ""
        assert seen["checkout_condition"]["items"] == ALL_GOOD
        assert INTERNAL not in str(seen) and ON_CHECKLIST not in str(seen)
    # Staff still read everything.
    again = client.get(f"/api/v1/bookings/{booking['id']}", headers=staff).json
    assert again["note"] == INTERNAL
    assert again["checkout_condition"]["note"] == ON_CHECKLIST


def test_the_booking_page_has_a_box_for_each_audience(app, client, worker, participant,
                                                      camera):
    login(client, worker)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    response = post_form(client, f"/cameras/{camera}/book", {
        "participant_id": participant.id, "starts_at": f"{tomorrow}T10:00",
        "ends_at": f"{tomorrow}T16:00", "note": INTERNAL, "participant_note": FOR_THEM})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/cameras/{camera}").get_data(as_text=True)
    assert FOR_THEM in page and INTERNAL in page

    seen = client.get("/api/v1/bookings", headers=api_token(app, participant)).json["items"]
    assert [(b["note"], b["participant_note"]) for b in seen] == [("", FOR_THEM)]


def test_a_booking_without_a_note_for_the_borrower_shows_them_none(app, client, worker,
                                                                   participant, camera):
    staff = api_token(app, worker)
    booking = post_booking(client, staff, camera, participant.id, start=2,
                           note=INTERNAL).json
    seen = client.get(f"/api/v1/bookings/{booking['id']}",
                      headers=api_token(app, participant)).json
    assert (seen["note"], seen["participant_note"]) == ("", "")
