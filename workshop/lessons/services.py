"""The rules for lesson plans: the library, new plans, edits that keep every version."""

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, select, update

from workshop.audit.services import record
from workshop.auth.models import User
from workshop.auth.services import require_staff
from workshop.db import flush_or_conflict
from workshop.errors import Conflict, Invalid, NotFound
from workshop.extensions import db
from workshop.lessons.models import LessonPlan, LessonPlanVersion, Topic
from workshop.templating import local_time

CONTENT_DIR = Path(__file__).resolve().parent / "content"

TITLE_MAX = 120
MIN_MINUTES, MAX_MINUTES = 5, 480
# Longest text per field, in characters. A handout must fit one side of A4 in print.
TEXT_LIMITS = {
    "summary": 600,
    "goals": 4000,
    "materials": 4000,
    "activities": 20000,
    "exercise": 8000,
    "discussion": 4000,
    "handout": 2500,
}
TEXT_FIELDS = tuple(TEXT_LIMITS)
# Every field a version holds, in the order a plan reads.
CONTENT_FIELDS = ("title", "summary", "goals", "length_minutes", "materials", "activities",
                  "exercise", "discussion", "handout")
REQUIRED = {
    "title": "Give the plan a title.",
    "summary": "Say in a sentence or two what the session is about.",
    "goals": "Say what people will learn or try.",
    "activities": "Write the steps of the session.",
}
STAFF_ONLY = "Only workers can add or change lesson plans."
SLUG_MAX = 60
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _topic(topic: Topic | str) -> Topic:
    try:
        return Topic(topic)
    except ValueError:
        raise Invalid.field("topic", "Choose light, distance, steadiness or other.") from None


# --- reading ----------------------------------------------------------------------------


def visible_plans(actor: User, topic: Topic | str | None = None) -> Select[LessonPlan]:
    """Every plan: the library is shared by all sites and read by everyone signed in."""
    query = select(LessonPlan).order_by(LessonPlan.id)
    if topic is not None:
        query = query.where(LessonPlan.topic == _topic(topic))
    return query


def library(actor: User, topic: Topic | str | None = None
            ) -> list[tuple[LessonPlan, LessonPlanVersion]]:
    """Plans with their current versions, by title: one query, however long the history."""
    query = (
        visible_plans(actor, topic)
        .add_columns(LessonPlanVersion)
        .join(LessonPlanVersion, and_(LessonPlanVersion.plan_id == LessonPlan.id,
                                      LessonPlanVersion.number == LessonPlan.version))
        .order_by(None).order_by(LessonPlanVersion.title, LessonPlan.id)
    )
    return [(plan, version) for plan, version in db.session.execute(query)]


def get_plan(actor: User, plan_id: int) -> LessonPlan:
    plan = db.session.get(LessonPlan, plan_id)
    if plan is None:
        raise NotFound("There is no such lesson plan.")
    return plan


def get_version(plan: LessonPlan, number: int) -> LessonPlanVersion:
    version = db.session.scalar(select(LessonPlanVersion).where(
        LessonPlanVersion.plan_id == plan.id, LessonPlanVersion.number == number))
    if version is None:
        raise NotFound(f"This plan has no version {number}.")
    return version


# --- checking what was typed ------------------------------------------------------------


def _clean_title(title: Any) -> str:
    title = " ".join(str(title or "").split())
    # A title of only invisible characters (zero-width spaces, say) would show as nothing.
    if not any(unicodedata.category(ch)[0] not in "CZ" for ch in title):
        raise Invalid.field("title", REQUIRED["title"])
    if len(title) > TITLE_MAX:
        raise Invalid.field("title", f"Keep the title to {TITLE_MAX} characters or fewer.")
    return title


def _clean_text(name: str, value: Any) -> str:
    # One kind of line ending, so an unchanged field sent back from a browser is unchanged.
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text.strip() and name in REQUIRED:
        raise Invalid.field(name, REQUIRED[name])
    limit = TEXT_LIMITS[name]
    if len(text) > limit:
        extra = " so the handout fits on one A4 page" if name == "handout" else ""
        raise Invalid.field(name, f"Keep this to {limit} characters{extra}; it has "
                            f"{len(text)}.")
    return text


def _clean_minutes(value: Any) -> int:
    if type(value) is not int or not MIN_MINUTES <= value <= MAX_MINUTES:
        raise Invalid.field("length_minutes", f"Give the length in minutes, from "
                            f"{MIN_MINUTES} to {MAX_MINUTES} (8 hours).")
    return value


def clean_content(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of a version, tidied; every problem at once, so a form shows them all."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in CONTENT_FIELDS:
        try:
            if name == "title":
                cleaned[name] = _clean_title(fields.get(name))
            elif name == "length_minutes":
                cleaned[name] = _clean_minutes(fields.get(name))
            else:
                cleaned[name] = _clean_text(name, fields.get(name))
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(first if len(errors) == 1 else "Some details need fixing.", errors)
    return cleaned


def _slug_base(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return base[:SLUG_MAX - 6].strip("-") or "plan"


def _free_slug(title: str) -> str:
    """A slug from the title that no plan has and no shipped plan will want."""
    base = _slug_base(title)
    taken = set(db.session.scalars(
        select(LessonPlan.slug).where(LessonPlan.slug.startswith(base, autoescape=True))))
    taken |= set(shipped_slugs())
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


# --- changing ---------------------------------------------------------------------------


def create_plan(actor: User | None, topic: Topic | str, *, slug: str | None = None,
                **fields: Any) -> LessonPlan:
    """Add a plan with its first version. slug is for shipped plans; others get one."""
    if actor is not None:  # None is the command line, which is trusted
        require_staff(actor, STAFF_ONLY)
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown lesson plan fields: {', '.join(sorted(unknown))}")
    topic = _topic(topic)
    content = clean_content(fields)
    if slug is None:
        slug = _free_slug(content["title"])
    elif not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        raise Invalid.field("slug", "Use lower-case letters, digits and single dashes.")
    elif db.session.scalar(select(LessonPlan.id).where(LessonPlan.slug == slug)) is not None:
        raise Conflict(f"There is already a lesson plan called {slug}.")
    plan = LessonPlan(slug=slug, topic=topic, version=1)
    plan.versions.append(LessonPlanVersion(number=1, created_by=actor, **content))
    db.session.add(plan)
    flush_or_conflict("Someone added a plan with this title at the same moment. "
                      "Try again.")
    record(actor, "lesson.created", "lesson_plan", plan.id, None, slug=slug,
           topic=topic.value, version=1)
    return plan


def stale_message(plan: LessonPlan, started_from: int, actor: User | None = None) -> str:
    """Why a save from an older version was refused: who saved since, and when."""
    current = plan.current
    when = (f"(version {current.number}, {local_time(current.created_at)}; you started "
            f"from version {started_from})")
    if actor is not None and current.created_by_id == actor.id:
        return (f"You saved a newer version of this plan in another window or tab {when}. "
                "Nothing you typed here is saved yet.")
    who = current.created_by.display_name if current.created_by else "Someone"
    return (f"{who} saved a newer version of this plan while you were editing it {when}. "
            "Nothing you typed is saved yet.")


def update_plan(actor: User | None, plan: LessonPlan, *, expected_version: int,
                topic: Topic | str | None = None, **changes: Any) -> LessonPlan:
    """Save an edit as a new version. Fields not given (or None) keep their current value.

    expected_version is the version the editor started from: if someone saved since,
    this raises Conflict and changes nothing, so nobody's work is silently overwritten.
    A save that changes nothing adds no version.
    """
    if actor is not None:  # None is the command line, which is trusted
        require_staff(actor, STAFF_ONLY)
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown lesson plan fields: {', '.join(sorted(unknown))}")
    if expected_version != plan.version:
        raise Conflict(stale_message(plan, expected_version, actor),
                       {"current_version": [str(plan.version)]})
    current = plan.current
    fields = {name: getattr(current, name) for name in CONTENT_FIELDS}
    fields |= {name: value for name, value in changes.items() if value is not None}
    content = clean_content(fields)
    new_topic = _topic(topic) if topic is not None else plan.topic
    changed = [name for name in CONTENT_FIELDS if content[name] != getattr(current, name)]
    if new_topic is not plan.topic:
        changed.insert(0, "topic")
    if not changed:
        return plan

    number = expected_version + 1
    # Compare and set in the database: of two saves from the same version, whichever
    # comes second finds the number moved on (PostgreSQL re-reads the row after waiting
    # for the first one's lock) and updates nothing.
    moved = cast(CursorResult, db.session.execute(
        update(LessonPlan)
        .where(LessonPlan.id == plan.id, LessonPlan.version == expected_version)
        .values(version=number, topic=new_topic)
        .execution_options(synchronize_session=False)
    ))
    if moved.rowcount != 1:
        db.session.expire(plan)  # read the newer version, to say who saved it
        raise Conflict(stale_message(plan, expected_version, actor),
                       {"current_version": [str(plan.version)]})
    db.session.refresh(plan, ["version", "topic"])
    plan.versions.append(LessonPlanVersion(number=number, created_by=actor, **content))
    flush_or_conflict("Someone saved this plan at the same moment. Look at it again, "
                      "then try once more.")
    record(actor, "lesson.updated", "lesson_plan", plan.id, None, version=number,
           fields=changed)
    return plan


# --- shipped plans ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShippedPlan:
    slug: str
    topic: str
    fields: dict[str, Any]


def shipped_plans(directory: Path = CONTENT_DIR) -> list[ShippedPlan]:
    """The plans that come with the app: one TOML file each, named after its slug."""
    plans = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as file:
            data = tomllib.load(file)
        topic = data.pop("topic")
        plans.append(ShippedPlan(slug=path.stem, topic=topic, fields=data))
    return plans


def shipped_slugs(directory: Path = CONTENT_DIR) -> list[str]:
    return [path.stem for path in sorted(directory.glob("*.toml"))]


@dataclass(frozen=True)
class LoadResult:
    slug: str
    title: str
    outcome: str  # "added", "already there" or "kept edits"


def load_shipped(directory: Path = CONTENT_DIR) -> list[LoadResult]:
    """Add the shipped plans that are missing, found by slug. Safe to run again.

    A plan that is already there is left alone, above all one workers have edited:
    their version is the one they teach from.
    """
    results = []
    for shipped in shipped_plans(directory):
        plan = db.session.scalar(select(LessonPlan).where(LessonPlan.slug == shipped.slug))
        if plan is None:
            plan = create_plan(None, shipped.topic, slug=shipped.slug, **shipped.fields)
            outcome = "added"
        else:
            outcome = "kept edits" if plan.version > 1 else "already there"
        results.append(LoadResult(shipped.slug, plan.current.title, outcome))
    return results
