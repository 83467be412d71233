"""JSON views for lesson plans: the same services as the pages, under /api/v1."""

from typing import Any

from flask import Blueprint
from pydantic import AwareDatetime, Field, model_validator
from sqlalchemy.orm import selectinload

from workshop.api.spec import (
    MAX_ID,
    ApiModel,
    OutModel,
    PageQuery,
    one_of,
    operation,
    page_of,
)
from workshop.auth.bearer import api_user
from workshop.lessons import services
from workshop.lessons.models import LessonPlan, Topic
from workshop.lessons.services import MAX_MINUTES, MIN_MINUTES, TEXT_LIMITS, TITLE_MAX

bp = Blueprint("lessons_api", __name__)

TopicName = one_of(Topic)
MARKDOWN = "Markdown (CommonMark, no raw HTML)."


def _text(name: str, description: str, **kwargs: Any) -> Any:
    return Field(max_length=TEXT_LIMITS[name], description=description, **kwargs)


class LessonOut(OutModel):
    id: int
    slug: str
    topic: TopicName
    version: int = Field(description="The current version's number; send it back to PATCH.")
    title: str
    summary: str = Field(description="Plain text.")
    goals: str = Field(description=MARKDOWN)
    length_minutes: int
    materials: str = Field(description=MARKDOWN)
    activities: str = Field(description=MARKDOWN)
    exercise: str = Field(description=MARKDOWN)
    discussion: str = Field(description=MARKDOWN)
    handout: str = Field(description=MARKDOWN + " For participants; fits one A4 page.")
    created_at: AwareDatetime
    updated_at: AwareDatetime = Field(description="When the current version was saved.")

    @model_validator(mode="before")
    @classmethod
    def _from_plan(cls, value: Any) -> Any:
        if not isinstance(value, LessonPlan):
            return value
        current = value.current
        return {
            "id": value.id, "slug": value.slug, "topic": value.topic.value,
            "version": value.version, "created_at": value.created_at,
            "updated_at": current.created_at,
            **{name: getattr(current, name) for name in services.CONTENT_FIELDS},
        }


class LessonQuery(PageQuery):
    topic: TopicName | None = Field(default=None, description="Only plans on this topic.")


class LessonIn(ApiModel):
    topic: TopicName
    title: str = Field(max_length=TITLE_MAX)
    summary: str = _text("summary", "Plain text: a sentence or two.")
    goals: str = _text("goals", MARKDOWN)
    length_minutes: int = Field(ge=MIN_MINUTES, le=MAX_MINUTES)
    materials: str = _text("materials", MARKDOWN, default="")
    activities: str = _text("activities", MARKDOWN)
    exercise: str = _text("exercise", MARKDOWN, default="")
    discussion: str = _text("discussion", MARKDOWN, default="")
    handout: str = _text("handout", MARKDOWN, default="")


class LessonPatch(ApiModel):
    """A new version with the fields sent; null or missing fields stay as they are."""

    version: int = Field(ge=1, le=MAX_ID, description="The version you started from; if "
                         "the plan has changed since, the answer is 409 and nothing is saved.")
    topic: TopicName | None = None
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    summary: str | None = _text("summary", "Plain text.", default=None)
    goals: str | None = _text("goals", MARKDOWN, default=None)
    length_minutes: int | None = Field(default=None, ge=MIN_MINUTES, le=MAX_MINUTES)
    materials: str | None = _text("materials", MARKDOWN, default=None)
    activities: str | None = _text("activities", MARKDOWN, default=None)
    exercise: str | None = _text("exercise", MARKDOWN, default=None)
    discussion: str | None = _text("discussion", MARKDOWN, default=None)
    handout: str | None = _text("handout", MARKDOWN, default=None)


@bp.get("/lessons")
@operation("Lesson plans (everyone signed in)", tag="lessons", query=LessonQuery,
           response=LessonOut, paged=True)
def list_lessons(query: LessonQuery):
    plans = services.visible_plans(api_user(), query.topic).options(
        selectinload(LessonPlan.versions))
    return page_of(plans, LessonPlan.id, query, LessonOut)


@bp.post("/lessons")
@operation("Add a lesson plan (staff)", tag="lessons", body=LessonIn, response=LessonOut,
           status=201, errors=(403, 409))
def create_lesson(body: LessonIn):
    fields = body.model_dump(exclude={"topic"})
    return services.create_plan(api_user(), body.topic, **fields)


@bp.get("/lessons/<id:lesson_id>")
@operation("One lesson plan, as it is now", tag="lessons", response=LessonOut)
def get_lesson(lesson_id: int):
    return services.get_plan(api_user(), lesson_id)


@bp.patch("/lessons/<id:lesson_id>")
@operation("Edit a lesson plan (staff): saves a new version", tag="lessons",
           body=LessonPatch, response=LessonOut, errors=(403, 409))
def update_lesson(lesson_id: int, body: LessonPatch):
    actor = api_user()
    changes = body.model_dump(exclude_none=True, exclude={"version"})
    return services.update_plan(actor, services.get_plan(actor, lesson_id),
                                expected_version=body.version, **changes)
