"""JSON views for cameras and bookings: the same services as the pages, under /api/v1."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, model_validator
from sqlalchemy.orm import selectinload

from workshop.api.spec import (
    MAX_ID,
    ApiModel,
    Id,
    OutModel,
    PageQuery,
    one_of,
    operation,
    page_of,
)
from workshop.auth.bearer import api_user
from workshop.db import utcnow
from workshop.stock import services
from workshop.stock.models import Booking, BookingState, Camera, CameraKind, CameraStatus

bp = Blueprint("stock_api", __name__)

KindName = one_of(CameraKind)
StatusName = one_of(CameraStatus)
# "used" is not offered: a disposable becomes used when it is sent for developing.
SettableStatus = one_of(s for s in CameraStatus if s is not CameraStatus.USED)
StateName = one_of(BookingState)

# Every checklist line of either kind; the service refuses lines the camera's kind lacks.
ChecklistItem = Literal[tuple(dict.fromkeys(
    item.key for item in (*services.DIGITAL_CHECKLIST, *services.DISPOSABLE_CHECKLIST)))]
CHECKLIST_HELP = (
    "Each line that was checked and is right -> true; missing lines count as false. "
    "Digital: " + ", ".join(i.key for i in services.DIGITAL_CHECKLIST) + ". "
    "Disposable: " + ", ".join(i.key for i in services.DISPOSABLE_CHECKLIST) + "."
)

# RFC 3339: a date, a time and an offset. Unlike pydantic's own parsing, this refuses
# bare dates, Unix timestamps and, above all, times without an offset.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})",
                      re.ASCII)


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("Give a date and time with its offset, like "
                         "2026-06-01T10:00:00+01:00.")
    try:
        # UTC from here on, so no later comparison can overflow at the ends of the calendar.
        return datetime.fromisoformat(value.upper()).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("That date or time does not exist.") from None


Timestamp = Annotated[AwareDatetime, BeforeValidator(_parse_time)]
Version = Annotated[int | None, Field(
    ge=1, le=MAX_ID,
    description="The version you last saw; if it has changed since, the answer is 409.")]
Note = Annotated[str, Field(max_length=1000)]


# --- cameras ----------------------------------------------------------------------------


class CameraOut(OutModel):
    id: int
    site_id: int
    asset_tag: str
    kind: KindName
    make: str
    model: str
    megapixels: float | None
    exposures: int | None
    status: StatusName
    notes: str
    version: int


class CameraIn(ApiModel):
    site_id: Id | None = Field(default=None, description="Admins choose; workers' own site "
                                                         "by default.")
    asset_tag: str = Field(max_length=40, description="Letters, digits, dots or dashes, like "
                                                      "CAM-07; stored in capitals.")
    kind: KindName
    make: str = Field(default="", max_length=80)
    model: str = Field(default="", max_length=80)
    megapixels: float | None = Field(default=None, ge=0.1, le=1000, allow_inf_nan=False)
    exposures: int | None = Field(default=None, ge=1, le=100,
                                  description="Disposables only.")
    notes: str = Field(default="", max_length=2000)


class CameraPatch(ApiModel):
    """Only the fields sent change. null leaves a field as it is, except for megapixels and
    exposures, where it clears the value."""

    asset_tag: str | None = Field(default=None, max_length=40)
    make: str | None = Field(default=None, max_length=80)
    model: str | None = Field(default=None, max_length=80)
    megapixels: float | None = Field(default=None, ge=0.1, le=1000, allow_inf_nan=False)
    exposures: int | None = Field(default=None, ge=1, le=100)
    status: SettableStatus | None = None
    notes: str | None = Field(default=None, max_length=2000)
    version: Version = None


@bp.get("/cameras")
@operation("Cameras you can see (staff)", tag="cameras", query=PageQuery, response=CameraOut,
           paged=True, errors=(403,))
def list_cameras(query: PageQuery):
    return page_of(services.visible_cameras(api_user()), Camera.id, query, CameraOut)


@bp.post("/cameras")
@operation("Add a camera", tag="cameras", body=CameraIn, response=CameraOut, status=201,
           errors=(403, 404, 409))
def create_camera(body: CameraIn):
    return services.create_camera(api_user(), **body.model_dump())


@bp.get("/cameras/<id:camera_id>")
@operation("One camera", tag="cameras", response=CameraOut)
def get_camera(camera_id: int):
    return services.get_camera(api_user(), camera_id)


@bp.patch("/cameras/<id:camera_id>")
@operation("Change a camera's details or stock status", tag="cameras", body=CameraPatch,
           response=CameraOut, errors=(409,))
def update_camera(camera_id: int, body: CameraPatch):
    actor = api_user()
    camera = services.get_camera(actor, camera_id)
    changes = body.model_dump(exclude_none=True, exclude={"version"})
    # For the specs, an explicit null means "clear it"; everywhere else, "leave it".
    changes |= body.model_dump(include={"megapixels", "exposures"} & body.model_fields_set)
    return services.update_camera(actor, camera, expected_version=body.version, **changes)


# --- bookings ---------------------------------------------------------------------------


class ConditionOut(BaseModel):
    items: dict[str, bool]
    damaged: bool
    note: str


class BookingOut(OutModel):
    id: int
    camera_id: int
    participant_id: int | None
    participant_display_name: str | None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    state: StateName
    note: str = Field(description="For staff only: empty in a participant's view.")
    participant_note: str = Field(description="What the worker wrote for the borrower.")
    version: int
    overdue: bool = Field(description="Out, and past its end.")
    checked_out_at: AwareDatetime | None
    returned_at: AwareDatetime | None
    checkout_condition: ConditionOut | None = Field(
        description="Its note is for staff only: empty in a participant's view.")
    return_condition: ConditionOut | None = Field(
        description="Its note is for staff only: empty in a participant's view.")

    @model_validator(mode="before")
    @classmethod
    def _from_booking(cls, value: Any) -> Any:
        if not isinstance(value, Booking):
            return value
        notes = services.notes_seen_by(api_user(), value)
        names = set(cls.model_fields) - {"participant_display_name", "overdue", *notes}
        return {
            **{name: getattr(value, name) for name in names},
            **notes,
            "participant_display_name": value.participant.display_name
            if value.participant else None,
            "overdue": value.is_overdue(utcnow()),
        }


class BookingQuery(PageQuery):
    camera: Id | None = Field(default=None, description="Only this camera's bookings.")
    participant: Id | None = Field(default=None, description="Only this participant's.")
    state: StateName | None = Field(default=None, description="Only bookings in this state.")
    overdue: bool | None = Field(default=None, description="true: only overdue loans; "
                                                           "false: all but those.")


class BookingIn(ApiModel):
    camera_id: Id
    participant_id: Id
    starts_at: Timestamp = Field(description="ISO 8601 with offset; now or later.")
    ends_at: Timestamp = Field(description="ISO 8601 with offset; after the start.")
    note: Note = Field(default="", description="For staff only.")
    participant_note: Note = Field(default="", description="Shown to the borrower.")


class CheckoutIn(ApiModel):
    condition: dict[ChecklistItem, bool] = Field(default_factory=dict,
                                                 description=CHECKLIST_HELP)
    note: Note = ""
    version: Version = None


class CheckinIn(CheckoutIn):
    damaged: bool = Field(default=False, description="true sends the camera for repair.")


class ExtendIn(ApiModel):
    ends_at: Timestamp = Field(description="The new end, later than the current one.")
    version: Version = None


class VersionIn(ApiModel):
    version: Version = None


class WriteOffIn(ApiModel):
    note: Note = ""
    version: Version = None


@bp.get("/bookings")
@operation("Bookings you can see (participants: their own)", tag="bookings",
           query=BookingQuery, response=BookingOut, paged=True)
def list_bookings(query: BookingQuery):
    bookings = services.visible_bookings(
        api_user(), camera_id=query.camera, participant_id=query.participant,
        state=query.state, overdue=query.overdue,
    ).options(selectinload(Booking.participant))
    return page_of(bookings, Booking.id, query, BookingOut)


@bp.post("/bookings")
@operation("Book a camera for a participant", tag="bookings", body=BookingIn,
           response=BookingOut, status=201, errors=(403, 404, 409))
def create_booking(body: BookingIn):
    return services.create_booking(api_user(), body.camera_id, body.participant_id,
                                   body.starts_at, body.ends_at, body.note,
                                   participant_note=body.participant_note)


@bp.get("/bookings/<id:booking_id>")
@operation("One booking", tag="bookings", response=BookingOut)
def get_booking(booking_id: int):
    return services.get_booking(api_user(), booking_id)


@bp.post("/bookings/<id:booking_id>/checkout")
@operation("Hand the camera over, with its condition", tag="bookings", body=CheckoutIn,
           response=BookingOut, errors=(403, 409))
def check_out(booking_id: int, body: CheckoutIn):
    actor = api_user()
    return services.check_out(actor, services.get_booking(actor, booking_id), body.condition,
                              note=body.note, expected_version=body.version)


@bp.post("/bookings/<id:booking_id>/checkin")
@operation("Take the camera back, with its condition", tag="bookings", body=CheckinIn,
           response=BookingOut, errors=(403, 409))
def check_in(booking_id: int, body: CheckinIn):
    actor = api_user()
    return services.check_in(actor, services.get_booking(actor, booking_id), body.condition,
                             damaged=body.damaged, note=body.note,
                             expected_version=body.version)


@bp.post("/bookings/<id:booking_id>/extend")
@operation("Move a booking's end later", tag="bookings", body=ExtendIn, response=BookingOut,
           errors=(403, 409))
def extend(booking_id: int, body: ExtendIn):
    actor = api_user()
    return services.extend(actor, services.get_booking(actor, booking_id), body.ends_at,
                           expected_version=body.version)


@bp.post("/bookings/<id:booking_id>/cancel")
@operation("Cancel a reservation", tag="bookings", body=VersionIn, response=BookingOut,
           errors=(403, 409))
def cancel(booking_id: int, body: VersionIn):
    actor = api_user()
    return services.cancel(actor, services.get_booking(actor, booking_id),
                           expected_version=body.version)


@bp.post("/bookings/<id:booking_id>/write-off")
@operation("End a loan whose camera is not coming back", tag="bookings", body=WriteOffIn,
           response=BookingOut, errors=(403, 409))
def write_off(booking_id: int, body: WriteOffIn):
    actor = api_user()
    return services.write_off(actor, services.get_booking(actor, booking_id), note=body.note,
                              expected_version=body.version)


@bp.post("/bookings/<id:booking_id>/send-for-developing")
@operation("Send a shot disposable for developing", tag="bookings", body=VersionIn,
           response=BookingOut, errors=(403, 409))
def send_for_developing(booking_id: int, body: VersionIn):
    actor = api_user()
    return services.send_for_developing(actor, services.get_booking(actor, booking_id),
                                        expected_version=body.version)


@bp.post("/bookings/<id:booking_id>/developed")
@operation("Record that a disposable's film is developed", tag="bookings", body=VersionIn,
           response=BookingOut, errors=(403, 409))
def mark_developed(booking_id: int, body: VersionIn):
    actor = api_user()
    return services.mark_developed(actor, services.get_booking(actor, booking_id),
                                   expected_version=body.version)
