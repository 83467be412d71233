"""Small things pages said wrong: a camera's tag twice, a space before a colon."""

import re
from datetime import UTC, datetime, timedelta

from tests.fixtures.pages import login, post_form
from tests.fixtures.photos import photo, send_photos
from tests.fixtures.programme import make_session
from tests.fixtures.stock import make_camera


def test_the_session_cameras_page_names_each_camera_once(app, client, worker):
    start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    session_id = make_session(app, worker, start=start, lead_worker_id=worker.id)
    make_camera(app, worker, "RIV-CAM-01", make="Canon", model="IXUS 185")
    make_camera(app, worker, "RIV-CAM-02")
    login(client, worker)
    html = client.get(f"/sessions/{session_id}/cameras").get_data(as_text=True)
    labels = [re.sub(r"\s+", " ", text).strip()
              for text in re.findall(r'<label for="pick-camera_ids-\d+">([^<]*)</label>', html)]
    assert labels == ["RIV-CAM-01 (Canon IXUS 185)", "RIV-CAM-02"]


def test_a_coaching_note_reads_topic_colon_comment(app, client, participant, worker):
    login(client, participant)
    photo_id = send_photos(client, [(photo(), "mine.jpg")]).json["id"]
    workers = app.test_client()
    login(workers, worker)
    post_form(workers, f"/photos/{photo_id}/notes",
              {"topic": "distance", "comment": "Step two paces closer."},
              page=f"/photos/{photo_id}")
    html = client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert '<strong>Distance</strong>: <span class="notes">Step two paces closer.</span>' \
        in html

