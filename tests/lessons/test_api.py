"""The lesson plans API: listing, reading, adding and editing, with each refusal."""

import pytest

from tests.fixtures.accounts import api_token
from tests.fixtures.lessons import edit_plan, fields, unchanged
from tests.fixtures.pages import assert_problem
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan


def body(**overrides) -> dict:
    return {"topic": "light", **fields(), **overrides}


@pytest.fixture
def as_worker(app, worker) -> dict:
    return api_token(app, worker)


@pytest.fixture
def as_participant(app, participant) -> dict:
    return api_token(app, participant)


@pytest.fixture
def shipped(app) -> None:
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()


# --- reading ----------------------------------------------------------------------------


def test_everyone_signed_in_lists_plans(client, shipped, as_worker, as_participant):
    for headers in (as_worker, as_participant):
        response = client.get("/api/v1/lessons", headers=headers)
        assert response.status_code == 200
        items = response.json["items"]
        assert {i["slug"] for i in items} == {"light", "distance", "steadiness",
                                              "starting-with-a-disposable"}
        assert response.json["next_cursor"] is None


def test_a_lesson_has_its_current_versions_fields(app, client, worker, plan, as_worker):
    edit_plan(app, worker, plan, 1, title="Shadows two", length_minutes=45)
    response = client.get(f"/api/v1/lessons/{plan}", headers=as_worker)
    assert response.status_code == 200
    lesson = response.json
    assert set(lesson) == {"id", "slug", "topic", "version", "title", "summary", "goals",
                           "length_minutes", "materials", "activities", "exercise",
                           "discussion", "handout", "created_at", "updated_at"}
    assert (lesson["id"], lesson["slug"], lesson["topic"], lesson["version"]) == \
        (plan, "shadows", "light", 2)
    assert (lesson["title"], lesson["length_minutes"]) == ("Shadows two", 45)
    assert lesson["handout"] == "Shadows are everywhere. Look down!"
    assert lesson["updated_at"] >= lesson["created_at"]


def test_list_filters_by_topic_and_pages(client, shipped, as_worker):
    response = client.get("/api/v1/lessons?topic=distance", headers=as_worker)
    assert [i["title"] for i in response.json["items"]] == ["Distance"]
    first = client.get("/api/v1/lessons?limit=3", headers=as_worker).json
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = client.get(f"/api/v1/lessons?limit=3&cursor={first['next_cursor']}",
                      headers=as_worker).json
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert_problem(client.get("/api/v1/lessons?topic=focus", headers=as_worker), 422)


def test_missing_lesson_is_404_and_no_token_is_401(client, plan, as_worker):
    assert_problem(client.get(f"/api/v1/lessons/{plan + 1}", headers=as_worker), 404)
    assert_problem(client.get("/api/v1/lessons"), 401)
    assert_problem(client.get(f"/api/v1/lessons/{plan}"), 401)


# --- adding -----------------------------------------------------------------------------


def test_worker_adds_a_lesson(app, client, worker, as_worker):
    response = client.post("/api/v1/lessons", json=body(title="Reflections",
                                                         topic="other"), headers=as_worker)
    assert response.status_code == 201
    lesson = response.json
    assert (lesson["slug"], lesson["topic"], lesson["version"]) == ("reflections", "other", 1)
    with app.app_context():
        plan = db.session.get(LessonPlan, lesson["id"])
        assert plan.current.created_by_id == worker.id


def test_optional_fields_may_be_left_out(client, as_worker):
    required = {k: v for k, v in body().items()
                if k in {"topic", "title", "summary", "goals", "length_minutes",
                         "activities"}}
    response = client.post("/api/v1/lessons", json=required, headers=as_worker)
    assert response.status_code == 201
    assert response.json["handout"] == "" and response.json["exercise"] == ""


def test_admin_adds_a_lesson(client, app, admin):
    response = client.post("/api/v1/lessons", json=body(), headers=api_token(app, admin))
    assert response.status_code == 201


def test_participants_may_not_add_lessons(app, client, as_participant):
    with unchanged(app):
        problem = assert_problem(client.post("/api/v1/lessons", json=body(),
                                             headers=as_participant), 403)
    assert "Only workers" in problem["detail"]


@pytest.mark.parametrize("bad, field", [
    ({"title": "x" * 121}, "title"),
    ({"length_minutes": 4}, "length_minutes"),
    ({"length_minutes": 481}, "length_minutes"),
    ({"length_minutes": "60"}, "length_minutes"),
    ({"length_minutes": 60.0}, "length_minutes"),
    ({"topic": "focus"}, "topic"),
    ({"handout": "x" * 2501}, "handout"),
    ({"colour": "red"}, "colour"),
    ({"title": None}, "title"),
], ids=["long title", "too short", "too long", "text number", "float", "unknown topic",
        "long handout", "unknown field", "null title"])
def test_bad_bodies_are_refused_with_the_field_named(app, client, as_worker, bad, field):
    with unchanged(app):
        problem = assert_problem(client.post("/api/v1/lessons", json=body(**bad),
                                             headers=as_worker), 422)
    assert field in problem["errors"]


def test_missing_required_fields_are_named(app, client, as_worker):
    with unchanged(app):
        problem = assert_problem(client.post("/api/v1/lessons", json={"topic": "light"},
                                             headers=as_worker), 422)
    assert {"title", "summary", "goals", "length_minutes", "activities"} <= \
        set(problem["errors"])


def test_rules_beyond_the_schema_are_the_services(app, client, as_worker):
    with unchanged(app):
        problem = assert_problem(client.post("/api/v1/lessons", json=body(title="   "),
                                             headers=as_worker), 422)
    assert problem["errors"] == {"title": ["Give the plan a title."]}


# --- editing ----------------------------------------------------------------------------


def test_worker_edits_a_lesson_and_a_version_is_added(app, client, plan, as_worker):
    response = client.patch(f"/api/v1/lessons/{plan}", headers=as_worker,
                            json={"version": 1, "title": "Long shadows", "topic": "other"})
    assert response.status_code == 200
    lesson = response.json
    assert (lesson["version"], lesson["title"], lesson["topic"]) == (2, "Long shadows",
                                                                    "other")
    assert lesson["summary"] == "Look for shadows and photograph them."  # left as it was
    with app.app_context():
        versions = db.session.get(LessonPlan, plan).versions
        assert [(v.number, v.title) for v in versions] == [(1, "Shadows"),
                                                           (2, "Long shadows")]


def test_nulls_leave_fields_as_they_are(client, plan, as_worker):
    response = client.patch(f"/api/v1/lessons/{plan}", headers=as_worker,
                            json={"version": 1, "title": None, "handout": None})
    assert response.status_code == 200
    assert response.json["version"] == 1 and response.json["title"] == "Shadows"


def test_a_stale_version_is_409_and_changes_nothing(app, client, worker, other_worker, plan,
                                                   as_worker):
    edit_plan(app, other_worker, plan, 1, title="Theirs")
    with unchanged(app):
        problem = assert_problem(client.patch(
            f"/api/v1/lessons/{plan}", headers=as_worker,
            json={"version": 1, "title": "Mine"}), 409)
    assert "Worker2 saved a newer version" in problem["detail"]
    assert problem["errors"] == {"current_version": ["2"]}
    again = client.patch(f"/api/v1/lessons/{plan}", headers=as_worker,
                         json={"version": 2, "title": "Mine"})
    assert again.status_code == 200 and again.json["version"] == 3


@pytest.mark.parametrize("patch, field", [
    ({"title": "Mine"}, "version"),
    ({"version": 0}, "version"),
    ({"version": "1"}, "version"),
    ({"version": 1, "length_minutes": 2}, "length_minutes"),
    ({"version": 1, "slug": "mine"}, "slug"),
], ids=["no version", "version 0", "text version", "too short", "slug is not editable"])
def test_bad_patches_are_refused(app, client, plan, as_worker, patch, field):
    with unchanged(app):
        problem = assert_problem(client.patch(f"/api/v1/lessons/{plan}", json=patch,
                                              headers=as_worker), 422)
    assert field in problem["errors"]


def test_participants_may_not_edit_lessons(app, client, plan, as_participant):
    with unchanged(app):
        assert_problem(client.patch(f"/api/v1/lessons/{plan}", headers=as_participant,
                                    json={"version": 1, "title": "Mine"}), 403)
        # Even with a stale version, the answer is about who they are.
        assert_problem(client.patch(f"/api/v1/lessons/{plan}", headers=as_participant,
                                    json={"version": 9, "title": "Mine"}), 403)


def test_editing_a_missing_lesson_is_404(app, client, plan, as_worker):
    with unchanged(app):
        assert_problem(client.patch(f"/api/v1/lessons/{plan + 1}", headers=as_worker,
                                    json={"version": 1, "title": "Mine"}), 404)


def test_lessons_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    assert set(document["paths"]["/lessons"]) == {"get", "post"}
    assert set(document["paths"]["/lessons/{lesson_id}"]) == {"get", "patch"}
    patch = document["paths"]["/lessons/{lesson_id}"]["patch"]
    assert {"403", "404", "409", "422"} <= set(patch["responses"])
    assert "version" in document["components"]["schemas"]["LessonPatch"]["required"]
    assert "403" in document["paths"]["/lessons"]["post"]["responses"]
