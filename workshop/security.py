"""Security headers, cache rules for signed-in pages, and safe redirect targets."""

from typing import TypeGuard
from urllib.parse import urlsplit

from flask import Flask, request
from flask_login import current_user


def content_security_policy(*form_targets: str) -> str:
    """The policy for our pages; form_targets are other origins a page's forms may go on
    to (a form answered with a redirect there is blocked otherwise).

    No 'unsafe-inline' anywhere: every script and style is a file under static/.
    """
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        " ".join(["form-action 'self'", *form_targets]),
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ])


CONTENT_SECURITY_POLICY = content_security_policy()


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """True only for a path on this site: "/people", never "//evil.example"."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    # Browsers read a backslash as a slash, and ignore tabs and newlines in URLs.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def register_security(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Pages for a signed-in person must not linger in a shared PC's cache or history.
        if request.endpoint != "static" and "Cache-Control" not in headers and (
            current_user.is_authenticated or request.method != "GET"
            or request.endpoint == "auth.login"
        ):
            headers["Cache-Control"] = "no-store"
        return response
