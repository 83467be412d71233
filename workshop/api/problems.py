"""RFC 9457 problem+json responses."""

from http import HTTPStatus

from flask import Response, json

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str | None = None, title: str | None = None,
            errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    if headers:
        response.headers.update(headers)
    return response
