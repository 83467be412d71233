"""The schema is made by migrations alone, and they match the models exactly."""

import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import flask_command, flask_env


@pytest.fixture
def empty_database_uri(database_uri, tmp_path):
    """A brand-new empty database of the same kind as the suite's."""
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"workshop_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def flask(args: list[str], database_uri: str) -> subprocess.CompletedProcess:
    return subprocess.run(flask_command(*args),
                          env=flask_env(SQLALCHEMY_DATABASE_URI=database_uri, DEBUG="1"),
                          capture_output=True, text=True, timeout=120)


def test_upgrade_then_check_reports_no_drift(empty_database_uri):
    upgrade = flask(["db", "upgrade"], empty_database_uri)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask(["db", "check"], empty_database_uri)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    engine = create_engine(empty_database_uri)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"sites", "users", "login_sessions", "api_tokens", "audit_events"} <= tables


def test_downgrade_to_base_and_up_again(empty_database_uri):
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = flask(args, empty_database_uri)
        assert result.returncode == 0, (args, result.stderr)
