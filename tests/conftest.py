"""Fixtures: app, client and runner (as in the Flask tutorial), a migrated database, people.

The database comes from WORKSHOP_TEST_DATABASE_URI (for example
postgresql+psycopg://postgres@127.0.0.1/workshop_test); without it, a SQLite file in a
temporary folder. It is migrated once per run and emptied before and after every test.
Redis is WORKSHOP_TEST_REDIS_URL, or the local default; the tests that share counts
through it are skipped without one, except under CI (the CI variable set), where they fail.
"""

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import flask_migrate
import pytest
import redis
from sqlalchemy import text

from workshop import create_app
from workshop.auth import services as auth
from workshop.auth.models import User
from workshop.extensions import db

TEST_DATABASE_ENV = "WORKSHOP_TEST_DATABASE_URI"
TEST_REDIS_ENV = "WORKSHOP_TEST_REDIS_URL"
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def make_config(database_uri: str, tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "STORAGE_DIR": str(tmp_path / "photos"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    return config


def empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    uri = os.environ.get(TEST_DATABASE_ENV) or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'workshop.db'}")
    app = create_app(make_config(uri, tmp_path_factory.mktemp("setup")))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get(TEST_REDIS_ENV) or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        reason = f"no Redis server at {url} (set {TEST_REDIS_ENV})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def app_overrides() -> dict:
    """Settings a folder of tests needs on top of make_config's (override the fixture)."""
    return {}


@pytest.fixture
def app(database_uri, tmp_path, app_overrides):
    app = create_app(make_config(database_uri, tmp_path, **app_overrides))
    with app.app_context():
        empty_tables()
    yield app
    with app.app_context():
        db.session.rollback()
        empty_tables()
        db.engine.dispose()


@contextmanager
def more_apps(database_uri: str, tmp_path, count: int = 1, **overrides) -> Iterator[list]:
    """Apps on the same database as `app`, as other gunicorn workers would be. Their
    connections are closed afterwards, so that the tables can be emptied."""
    apps = [create_app(make_config(database_uri, tmp_path, **overrides)) for _ in range(count)]
    try:
        yield apps
    finally:
        for each in apps:
            with each.app_context():
                db.engine.dispose()


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "workshop", *args]


def flask_env(**settings) -> dict[str, str]:
    """The environment for `flask` in a child process: this one's without its own FLASK_
    settings or the test database, plus FLASK_<name> for each of these settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FLASK_") and k != TEST_DATABASE_ENV}
    env.update({f"FLASK_{name}": str(value) for name, value in settings.items()})
    return env


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- people -----------------------------------------------------------------------------


@dataclass
class Account:
    id: int
    username: str
    password: str
    role: str
    site_id: int | None


def make_site(app, name="North Hub", slug="north-hub") -> int:
    with app.app_context():
        site = auth.create_site(None, name, slug)
        db.session.commit()
        return site.id


def make_account(app, username, role, site_id, password=None, display_name=None) -> Account:
    password = password or f"{username}-passphrase-1"
    with app.app_context():
        user = auth.create_user(None, username, role, display_name or username.title(),
                                password, site_id)
        db.session.commit()
        return Account(user.id, user.username, password, role, site_id)


@pytest.fixture
def site(app) -> int:
    return make_site(app)


@pytest.fixture
def other_site(app) -> int:
    return make_site(app, "South Hub", "south-hub")


@pytest.fixture
def admin(app) -> Account:
    return make_account(app, "admin", "admin", None)


@pytest.fixture
def worker(app, site) -> Account:
    return make_account(app, "worker", "worker", site)


@pytest.fixture
def participant(app, site) -> Account:
    return make_account(app, "sky", "participant", site)


@pytest.fixture
def other_worker(app, other_site) -> Account:
    return make_account(app, "worker2", "worker", other_site)


@pytest.fixture
def other_participant(app, other_site) -> Account:
    return make_account(app, "robin", "participant", other_site)


# --- pages ------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"'
                     r'|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    """Post a form as a browser would: with the CSRF token from the page it is on."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(html), **data}, **kwargs)


def login(client, account: Account, password: str | None = None, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return post_form(client, url, {"username": account.username,
                                   "password": password or account.password})


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status; its body, for more checks."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"]
    return body


def api_token(app, account: Account) -> dict:
    """Authorization headers with a new API token for the account."""
    with app.app_context():
        user = db.session.get(User, account.id)
        # Participants need an admin's leave first; API tests take it as given.
        user.api_tokens_allowed = True
        _, raw = auth.create_api_token(user, "tests")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


# --- races ------------------------------------------------------------------------------


def race(database_uri, tmp_path, contenders, act, prepare=lambda contender: contender,
         **overrides):
    """Run act(prepare(c)) for each contender in its own thread, all let go at once.

    Each thread has its own app context, so its own database connection, as two
    gunicorn workers would. Returns one outcome per contender: "won" when act committed,
    "conflict" when it raised Conflict, or "error: ..." (a thread cannot fail a test).
    """
    import threading

    from workshop.errors import Conflict

    pool = {"pool_size": len(contenders) + 1, "max_overflow": 0, "pool_timeout": 60}
    with more_apps(database_uri, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=pool,
                   **overrides) as (racing,):
        barrier = threading.Barrier(len(contenders))
        outcomes: list[str] = []

        def run(contender) -> None:
            with racing.app_context():
                try:
                    ready = prepare(contender)
                    barrier.wait(timeout=30)
                    act(ready)
                    db.session.commit()
                    outcomes.append("won")
                except Conflict:
                    db.session.rollback()
                    outcomes.append("conflict")
                except Exception as exc:  # noqa: BLE001 -- reported in the outcomes
                    db.session.rollback()
                    outcomes.append(f"error: {exc!r}")

        threads = [threading.Thread(target=run, args=(c,)) for c in contenders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not barrier.broken, "the threads never all reached the start line"
    return sorted(outcomes)
