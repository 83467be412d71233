"""The photos API: multipart upload answered with checks, listing, one photo, notes."""

from tests.fixtures.accounts import api_token
from tests.fixtures.pages import assert_problem
from tests.fixtures.photos import photo, photo_count, stored_files, upload
from tests.photos import images


def test_upload_answers_with_checks_in_the_command_line_shape(app, client, participant):
    headers = api_token(app, participant)
    response = upload(client, headers, photo((1600, 1200)), caption="Park")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["state"] == "private" and body["owner_id"] == participant.id
    assert (body["width"], body["height"]) == (1600, 1200)
    assert body["megapixels"] == 1.92
    checks = body["checks"]
    assert checks["resolution"]["verdict"] in ("ok", "low")
    assert checks["steadiness"]["verdict"] in ("ok", "shaky")
    assert isinstance(checks["steadiness"]["score"], float)
    assert checks["light"]["verdict"] in ("ok", "dark", "bright")
    assert client.get(f"/api/v1/photos/{body['id']}", headers=headers).json == body


def test_worker_uploads_for_a_participant_and_lists_by_participant(
        app, client, worker, participant):
    headers = api_token(app, worker)
    body = assert_problem(upload(client, headers, photo()), 422)
    assert "participant_id" in body["errors"]
    response = upload(client, headers, photo(), participant_id=str(participant.id))
    assert response.status_code == 201
    listed = client.get(f"/api/v1/photos?participant_id={participant.id}", headers=headers)
    assert [p["id"] for p in listed.json["items"]] == [response.json["id"]]
    assert client.get("/api/v1/photos?participant_id=999",
                      headers=headers).json["items"] == []


def test_bad_uploads_are_problems_and_store_nothing(app, client, participant):
    headers = api_token(app, participant)
    assert_problem(upload(client, headers, images.html()), 415)
    assert_problem(upload(client, headers, images.png_bomb()), 422)
    assert_problem(upload(client, headers, b""), 422)
    no_file = client.post("/api/v1/photos", data={"caption": "x"}, headers=headers,
                          content_type="multipart/form-data")
    assert "file" in assert_problem(no_file, 422)["errors"]
    as_json = client.post("/api/v1/photos", json={"file": "abc"}, headers=headers)
    assert_problem(as_json, 415)
    unknown = upload(client, headers, photo(), colour="blue")
    assert "colour" in assert_problem(unknown, 422)["errors"]
    assert photo_count(app) == 0 and stored_files(app) == []


def test_a_body_over_the_limit_is_refused_unread(app, client, participant):
    app.config["PHOTO_MAX_BYTES"] = 10_000
    headers = api_token(app, participant)
    response = upload(client, headers, b"\xff" * (1024 * 1024 + 20_000))
    assert_problem(response, 413)
    assert stored_files(app) == []


def test_a_repeat_is_a_conflict(app, client, participant):
    headers = api_token(app, participant)
    content = photo()
    first = upload(client, headers, content)
    assert first.status_code == 201
    repeat = assert_problem(upload(client, headers, content), 409)
    assert repeat["photo_id"] == first.json["id"]
    assert photo_count(app) == 1


def test_others_photos_answer_404(app, client, participant, other_worker):
    photo_id = upload(client, api_token(app, participant), photo()).json["id"]
    headers = api_token(app, other_worker)
    assert_problem(client.get(f"/api/v1/photos/{photo_id}", headers=headers), 404)
    assert client.get("/api/v1/photos", headers=headers).json["items"] == []
    note = client.post(f"/api/v1/photos/{photo_id}/notes", json={"topic": "light"},
                       headers=headers)
    assert_problem(note, 404)


def test_notes_from_workers_only(app, client, participant, worker):
    photo_id = upload(client, api_token(app, participant), photo()).json["id"]
    own = client.post(f"/api/v1/photos/{photo_id}/notes", json={"topic": "light"},
                      headers=api_token(app, participant))
    assert_problem(own, 404)
    headers = api_token(app, worker)
    response = client.post(f"/api/v1/photos/{photo_id}/notes",
                           json={"topic": "steadiness", "comment": "Lean on the wall."},
                           headers=headers)
    assert response.status_code == 201
    assert response.json["topic"] == "steadiness"
    shown = client.get(f"/api/v1/photos/{photo_id}", headers=headers).json
    assert [n["comment"] for n in shown["notes"]] == ["Lean on the wall."]
    assert_problem(client.post(f"/api/v1/photos/{photo_id}/notes", json={"topic": "food"},
                               headers=headers), 422)


def test_upload_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    post = document["paths"]["/photos"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert "file" in schema["required"]
    assert {"201", "413", "415", "422"} <= set(post["responses"])
    assert "/photos/{photo_id}/notes" in document["paths"]
