"""Pages for talking about photos: a participant's answers, the session slideshow, the
site's questions, tagging photos with themes and the theme board."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workshop.discussion import forms, services
from workshop.extensions import db
from workshop.photos import services as photos
from workshop.photos.owner import CAPTION_OPEN
from workshop.programme import services as programme
from workshop.web import FORM_ERRORS, form_failed, staff_required

bp = Blueprint("discussion", __name__)


def _reflection_page(photo, form=None, status: int = 200):
    questions = services.questions(photo.site_id)
    reflection = services.reflection_of(photo)
    if form is None:
        form = forms.ReflectionForm(obj=reflection)
        for field, answer in zip(form.answers(), reflection.answers if reflection else [],
                                 strict=False):
            field.data = answer
    form.label_questions(questions)
    return render_template(
        "discussion/reflect.html", photo=photo, form=form, reflection=reflection,
        questions=questions, mine=photo.owner_id == current_user.id,
        caption_open=photo.state in CAPTION_OPEN,
        themes=services.themes_of(photo) if current_user.is_staff else []), status


@bp.get("/photos/<id:photo_id>/reflect")
@login_required
def reflect(photo_id: int):
    return _reflection_page(photos.get_photo(current_user, photo_id))


@bp.post("/photos/<id:photo_id>/reflect")
@login_required
def save_reflection(photo_id: int):
    photo = photos.get_photo(current_user, photo_id)
    form = forms.ReflectionForm()
    if not form.validate_on_submit():
        return _reflection_page(photo, form, 422)
    try:
        services.save_reflection(
            current_user, photo, answers=[f.data for f in form.answers()],
            title=form.title.data, shared_with_group=form.shared_with_group.data,
            name_shown=form.name_shown.data, answers_shared=form.answers_shared.data)
    except FORM_ERRORS as exc:
        return _reflection_page(photo, form, form_failed(form, exc))
    flash("Saved." + (" Your group will see it in the session."
                      if form.shared_with_group.data else ""), "success")
    return redirect(url_for("discussion.reflect", photo_id=photo.id))


@bp.post("/photos/<id:photo_id>/caption-from")
@login_required
def caption_from(photo_id: int):
    photo = photos.get_photo(current_user, photo_id)
    try:
        services.caption_from_answer(current_user, photo,
                                     request.form.get("answer", 0, type=int))
    except FORM_ERRORS as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _reflection_page(photo, status=exc.status)
    flash("That answer is your caption now.", "success")
    return redirect(url_for("discussion.reflect", photo_id=photo.id))


# --- workers: the questions, the slideshow, themes --------------------------------------


@bp.route("/discussion/questions", methods=["GET", "POST"])
@staff_required
def questions():
    form = forms.QuestionsForm()
    site_id = current_user.site_id
    if site_id is None:
        flash("Questions are kept per site: a worker of the site can change them.", "info")
        return redirect(url_for("discussion.board"))
    status = 200
    if form.validate_on_submit():
        try:
            services.set_questions(current_user, site_id, [f.data for f in form.questions()])
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash("The questions are saved.", "success")
            return redirect(url_for("discussion.questions"))
    elif request.method == "POST":
        status = 422
    else:
        for field, wording in zip(form.questions(), services.questions(site_id), strict=True):
            field.data = wording
    return render_template("discussion/questions.html", form=form), status


@bp.get("/sessions/<id:session_id>/slideshow")
@staff_required
def slideshow(session_id: int):
    return _slideshow_page(session_id)


def _slideshow_page(session_id: int) -> str:
    session = programme.get_session(current_user, session_id)
    slides = services.slides(current_user, session)
    return render_template(
        "discussion/slideshow.html", session=session, slides=slides,
        questions=services.questions(session.site_id),
        themes_by_photo=services.themes_by_photo(s.photo for s in slides))


@bp.post("/photos/<id:photo_id>/themes")
@staff_required
def tag(photo_id: int):
    photo = photos.get_photo(current_user, photo_id)
    form = forms.ThemeForm()
    if not form.validate_on_submit():
        return _again(photo.id, " ".join(form.name.errors) or "Please try again.", 422)
    try:
        theme = services.tag(current_user, photo, form.name.data)
    except FORM_ERRORS as exc:
        db.session.rollback()
        return _again(photo.id, exc.message, exc.status)
    flash(f"Tagged: {theme.name}.", "success")
    return redirect(_back(photo.id))


@bp.post("/photos/<id:photo_id>/themes/<id:theme_id>/remove")
@staff_required
def untag(photo_id: int, theme_id: int):
    photo = photos.get_photo(current_user, photo_id)
    theme = services.get_theme(current_user, theme_id)
    services.untag(current_user, photo, theme)
    flash(f"No longer tagged {theme.name}.", "success")
    return redirect(_back(photo.id))


def _back(photo_id: int) -> str:
    """Where the worker tagged from: the slide they were on, or the photo's answers."""
    session_id = request.form.get("session_id", type=int)
    if session_id:
        return url_for("discussion.slideshow", session_id=session_id,
                       _anchor=f"photo-{photo_id}")
    return url_for("discussion.reflect", photo_id=photo_id)


def _again(photo_id: int, message: str, status: int):
    """The page they came from again, saying what was wrong, with the error's status."""
    flash(message, "error")
    session_id = request.form.get("session_id", type=int)
    if session_id:
        return _slideshow_page(session_id), status
    return _reflection_page(photos.get_photo(current_user, photo_id), status=status)


@bp.get("/themes")
@staff_required
def board():
    return _board_page()


def _board_page() -> str:
    return render_template("discussion/board.html", board=services.board(current_user))


@bp.post("/themes/<id:theme_id>/rename")
@staff_required
def rename(theme_id: int):
    theme = services.get_theme(current_user, theme_id)
    form = forms.ThemeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.name.errors) or "Please try again.", "error")
        return _board_page(), 422
    old = theme.name
    try:
        services.rename(current_user, theme, form.name.data)
    except FORM_ERRORS as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _board_page(), exc.status
    flash(f"{old} is now called {theme.name}.", "success")
    return redirect(url_for("discussion.board"))
