"""flask photos check: the fixed command-line contract."""

import json

from tests.fixtures.photos import photo, stored_files
from tests.photos import images


def test_check_json_one_line_per_file_and_status_1_on_a_bad_one(app, runner, tmp_path):
    good = tmp_path / "good.jpg"
    good.write_bytes(photo((1200, 900)))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(images.html())
    result = runner.invoke(args=["photos", "check", "--json", str(good), str(bad)])
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(good)
    assert (first["width"], first["height"]) == (1200, 900)
    assert first["megapixels"] == 1.08
    checks = first["checks"]
    assert checks["resolution"]["verdict"] in ("ok", "low")
    assert checks["steadiness"]["verdict"] in ("ok", "shaky")
    assert isinstance(checks["steadiness"]["score"], float)
    assert checks["light"]["verdict"] in ("ok", "dark", "bright")
    assert second["file"] == str(bad) and second["error"]
    assert stored_files(app) == []


def test_check_readable_and_all_good_exit_0(runner, tmp_path):
    good = tmp_path / "good.jpg"
    good.write_bytes(photo((1200, 900)))
    result = runner.invoke(args=["photos", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "1200 x 900" in result.output and "steadiness:" in result.output


def test_check_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["photos", "check", "--json", str(tmp_path / "nope.jpg")])
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]
