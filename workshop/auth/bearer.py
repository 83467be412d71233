"""API sign-in: the Bearer token a request carries, and the person it belongs to.

Tokens are this feature's, so their check lives here; every feature's api.py asks it who
is signed in, and create_app hands it to the /api/v1 blueprint, which knows no feature.
"""

from flask import current_app, g, request

from workshop.api.problems import problem
from workshop.auth.models import ApiToken, User
from workshop.auth.services import api_token_for


def api_user() -> User:
    """The person whose token signed this API request."""
    return g.api_user


def request_token() -> ApiToken | None:
    """The live token this request carries, looked up once per request.

    The rate limiter asks before the blueprint's own sign-in check runs, so both share it.
    """
    if "api_token" not in g:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        g.api_token = (api_token_for(raw.strip(), current_app.config)
                       if scheme.lower() == "bearer" else None)
    return g.api_token


def api_client_key() -> str:
    """Count requests per verified token, else per address.

    Never per raw header: "bearer T", "BEARER  T" or any junk would each get a fresh
    allowance while "Bearer T" waits.
    """
    token = request_token()
    if token is not None:
        return f"api-token:{token.id}"
    return "api-address:" + (request.remote_addr or "")


def authenticate():
    """Before each API request: sign the token's owner in, or answer 401.

    Operations declared public (the OpenAPI document) need no token.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    operation = getattr(view, "__openapi__", None)
    if operation is not None and operation.public:
        return None
    token = request_token()
    if token is None:
        return problem(401, "Send a valid API token: Authorization: Bearer <token>.",
                       headers={"WWW-Authenticate": 'Bearer realm="workshop"'})
    g.api_user = token.user
    return None
