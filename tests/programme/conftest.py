"""Programme fixtures: a session planned at the worker's site."""

import pytest

from tests.stock.conftest import NOW, ctx, hours, make_camera, user  # noqa: F401
from workshop.extensions import db
from workshop.programme import services as programme

START = NOW + hours(24)


def make_session(app, worker, capacity=2, start=START, length=2, **fields) -> int:
    with app.app_context():
        session = programme.create_session(
            user(worker), title=fields.pop("title", "Light and shade"), starts_at=start,
            ends_at=start + hours(length), capacity=capacity,
            place=fields.pop("place", "Group room"), **fields)
        db.session.commit()
        return session.id


@pytest.fixture
def session_id(app, worker) -> int:
    return make_session(app, worker)
