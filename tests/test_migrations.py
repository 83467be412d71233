"""The schema is made by migrations alone, and they match the models exactly."""


from sqlalchemy import create_engine, inspect

from tests.fixtures.migrations import flask


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
