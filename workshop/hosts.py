"""The public address: which Host headers are answered, and the host of absolute links."""

from flask import Flask, current_app, json, request
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host

from workshop.security import content_security_policy

REFUSED = "This site is not served at that address."


def _host_list(value) -> list[str] | None:
    """TRUSTED_HOSTS as a list: FLASK_TRUSTED_HOSTS may be JSON or "a.example, b.example"."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    hosts = [str(host).strip() for host in value or () if str(host).strip()]
    return hosts or None


class TrustedHosts:
    """Answers a request for a host outside TRUSTED_HOSTS with a plain 400.

    A WSGI wrapper, not a Flask hook: when Flask itself refuses a host (it reads the same
    setting) the request can build no URL at all, so the error page would fail with a
    500 instead. Answered here first, Flask's own check never fails.
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        hosts = self.app.config["TRUSTED_HOSTS"]
        if hosts:
            try:
                get_host(environ, trusted_hosts=hosts)
            except SecurityError:
                return self._refuse(environ, start_response)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _refuse(environ, start_response):
        if (environ.get("PATH_INFO") or "").startswith("/api/"):
            body = json.dumps({"type": "about:blank", "title": "Bad Request", "status": 400,
                               "detail": REFUSED})
            response = Response(body, 400, mimetype="application/problem+json")
        else:
            response = Response(REFUSED + "\n", 400, mimetype="text/plain")
        response.headers["Content-Security-Policy"] = content_security_policy()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response(environ, start_response)


def register_public_address(app: Flask) -> None:
    """Before ProxyFix wraps the app, so the host checked is the one the visitor asked for."""
    app.config["TRUSTED_HOSTS"] = _host_list(app.config.get("TRUSTED_HOSTS"))
    # Flask builds every absolute link (url_for(..., _external=True)) on SERVER_NAME.
    app.config["SERVER_NAME"] = app.config.get("SERVER_NAME") or None
    # Flask's documented way to wrap its WSGI app; mypy sees assigning to a method.
    app.wsgi_app = TrustedHosts(app, app.wsgi_app)  # type: ignore[method-assign]


def public_host() -> str:
    """The host to name this site by: the configured one, else this request's (which
    TRUSTED_HOSTS, when set, has already checked)."""
    return current_app.config["SERVER_NAME"] or request.host
