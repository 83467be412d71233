"""The /api/v1 blueprint: the features' APIs put together under token sign-in and a limit.

Every feature's api.py uses this package's plumbing, so this package imports no feature:
create_app hands it the features' blueprints and the sign-in (auth.bearer).
"""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, current_app, jsonify

from workshop.api.spec import openapi_document, operation
from workshop.extensions import csrf, limiter

PREFIX = "/api/v1"


def _api_rate_limit() -> str:
    # A module-level function, not a lambda: the limiter is shared by every app made in
    # one process (tests), and equal limits are kept once rather than counted twice.
    return current_app.config["API_RATE_LIMIT"]


def create_blueprint(children: Iterable[Blueprint], sign_in: Callable[[], Any],
                     client_key: Callable[[], str]) -> Blueprint:
    """The API under PREFIX: `children` are the features' blueprints; `sign_in` runs
    before each request (answering 401 or None); `client_key` names whom the rate limit
    counts."""
    # Made afresh for each app: a blueprint cannot take children once registered.
    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    # Tokens come in a header a browser never adds by itself, so no CSRF token is needed;
    # the API never reads the session cookie.
    csrf.exempt(bp)
    limiter.shared_limit(_api_rate_limit, scope="api", key_func=client_key)(bp)

    bp.before_request(sign_in)

    @bp.get("/openapi.json")
    @operation("This document (OpenAPI 3.1)", tag="meta", public=True)
    def openapi():
        return jsonify(openapi_document(current_app, PREFIX))

    for child in children:
        # Flask-WTF looks up the exemption by the blueprint that owns the view, so each
        # nested blueprint needs its own; the parent's does not cover it.
        csrf.exempt(child)
        bp.register_blueprint(child)
    return bp
