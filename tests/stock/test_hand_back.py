"""Taking back a digital camera offers to upload its card's photos before the card is
wiped, for the borrower and this loan."""

from datetime import UTC, datetime, timedelta

from tests.fixtures.pages import login
from tests.fixtures.stock import lend


def test_the_take_back_page_offers_the_cards_photos_first(app, client, worker, participant,
                                                          camera):
    loan = lend(app, worker, camera, participant.id, datetime.now(UTC) + timedelta(hours=2))
    login(client, worker)
    page = client.get(f"/loans/{loan}/return").get_data(as_text=True)
    upload = (f'href="/photos/upload?participant_id={participant.id}&amp;booking_id={loan}">'
              "Upload the card's photos for Sky")
    assert upload in page
    assert page.index(upload) < page.index('name="ok_card_wiped"')
    form = client.get(f"/photos/upload?participant_id={participant.id}&booking_id={loan}")
    assert f'<option selected value="{loan}">' in form.get_data(as_text=True)


def test_a_disposable_has_no_card_to_upload(app, client, worker, participant, disposable):
    loan = lend(app, worker, disposable, participant.id, datetime.now(UTC) + timedelta(days=2))
    login(client, worker)
    page = client.get(f"/loans/{loan}/return").get_data(as_text=True)
    assert "Upload the card" not in page


def test_a_bad_prefill_leaves_the_choice_empty(app, client, worker, participant):
    login(client, worker)
    response = client.get("/photos/upload?participant_id=abc&booking_id=99999999999999999")
    assert response.status_code == 200
    assert "<option selected" not in response.get_data(as_text=True).replace(
        '<option selected value="">', "")
