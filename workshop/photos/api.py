"""JSON views for photos: upload with checks, listing, one photo, coaching notes."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, request, url_for
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy.orm import selectinload

from workshop.api.problems import problem
from workshop.api.spec import (
    ApiModel,
    Id,
    OutModel,
    PageQuery,
    one_of,
    operation,
    page_of,
)
from workshop.auth.bearer import api_user
from workshop.errors import DomainError
from workshop.lessons.models import Topic
from workshop.photos import consent, moderation, services
from workshop.photos.models import (
    ConsentEnd,
    ConsentPurpose,
    Credit,
    NoteTopic,
    Photo,
    PhotoState,
)

bp = Blueprint("photos_api", __name__)

StateName = one_of(PhotoState)
TopicName = one_of(NoteTopic)
ThemeName = one_of(Topic)


class NoteOut(OutModel):
    id: int
    topic: TopicName
    comment: str
    author_id: int
    created_at: datetime


PurposeName = one_of(ConsentPurpose)
CreditName = one_of(Credit)


class ConsentOut(OutModel):
    id: int
    purpose: PurposeName
    wording_version: int
    given_at: datetime
    given_by_id: int
    witnessed_by_id: int | None
    expires_at: datetime
    ended_at: datetime | None
    end_reason: one_of(ConsentEnd) | None
    active: bool = Field(description="In force now: not ended and not expired.")


class ConsentsOut(OutModel):
    consents: list[ConsentOut]


class PurposesIn(ApiModel):
    purposes: list[PurposeName] = Field(min_length=1, max_length=len(ConsentPurpose))


class PhotoOut(OutModel):
    id: int
    state: StateName
    owner_id: int
    site_id: int
    session_id: int | None
    booking_id: int | None
    caption: str
    format: str
    mime_type: str
    byte_size: int
    width: int
    height: int
    megapixels: float
    checks: dict[str, Any] = Field(description=(
        "resolution (verdict ok|low), steadiness (ok|shaky|unsure), light (ok|dark|bright), "
        "distance (unknown|digital_zoom); each with a score (null for an unsure steadiness), "
        "a message in plain words and the lesson topic it belongs to. And faces (found|none), "
        "with their count and a message, when the photo was searched for faces."))
    credit: CreditName | None
    credit_name: str | None = Field(description="The name shown in public, or null for "
                                                "Anonymous.")
    theme: ThemeName | None
    submitted_at: datetime | None
    decided_at: datetime | None
    published_at: datetime | None
    reported_at: datetime | None
    rejection_reason: str | None
    notes: list[NoteOut]
    consents: list[ConsentOut] = Field(description="Every consent given, ended ones too.")
    created_at: datetime


class UploadFields(BaseModel):
    # Multipart fields arrive as text: "12" is read as 12, unknown fields are refused.
    model_config = ConfigDict(extra="forbid")

    participant_id: Id | None = Field(default=None, description=(
        "Whose photo it is. Workers must give it; participants upload their own."))
    session_id: Id | None = None
    booking_id: Id | None = None
    caption: str = Field(default="", max_length=services.CAPTION_LIMIT)


class PhotoQuery(PageQuery):
    participant_id: Id | None = None
    session_id: Id | None = None
    booking_id: Id | None = None


class NoteIn(ApiModel):
    topic: TopicName
    comment: str = Field(default="", max_length=services.COMMENT_LIMIT)


def refused_upload(exc: DomainError) -> Response:
    """An upload refused, as problem+json: the API's answer, and the upload page's to its
    script. A second copy of a photo names the one already kept, so the person can go to it.
    """
    existing = getattr(exc, "photo", None)
    members = {"photo_id": existing.id,
               "photo_url": url_for("photos.photo", photo_id=existing.id)} if existing else {}
    return problem(exc.status, exc.message, exc.title, exc.errors or None, **members)


@bp.post("/photos")
@operation("Upload a photo: it is checked, stored privately and answered with its checks",
           tag="photos", form=UploadFields, files=("file",), file_limit="PHOTO_MAX_BYTES",
           response=PhotoOut, status=201, errors=(404, 409))
def upload_photo(form: UploadFields):
    actor = api_user()
    try:
        target = services.upload_target(actor, form.participant_id, form.session_id,
                                         form.booking_id)
        return services.upload(actor, target, request.files["file"].stream, form.caption)
    except DomainError as exc:
        return refused_upload(exc)


@bp.get("/photos")
@operation("Photos you can see, oldest first (participants: their own)", tag="photos",
           query=PhotoQuery, response=PhotoOut, paged=True)
def list_photos(query: PhotoQuery):
    photos = services.visible_photos(api_user()).options(selectinload(Photo.notes),
                                                         selectinload(Photo.consents))
    for name in ("participant_id", "session_id", "booking_id"):
        value = getattr(query, name)
        if value is not None:
            column = Photo.owner_id if name == "participant_id" else getattr(Photo, name)
            photos = photos.where(column == value)
    return page_of(photos, Photo.id, query, PhotoOut)


@bp.get("/photos/<id:photo_id>")
@operation("One photo with its checks and coaching notes", tag="photos", response=PhotoOut)
def get_photo(photo_id: int):
    return services.get_photo(api_user(), photo_id)


@bp.post("/photos/<id:photo_id>/notes")
@operation("Add a coaching note (workers)", tag="photos", body=NoteIn, response=NoteOut,
           status=201)
def add_note(photo_id: int, body: NoteIn):
    actor = api_user()
    return services.add_note(actor, services.get_photo(actor, photo_id), body.topic,
                             body.comment)


@bp.post("/photos/<id:photo_id>/consent")
@operation("Say yes to the gallery, Flickr and/or exhibitions for a photo (workers: record "
           "a yes given in person)", tag="photos", body=PurposesIn, response=ConsentsOut,
           errors=(404, 409))
def give_consent(photo_id: int, body: PurposesIn):
    actor = api_user()
    photo = services.get_photo(actor, photo_id)
    consent.give_consent(actor, photo, body.purposes)
    return {"consents": photo.consents}


@bp.post("/photos/<id:photo_id>/withdraw")
@operation("Take back a yes for the gallery, Flickr and/or exhibitions", tag="photos",
           body=PurposesIn, response=ConsentsOut, errors=(404, 409))
def withdraw_consent(photo_id: int, body: PurposesIn):
    actor = api_user()
    photo = services.get_photo(actor, photo_id)
    consent.withdraw_consent(actor, photo, body.purposes)
    return {"consents": photo.consents}


class SubmitIn(ApiModel):
    caption: str = Field(default="", max_length=services.CAPTION_LIMIT)
    credit: CreditName
    theme: ThemeName | None = Field(
        default=None, description="What it practises; by default its session's lesson topic.")


# Built at run time, which a type checker cannot follow: to it, a plain ApiModel.
if TYPE_CHECKING:
    Checklist = ApiModel
else:
    Checklist = create_model(
        "Checklist", __base__=ApiModel,
        **{key: (bool, Field(description=text)) for key, text in moderation.CHECKLIST.items()})


class ApproveIn(ApiModel):
    checklist: Checklist = Field(description="Every line of the safeguarding checklist, "
                                             "each true.")


class RejectIn(ApiModel):
    reason: str = Field(min_length=1, max_length=moderation.REASON_LIMIT)


@bp.post("/photos/<id:photo_id>/submit")
@operation("Send your photo to be checked for sharing (needs a consent in force)",
           tag="moderation", body=SubmitIn, response=PhotoOut, errors=(404, 409))
def submit_photo(photo_id: int, body: SubmitIn):
    actor = api_user()
    return moderation.submit(actor, services.get_photo(actor, photo_id), body.caption,
                             body.credit, body.theme)


@bp.post("/photos/<id:photo_id>/approve")
@operation("Approve a submitted photo (a worker of its site other than the uploader)",
           tag="moderation", body=ApproveIn, response=PhotoOut, errors=(404, 409))
def approve_photo(photo_id: int, body: ApproveIn):
    actor = api_user()
    return moderation.approve(actor, services.get_photo(actor, photo_id),
                              body.checklist.model_dump())


@bp.post("/photos/<id:photo_id>/reject")
@operation("Send a submitted photo back with a reason the participant will read",
           tag="moderation", body=RejectIn, response=PhotoOut, errors=(404, 409))
def reject_photo(photo_id: int, body: RejectIn):
    actor = api_user()
    return moderation.reject(actor, services.get_photo(actor, photo_id), body.reason)


@bp.get("/moderation")
@operation("Photos waiting for a decision at your site, oldest first", tag="moderation",
           query=PageQuery, response=PhotoOut, paged=True, errors=(404,))
def moderation_queue(query: PageQuery):
    waiting = moderation.moderation_queue(api_user()).options(
        selectinload(Photo.notes), selectinload(Photo.consents))
    return page_of(waiting, Photo.id, query, PhotoOut)
