"""Serving with gunicorn (wsgi.py) warns of settings that hold for one process or host."""

import subprocess
import sys
from pathlib import Path

from tests.fixtures.app import SECRET, flask_env

PROJECT = Path(__file__).parent.parent


def _start(tmp_path, **settings) -> str:
    env = flask_env(SECRET_KEY=SECRET, STORAGE_DIR=tmp_path / "photos",
                    SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'start.db'}", **settings)
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, cwd=PROJECT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_per_process_rate_limit_store_is_named_at_start_up(tmp_path):
    said = _start(tmp_path, SERVER_NAME="workshop.example.org")
    assert "FLASK_RATELIMIT_STORAGE_URI is memory://" in said
    assert "Set FLASK_RATELIMIT_STORAGE_URI to Redis" in said
    assert "FLASK_SERVER_NAME is not set" not in said


def test_a_host_taken_from_requests_is_named_at_start_up(tmp_path, redis_url):
    said = _start(tmp_path, RATELIMIT_STORAGE_URI=redis_url)
    assert "FLASK_SERVER_NAME is not set" in said
    assert "memory://" not in said


def test_shared_store_and_public_address_start_quietly(tmp_path, redis_url):
    assert _start(tmp_path, RATELIMIT_STORAGE_URI=redis_url,
                  SERVER_NAME="workshop.example.org") == ""
    # TRUSTED_HOSTS alone also fixes the address links are built on.
    assert _start(tmp_path, RATELIMIT_STORAGE_URI=redis_url,
                  TRUSTED_HOSTS="workshop.example.org") == ""
