"""Asset tags are unique within a site, so no refusal tells a worker about another site."""

import importlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.fixtures.accounts import api_token, user
from tests.fixtures.migrations import flask
from tests.fixtures.pages import assert_problem
from tests.fixtures.stock import make_camera
from workshop.errors import Conflict
from workshop.extensions import db
from workshop.stock import services as stock
from workshop.stock.models import Camera

THIS_MIGRATION = importlib.import_module("migrations.versions.0011_asset_tags_per_site")


def test_another_sites_tag_is_free_here(app, client, worker, other_worker):
    make_camera(app, worker, "CAM-07")
    # Refusing this would tell the second site that the first one has a CAM-07.
    response = client.post("/api/v1/cameras", headers=api_token(app, other_worker),
                           json={"asset_tag": "cam-07", "kind": "digital"})
    assert response.status_code == 201, response.json
    with app.app_context():
        sites = db.session.execute(select(Camera.site_id, Camera.asset_tag)
                                   .order_by(Camera.id)).all()
    assert sites == [(worker.site_id, "CAM-07"), (other_worker.site_id, "CAM-07")]


def test_a_tag_stays_unique_within_its_site(app, client, worker, other_worker):
    make_camera(app, worker, "CAM-07")
    theirs = make_camera(app, other_worker, "CAM-08")
    staff = api_token(app, worker)
    body = assert_problem(client.post("/api/v1/cameras", headers=staff,
                                      json={"asset_tag": "CAM-07", "kind": "digital"}), 409)
    assert "CAM-07" in body["detail"]
    with app.app_context():
        mine = make_camera(app, worker, "CAM-08")
        with pytest.raises(Conflict):
            stock.update_camera(user(worker), db.session.get(Camera, mine), asset_tag="CAM-07")
        db.session.rollback()
        # The other site's camera of the same tag is untouched, and still theirs alone.
        assert db.session.get(Camera, theirs).site_id == other_worker.site_id
        assert db.session.scalar(select(func.count()).select_from(Camera)) == 3


def test_the_migration_keeps_cameras_and_their_bookings(empty_database_uri):
    before = flask(["db", "upgrade", THIS_MIGRATION.down_revision], empty_database_uri)
    assert before.returncode == 0, before.stderr
    engine = create_engine(empty_database_uri)
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO sites (id, name, slug, created_at, gallery_shows_name) "
                "VALUES (1, 'North', 'north', :now, false), (2, 'South', 'south', :now, false)"
            ), {"now": now})
            connection.execute(text(
                "INSERT INTO cameras (id, site_id, asset_tag, kind, make, model, status, "
                "notes, created_at, version) VALUES "
                "(1, 1, 'CAM-07', 'digital', '', '', 'available', '', :now, 1)"), {"now": now})
            connection.execute(text(
                "INSERT INTO bookings (id, camera_id, site_id, starts_at, ends_at, state, "
                "note, created_at, version) VALUES "
                "(1, 1, 1, :now, :later, 'returned', '', :now, 1)"),
                {"now": now, "later": now.replace(hour=12)})
        after = flask(["db", "upgrade"], empty_database_uri)
        assert after.returncode == 0, after.stderr
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO cameras (id, site_id, asset_tag, kind, make, model, status, "
                "notes, created_at, version) VALUES "
                "(2, 2, 'CAM-07', 'digital', '', '', 'available', '', :now, 1)"), {"now": now})
            assert connection.scalar(text("SELECT camera_id FROM bookings")) == 1
        with pytest.raises(Exception, match="(?i)unique"), engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO cameras (id, site_id, asset_tag, kind, make, model, status, "
                "notes, created_at, version) VALUES "
                "(3, 2, 'CAM-07', 'digital', '', '', 'available', '', :now, 1)"), {"now": now})
    finally:
        engine.dispose()
