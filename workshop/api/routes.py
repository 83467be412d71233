"""The /api/v1 blueprint: the features' APIs put together under token sign-in and a limit."""

from flask import Blueprint, current_app, jsonify

from workshop.api.auth import api_client_key, authenticate
from workshop.api.spec import openapi_document, operation
from workshop.auth.api import bp as auth_api
from workshop.extensions import csrf, limiter
from workshop.flickr.api import bp as flickr_api
from workshop.gallery.api import bp as gallery_api
from workshop.lessons.api import bp as lessons_api
from workshop.photos.api import bp as photos_api
from workshop.programme.api import bp as programme_api
from workshop.stock.api import bp as stock_api

PREFIX = "/api/v1"


def _api_rate_limit() -> str:
    # A module-level function, not a lambda: the limiter is shared by every app made in
    # one process (tests), and equal limits are kept once rather than counted twice.
    return current_app.config["API_RATE_LIMIT"]


def create_blueprint() -> Blueprint:
    # Made afresh for each app: a blueprint cannot take children once registered.
    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    # Tokens come in a header a browser never adds by itself, so no CSRF token is needed;
    # the API never reads the session cookie.
    csrf.exempt(bp)
    limiter.shared_limit(_api_rate_limit, scope="api", key_func=api_client_key)(bp)

    bp.before_request(authenticate)

    @bp.get("/openapi.json")
    @operation("This document (OpenAPI 3.1)", tag="meta", public=True)
    def openapi():
        return jsonify(openapi_document(current_app, PREFIX))

    for child in (auth_api, stock_api, lessons_api, programme_api, photos_api,
                  gallery_api, flickr_api):
        # Flask-WTF looks up the exemption by the blueprint that owns the view, so each
        # nested blueprint needs its own; the parent's does not cover it.
        csrf.exempt(child)
        bp.register_blueprint(child)
    return bp
