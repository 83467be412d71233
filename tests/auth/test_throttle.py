"""Failing someone's login slows the one failing it, not the owner (issue 15, item 3)."""

import re
import time
import uuid

import redis

from tests.fixtures.accounts import make_account
from tests.fixtures.app import more_apps
from tests.fixtures.pages import csrf_from


def _wait(response) -> int:
    """The wait the page asks for (Flask-Limiter rounds its Retry-After header down)."""
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    return int(re.search(r"Please wait (\d+) seconds?,", response.text).group(1))


def _try(app, username: str, password: str, address: str):
    client = app.test_client()
    html = client.get("/login").text
    return client.post("/login", environ_base={"REMOTE_ADDR": address},
                       data={"csrf_token": csrf_from(html), "username": username,
                             "password": password})


def test_failing_someones_login_does_not_lock_them_out(app, worker):
    """With the shipped limits: one address fails the printed username again and again."""
    attacker = "198.51.100.66"
    for _ in range(5):
        assert _try(app, "worker", "wrong-passphrase", attacker).status_code == 401
    # The attacker is stopped, even with the right passphrase...
    assert _try(app, "worker", worker.password, attacker).status_code == 429
    for _ in range(20):
        assert _try(app, "worker", "wrong-passphrase", attacker).status_code == 429
    # ... while the owner, at the day programme, logs in at once.
    assert _try(app, "worker", worker.password, "192.0.2.10").status_code == 302


def test_many_addresses_bring_growing_waits_not_a_lock(app, worker):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per hour"
    for n in range(3):
        assert _try(app, "worker", "wrong-passphrase", f"198.51.100.{n}").status_code == 401
    # Past the allowance every address waits, the right passphrase too: no guess is free.
    response = _try(app, "worker", worker.password, "192.0.2.10")
    assert _wait(response) == 1
    time.sleep(1.1)
    assert _try(app, "worker", "wrong-passphrase", "198.51.100.9").status_code == 401
    response = _try(app, "worker", "wrong-passphrase", "198.51.100.10")
    assert _wait(response) == 2  # twice as long as the last
    time.sleep(2.1)
    # Not a lock: once the wait is over, the owner gets in.
    assert _try(app, "worker", worker.password, "192.0.2.10").status_code == 302
    # Other accounts never waited.
    assert _try(app, "nobody", "wrong-passphrase", "198.51.100.11").status_code == 401


def test_the_wait_has_a_ceiling(app, worker):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "1 per hour"
    app.config["LOGIN_DELAY_MAX_SECONDS"] = 1
    waits = []
    for n in range(6):
        assert _try(app, "worker", "wrong-passphrase", f"198.51.100.{n}").status_code == 401
        waits.append(_wait(_try(app, "worker", worker.password, "192.0.2.10")))
        time.sleep(1.05)
    assert waits == [1] * 6
    assert _try(app, "worker", worker.password, "192.0.2.10").status_code == 302


def test_account_waits_are_shared_through_redis(database_uri, tmp_path, app, site, redis_url):
    """Two app processes (gunicorn workers) count one account's failures together."""
    account = make_account(app, f"redis-{uuid.uuid4().hex[:12]}", "worker", site)
    try:
        with more_apps(database_uri, tmp_path, 2, RATELIMIT_STORAGE_URI=redis_url,
                       LOGIN_LIMIT_PER_ACCOUNT="2 per hour",
                       LOGIN_DELAY_MAX_SECONDS=30) as (first, second):
            assert _try(first, account.username, "wrong-pass", "198.51.100.1").status_code \
                == 401
            assert _try(second, account.username, "wrong-pass", "198.51.100.2").status_code \
                == 401
            for each in (first, second):
                assert _wait(_try(each, account.username, account.password,
                                  "192.0.2.10")) >= 1
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*{account.username}*"):
            client.delete(key)
