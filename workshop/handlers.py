"""Request hooks and error handlers: the one commit per request, friendly error pages."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
)

from workshop.api.problems import problem
from workshop.api.routes import PREFIX as API_PREFIX
from workshop.api.spec import BadBody, text_problem
from workshop.errors import DomainError
from workshop.extensions import db

KIND_MESSAGES: dict[int | None, str] = {
    429: "Too many tries in a short time. Please wait a few minutes and try again, "
         "or ask a worker to help.",
    413: "That is too big to send. Try a smaller file, or fewer at once.",
}


def _is_api() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _page(status: int, message: str | None = None):
    return render_template("errors/error.html", status=status, message=message), status


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_unstorable_text():
        # Checked once here rather than in every form: PostgreSQL cannot store NUL.
        for value in list(request.args.values()) + list(request.form.values()):
            if message := text_problem(value):
                raise BadRequest(message)

    @app.after_request
    def commit_or_roll_back(response):
        # Services only flush. A request that ends well is committed here, once; one that
        # ends in an error (a form sent back for fixing included) changes nothing.
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except IntegrityError:
            # A race the services' own checks could not see (two people at once).
            db.session.rollback()
            message = "Someone changed this at the same moment. Please try again."
            if _is_api():
                return problem(409, message)
            body, status = _page(409, message)
            return app.make_response((body, status))
        return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if _is_api():
            return problem(exc.status, exc.message, exc.title, exc.errors or None)
        return _page(exc.status, exc.message)

    @app.errorhandler(BadBody)
    def bad_body(exc: BadBody):
        return problem(exc.status, exc.detail, errors=exc.errors)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if _is_api():
            return problem(400, "This request was refused as a possible cross-site request.")
        return _page(400, "This form had expired or came from somewhere else. "
                          "Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _is_api():
            response = problem(exc.code or 500, KIND_MESSAGES.get(exc.code, exc.description))
            if isinstance(exc, MethodNotAllowed):
                response.headers["Allow"] = ", ".join(exc.valid_methods or [])
            return response
        message = KIND_MESSAGES.get(exc.code) or (exc.description if exc.code == 400 else None)
        return _page(exc.code or 500, message)

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        db.session.rollback()
        if _is_api():
            return problem(500, "Something went wrong on our side. It has been logged.")
        return _page(500)
