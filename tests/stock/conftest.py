"""Stock fixtures: cameras, and acting as a person inside the app."""

from datetime import UTC, datetime, timedelta

import pytest

from workshop.auth.models import User
from workshop.extensions import db
from workshop.stock import services as stock

# A fixed "now" keeps the tests about rules, not about the clock.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def user(account) -> User:
    return db.session.get(User, account.id)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def make_camera(app, worker, tag="CAM-01", kind="digital", **fields) -> int:
    with app.app_context():
        camera = stock.create_camera(user(worker), None, tag, kind, **fields)
        db.session.commit()
        return camera.id


@pytest.fixture
def camera(app, worker) -> int:
    return make_camera(app, worker, make="Canon", model="IXUS 185", megapixels=20)


@pytest.fixture
def disposable(app, worker) -> int:
    return make_camera(app, worker, "DSP-01", "disposable", make="Kodak", exposures=27)
