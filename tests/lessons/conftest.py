"""Lesson plan fixtures: a plan's fields, plans made through the service, snapshots."""

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from workshop.audit.models import AuditEvent
from workshop.auth.models import User
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan, LessonPlanVersion


def fields(**overrides) -> dict:
    """Everything a plan holds but its topic, each field valid."""
    values = {
        "title": "Shadows",
        "summary": "Look for shadows and photograph them.",
        "goals": "- See shapes in shadows",
        "length_minutes": 60,
        "materials": "- A camera each",
        "activities": "1. Walk round the garden.\n2. Photograph five shadows.",
        "exercise": "Find a shadow that looks like something else.",
        "discussion": "- Which shadow surprised you?",
        "handout": "Shadows are everywhere. Look down!",
    }
    values.update(overrides)
    return values


def user(account) -> User:
    return db.session.get(User, account.id)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def make_plan(app, account=None, topic="light", **overrides) -> int:
    with app.app_context():
        actor = user(account) if account is not None else None
        plan = lessons.create_plan(actor, topic, **fields(**overrides))
        db.session.commit()
        return plan.id


@pytest.fixture
def plan(app, worker) -> int:
    return make_plan(app, worker)


def edit_plan(app, account, plan_id, expected_version, **changes) -> None:
    with app.app_context():
        lessons.update_plan(user(account), db.session.get(LessonPlan, plan_id),
                            expected_version=expected_version, **changes)
        db.session.commit()


def snapshot(app) -> dict:
    with app.app_context():
        return {model.__tablename__: db.session.execute(
                    select(model.__table__).order_by(model.__table__.c.id)).all()
                for model in (LessonPlan, LessonPlanVersion, AuditEvent)}


@contextmanager
def unchanged(app):
    """The block must leave plans, their versions and the audit trail as they were."""
    before = snapshot(app)
    yield
    assert snapshot(app) == before
