"""Declaring API operations once: validation, serialisation and the OpenAPI document."""

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import wraps
from http import HTTPStatus
from typing import Annotated, Any, Literal

from flask import Flask, Response, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaMode
from werkzeug.routing import IntegerConverter

from workshop.api.problems import PROBLEM_TYPE
from workshop.db import MAX_ID
from workshop.errors import Invalid
from workshop.extensions import db

# A database key in a request body or query: the same range as <id:...> in a path.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _up_to_regex(largest: int) -> str:
    """A regex for the decimals 1..largest, written without leading zeros."""
    digits = str(largest)
    options = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, top in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(top) > low:
            options.append(rf"{digits[:i]}[{low}-{int(top) - 1}]\d{{{len(digits) - i - 1}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """<id:name> in a route: a positive integer that fits a database key, else 404.

    The range is in the regex, not only in min/max: Werkzeug checks min/max after it has
    noted which methods the path allows, so PATCH /users/0 would answer 405, not 404.
    """

    regex = _up_to_regex(MAX_ID)

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def text_problem(value: str) -> str | None:
    """Why text cannot be stored (PostgreSQL refuses NUL; UTF-8 refuses lone surrogates)."""
    if "\x00" in value:
        return "Text cannot contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Text must be valid UTF-8."
    return None


def one_of(values: Iterable[Enum]) -> Any:
    """A Literal of these members' values: the schema lists the names the models define,
    written once there."""
    return Literal[tuple(member.value for member in values)]


class ApiModel(BaseModel):
    """Base for request bodies: unknown fields and loose types are refused, not guessed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if isinstance(value, str) and (message := text_problem(value)):
            raise ValueError(message)
        return value


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def add_field(model: type[OutModel], name: str, annotation: Any, field: FieldInfo) -> None:
    """Add a field to another feature's output model, in its answers and its schema.

    So a feature that owns something about a photo (its faces) can show it in the photo's
    answers while the photos feature, which must not import it, knows nothing of it.
    """
    model.model_fields[name] = FieldInfo.merge_field_infos(field, annotation=annotation)
    model.model_rebuild(force=True)


class PageQuery(BaseModel):
    limit: int | None = Field(default=None, ge=1, le=200,
                              description="How many items to return (default 50).")
    cursor: str | None = Field(default=None, max_length=200,
                               description="next_cursor from the previous page.")


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, list[str]] | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        after = None
    # bool is an int to Python, and true or false would reach the query as a boolean.
    if type(after) is not int or not 0 <= after <= MAX_ID:
        raise Invalid.field("cursor", "This cursor is not valid; start again without one.")
    return after


def page_of(query, id_column, page: PageQuery, out: type[OutModel]) -> dict:
    """One page of a select(), ordered by id and continued from the cursor (no OFFSET)."""
    limit = page.limit or current_app.config["API_PAGE_SIZE"]
    rows = list(db.session.scalars(
        query.where(id_column > decode_cursor(page.cursor)).order_by(None).order_by(id_column)
        .limit(limit + 1)
    ))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [out.model_validate(r).model_dump(mode="json") for r in rows],
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def page_schema(out: type[OutModel]) -> dict:
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": _ref(out)},
            "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }


@dataclass
class Operation:
    summary: str
    tag: str
    body: type[ApiModel] | None = None
    query: type[BaseModel] | None = None
    response: type[OutModel] | None = None
    paged: bool = False
    status: int = 200
    errors: tuple[int, ...] = ()
    public: bool = False
    form: type[BaseModel] | None = None
    files: tuple[str, ...] = ()
    # The config key of the largest file accepted: a bigger body is refused unread.
    file_limit: str | None = None
    # A file answered instead of JSON (a PDF): the view returns the Response itself.
    media_type: str = "application/json"


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "body"
        errors.setdefault(name, []).append(error["msg"])
    return errors


class BadBody(Exception):
    """Raised while reading a request; carries the status and message for the problem."""

    def __init__(self, status: int, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


def _refuse_constant(name: str):
    # Python's json reads NaN and Infinity, which JSON itself does not allow.
    raise ValueError(f"{name} is not JSON")


def _parse_body(model: type[ApiModel]) -> ApiModel:
    if request.mimetype != "application/json":
        raise BadBody(415, "Send the body as JSON (Content-Type: application/json).")
    data = request.get_data(cache=False)
    try:
        parsed = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise BadBody(400, "The body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise BadBody(422, "The body must be a JSON object.")
    try:
        return model.model_validate(parsed)
    except ValidationError as exc:
        raise BadBody(422, "Some fields need fixing.", _validation_errors(exc)) from None


# Room for the multipart boundaries and the small text fields beside the file.
FORM_OVERHEAD = 1024 * 1024


def _parse_form(op: Operation, form: type[BaseModel]) -> BaseModel:
    if request.mimetype != "multipart/form-data":
        raise BadBody(415, "Send the body as multipart/form-data.")
    if op.file_limit and (request.content_length or 0) > (
            current_app.config[op.file_limit] + FORM_OVERHEAD):
        megabytes = current_app.config[op.file_limit] // (1024 * 1024)
        raise BadBody(413, f"The file is bigger than {megabytes} MB.")
    missing = [name for name in op.files if name not in request.files]
    if missing:
        raise BadBody(422, "Some fields need fixing.",
                      {name: ["Attach a file here."] for name in missing})
    try:
        return form.model_validate(request.form.to_dict())
    except ValidationError as exc:
        raise BadBody(422, "Some fields need fixing.", _validation_errors(exc)) from None


def _parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise BadBody(422, "Some query parameters need fixing.",
                      _validation_errors(exc)) from None


def operation(summary: str, *, tag: str, body=None, query=None, response=None,
              paged: bool = False, status: int = 200, errors: tuple[int, ...] = (),
              public: bool = False, form=None, files: tuple[str, ...] = (),
              file_limit: str | None = None, media_type: str = "application/json"
              ) -> Callable:
    """Declare an API view: its body and query are validated, its result serialised.

    The view gets `body=` (JSON), or `form=` (the text fields of a multipart body, whose
    `files` it reads from request.files), and/or `query=`; it returns an ORM object (or
    the dict of page_of). The metadata builds the OpenAPI document, so a route cannot be
    served without being described.
    """
    op = Operation(summary=summary, tag=tag, body=body, query=query, response=response,
                   paged=paged, status=status, errors=errors, public=public, form=form,
                   files=files, file_limit=file_limit, media_type=media_type)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs):
            if body is not None:
                kwargs["body"] = _parse_body(body)
            if form is not None:
                kwargs["form"] = _parse_form(op, form)
            if query is not None:
                kwargs["query"] = _parse_query(query)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            if response is not None and not paged:
                result = response.model_validate(result).model_dump(mode="json")
            return jsonify(result), status

        # Read back with getattr, by the document and by auth.bearer.
        wrapper.__openapi__ = op  # type: ignore[attr-defined]
        return wrapper

    return decorate


# --- the document -----------------------------------------------------------------------


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _add_schema(schemas: dict, model: type[BaseModel], mode: JsonSchemaMode) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas[model.__name__] = schema


def _problem_response(status: int) -> dict:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_TYPE: {"schema": _ref(Problem)}},
    }


def openapi_document(app: Flask, prefix: str = "/api/v1") -> dict:
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    _add_schema(schemas, Problem, "serialization")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix + "/"):
            continue
        op: Operation | None = getattr(app.view_functions[rule.endpoint], "__openapi__", None)
        if op is None:
            continue
        path, variables = _path_template(rule.rule[len(prefix):])
        parameters = []
        for variable in variables:
            parameters.append({
                "name": variable, "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            })
        if op.query is not None:
            query_schema = op.query.model_json_schema()
            for name, prop in query_schema["properties"].items():
                parameters.append({
                    "name": name, "in": "query",
                    "required": name in query_schema.get("required", []),
                    "description": prop.pop("description", ""),
                    "schema": prop,
                })
        responses: dict[str, dict] = {}
        if op.paged:
            assert op.response is not None, "a paged operation names its items' model"
            _add_schema(schemas, op.response, "serialization")
            responses[str(op.status)] = {
                "description": "A page of results",
                "content": {"application/json": {"schema": page_schema(op.response)}},
            }
        elif op.media_type != "application/json":
            responses[str(op.status)] = {
                "description": "The file",
                "content": {op.media_type: {"schema": {"type": "string",
                                                       "format": "binary"}}},
            }
        else:
            if op.response is not None:
                _add_schema(schemas, op.response, "serialization")
            responses[str(op.status)] = {
                "description": "Success",
                "content": {"application/json": {
                    "schema": _ref(op.response) if op.response else {"type": "object"},
                }},
            }
        # Any request can be unreadable (NUL in the query string, say): 400 for everyone.
        statuses = set(op.errors) | {400, 429} | (set() if op.public else {401})
        if op.body is not None or op.form is not None:
            statuses |= {413, 415, 422}
        if op.query is not None:
            statuses.add(422)
        if parameters and any(p["in"] == "path" for p in parameters):
            statuses.add(404)
        for code in sorted(statuses):
            responses[str(code)] = _problem_response(code)
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": rule.endpoint.replace(".", "_"),
            "tags": [op.tag],
            "responses": responses,
        }
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            _add_schema(schemas, op.body, "validation")
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(op.body)}},
            }
        if op.form is not None:
            _add_schema(schemas, op.form, "validation")
            form_schema = dict(schemas.pop(op.form.__name__))
            form_schema["properties"] = {
                **{name: {"type": "string", "format": "binary"} for name in op.files},
                **form_schema.get("properties", {}),
            }
            form_schema["required"] = [*op.files, *form_schema.get("required", [])]
            entry["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": form_schema}},
            }
        if op.public:
            entry["security"] = []
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "workshop API",
            "version": "1",
            "description": "Cameras, sessions and photos for photography day programmes. "
                           "Errors are application/problem+json (RFC 9457).",
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


_RULE_VARIABLE = re.compile(r"<(?:(\w+)(\([^)]*\))?:)?(\w+)>")


def _path_template(rule: str) -> tuple[str, list[str]]:
    """Flask's "/users/<id:user_id>" as OpenAPI's "/users/{user_id}", and the names."""
    names = [m.group(3) for m in _RULE_VARIABLE.finditer(rule)]
    return _RULE_VARIABLE.sub(lambda m: "{" + m.group(3) + "}", rule), names
