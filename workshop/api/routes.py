"""The /api/v1 blueprint: Bearer-token sign-in, the OpenAPI document, feature APIs."""

from flask import Blueprint, current_app, g, jsonify, request

from workshop.api.problems import problem
from workshop.api.spec import openapi_document, operation
from workshop.auth.models import ApiToken, User
from workshop.auth.services import api_token_for
from workshop.extensions import csrf, limiter

PREFIX = "/api/v1"


def api_user() -> User:
    """The person whose token signed this API request."""
    return g.api_user


def _request_token() -> ApiToken | None:
    """The live token this request carries, looked up once per request.

    The rate limiter asks before the blueprint's own sign-in check runs, so both share it.
    """
    if "api_token" not in g:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        g.api_token = (api_token_for(raw.strip(), current_app.config)
                       if scheme.lower() == "bearer" else None)
    return g.api_token


def _api_client_key() -> str:
    """Count requests per verified token, else per address.

    Never per raw header: "bearer T", "BEARER  T" or any junk would each get a fresh
    allowance while "Bearer T" waits.
    """
    token = _request_token()
    if token is not None:
        return f"api-token:{token.id}"
    return "api-address:" + (request.remote_addr or "")


def _api_rate_limit() -> str:
    # A module-level function, not a lambda: the limiter is shared by every app made in
    # one process (tests), and equal limits are kept once rather than counted twice.
    return current_app.config["API_RATE_LIMIT"]


def create_blueprint() -> Blueprint:
    # Made afresh for each app: a blueprint cannot take children once registered.
    from workshop.auth.api import bp as auth_api
    from workshop.flickr.api import bp as flickr_api
    from workshop.gallery.api import bp as gallery_api
    from workshop.lessons.api import bp as lessons_api
    from workshop.photos.api import bp as photos_api
    from workshop.programme.api import bp as programme_api
    from workshop.stock.api import bp as stock_api

    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    # Tokens come in a header a browser never adds by itself, so no CSRF token is needed;
    # the API never reads the session cookie.
    csrf.exempt(bp)
    limiter.shared_limit(_api_rate_limit, scope="api", key_func=_api_client_key)(bp)

    @bp.before_request
    def authenticate():
        view = current_app.view_functions.get(request.endpoint)
        operation = getattr(view, "__openapi__", None)
        if operation is not None and operation.public:
            return None
        token = _request_token()
        if token is None:
            return problem(401, "Send a valid API token: Authorization: Bearer <token>.",
                           headers={"WWW-Authenticate": 'Bearer realm="workshop"'})
        g.api_user = token.user
        return None

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
