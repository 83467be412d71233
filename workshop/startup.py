"""Start-up warnings for a served app: settings that hold for one process or host only."""

from flask import Flask


def serving_warnings(app: Flask) -> list[str]:
    """What is wrong with serving this app from several processes on the open web."""
    if app.debug or app.testing:
        return []
    found = []
    limits = app.config["RATELIMIT_STORAGE_URI"]
    flickr = app.config["FLICKR_RATE_LIMIT_STORAGE_URI"] or limits
    if limits.startswith("memory://") or flickr.startswith("memory://"):
        found.append(
            "Rate limits are counted in each process's memory (FLASK_RATELIMIT_STORAGE_URI "
            "is memory://). With more than one process (gunicorn --workers 2 or more) "
            "each counts alone, so login throttling, the API limit and the Flickr budget "
            "multiply. Set FLASK_RATELIMIT_STORAGE_URI to Redis, e.g. "
            "redis://127.0.0.1:6379/0.")
    if not app.config["SERVER_NAME"] and not app.config["TRUSTED_HOSTS"]:
        found.append(
            "FLASK_SERVER_NAME is not set: QR labels, login cards and calendar feeds "
            "take their address from each request's Host header, which anyone can send. "
            "Set FLASK_SERVER_NAME to the public address (and FLASK_TRUSTED_HOSTS to "
            "refuse others).")
    return found


def warn_before_serving(app: Flask) -> None:
    for message in serving_warnings(app):
        app.logger.warning(message)
