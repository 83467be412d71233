"""Configuration from FLASK_* variables, and refusing to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workshop import ConfigError, create_app


def test_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="FLASK_SECRET_KEY"):
        create_app()


def test_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "too-short")
    with pytest.raises(ConfigError, match="at least 32 characters"):
        create_app()


def test_secret_key_is_not_needed_in_debug(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    assert create_app({"DEBUG": True}).debug


def test_settings_come_from_flask_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("FLASK_STORAGE_DIR", str(tmp_path / "photos"))
    monkeypatch.setenv("FLASK_TIMEZONE", "Europe/Dublin")
    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app()
    assert app.config["STORAGE_DIR"] == str(tmp_path / "photos")
    assert str(app.config["TZ"]) == "Europe/Dublin"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_defaults_live_in_the_instance_folder(monkeypatch):
    for name in ("FLASK_SQLALCHEMY_DATABASE_URI", "FLASK_STORAGE_DIR", "FLASK_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"DEBUG": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == \
        f"sqlite:///{os.path.join(app.instance_path, 'workshop.db')}"
    assert app.config["STORAGE_DIR"] == os.path.join(app.instance_path, "photos")
    assert str(app.config["TZ"]) == "Europe/London"


def test_unknown_time_zone_is_a_clear_error():
    with pytest.raises(ConfigError, match="FLASK_TIMEZONE"):
        create_app({"DEBUG": True, "TIMEZONE": "Mars/Olympus"})


def test_the_command_line_says_why_in_one_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env,
                            cwd=Path(__file__).parent.parent,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Set FLASK_SECRET_KEY" in result.stderr.strip().splitlines()[-1]
