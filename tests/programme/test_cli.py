"""flask sessions list, and the demo's session."""

from tests.fixtures.clock import NOW
from tests.fixtures.programme import make_session


def test_sessions_list(app, runner, worker):
    assert "No sessions coming up." in runner.invoke(args=["sessions", "list"]).output
    make_session(app, worker, start=NOW.replace(year=2099))
    result = runner.invoke(args=["sessions", "list", "--site", "north-hub"])
    assert "Light and shade" in result.output and "0 of 2 places taken" in result.output
    assert runner.invoke(args=["sessions", "list", "--site", "nowhere"]).exit_code != 0


def test_the_demo_has_a_session_with_both_participants(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    output = runner.invoke(args=["sessions", "list", "--site", "riverside"]).output
    assert "Finding good light" in output and "2 of 8 places taken" in output
    runner.invoke(args=["demo", "load"])
    again = runner.invoke(args=["sessions", "list", "--site", "riverside"]).output
    assert again.count("Finding good light") == 1
