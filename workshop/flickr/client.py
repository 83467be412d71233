"""The flickrapi client as this app uses it: our addresses, a timeout, one shared call budget,
and Flickr's answers sorted into "done", "try again later" and "needs a person"."""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from xml.etree.ElementTree import ParseError

import flickrapi
import requests
from flask import current_app
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from workshop.errors import DomainError
from workshop.flickr.models import ErrorKind

# Flickr's error codes, as its API documentation lists them.
RETRY_CODES = {105, 106}  # service unavailable; write operation failed
AUTH_CODES = {96, 97, 98, 99, 100}  # bad signature, missing signature, bad token, perms, key
RETRY_STATUSES = {408, 429}
HTTP_STATUS = re.compile(r"Status code (\d{3})")
FLICKR_ERROR_TEXT = re.compile(r"^Error: \d+: ")


class FlickrUnavailable(DomainError):
    """Flickr cannot be reached or used now; the message says why in plain words."""

    status = 503
    title = "Flickr is not available"


class FlickrNotConfigured(FlickrUnavailable):
    """The Flickr settings are missing; the message says which."""


@dataclass
class Failure(Exception):
    """A call to Flickr that did not work, sorted by what should happen next."""

    kind: ErrorKind
    message: str
    code: int | None = None
    # Only for uploads: the file may have reached Flickr although we heard no answer.
    uncertain: bool = False

    def __str__(self) -> str:
        return self.message

    @property
    def for_a_click(self) -> str:
        """The message for someone waiting on a page: nothing retries a click, so a
        transient failure's promise to try again is left out."""
        return self.message.removesuffix(RETRY_PROMISE)


class RateLimited(Exception):
    """Our share of Flickr's hourly calls is used up; try again at `retry_at` (epoch)."""

    def __init__(self, retry_at: float):
        super().__init__(f"Flickr's hourly call limit is reached until {retry_at:.0f}.")
        self.retry_at = retry_at


def settings_missing() -> list[str]:
    config = current_app.config
    return [f"FLASK_FLICKR_{name}" for name in ("API_KEY", "API_SECRET", "GROUP_ID")
            if not config.get(f"FLICKR_{name}")]


def require_settings() -> None:
    if missing := settings_missing():
        raise FlickrNotConfigured("Flickr is not set up: set " + ", ".join(missing) + ".")


def make_api(token: flickrapi.auth.FlickrAccessToken | None = None) -> flickrapi.FlickrAPI:
    """A client pointed at the configured addresses, with a timeout on every call."""
    require_settings()
    config = current_app.config
    api = flickrapi.FlickrAPI(config["FLICKR_API_KEY"], config["FLICKR_API_SECRET"],
                              token=token, store_token=False, format="etree",
                              timeout=config["FLICKR_TIMEOUT_SECONDS"])
    # flickrapi keeps its addresses as class attributes; setting them on the instance
    # points this client alone at the configured server.
    api.REST_URL = config["FLICKR_REST_URL"]
    api.UPLOAD_URL = config["FLICKR_UPLOAD_URL"]
    oauth_base = config["FLICKR_OAUTH_URL"].rstrip("/")
    api.flickr_oauth.REQUEST_TOKEN_URL = oauth_base + "/request_token"
    api.flickr_oauth.AUTHORIZE_URL = oauth_base + "/authorize"
    api.flickr_oauth.ACCESS_TOKEN_URL = oauth_base + "/access_token"
    return api


@contextmanager
def opened(token: flickrapi.auth.FlickrAccessToken | None = None
           ) -> Iterator[flickrapi.FlickrAPI]:
    """make_api, with connections of its own that are closed after use.

    flickrapi otherwise shares one requests.Session, kept open, between all clients and
    threads.
    """
    api = make_api(token)
    api.flickr_oauth.session = requests.Session()
    try:
        yield api
    finally:
        api.flickr_oauth.session.close()


@cache
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(storage_uri))


def spend_call() -> None:
    """Count one call against the hourly budget shared by every worker and page.

    A moving window: never more than the limit in any hour, not only per clock hour.
    The count lives in the rate-limit storage (Redis in production), so it is shared.
    """
    config = current_app.config
    limit = parse_limit(config["FLICKR_RATE_LIMIT"])
    limiter = _limiter(config["FLICKR_RATE_LIMIT_STORAGE_URI"]
                       or config["RATELIMIT_STORAGE_URI"])
    key = "workshop-flickr-calls:" + hashlib.sha256(
        str(config["FLICKR_API_KEY"]).encode()).hexdigest()[:16]
    if not limiter.hit(limit, key):
        raise RateLimited(limiter.get_window_stats(limit, key).reset_time)


# True of a job (the worker retries it), not of a person's click (Failure.for_a_click).
RETRY_PROMISE = " We will try again."


def classify(exc: Exception, *, upload: bool = False) -> Failure:
    """What a failed call means for the job that made it."""
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        # The request may have been read and acted on before the line went quiet.
        return Failure(ErrorKind.TRANSIENT, "Flickr did not answer in time." + RETRY_PROMISE,
                       uncertain=upload)
    if isinstance(exc, requests.RequestException):
        return Failure(ErrorKind.TRANSIENT, f"Could not reach Flickr ({type(exc).__name__})."
                       + RETRY_PROMISE, uncertain=upload)
    if isinstance(exc, flickrapi.FlickrError):
        if exc.code is not None:
            return from_code(exc.code, FLICKR_ERROR_TEXT.sub("", str(exc)))
        status = HTTP_STATUS.search(str(exc))
        if status:
            return from_status(int(status.group(1)), upload)
        return Failure(ErrorKind.TRANSIENT, f"Flickr gave an answer we could not read: {exc}",
                       uncertain=upload)
    # A truncated or garbled body.
    return Failure(ErrorKind.TRANSIENT, f"Flickr gave an answer we could not read "
                   f"({type(exc).__name__}).", uncertain=upload)


def from_code(code: int, message: str) -> Failure:
    if code in RETRY_CODES:
        return Failure(ErrorKind.TRANSIENT, f"Flickr was busy: {message}", code)
    if code in AUTH_CODES:
        return Failure(ErrorKind.AUTH, f"The Flickr connection no longer works: {message}. "
                       "An admin needs to connect the account again.", code)
    return Failure(ErrorKind.PERSON, f"Flickr said: {message} (code {code}).", code)


def from_status(status: int, upload: bool) -> Failure:
    if status in RETRY_STATUSES or status >= 500:
        # A 5xx from the upload server may come after the photo was stored.
        return Failure(ErrorKind.TRANSIENT, f"Flickr was busy (HTTP {status})." + RETRY_PROMISE,
                       uncertain=upload and status >= 500)
    if status in (401, 403):
        return Failure(ErrorKind.AUTH, f"Flickr refused our sign-in (HTTP {status}). An admin "
                       "needs to connect the account again.")
    return Failure(ErrorKind.PERSON, f"Flickr refused the request (HTTP {status}).")


def call(fn, *args, upload: bool = False, **kwargs):
    """Make one call within the budget, turning every way it can fail into a Failure."""
    spend_call()
    try:
        return fn(*args, **kwargs)
    except (flickrapi.FlickrError, requests.RequestException, ParseError) as exc:
        raise classify(exc, upload=upload) from exc
