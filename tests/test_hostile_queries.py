"""Hostile values in every query parameter of the pages and the API: a 4xx, never a 500.

The parameters are found, not listed: a page's are read from its view's source
(request.args), the API's from its own OpenAPI document. A parameter added later is
fuzzed without touching this file.
"""

import ast
import base64
import inspect
import json
import textwrap
from pathlib import Path

import pytest
from werkzeug.routing import AnyConverter

from tests.fixtures.accounts import api_token, make_account
from tests.fixtures.app import make_config
from tests.fixtures.pages import login
from workshop import create_app
from workshop.api.problems import PROBLEM_TYPE
from workshop.api.routes import PREFIX
from workshop.api.spec import IdConverter


def _cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


HOSTILE = [
    "9999-12", "0000-01", "99999999999-1", "2026-13", "2026-00", "-1-01", "2026-1-1",
    "-1", "0", "1.5", "9" * 30, "1e400", "NaN", "true", "", " ", "é", "%zz", "a" * 5000,
    "../../etc/passwd", "<script>alert(1)</script>", "//evil.example", "[]", "{}",
    _cursor({"at": "2026-01-01T00:00:00+00:00", "id": 2**70}),
    _cursor({"at": "2026-01-01T00:00:00+00:00", "id": -(2**70)}),
    _cursor({"at": "9999-12-31T23:59:59-14:00", "id": 1}),
    _cursor({"at": "0001-01-01T00:00:00+14:00", "id": 1}),
    _cursor({"at": 1, "id": 1}),
    _cursor({"after": 2**70}),
    _cursor({"after": -1}),
    _cursor([1]),
]


def _view_query_names(view) -> set[str]:
    """The names a view reads with request.args.get/getlist/[...]."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(view)))
    names = set()
    for node in ast.walk(ast.parse(source)):
        target = None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "getlist") and node.args):
            target, key = node.func.value, node.args[0]
        elif isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        if (target is not None and ast.unparse(target) == "request.args"
                and isinstance(key, ast.Constant) and isinstance(key.value, str)):
            names.add(key.value)
    return names


def _sample(converter) -> str:
    if isinstance(converter, IdConverter):
        return "1"
    if isinstance(converter, AnyConverter):
        return converter.regex.strip("()?:").split("|")[0].strip("\\")
    return "1"


def _page_parameters() -> list[tuple[str, str]]:
    app = create_app(make_config("sqlite://", Path("unused")))
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        names = _view_query_names(app.view_functions[rule.endpoint])
        if not names:
            continue
        values = {argument: _sample(converter)
                  for argument, converter in rule._converters.items()}
        path = rule.build(values)[1]
        found.extend((path, name) for name in sorted(names))
    return sorted(found)


PAGE_PARAMETERS = _page_parameters()


def test_the_pages_parameters_were_found():
    # A guard on the finder itself: the parameters the review named are among them.
    assert ("/gallery", "month") in PAGE_PARAMETERS
    assert ("/gallery", "after") in PAGE_PARAMETERS
    assert ("/sessions/calendar", "month") in PAGE_PARAMETERS


@pytest.fixture
def callers(app, site):
    """A client per kind of caller: a visitor, a participant, a worker, an admin."""
    clients = {"visitor": app.test_client()}
    for username, role, site_id in (("sky", "participant", site), ("worker", "worker", site),
                                    ("admin", "admin", None)):
        account = make_account(app, username, role, site_id)
        client = app.test_client()
        login(client, account)
        clients[role] = client
    return clients


def _failures(client, path: str, name: str, api: bool = False) -> list[str]:
    failed = []
    for value in HOSTILE:
        response = client.get(path, query_string={name: value})
        body = response.get_data(as_text=True)
        if response.status_code >= 500:
            failed.append(f"{name}={value[:40]!r}: {response.status_code}")
        elif response.status_code >= 400 and api and response.mimetype != PROBLEM_TYPE:
            failed.append(f"{name}={value[:40]!r}: {response.mimetype}, not a problem")
        elif "Traceback" in body:
            failed.append(f"{name}={value[:40]!r}: a traceback in the answer")
    return failed


@pytest.mark.parametrize("path, name", PAGE_PARAMETERS)
def test_pages_answer_hostile_queries_with_a_4xx(app, callers, path, name):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug answers 500, as it would live
    failed = [f"{who}: {failure}" for who, client in callers.items()
              for failure in _failures(client, path, name)]
    assert not failed, "\n".join(failed)


def test_the_api_answers_hostile_queries_with_a_problem(app, site):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = make_account(app, "admin", "admin", None)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = api_token(app, admin)["Authorization"]
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    failed, fuzzed = [], 0
    for template, operations in document["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        path = PREFIX + template
        for parameter in get.get("parameters", []):
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", "1")
        for parameter in get.get("parameters", []):
            if parameter["in"] == "query":
                fuzzed += 1
                failed.extend(f"{path}: {failure}"
                              for failure in _failures(client, path, parameter["name"], True))
    assert fuzzed >= 5, "the document lists hardly any query parameters"
    assert not failed, "\n".join(failed)


BEYOND_64_BITS = _cursor({"at": "2026-01-01T00:00:00+00:00", "id": 2**70})


@pytest.mark.parametrize("url", [
    pytest.param("/gallery?month=9999-12", id="page, month 9999-12"),
    pytest.param(f"{PREFIX}/gallery?month=9999-12", id="API, month 9999-12"),
    pytest.param("/gallery?after=" + BEYOND_64_BITS, id="page, id beyond 64 bits"),
    pytest.param(f"{PREFIX}/gallery?cursor=" + BEYOND_64_BITS, id="API, id beyond 64 bits"),
])
def test_the_reviews_gallery_queries_get_a_plain_4xx(client, url):
    response = client.get(url)

    assert response.status_code == 422
    if url.startswith(PREFIX):
        assert response.mimetype == PROBLEM_TYPE
        assert response.get_json()["errors"]
    else:
        assert "Give a month like" in response.get_data(as_text=True) or (
            "This page link is not valid" in response.get_data(as_text=True))


def test_a_calendar_month_beyond_any_year_is_not_found(app, worker):
    client = app.test_client()
    login(client, worker)

    response = client.get("/sessions/calendar?month=99999999999-1")

    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
