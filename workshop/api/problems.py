"""RFC 9457 problem+json responses."""

from http import HTTPStatus
from typing import Any

from flask import Response, json

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str | None = None, title: str | None = None,
            errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None, **members: Any) -> Response:
    """members: extension members of this kind of problem, beside the standard ones."""
    body: dict = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(members)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    if headers:
        response.headers.update(headers)
    return response
