"""JSON views for workshop sessions: the same services as the pages, under /api/v1."""

from typing import Any

from flask import Blueprint
from pydantic import AwareDatetime, Field, model_validator
from sqlalchemy.orm import selectinload

from workshop.api.spec import ApiModel, OutModel, PageQuery, operation, page_of
from workshop.auth.bearer import api_user
from workshop.errors import Invalid
from workshop.programme import services
from workshop.programme.models import Enrolment, Session
from workshop.stock.api import BookingOut, Id, Timestamp, Version

bp = Blueprint("programme_api", __name__)



class EnrolmentOut(OutModel):
    participant_id: int
    participant_display_name: str
    enrolled_at: AwareDatetime
    attended: bool | None = Field(description="null until the register is taken.")


class SessionOut(OutModel):
    id: int
    site_id: int
    title: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str
    lead_worker_id: int | None
    lesson_id: int | None
    capacity: int
    version: int
    enrolments: list[EnrolmentOut] = Field(
        description="Everyone enrolled (staff); a participant sees only their own.")

    @model_validator(mode="before")
    @classmethod
    def _from_session(cls, value: Any) -> Any:
        if not isinstance(value, Session):
            return value
        actor = api_user()
        names = set(cls.model_fields) - {"enrolments"}
        return {
            **{name: getattr(value, name) for name in names},
            "enrolments": [
                {"participant_id": e.participant_id,
                 "participant_display_name": e.participant.display_name,
                 "enrolled_at": e.enrolled_at, "attended": e.attended}
                for e in value.enrolments
                if actor.is_staff or e.participant_id == actor.id
            ],
        }


class SessionIn(ApiModel):
    site_id: Id | None = Field(default=None, description="Admins choose; workers' own site "
                                                         "by default.")
    title: str = Field(min_length=1, max_length=120)
    starts_at: Timestamp = Field(description="ISO 8601 with offset.")
    ends_at: Timestamp = Field(description="ISO 8601 with offset; after the start, at most "
                                           "12 hours later.")
    place: str = Field(default="", max_length=120)
    lead_worker_id: Id | None = Field(default=None, description="A worker of the same site.")
    lesson_id: Id | None = None
    capacity: int = Field(ge=1, le=services.MAX_CAPACITY, description="How many places.")


class SessionPatch(ApiModel):
    """Only the fields sent change. For lead_worker_id and lesson_id, null clears them;
    elsewhere null leaves the field as it is."""

    title: str | None = Field(default=None, min_length=1, max_length=120)
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    place: str | None = Field(default=None, max_length=120)
    lead_worker_id: Id | None = None
    lesson_id: Id | None = None
    capacity: int | None = Field(default=None, ge=1, le=services.MAX_CAPACITY)
    version: Version = None


class ParticipantIn(ApiModel):
    participant_id: Id


class AttendanceIn(ApiModel):
    participant_id: Id
    attended: bool = Field(description="true: came; false: did not.")


class ReserveIn(ApiModel):
    count: int | None = Field(default=None, ge=1, le=100,
                              description="Book this many free cameras of the site.")
    camera_ids: list[Id] | None = Field(default=None, min_length=1, max_length=100,
                                        description="Or book exactly these cameras.")

    @model_validator(mode="after")
    def _one_of(self) -> "ReserveIn":
        if (self.count is None) == (self.camera_ids is None):
            raise ValueError("Send count or camera_ids, not both.")
        return self


class ReservedOut(OutModel):
    bookings: list[BookingOut]


@bp.get("/sessions")
@operation("Sessions you can see (participants: those they are enrolled in)",
           tag="sessions", query=PageQuery, response=SessionOut, paged=True)
def list_sessions(query: PageQuery):
    sessions = services.visible_sessions(api_user()).options(
        selectinload(Session.enrolments).selectinload(Enrolment.participant))
    return page_of(sessions, Session.id, query, SessionOut)


@bp.post("/sessions")
@operation("Plan a session", tag="sessions", body=SessionIn, response=SessionOut,
           status=201, errors=(403, 404, 409))
def create_session(body: SessionIn):
    return services.create_session(api_user(), **body.model_dump())


@bp.get("/sessions/<id:session_id>")
@operation("One session, with who is enrolled", tag="sessions", response=SessionOut)
def get_session(session_id: int):
    return services.get_session(api_user(), session_id)


@bp.patch("/sessions/<id:session_id>")
@operation("Change a session", tag="sessions", body=SessionPatch, response=SessionOut,
           errors=(403, 409))
def update_session(session_id: int, body: SessionPatch):
    actor = api_user()
    session = services.get_session(actor, session_id)
    changes = body.model_dump(exclude_none=True, exclude={"version"})
    # For the lead worker and the lesson, an explicit null means "clear it".
    changes |= body.model_dump(include={"lead_worker_id", "lesson_id"}
                               & body.model_fields_set)
    return services.update_session(actor, session, expected_version=body.version, **changes)


@bp.post("/sessions/<id:session_id>/enrolments")
@operation("Enrol a participant of the session's site", tag="sessions", body=ParticipantIn,
           response=SessionOut, status=201, errors=(403, 409))
def enrol(session_id: int, body: ParticipantIn):
    actor = api_user()
    session = services.get_session(actor, session_id)
    services.enrol(actor, session, body.participant_id)
    return session


@bp.delete("/sessions/<id:session_id>/enrolments")
@operation("Take a participant off the session", tag="sessions", body=ParticipantIn,
           response=SessionOut, errors=(403,))
def unenrol(session_id: int, body: ParticipantIn):
    actor = api_user()
    session = services.get_session(actor, session_id)
    services.unenrol(actor, session, body.participant_id)
    return session


@bp.post("/sessions/<id:session_id>/attendance")
@operation("Mark someone enrolled as came or did not come", tag="sessions",
           body=AttendanceIn, response=SessionOut, errors=(403,))
def attendance(session_id: int, body: AttendanceIn):
    actor = api_user()
    session = services.get_session(actor, session_id)
    services.set_attendance(actor, session, body.participant_id, body.attended)
    return session


@bp.post("/sessions/<id:session_id>/reserve-cameras")
@operation("Book cameras for the session's time: all of them or none", tag="sessions",
           body=ReserveIn, response=ReservedOut, status=201, errors=(403, 409))
def reserve_cameras(session_id: int, body: ReserveIn):
    actor = api_user()
    session = services.get_session(actor, session_id)
    if body.camera_ids is not None and len(set(body.camera_ids)) != len(body.camera_ids):
        raise Invalid.field("camera_ids", "Name each camera once.")
    bookings = services.reserve_cameras(actor, session, count=body.count,
                                        camera_ids=body.camera_ids)
    return {"bookings": bookings}
