"""The shipped lesson plans: their content, and loading them once without undoing edits."""

import re

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import user
from tests.fixtures.lessons import edit_plan, fields, snapshot, unchanged
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan, LessonPlanVersion
from workshop.lessons.routes import handout_size

SHIPPED = {
    "light": ("Light", "light"),
    "distance": ("Distance", "distance"),
    "steadiness": ("Steadiness", "steadiness"),
    "starting-with-a-disposable": ("Starting with a disposable camera", "other"),
}


def plans_by_slug(app) -> dict[str, tuple[int, int]]:
    with app.app_context():
        return {slug: (plan_id, version) for slug, plan_id, version in db.session.execute(
            select(LessonPlan.slug, LessonPlan.id, LessonPlan.version))}


# --- the content ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, lessons.ShippedPlan]:
    return {plan.slug: plan for plan in lessons.shipped_plans()}


def test_the_four_plans_are_shipped(shipped):
    assert {slug: (p.fields["title"], p.topic) for slug, p in shipped.items()} == SHIPPED


@pytest.mark.parametrize("slug", SHIPPED)
def test_each_shipped_plan_has_every_part_and_passes_the_checks(shipped, slug):
    plan = shipped[slug]
    assert set(plan.fields) == set(lessons.CONTENT_FIELDS)
    cleaned = lessons.clean_content(plan.fields)
    for name in lessons.CONTENT_FIELDS:
        assert cleaned[name], f"{slug}: {name} is empty"
    assert 30 <= cleaned["length_minutes"] <= 120


@pytest.mark.parametrize("slug", SHIPPED)
def test_each_handout_fits_one_a4_page_in_the_large_type(shipped, slug):
    assert handout_size(shipped[slug].fields["handout"]) == ("", True)


# Words that would tell a reader (or a passer-by who sees the handout) about treatment.
NEVER = re.compile(r"\b(drugs?|treatment|recover\w*|addict\w*|rehab\w*|clinic\w*|"
                   r"substances?|sober\w*|relapse\w*|therap\w*|patients?)\b",
                   re.IGNORECASE)


@pytest.mark.parametrize("slug", SHIPPED)
def test_content_never_mentions_treatment(shipped, slug):
    for name, text in shipped[slug].fields.items():
        if isinstance(text, str):
            assert not NEVER.search(text), f"{slug}.{name}: {NEVER.search(text).group()}"


def sentences(markdown: str) -> list[str]:
    plain = re.sub(r"[*#`]", "", markdown)
    parts = re.split(r"(?<=[.!?:;])\s+|\n+\s*(?:[-\d]+\.?\s+)?", plain)
    return [p.strip() for p in parts if p.strip()]


@pytest.mark.parametrize("slug", SHIPPED)
def test_handouts_use_short_sentences(shipped, slug):
    # Short sentences for a reading age of about 10: none over 20 words, most far fewer.
    found = sentences(shipped[slug].fields["handout"])
    lengths = [len(s.split()) for s in found]
    assert max(lengths) <= 20, max(found, key=lambda s: len(s.split()))
    assert sum(lengths) / len(lengths) <= 10


@pytest.mark.parametrize("slug, facts", [
    ("light", ["window", "sun behind you", "morning", "3 metres", "flash"]),
    ("distance", ["1 metre", "zoom", "fill", "closer"]),
    ("steadiness", ["elbows", "breathe out", "lean", "gently", "two hands"]),
    ("starting-with-a-disposable", ["wheel", "counter", "flash", "27 photos"]),
])
def test_handouts_teach_what_the_plan_is_about(shipped, slug, facts):
    handout = shipped[slug].fields["handout"].lower()
    for fact in facts:
        assert fact in handout, f"{slug} handout lacks {fact!r}"


def test_plans_give_the_disposable_cameras_real_limits(shipped):
    def words(slug: str, name: str) -> str:
        return " ".join(shipped[slug].fields[name].split())

    assert "reaches about 3 metres" in words("light", "activities")
    assert "about 1 to 1.2 metres" in words("distance", "activities")
    assert "digital zoom" in words("distance", "activities")


# --- loading ----------------------------------------------------------------------------


def test_load_adds_the_shipped_plans(app, ctx):
    results = lessons.load_shipped()
    db.session.commit()
    assert {r.slug: r.outcome for r in results} == dict.fromkeys(SHIPPED, "added")
    plans = db.session.scalars(select(LessonPlan)).all()
    assert {p.slug: (p.current.title, p.topic.value, p.version) for p in plans} == \
        {slug: (title, topic, 1) for slug, (title, topic) in SHIPPED.items()}
    assert all(p.current.created_by_id is None for p in plans)


def test_loading_again_changes_nothing(app):
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()
    with unchanged(app), app.app_context():
        results = lessons.load_shipped()
        db.session.commit()
    assert {r.outcome for r in results} == {"already there"}


def test_loading_again_keeps_workers_edits(app, worker):
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()
    light, _ = plans_by_slug(app)["light"]
    edit_plan(app, worker, light, 1, title="Light, our way", handout="Our own handout.")
    before = snapshot(app)
    with app.app_context():
        results = {r.slug: r for r in lessons.load_shipped()}
        db.session.commit()
        plan = db.session.get(LessonPlan, light)
        assert (plan.version, plan.current.title) == (2, "Light, our way")
        assert plan.current.handout == "Our own handout."
    assert snapshot(app) == before
    assert results["light"].outcome == "kept edits"
    assert results["light"].title == "Light, our way"


def test_a_missing_shipped_plan_is_added_back_alone(app, worker):
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()
        db.session.delete(db.session.scalar(
            select(LessonPlan).where(LessonPlan.slug == "distance")))
        db.session.commit()
    kept = {slug: ids for slug, ids in plans_by_slug(app).items()}
    with app.app_context():
        results = {r.slug: r.outcome for r in lessons.load_shipped()}
        db.session.commit()
    assert results["distance"] == "added"
    now = plans_by_slug(app)
    assert {slug: now[slug] for slug in kept} == kept


def test_a_workers_plan_called_light_does_not_block_the_shipped_one(app, ctx, worker):
    own = lessons.create_plan(user(worker), "light", **fields(title="Light"))
    results = {r.slug: r.outcome for r in lessons.load_shipped()}
    assert results["light"] == "added" and own.slug != "light"


# --- the commands -----------------------------------------------------------------------


def test_flask_lessons_load_says_what_it_did(app, runner, worker):
    first = runner.invoke(args=["lessons", "load"])
    assert first.exit_code == 0, first.output
    assert "Light: added." in first.output
    assert "Starting with a disposable camera: added." in first.output
    light, _ = plans_by_slug(app)["light"]
    edit_plan(app, worker, light, 1, summary="Our summary.")
    second = runner.invoke(args=["lessons", "load"])
    assert second.exit_code == 0, second.output
    assert "Light: already there and edited by workers: their version is kept." \
        in second.output
    assert "Distance: already there, left as it is." in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LessonPlan)) == 4
        assert db.session.scalar(select(func.count()).select_from(LessonPlanVersion)) == 5


def test_flask_demo_load_brings_the_plans_too(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert set(plans_by_slug(app)) == set(SHIPPED)
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert len(plans_by_slug(app)) == 4
