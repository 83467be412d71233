"""Configuration defaults; every key can be overridden by a FLASK_* environment variable."""

from datetime import timedelta

# The smallest secret key we accept outside debug and testing: 32 bytes of hex or base64
# carry well over 128 bits.
MIN_SECRET_KEY_LENGTH = 32
# Read from the environment as written: keys and ids are text even when they look like
# numbers, which from_prefixed_env would read as JSON ("12e4" would become 120000.0).
TEXT_SETTINGS = ("FLICKR_API_KEY", "FLICKR_API_SECRET", "FLICKR_GROUP_ID",
                 "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")


class Defaults:
    SECRET_KEY: str | None = None
    # None means "SQLite in the instance folder"; create_app fills in the absolute path.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    STORAGE_DIR: str | None = None
    # Where photos are kept: file:///path, or s3://bucket/prefix on an S3-compatible
    # store (then STORAGE_DIR holds only uploads on their way in). None: STORAGE_DIR.
    STORAGE_URL: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_REGION: str | None = None
    TIMEZONE = "Europe/London"

    # How many reverse proxies in front set X-Forwarded-For/-Proto; 0 trusts none.
    # Login throttling counts per address, so behind a proxy this must be right.
    PROXY_COUNT = 0

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "workshop"
    # Failed logins from one address, whatever the usernames.
    LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    # Failed logins for one username from one address: tight, and only that pair waits,
    # so failing someone's printed username on purpose does not lock its owner out.
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = "5 per 10 minutes"
    # Failed logins for one username from every address together: past this allowance
    # each further try waits 1, 2, 4 ... seconds, at most LOGIN_DELAY_MAX_SECONDS.
    # Growing waits, never a hard lock: a guesser slows down, the owner still gets in.
    LOGIN_LIMIT_PER_ACCOUNT = "100 per hour"
    LOGIN_DELAY_MAX_SECONDS = 60
    # Every API request, per token (or per address without one).
    API_RATE_LIMIT = "300 per minute"
    # An API token ends this many days after it is made, and sooner if unused this long:
    # a forgotten token on a lost phone or a shared PC stops being a way in.
    API_TOKEN_DAYS = 90
    API_TOKEN_IDLE_DAYS = 30

    SESSION_COOKIE_NAME = "workshop_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: Secure unless debug or testing (decided in create_app).
    SESSION_COOKIE_SECURE: bool | None = None
    # The day-programme PC is shared: participants are signed out after 30 idle minutes.
    PARTICIPANT_IDLE_TIMEOUT = timedelta(minutes=30)
    STAFF_IDLE_TIMEOUT = timedelta(hours=8)

    # Whole-request cap; photo uploads carry their own, smaller per-file limit.
    MAX_CONTENT_LENGTH = 200 * 1024 * 1024
    # One photo file: over this it is refused (413) before anything is stored.
    PHOTO_MAX_BYTES = 40 * 1024 * 1024
    # Decoded size of one image; a small file claiming more is a decompression bomb.
    PHOTO_MAX_PIXELS = 100_000_000
    # Files in one upload form sent without JavaScript (the page sends one at a time).
    PHOTO_MAX_FILES = 10
    # A consent to show a photo lapses after this long unless it is given again.
    CONSENT_DAYS = 730
    # "Report this photo" hides it at once, so one address may not hide many.
    GALLERY_REPORT_LIMIT = "10 per hour"
    # Rendered gallery pages kept per process for visitors without a session; 0 keeps none.
    GALLERY_CACHE_PAGES = 256
    API_PAGE_SIZE = 50
    API_MAX_PAGE_SIZE = 200

    # Flickr: the programme's API key (https://www.flickr.com/services/apps/create/) and
    # group. The addresses default to Flickr's own; tests point them at a local server.
    FLICKR_API_KEY: str | None = None
    FLICKR_API_SECRET: str | None = None
    FLICKR_GROUP_ID: str | None = None
    FLICKR_REST_URL = "https://api.flickr.com/services/rest/"
    FLICKR_UPLOAD_URL = "https://up.flickr.com/services/upload/"
    # The base of request_token, authorize and access_token.
    FLICKR_OAUTH_URL = "https://www.flickr.com/services/oauth"
    # flickrapi waits for ever unless told otherwise.
    FLICKR_TIMEOUT_SECONDS = 60.0
    # Retries wait base * 2^(attempt - 1) seconds, at most the cap, with jitter.
    FLICKR_BACKOFF_SECONDS = 30.0
    FLICKR_BACKOFF_MAX_SECONDS = 3600.0
    # Flickr allows 3,600 calls an hour per key. Counted in this storage (default: the
    # rate-limit storage): with more than one worker process it must be shared (Redis).
    FLICKR_RATE_LIMIT = "3600 per hour"
    FLICKR_RATE_LIMIT_STORAGE_URI: str | None = None
    # A claimed job no worker finishes in this time (the worker died) becomes due again.
    # Longer than a job's calls can take: search, upload and group-add, each timed out.
    FLICKR_LEASE_SECONDS = 600.0
    # How often an idle worker looks for new jobs.
    FLICKR_POLL_SECONDS = 10.0

    WTF_CSRF_TIME_LIMIT = None  # a form left open all morning in the group room still works
