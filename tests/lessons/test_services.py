"""Lesson plan rules: who may change plans, versions kept, conflicts, checks, audit."""

import threading

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import user
from tests.fixtures.app import race
from tests.fixtures.lessons import edit_plan, fields, make_plan, unchanged
from workshop.audit.models import AuditEvent
from workshop.errors import Conflict, Forbidden, Invalid, NotFound
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan, LessonPlanVersion, Topic


def versions(app, plan_id) -> list[LessonPlanVersion]:
    with app.app_context():
        rows = db.session.scalars(select(LessonPlanVersion).where(
            LessonPlanVersion.plan_id == plan_id).order_by(LessonPlanVersion.number)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def audit(app, action) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()


# --- reading ----------------------------------------------------------------------------


def test_everyone_signed_in_sees_every_plan(app, ctx, worker, participant, other_worker):
    light = make_plan(app, worker, "light", title="Window light")
    make_plan(app, other_worker, "distance", title="Another site's plan")
    for account in (worker, participant, other_worker):
        titles = [v.title for _, v in lessons.library(user(account))]
        assert titles == ["Another site's plan", "Window light"]  # by title
    assert lessons.get_plan(user(participant), light).current.title == "Window light"


def test_library_filters_by_topic_and_refuses_unknown_topics(app, ctx, worker):
    make_plan(app, worker, "light", title="A")
    make_plan(app, worker, "steadiness", title="B")
    assert [v.title for _, v in lessons.library(user(worker), "steadiness")] == ["B"]
    assert [v.title for _, v in lessons.library(user(worker), Topic.LIGHT)] == ["A"]
    with pytest.raises(Invalid):
        lessons.library(user(worker), "focus")


def test_library_lists_each_plan_once_with_its_current_version(app, ctx, worker, plan):
    edit_plan(app, worker, plan, 1, title="Shadows, again")
    edit_plan(app, worker, plan, 2, title="Shadows, third time")
    rows = lessons.library(user(worker))
    assert [(p.id, v.number, v.title) for p, v in rows] == [(plan, 3, "Shadows, third time")]


def test_missing_plan_and_version_are_not_found(app, ctx, worker, plan):
    with pytest.raises(NotFound):
        lessons.get_plan(user(worker), plan + 1)
    with pytest.raises(NotFound):
        lessons.get_version(lessons.get_plan(user(worker), plan), 2)


# --- creating ---------------------------------------------------------------------------


def test_a_worker_creates_a_plan_with_its_first_version(app, ctx, worker):
    plan = lessons.create_plan(user(worker), "light", **fields(title="  Window   light "))
    db.session.commit()
    assert plan.version == 1 and plan.topic is Topic.LIGHT
    assert plan.slug == "window-light"
    assert [v.number for v in plan.versions] == [1]
    assert plan.current.title == "Window light"
    assert plan.current.created_by_id == worker.id
    event = audit(app, "lesson.created")[0]
    assert (event.actor_id, event.target_type, event.target_id) == \
        (worker.id, "lesson_plan", plan.id)
    assert event.details == {"slug": "window-light", "topic": "light", "version": 1}


def test_admins_may_write_plans_and_participants_may_not(app, ctx, admin, participant):
    assert lessons.create_plan(user(admin), "other", **fields()).version == 1
    with pytest.raises(Forbidden):
        lessons.create_plan(user(participant), "other", **fields(title="Mine"))


def test_slugs_stay_unique_and_never_take_a_shipped_plans(app, ctx, worker):
    first = lessons.create_plan(user(worker), "light", **fields(title="Light"))
    second = lessons.create_plan(user(worker), "light", **fields(title="Light"))
    third = lessons.create_plan(user(worker), "other", **fields(title="Shadows"))
    fourth = lessons.create_plan(user(worker), "other", **fields(title="Shadows"))
    odd = lessons.create_plan(user(worker), "other", **fields(title="Ça va? 100%!"))
    blank = lessons.create_plan(user(worker), "other", **fields(title="???"))
    # "light" is kept free for the shipped plan, so `flask lessons load` can add it.
    assert [first.slug, second.slug] == ["light-2", "light-3"]
    assert [third.slug, fourth.slug] == ["shadows", "shadows-2"]
    assert odd.slug == "ca-va-100" and blank.slug == "plan"


def test_long_titles_make_slugs_that_fit(app, ctx, worker):
    plan = lessons.create_plan(user(worker), "other", **fields(title="word " * 24))
    assert len(plan.slug) <= 60


BAD_FIELDS = [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "\u200b\u200b"}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"summary": " \n "}, "summary"),
    ({"summary": "x" * 601}, "summary"),
    ({"goals": ""}, "goals"),
    ({"activities": ""}, "activities"),
    ({"activities": "x" * 20001}, "activities"),
    ({"materials": "x" * 4001}, "materials"),
    ({"exercise": "x" * 8001}, "exercise"),
    ({"discussion": "x" * 4001}, "discussion"),
    ({"handout": "x" * 2501}, "handout"),
    ({"length_minutes": 4}, "length_minutes"),
    ({"length_minutes": 481}, "length_minutes"),
    ({"length_minutes": None}, "length_minutes"),
    ({"length_minutes": True}, "length_minutes"),
    ({"length_minutes": "60"}, "length_minutes"),
]


@pytest.mark.parametrize("bad, field", BAD_FIELDS, ids=[
    "no title", "blank title", "invisible title", "long title", "blank summary",
    "long summary", "no goals", "no activities", "long activities", "long materials",
    "long exercise", "long discussion", "long handout", "too short", "too long",
    "no length", "boolean length", "text length"])
def test_bad_fields_are_refused_and_nothing_is_made(app, worker, bad, field):
    with unchanged(app), app.app_context():
        with pytest.raises(Invalid) as caught:
            lessons.create_plan(user(worker), "light", **fields(**bad))
        assert field in caught.value.errors
        db.session.rollback()


def test_every_problem_is_reported_at_once(app, ctx, worker):
    with pytest.raises(Invalid) as caught:
        lessons.create_plan(user(worker), "light",
                            **fields(title="", goals="", length_minutes=2))
    assert set(caught.value.errors) == {"title", "goals", "length_minutes"}


def test_unknown_topic_is_refused(app, ctx, worker):
    with pytest.raises(Invalid) as caught:
        lessons.create_plan(user(worker), "focus", **fields())
    assert "topic" in caught.value.errors


def test_limits_are_inclusive(app, ctx, worker):
    plan = lessons.create_plan(user(worker), "other", **fields(
        title="x" * 120, length_minutes=480, handout="h" * 2500, summary="s" * 600))
    assert plan.current.length_minutes == 480
    assert lessons.create_plan(user(worker), "other", **fields(length_minutes=5)).version == 1


def test_line_endings_are_made_one_kind_and_edges_trimmed(app, ctx, worker):
    plan = lessons.create_plan(user(worker), "other",
                               **fields(goals="\r\n- one\r\n- two\r\n\r\n", exercise=" \r "))
    assert plan.current.goals == "- one\n- two"
    assert plan.current.exercise == ""


# --- editing ----------------------------------------------------------------------------


def test_an_edit_adds_a_version_and_keeps_the_old_one(app, worker, plan):
    original = versions(app, plan)[0]
    edit_plan(app, worker, plan, 1, title="Shadows and shapes", length_minutes=75)
    kept = versions(app, plan)
    assert [v.number for v in kept] == [1, 2]
    # The first version is exactly as it was, column for column.
    columns = [column.key for column in LessonPlanVersion.__table__.columns]
    assert {c: getattr(kept[0], c) for c in columns} == \
        {c: getattr(original, c) for c in columns}
    new = kept[1]
    assert (new.title, new.length_minutes, new.summary) == \
        ("Shadows and shapes", 75, original.summary)
    with app.app_context():
        assert db.session.get(LessonPlan, plan).version == 2
    event = audit(app, "lesson.updated")[0]
    assert event.actor_id == worker.id and event.target_id == plan
    assert event.details == {"version": 2, "fields": ["title", "length_minutes"]}


def test_another_worker_may_edit_and_is_named_on_the_version(app, worker, other_worker, plan):
    edit_plan(app, other_worker, plan, 1, discussion="- What did you like?")
    assert versions(app, plan)[1].created_by_id == other_worker.id


def test_changing_the_topic_is_an_edit_too(app, worker, plan):
    edit_plan(app, worker, plan, 1, topic="distance")
    with app.app_context():
        saved = db.session.get(LessonPlan, plan)
        assert saved.topic is Topic.DISTANCE and saved.version == 2
    assert audit(app, "lesson.updated")[0].details["fields"] == ["topic"]


def test_saving_without_a_change_adds_no_version(app, worker, plan):
    with unchanged(app):
        edit_plan(app, worker, plan, 1, title=" Shadows ", topic="light",
                  goals="- See shapes in shadows\r\n")


def test_an_edit_from_an_old_version_is_a_conflict_and_changes_nothing(
        app, worker, other_worker, plan):
    edit_plan(app, other_worker, plan, 1, title="Their title")
    with unchanged(app), app.app_context():
        stale = db.session.get(LessonPlan, plan)
        with pytest.raises(Conflict) as caught:
            lessons.update_plan(user(worker), stale, expected_version=1, title="My title")
        db.session.rollback()
    message = caught.value.message
    assert "Worker2 saved a newer version" in message
    assert "version 2" in message and "from version 1" in message
    assert "Nothing you typed is saved yet" in message
    assert caught.value.errors == {"current_version": ["2"]}


def test_a_conflict_with_yourself_says_so(app, worker, plan):
    edit_plan(app, worker, plan, 1, title="From the other tab")
    with unchanged(app), app.app_context():
        with pytest.raises(Conflict) as caught:
            lessons.update_plan(user(worker), db.session.get(LessonPlan, plan),
                                expected_version=1, title="From this tab")
        db.session.rollback()
    assert caught.value.message.startswith(
        "You saved a newer version of this plan in another window or tab (version 2")


def test_a_version_from_the_future_is_a_conflict_too(app, worker, plan):
    with unchanged(app), app.app_context(), pytest.raises(Conflict):
        lessons.update_plan(user(worker), db.session.get(LessonPlan, plan),
                            expected_version=5, title="Later")


def test_a_stale_copy_in_memory_still_conflicts(app, worker, other_worker, plan):
    """The database decides: a save whose plan was read before another save committed."""
    with app.app_context():
        mine = db.session.get(LessonPlan, plan)
        assert mine.version == 1
        # Someone else saves in between, in their own transaction.
        other = threading.Thread(target=edit_plan,
                                 args=(app, other_worker, plan, 1), kwargs={"title": "Theirs"})
        other.start()
        other.join()
        with pytest.raises(Conflict) as caught:
            lessons.update_plan(user(worker), mine, expected_version=1, title="Mine")
        db.session.rollback()
    assert "Worker2" in caught.value.message
    assert [v.title for v in versions(app, plan)] == ["Shadows", "Theirs"]


def test_participants_may_not_edit(app, participant, plan):
    with unchanged(app), app.app_context(), pytest.raises(Forbidden):
        lessons.update_plan(user(participant), db.session.get(LessonPlan, plan),
                            expected_version=1, title="Mine now")


@pytest.mark.parametrize("bad, field", BAD_FIELDS[:16], ids=[
    "no title", "blank title", "invisible title", "long title", "blank summary",
    "long summary", "no goals", "no activities", "long activities", "long materials",
    "long exercise", "long discussion", "long handout", "too short", "too long",
    "no length"])
def test_bad_edits_are_refused_and_change_nothing(app, worker, plan, bad, field):
    if bad.get("length_minutes", 0) is None:
        bad = {"length_minutes": 0}  # None means "leave it" in an edit
    with unchanged(app), app.app_context():
        with pytest.raises(Invalid) as caught:
            lessons.update_plan(user(worker), db.session.get(LessonPlan, plan),
                                expected_version=1, **bad)
        assert field in caught.value.errors
        db.session.rollback()


def test_unknown_fields_are_a_programming_error(app, ctx, worker, plan):
    with pytest.raises(TypeError):
        lessons.create_plan(user(worker), "light", colour="red", **fields())
    with pytest.raises(TypeError):
        lessons.update_plan(user(worker), db.session.get(LessonPlan, plan),
                            expected_version=1, colour="red")


def test_many_edits_keep_every_version_in_order(app, worker, other_worker, plan):
    for number in range(1, 6):
        editor = worker if number % 2 else other_worker
        edit_plan(app, editor, plan, number, summary=f"Summary {number + 1}")
    kept = versions(app, plan)
    assert [v.number for v in kept] == [1, 2, 3, 4, 5, 6]
    assert [v.summary for v in kept[1:]] == [f"Summary {n}" for n in range(2, 7)]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "lesson.updated")) == 5


def test_ten_workers_saving_the_same_version_at_once_one_wins(
        database_uri, tmp_path, app, worker, plan):
    """Ten saves that all began from version 1 reach the database together: one is kept,
    nine are told of the conflict, and no version is lost or doubled."""

    def open_plan(n: int):
        opened = db.session.get(LessonPlan, plan)
        assert opened.version == 1 and opened.current.number == 1
        return n, opened

    def save(ready) -> None:
        n, opened = ready
        lessons.update_plan(user(worker), opened, expected_version=1, title=f"Title {n}")

    outcomes = race(database_uri, tmp_path, list(range(10)), act=save, prepare=open_plan)
    assert outcomes == ["conflict"] * 9 + ["won"], outcomes
    kept = versions(app, plan)
    assert [v.number for v in kept] == [1, 2] and kept[0].title == "Shadows"
    with app.app_context():
        assert db.session.get(LessonPlan, plan).version == 2
        assert len(audit(app, "lesson.updated")) == 1
