"""JSON views for the signed-in person, sites and users."""

from datetime import datetime

from flask import Blueprint
from pydantic import Field

from workshop.api.spec import (
    MAX_ID,
    ApiModel,
    OutModel,
    PageQuery,
    one_of,
    operation,
    page_of,
)
from workshop.auth import services
from workshop.auth.bearer import api_user
from workshop.auth.models import Role, Site, User

bp = Blueprint("auth_api", __name__)

RoleName = one_of(Role)


class SiteOut(OutModel):
    id: int
    name: str
    slug: str


class SiteIn(ApiModel):
    name: str = Field(max_length=120)
    slug: str = Field(max_length=60)


class UserOut(OutModel):
    id: int
    username: str
    display_name: str
    role: RoleName
    site_id: int | None
    active: bool
    created_at: datetime


class UserIn(ApiModel):
    username: str = Field(max_length=40)
    role: RoleName
    display_name: str = Field(max_length=80)
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    password: str = Field(max_length=200, description="The passphrase, at least 10 characters")


class UserPatch(ApiModel):
    display_name: str | None = Field(default=None, max_length=80)
    active: bool | None = None
    password: str | None = Field(default=None, max_length=200)
    role: RoleName | None = None
    site_id: int | None = Field(
        default=None, ge=1, le=MAX_ID,
        description="Admins only. A participant's photos go with them and their "
                    "reservations are cancelled; refused (409) while a camera is out "
                    "with them.")


@bp.get("/me")
@operation("The person this token belongs to", tag="people", response=UserOut)
def me():
    return api_user()


@bp.get("/sites")
@operation("Sites you can see", tag="sites", query=PageQuery, response=SiteOut, paged=True)
def list_sites(query: PageQuery):
    return page_of(services.visible_sites(api_user()), Site.id, query, SiteOut)


@bp.post("/sites")
@operation("Add a site (admins)", tag="sites", body=SiteIn, response=SiteOut, status=201,
           errors=(403, 409))
def create_site(body: SiteIn):
    return services.create_site(api_user(), body.name, body.slug)


@bp.get("/users")
@operation("People you can see", tag="people", query=PageQuery, response=UserOut, paged=True)
def list_users(query: PageQuery):
    return page_of(services.visible_users(api_user()), User.id, query, UserOut)


@bp.post("/users")
@operation("Add a person", tag="people", body=UserIn, response=UserOut, status=201,
           errors=(403, 404, 409))
def create_user(body: UserIn):
    return services.create_user(api_user(), body.username, body.role, body.display_name,
                                body.password, body.site_id)


@bp.get("/users/<id:user_id>")
@operation("One person", tag="people", response=UserOut)
def get_user(user_id: int):
    return services.get_user(api_user(), user_id)


@bp.patch("/users/<id:user_id>")
@operation("Change a person's details (a participant moves with their photos)",
           tag="people", body=UserPatch, response=UserOut, errors=(403, 409))
def update_user(user_id: int, body: UserPatch):
    actor = api_user()
    return services.update_person(actor, services.get_user(actor, user_id),
                                  **body.model_dump(exclude_none=True))
