"""Schemathesis over /api/v1/openapi.json: no 5xx, and every response as the document says.

The document is read from the app under test, so operations added later are covered by
the same run without touching this file.
"""

import base64
import io
import json
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from tests.fixtures.accounts import Account, api_token, make_account, make_site
from tests.photos import images
from workshop.api.problems import PROBLEM_TYPE
from workshop.api.routes import PREFIX
from workshop.auth.models import User
from workshop.db import utcnow
from workshop.exhibitions import services as exhibitions
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.photos import consent
from workshop.photos import services as photos
from workshop.photos.models import Photo
from workshop.programme import services as programme
from workshop.stock import services as stock

OPENAPI_PATH = f"{PREFIX}/openapi.json"

RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
RUN_CHECKS = [
    *RESPONSE_CHECKS,
    negative_data_rejection,  # data the document forbids gets a 4xx, never a 2xx
    ignored_auth,  # without the token, a 401
    unsupported_method,  # methods the document does not list: 405 with Allow
    allow_header_conformance,
]


def seed_people(app) -> dict[str, Account]:
    """Two sites with a participant each, and one account per role to sign in as."""
    north = make_site(app)
    south = make_site(app, "South Hub", "south-hub")
    robin = make_account(app, "robin", "participant", south)
    return {
        "admin": make_account(app, "admin", "admin", None),
        "worker": make_account(app, "worker", "worker", north),
        "participant": make_account(app, "sky", "participant", north),
        "south participant": robin,
    }


def seed_stock(app, people: dict[str, Account]) -> None:
    """Per site a digital camera out on loan and a disposable reserved, north first.

    The run tries small ids often, so ids 1 and 2 are the worker's and participant's own
    rows and 3 and 4 another site's: lookups, hand-overs and returns meet real rows.
    """
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        now = utcnow()
        for tag, person in (("N", people["participant"]), ("S", people["south participant"])):
            owner = db.session.get(User, person.id)
            digital = stock.create_camera(admin, owner.site_id, f"{tag}-DIG", "digital",
                                          make="Canon", megapixels=20)
            disposable = stock.create_camera(admin, owner.site_id, f"{tag}-DSP", "disposable",
                                             exposures=27)
            loan = stock.create_booking(admin, digital.id, owner.id, now,
                                        now + timedelta(hours=4), now=now)
            stock.check_out(admin, loan, {"body": True, "lens": True}, note="seed", now=now)
            stock.create_booking(admin, disposable.id, owner.id, now + timedelta(hours=1),
                                 now + timedelta(hours=5), now=now)
        db.session.commit()


def seed_sessions(app, people: dict[str, Account]) -> None:
    """Per site a session tomorrow with its participant enrolled, north first (ids 1, 2)."""
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        start = utcnow() + timedelta(days=1)
        for person in (people["participant"], people["south participant"]):
            owner = db.session.get(User, person.id)
            session = programme.create_session(
                admin, site_id=owner.site_id, title="Light", starts_at=start,
                ends_at=start + timedelta(hours=2), capacity=3, place="Group room")
            programme.enrol(admin, session, owner.id)
        db.session.commit()


def seed_photos(app, people: dict[str, Account]) -> None:
    """Per site one photo of its participant, north first (ids 1, 2)."""
    with app.app_context():
        for seed, person in enumerate((people["participant"], people["south participant"])):
            owner = db.session.get(User, person.id)
            content = images.jpeg((320, 240), image=images.scene((320, 240), seed=seed))
            photos.upload(owner, photos.upload_target(owner), io.BytesIO(content))
        db.session.commit()


def seed_exhibitions(app, people: dict[str, Account]) -> None:
    """Per site an exhibition of its photo, which has its owner's yes for exhibitions,
    north first (ids 1, 2): the PDFs are made, not only refused."""
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        for photo_id, person in ((1, people["participant"]), (2, people["south participant"])):
            owner = db.session.get(User, person.id)
            photo = db.session.get(Photo, photo_id)
            consent.give_consent(owner, photo, ["exhibition"])
            exhibition = exhibitions.create_exhibition(
                admin, title="Our lives", place="Library", starts_on=date(2027, 3, 1),
                ends_on=date(2027, 3, 2), site_id=owner.site_id)
            exhibitions.set_photos(admin, exhibition, [photo_id])
        db.session.commit()


@pytest.fixture(params=["admin", "worker", "participant"])
def api_schema(request, app):
    """The app's own document, and a token for one role: the site rules are in the run."""
    if not hasattr(request.node, "_nodeid"):
        # schemathesis' lazy schema reads Node._nodeid, which pytest 9.2 no longer has;
        # without it the run stops before the first request.
        request.node._nodeid = request.node.nodeid
    people = seed_people(app)
    seed_stock(app, people)
    with app.app_context():
        lessons.load_shipped()  # so lesson lookups and edits meet real plans
        db.session.commit()
    seed_sessions(app, people)
    seed_photos(app, people)
    seed_exhibitions(app, people)
    account = people[request.param]
    schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)
    schema.config.update(headers=api_token(app, account))
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,  # keep no examples between runs (.hypothesis/ is in .gitignore)
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the database is shared by a whole run on purpose
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_matches_its_document(case):
    case.call_and_validate(checks=RUN_CHECKS)


# --- edges the generator seldom reaches -------------------------------------------------


def cursor(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode()


def raw_json(text: str | bytes) -> dict:
    return {"data": text, "content_type": "application/json"}


USER = {"username": "casey", "role": "participant", "display_name": "Casey",
        "password": "a long enough passphrase", "site_id": 1}
BIG_ID = json.dumps(USER).replace('"site_id": 1', '"site_id": ' + "9" * 5000)

EDGES = [
    pytest.param("GET", "/sites", {"query_string": {"cursor": cursor(b'{"after": true}')}},
                 422, id="boolean cursor"),
    pytest.param("GET", "/users", {"query_string": {"cursor": cursor(b'{"after": 1e400}')}},
                 422, id="infinite cursor"),
    pytest.param("GET", "/users", {"query_string": {"cursor": cursor(b"[1]")}},
                 422, id="cursor of a list"),
    pytest.param("GET", "/sites", {"query_string": {"cursor": "a\x00"}},
                 400, id="NUL in the query"),
    pytest.param("POST", "/sites", {"json": {"name": "North\x00", "slug": "north"}},
                 422, id="NUL in a field"),
    pytest.param("POST", "/sites", raw_json('{"name": "\\ud800", "slug": "north"}'),
                 422, id="lone surrogate"),
    pytest.param("POST", "/sites", raw_json(b'{"name": "\xff", "slug": "north"}'),
                 400, id="not UTF-8"),
    pytest.param("POST", "/sites", raw_json("[" * 100_000), 400, id="deep JSON"),
    pytest.param("POST", "/sites", raw_json("{name"), 400, id="not JSON"),
    pytest.param("POST", "/sites", {"json": [1]}, 422, id="a JSON list"),
    pytest.param("POST", "/sites", {"data": {"name": "North", "slug": "north"}},
                 415, id="form body"),
    pytest.param("POST", "/users", {"json": {**USER, "site_id": 10**30}}, 422, id="huge id"),
    pytest.param("POST", "/users", {"json": {**USER, "site_id": True}}, 422, id="boolean id"),
    pytest.param("POST", "/users", raw_json(BIG_ID), 400, id="id of 5000 digits"),
    pytest.param("PATCH", "/users/0", {"json": {}}, 404, id="id 0 in the path"),
    pytest.param("PATCH", "/users/2147483648", {"json": {}}, 404, id="id past the key range"),
    pytest.param("GET", "/users/01", {}, 404, id="id with a leading zero"),
    pytest.param("POST", "/cameras",
                 raw_json('{"asset_tag": "CAM-1", "kind": "digital", "megapixels": NaN}'),
                 400, id="NaN, which JSON does not have"),
    pytest.param("POST", "/bookings", {"json": {
        "camera_id": 1, "participant_id": 1, "starts_at": "2030-06-01T10:00:00",
        "ends_at": "2030-06-01T12:00:00"}}, 422, id="time without an offset"),
    pytest.param("GET", "/me", {"headers": {"Authorization": "Bearer é"}},
                 401, id="non-ASCII token"),
    pytest.param("GET", "/me", {"headers": {"Authorization": ""}}, 401, id="no token"),
]


@pytest.fixture
def admin_client(app, admin, site):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = api_token(app, admin)["Authorization"]
    return client


@pytest.mark.parametrize("method, path, request_kwargs, status", EDGES)
def test_edges_get_a_documented_problem(admin_client, method, path, request_kwargs, status):
    document = admin_client.get(OPENAPI_PATH).get_json()
    response = admin_client.open(PREFIX + path, method=method, **request_kwargs)

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_TYPE
    template = "/users/{user_id}" if path.startswith("/users/") else path
    assert str(status) in document["paths"][template][method.lower()]["responses"]
    problem = response.get_json()
    assert problem["status"] == status and problem["title"]
