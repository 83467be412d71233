"""Pages for lesson plans: the library, a plan, its history, editing, print views."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workshop.errors import Conflict
from workshop.extensions import db
from workshop.lessons import forms, services
from workshop.lessons.forms import TOPIC_LABELS
from workshop.lessons.markdown import estimate_lines
from workshop.lessons.models import LessonPlan, LessonPlanVersion, Topic
from workshop.web import FORM_ERRORS, form_failed, staff_required

bp = Blueprint("lessons", __name__, url_prefix="/lessons")

# The plan's parts in reading order, with the headings the pages give them.
SECTIONS = [
    ("goals", "Learning goals"),
    ("materials", "What you need"),
    ("activities", "Step by step"),
    ("exercise", "Hands-on exercise"),
    ("discussion", "Talking about it"),
]


# Type sizes for the handout's one A4 page, largest first: (CSS class, characters to a
# line, lines that fit), measured by printing handouts of many lengths to A4 PDFs.
HANDOUT_SIZES = [("", 68, 41), ("compact", 82, 47)]


@bp.context_processor
def lesson_template_helpers() -> dict:
    return {"TOPIC_LABELS": TOPIC_LABELS, "SECTIONS": SECTIONS,
            "MARKDOWN_HINT": forms.MARKDOWN_HINT, "saved_by": saved_by}


def saved_by(plan: LessonPlan, version: LessonPlanVersion, start: bool = False) -> str:
    """Who wrote a version, in words: "saved by Jo", or "shipped with the app"."""
    if version.created_by is not None:
        words = f"saved by {version.created_by.display_name}"
    elif version.number == 1 and plan.slug in services.shipped_slugs():
        words = "shipped with the app"
    else:
        words = "saved by someone"  # whose account has since been removed
    # Only the first letter: a display name keeps its own capitals.
    return words[0].upper() + words[1:] if start else words


def _content(form: forms.LessonPlanForm) -> dict:
    return {name: getattr(form, name).data for name in services.CONTENT_FIELDS}


@bp.get("")
@login_required
def library():
    topic = request.args.get("topic") or None
    if topic is not None and topic not in {t.value for t in Topic}:
        abort(404)
    plans = services.library(current_user, topic)
    return render_template("lessons/library.html", plans=plans,
                           topic=Topic(topic) if topic else None)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = forms.LessonPlanForm()
    status = 200
    if form.validate_on_submit():
        try:
            plan = services.create_plan(current_user, form.topic.data, **_content(form))
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash("The lesson plan is saved.", "success")
            return redirect(url_for("lessons.plan", lesson_id=plan.id))
    elif form.errors:
        status = 422
    return render_template("lessons/edit.html", form=form, plan=None), status


@bp.get("/<id:lesson_id>")
@login_required
def plan(lesson_id: int):
    plan = services.get_plan(current_user, lesson_id)
    return render_template("lessons/plan.html", plan=plan, version=plan.current)


@bp.route("/<id:lesson_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(lesson_id: int):
    plan = services.get_plan(current_user, lesson_id)
    if request.method == "GET":
        current = plan.current
        form = forms.EditLessonPlanForm(
            data={name: getattr(current, name) for name in services.CONTENT_FIELDS}
            | {"topic": plan.topic.value, "version": plan.version})
    else:
        form = forms.EditLessonPlanForm()
    conflict, status = None, 200
    if form.validate_on_submit():
        started_from = form.version.data
        try:
            services.update_plan(current_user, plan, expected_version=started_from,
                                 topic=form.topic.data, **_content(form))
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
            if isinstance(exc, Conflict):
                conflict = _conflict(plan, form, started_from)
        else:
            flash("Your changes are saved." if plan.version != started_from
                  else "Nothing had changed, so there was nothing to save.", "success")
            return redirect(url_for("lessons.plan", lesson_id=plan.id))
    elif form.errors:
        status = 422
        # A hidden field has nowhere to show its complaint: it goes above the form.
        form.form_errors.extend(form.version.errors)
    return render_template("lessons/edit.html", form=form, plan=plan,
                           conflict=conflict), status


def _conflict(plan: LessonPlan, form: forms.EditLessonPlanForm, started_from: int) -> dict:
    """What changed since the worker opened the form, and a way forward.

    The form keeps what the worker typed. Its version moves on to the newest, so a
    second save (after reading what changed) saves their text as the next version.
    """
    db.session.expire(plan)
    current = plan.current
    # Compared with the version they started from: what the other person changed. A
    # made-up version number has nothing to compare with, so then it is their own text.
    base = next((v for v in plan.versions if v.number == started_from), None)
    differs = []
    if plan.topic.value != form.topic.data:
        differs.append(("topic", "Topic", TOPIC_LABELS[plan.topic]))
    for name, label in [("title", "Title"), ("length_minutes", "Length in minutes"),
                        ("summary", "Summary"), *SECTIONS, ("handout", "Handout")]:
        before = getattr(base, name) if base is not None else getattr(form, name).data
        if getattr(current, name) != before:
            differs.append((name, label, getattr(current, name)))
    form.version.data = plan.version
    form.version.raw_data = [str(plan.version)]
    return {"version": current, "differs": differs}


@bp.get("/<id:lesson_id>/history")
@staff_required
def history(lesson_id: int):
    plan = services.get_plan(current_user, lesson_id)
    return render_template("lessons/history.html", plan=plan,
                           versions=list(reversed(plan.versions)))


@bp.get("/<id:lesson_id>/versions/<id:number>")
@staff_required
def version(lesson_id: int, number: int):
    plan = services.get_plan(current_user, lesson_id)
    old = services.get_version(plan, number)
    return render_template("lessons/plan.html", plan=plan, version=old)


@bp.get("/<id:lesson_id>/print")
@login_required
def print_plan(lesson_id: int):
    plan = services.get_plan(current_user, lesson_id)
    return render_template("lessons/print_plan.html", plan=plan, version=plan.current)


@bp.get("/<id:lesson_id>/handout")
@login_required
def handout(lesson_id: int):
    plan = services.get_plan(current_user, lesson_id)
    size, fits = handout_size(plan.current.handout)
    return render_template("lessons/handout.html", plan=plan, version=plan.current,
                           size=size, fits=fits)


def handout_size(text: str) -> tuple[str, bool]:
    """The largest type that fits the handout on one page, and whether any size does."""
    for size, chars_per_line, lines in HANDOUT_SIZES:
        if estimate_lines(text, chars_per_line) <= lines:
            return size, True
    return HANDOUT_SIZES[-1][0], False
