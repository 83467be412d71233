"""What every blueprint's pages share: who may open them, and services' complaints on forms."""

from functools import wraps

from flask import Response, abort, redirect, request, session, url_for
from flask_login import current_user, login_required

from workshop.errors import Conflict, DomainError, Invalid
from workshop.extensions import db

# Complaints about what was typed go back to the form; Forbidden and NotFound become pages.
FORM_ERRORS = (Invalid, Conflict)

# What browsers, proxies and CDNs are told about what visitors see (gallery, exhibitions):
# keep it if you like, but ask again before each use. What is public changes with a
# consent, and a withdrawal must reach them with the next view, not when a max-age runs out.
PUBLIC_COPY_CACHE = "public, no-cache"


def revalidate_for_visitors(response: Response) -> Response:
    """A visitor's page names photos and credits: kept by no cache past a withdrawal either.
    (Signed-in people get no-store from the security headers; this leaves them alone.)"""
    if not current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", PUBLIC_COPY_CACHE)
    return response


def staff_required(view):
    """For pages only workers and admins use; participants get a 404, as for a wrong id."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def form_errors(form, exc: DomainError) -> None:
    """Show a service's complaint next to the field it is about, or above the form."""
    placed = False
    for name, messages in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + messages
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def form_failed(form, exc: DomainError) -> int:
    """Put a service's complaint on the form; the status to send the form back with."""
    # Nothing half-done may show on the page sent back (the request rolls back anyway).
    db.session.rollback()
    form_errors(form, exc)
    return exc.status


def initial_values(**values) -> dict:
    """Starting values for a form being opened. A form sent back keeps what was sent,
    so a missing expected_version is never quietly filled with today's version."""
    return values if request.method == "GET" else {}


def redirect_to_show_once(what: str, value: dict, endpoint: str, **url_values):
    """Answer a POST with a 303 to a page that shows what it made (a token, a passphrase,
    the photos sent) once: a reload then neither does it again nor shows a secret again.

    The value waits in the session cookie (signed, HttpOnly) for that one GET only.
    """
    session[f"show_once_{what}"] = value
    return redirect(url_for(endpoint, **url_values), 303)


def take_shown_once(what: str) -> dict | None:
    """The value a POST left for this page, taken out so no later request shows it."""
    return session.pop(f"show_once_{what}", None)
