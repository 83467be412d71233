"""Faces at upload: kept with the photo, told to the participant, drawn for the worker,
listed by the API."""

import io

from sqlalchemy import func, select

from tests.faces import pictures
from tests.fixtures.accounts import api_token, user
from tests.fixtures.photos import send_photos, upload
from tests.fixtures.queries import sql_statements
from workshop.auth import services as auth
from workshop.extensions import db
from workshop.faces.models import Face
from workshop.faces.services import faces_message
from workshop.photos import services as photos
from workshop.photos.models import Photo


def test_the_api_lists_the_faces_found_at_upload(app, client, participant):
    headers = api_token(app, participant)
    response = upload(client, headers, pictures.jpeg(pictures.astronaut()))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    [face] = body["faces"]
    assert set(face) == {"id", "box", "score", "status", "purposes"}
    assert face["status"] == "unreviewed" and face["purposes"] == []
    x, y, w, h = face["box"]
    assert abs(x - 0.35) < 0.05 and abs(y - 0.11) < 0.05 and 0.1 < w < 0.3
    assert body["checks"]["faces"]["count"] == 1
    assert client.get(f"/api/v1/photos/{body['id']}", headers=headers).json["faces"] == [face]

    empty = upload(client, headers, pictures.jpeg(pictures.landscape())).json
    assert empty["faces"] == [] and empty["checks"]["faces"]["verdict"] == "none"


def test_the_api_list_asks_the_same_queries_for_one_face_as_for_several(
        app, client, participant):
    headers = api_token(app, participant)

    def statements() -> int:
        with sql_statements() as sent:
            assert client.get("/api/v1/photos", headers=headers).status_code == 200
        return len(sent)

    upload(client, headers, pictures.jpeg(pictures.astronaut()))
    one = statements()
    upload(client, headers, pictures.jpeg(pictures.two_people()))
    assert statements() == one


def test_the_openapi_document_describes_faces(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    faces = schemas["PhotoOut"]["properties"]["faces"]
    assert faces["items"] == {"$ref": "#/components/schemas/FaceOut"}
    assert "faces" in schemas["PhotoOut"]["required"]
    assert set(schemas["FaceOut"]["properties"]) == {"id", "box", "score", "status",
                                                     "purposes"}


def test_the_participant_reads_how_many_faces_in_plain_words(
        app, participant_client, participant):
    response = send_photos(participant_client, [(pictures.jpeg(pictures.two_people()),
                                                 "friends.jpg")])
    body = response.json
    [line] = [line for line in body["feedback"] if line["check"] == "faces"]
    assert line["message"] == "2 faces – the people in it need to agree before it goes public."
    assert line["tone"] == "info"
    page = participant_client.get(body["url"]).get_data(as_text=True)
    assert "2 faces – the people in it need to agree" in page
    # Boxes are for the moderating worker, not drawn over the participant's friends.
    assert "face-boxes" not in page

    landscape = send_photos(participant_client, [(pictures.jpeg(pictures.landscape()),
                                                  "rocket.jpg")]).json
    assert "faces" not in [line["check"] for line in landscape["feedback"]]
    assert "face" not in participant_client.get(landscape["url"]).get_data(as_text=True)


def test_the_message_counts_faces():
    assert faces_message(0) == ""
    assert faces_message(1) == "1 face – the person in it needs to agree before it goes public."
    assert faces_message(3).startswith("3 faces – the people in it need")


def test_the_worker_sees_a_labelled_box_over_each_face(app, worker_client, participant):
    with app.app_context():
        owner = user(participant)
        found = photos.upload(owner, photos.upload_target(owner),
                              io.BytesIO(pictures.jpeg(pictures.two_people())))
        db.session.commit()
        photo_id, faces = found.id, [(f.x, f.y) for f in found.faces]
    page = worker_client.get(f"/photos/{photo_id}").get_data(as_text=True)
    assert 'aria-label="2 faces found"' in page
    assert 'aria-label="Face 1"' in page and 'aria-label="Face 2"' in page
    for x, y in faces:
        assert f'x="{x}" y="{y}"' in page


def test_the_faces_go_with_the_photo(app, worker, participant):
    with app.app_context():
        owner = user(participant)
        photos.upload(owner, photos.upload_target(owner),
                      io.BytesIO(pictures.jpeg(pictures.astronaut())))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Face)) == 1
        auth.erase_participant(user(worker), owner, owner.username)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
        assert db.session.scalar(select(func.count()).select_from(Face)) == 0
