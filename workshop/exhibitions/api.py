"""JSON views for exhibitions: build one, choose its photos, send it to print, its PDFs."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from flask import Blueprint, Response
from pydantic import BeforeValidator, Field, model_validator

from workshop.api.spec import ApiModel, Id, OutModel, PageQuery, one_of, operation, page_of
from workshop.auth.bearer import api_user
from workshop.exhibitions import services
from workshop.exhibitions.models import Exhibition, PrintSize
from workshop.exhibitions.pdf import pdf_response

bp = Blueprint("exhibitions_api", __name__)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _parse_day(value: Any) -> date:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("Give a date like 2027-03-01.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("That date does not exist.") from None


Day = Annotated[date, BeforeValidator(_parse_day)]


class ExhibitionIn(ApiModel):
    title: str = Field(min_length=1, max_length=services.TITLE_LIMIT)
    place: str = Field(min_length=1, max_length=services.PLACE_LIMIT)
    starts_on: Day = Field(description="The first day, like 2027-03-01.")
    ends_on: Day = Field(description="The last day; the first day or later.")
    print_size: one_of(PrintSize) = Field(
        default=PrintSize.MEDIUM.value,
        description="The prints' size in cm; photos with too little detail for it are "
                    "flagged.")
    site_id: Id | None = Field(default=None, description="Admins choose; workers' own site "
                                                         "by default.")

    @model_validator(mode="after")
    def _in_order(self) -> "ExhibitionIn":
        if self.ends_on < self.starts_on:
            raise ValueError("The last day cannot be before the first.")
        return self


class PhotosIn(ApiModel):
    photo_ids: list[Id] = Field(max_length=services.MAX_PHOTOS, description=(
        "In the order they are shown; each needs its owner's yes for exhibitions."))


class EntryOut(OutModel):
    photo_id: int
    position: int
    withdrawn_at: datetime | None = Field(description=(
        "When its owner took back their yes after the print was made: it is shown no more."))
    too_small: bool = Field(description="Too little detail for the chosen print size.")


class ExhibitionSummary(OutModel):
    id: int
    site_id: int
    title: str
    place: str
    starts_on: date
    ends_on: date
    print_size: one_of(PrintSize)
    printed_at: datetime | None = Field(description="Sent to print: the list is fixed.")
    created_at: datetime


class ExhibitionOut(ExhibitionSummary):
    photos: list[EntryOut]


def _out(exhibition: Exhibition) -> dict:
    flagged = {entry.id for entry in services.too_small(exhibition)}
    fields = ("id", "site_id", "title", "place", "starts_on", "ends_on", "print_size",
              "printed_at", "created_at")
    return {**{name: getattr(exhibition, name) for name in fields},
            "photos": [{"photo_id": e.photo_id, "position": e.position,
                        "withdrawn_at": e.withdrawn_at, "too_small": e.id in flagged}
                       for e in exhibition.entries]}


@bp.get("/exhibitions")
@operation("Exhibitions of your site (workers; participants see none)", tag="exhibitions",
           query=PageQuery, response=ExhibitionSummary, paged=True)
def list_exhibitions(query: PageQuery):
    return page_of(services.visible_exhibitions(api_user()), Exhibition.id, query,
                   ExhibitionSummary)


@bp.post("/exhibitions")
@operation("Plan an exhibition", tag="exhibitions", body=ExhibitionIn, response=ExhibitionOut,
           status=201, errors=(403, 404))
def create_exhibition(body: ExhibitionIn):
    return _out(services.create_exhibition(api_user(), **body.model_dump()))


@bp.get("/exhibitions/<id:exhibition_id>")
@operation("One exhibition with its photos in order", tag="exhibitions",
           response=ExhibitionOut)
def get_exhibition(exhibition_id: int):
    return _out(services.get_exhibition(api_user(), exhibition_id))


@bp.put("/exhibitions/<id:exhibition_id>/photos")
@operation("Set the exhibition's photos, in order; a photo without its owner's yes for "
           "exhibitions is refused with 409 naming it", tag="exhibitions", body=PhotosIn,
           response=ExhibitionOut, errors=(403, 409))
def set_photos(exhibition_id: int, body: PhotosIn):
    actor = api_user()
    exhibition = services.get_exhibition(actor, exhibition_id)
    return _out(services.set_photos(actor, exhibition, body.photo_ids))


@bp.post("/exhibitions/<id:exhibition_id>/print")
@operation("Send to print: the list of photos is fixed from now on", tag="exhibitions",
           response=ExhibitionOut, errors=(403, 409))
def send_to_print(exhibition_id: int):
    actor = api_user()
    return _out(services.send_to_print(actor, services.get_exhibition(actor, exhibition_id)))


def _pdf(exhibition_id: int, kind: str) -> Response:
    return pdf_response(services.get_exhibition(api_user(), exhibition_id), kind)


@bp.get("/exhibitions/<id:exhibition_id>/catalogue.pdf")
@operation("The A4 catalogue: every photo shown, its caption and credit", tag="exhibitions",
           media_type="application/pdf", errors=(409,))
def catalogue(exhibition_id: int):
    return _pdf(exhibition_id, "catalogue")


@bp.get("/exhibitions/<id:exhibition_id>/cards.pdf")
@operation("A6 caption cards: title, caption, credit and a QR code to the gallery page",
           tag="exhibitions", media_type="application/pdf", errors=(409,))
def cards(exhibition_id: int):
    return _pdf(exhibition_id, "cards")


@bp.get("/exhibitions/<id:exhibition_id>/prints.pdf")
@operation("The prints, each page the size of its print, colour profile kept",
           tag="exhibitions", media_type="application/pdf", errors=(409,))
def prints(exhibition_id: int):
    return _pdf(exhibition_id, "prints")
