"""Growing waits for an account that many addresses fail to log into.

Flask-Limiter's fixed limits guard each address and each (account, address) pair. A
username is printed on a card, so a hard limit per account would let anyone lock its
owner out; past a loose allowance each further try on the account waits instead, twice
as long as the last, up to a cap. The counts live in the limiter's storage, so every
process shares them when that is Redis.
"""

import math
import time

from limits import parse

from workshop.extensions import limiter


def account_name(username: str) -> str:
    """The account a login try is counted against: as the login form reads the name
    (over-long names are refused by the form anyway)."""
    return username.strip().lower()[:40]


def _keys(config, username: str) -> tuple[str, str]:
    base = f"{config['RATELIMIT_KEY_PREFIX']}/login-account/{account_name(username)}"
    return base + "/failures", base + "/wait"


def seconds_to_wait(config, username: str) -> int:
    """How long a try on this account must wait before it may be checked; 0 for now."""
    if not limiter.enabled:
        return 0
    _, wait_key = _keys(config, username)
    storage = limiter.storage
    if storage.get(wait_key) <= 0:
        return 0
    return max(1, math.ceil(storage.get_expiry(wait_key) - time.time()))


def record_failure(config, username: str) -> int:
    """Count a failed login on this account; the wait it now brings (0 within the
    allowance of LOGIN_LIMIT_PER_ACCOUNT)."""
    if not limiter.enabled:
        return 0
    allowance = parse(config["LOGIN_LIMIT_PER_ACCOUNT"])
    failures_key, wait_key = _keys(config, username)
    storage = limiter.storage
    failures = storage.incr(failures_key, allowance.get_expiry())
    if failures < allowance.amount:
        return 0
    # 1, 2, 4 ... seconds: a guesser spread over many addresses slows to a crawl, while
    # the owner waits a minute at most.
    delay = min(2 ** min(failures - allowance.amount, 30),
                int(config["LOGIN_DELAY_MAX_SECONDS"]))
    storage.clear(wait_key)
    storage.incr(wait_key, delay)
    return delay
