"""Pages for photos: sending them, the feedback on each, the files, and progress over time."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from workshop.auth import services as auth
from workshop.auth.models import Role, User
from workshop.errors import DomainError, Invalid, NotFound
from workshop.extensions import db
from workshop.forms import optional_int
from workshop.lessons.models import LessonPlan
from workshop.paging import page_of
from workshop.photos import consent, forms, lists, owner, services
from workshop.photos import moderation as moderating
from workshop.photos.api import refused_upload
from workshop.photos.models import ConsentPurpose, NoteTopic, Photo
from workshop.photos.storage import send_stored, storage
from workshop.programme import services as programme
from workshop.programme.models import Session
from workshop.signals import photo_shown
from workshop.stock import services as stock
from workshop.stock.models import Booking
from workshop.templating import local_time
from workshop.web import (
    FORM_ERRORS,
    form_failed,
    initial_values,
    redirect_to_show_once,
    staff_required,
    take_shown_once,
)

bp = Blueprint("photos", __name__, url_prefix="/photos")

# Shown in this order; distance and faces only when there is something to say. Faces are
# found by the faces feature, which adds its check at upload (signals.photo_stored).
CHECK_ORDER = ("steadiness", "light", "distance", "resolution", "faces")
CHECK_TITLES = {"steadiness": "Keeping still", "light": "Light", "distance": "Distance",
                "resolution": "Size", "faces": "People"}
NOTHING_TO_SAY = {"distance": "unknown", "faces": "none"}
# Each verdict as the participant should feel it: a small photo is fine, not a failure, and
# a photo the steadiness check could not judge is neither praised nor told off.
# Faces found are not a fault: they ask for the people's agreement.
TONES = {"ok": "good", "low": "info", "unknown": "info", "unsure": "info", "found": "info"}
# The same three tones in one word, for every page that sums up the checks.
TONE_WORDS = {"good": "good", "info": "not sure", "try": "try again"}
# A file refused one by one; anything else wrong ends the whole request.
PER_FILE_ERRORS = (services.TooLarge, services.NotAPhoto, services.AlreadyUploaded)
# What a link to the upload page may fill in, for a worker sending someone's photos.
PREFILLED = ("participant_id", "session_id", "booking_id")


def lesson_links() -> dict[str, tuple[str, str]]:
    """Topic -> (title, address of the participants' one-page handout) of the first plan."""
    links: dict[str, tuple[str, str]] = {}
    for plan in db.session.scalars(select(LessonPlan).order_by(LessonPlan.id)):
        if plan.topic.value not in links:
            links[plan.topic.value] = (plan.current.title,
                                       url_for("lessons.handout", lesson_id=plan.id))
    return links


def tone(photo: Photo, name: str) -> str:
    """good, info or try: how one check of a photo reads."""
    return TONES.get(photo.verdict(name) or "", "try")


def feedback(photo: Photo, links: dict[str, tuple[str, str]]) -> list[dict]:
    """The checks as lines a participant reads: what went well, what to try next."""
    lines = []
    for name in CHECK_ORDER:
        check = photo.checks.get(name)
        if not check or check.get("verdict") == NOTHING_TO_SAY.get(name):
            continue
        lesson = links.get(check.get("lesson") or "")
        lines.append({
            "check": name,
            "title": CHECK_TITLES[name],
            "verdict": check.get("verdict"),
            "good": check.get("verdict") == "ok",
            "tone": tone(photo, name),
            "message": check.get("message", ""),
            "lesson_title": lesson[0] if lesson else None,
            "lesson_url": lesson[1] if lesson else None,
        })
    return lines


def photo_json(photo: Photo, links: dict[str, tuple[str, str]]) -> dict:
    return {
        "ok": True,
        "id": photo.id,
        "state": photo.state.value,
        "url": url_for("photos.photo", photo_id=photo.id),
        "thumb_url": url_for("photos.photo_file", photo_id=photo.id, kind="thumb"),
        "caption": photo.caption,
        "checks": photo.checks,
        "feedback": feedback(photo, links),
    }


PURPOSE_TITLES = {"gallery": "the public gallery", "flickr": "the Flickr group",
                  "exhibition": "exhibitions"}


@bp.context_processor
def photo_template_helpers() -> dict:
    return {"feedback": feedback, "note_topics": list(NoteTopic),
            "check_titles": CHECK_TITLES, "purpose_titles": PURPOSE_TITLES,
            "tone": tone, "tone_words": TONE_WORDS,
            "consent_choices": [(p.value, consent.current_wording(p)[1])
                                for p in ConsentPurpose],
            "consents_in_force": consent.consents_in_force}


# --- lists ------------------------------------------------------------------------------


@bp.get("")
@login_required
def index():
    if current_user.is_staff:
        return _staff_index()
    photos = db.session.scalars(services.visible_photos(current_user).limit(200)).all()
    return render_template("photos/index.html", photos=photos, participant=None)


def _id_arg(name: str, unclear: list[str], what: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return optional_int(raw)
    except ValueError:
        unclear.append(f"We could not tell which {what} you meant, so photos of every "
                       f"{what} are shown.")
        return None


def _staff_index():
    """Workers' list: filtered by person, session and state (each optional, in the
    address so a filtered list can be bookmarked); a value that makes no sense is left
    out with a note, one of another site answers 404 as its own page would."""
    unclear: list[str] = []
    query = services.visible_photos(current_user)
    participant = session = None
    if (participant_id := _id_arg("participant_id", unclear, "person")) is not None:
        # A deactivated person's photos are still theirs to look through.
        participant = auth.get_user(current_user, participant_id)
        if participant.role is not Role.PARTICIPANT:
            abort(404)
        query = query.where(Photo.owner_id == participant.id)
    if (session_id := _id_arg("session_id", unclear, "session")) is not None:
        session = programme.get_session(current_user, session_id)
        query = query.where(Photo.session_id == session.id)
    state = request.args.get("state") or None
    if state is not None and state not in lists.FILTERS:
        unclear.append("We did not recognise that state, so photos in every state are "
                       "shown.")
        state = None
    if state is not None:
        query = query.where(lists.state_filter(state))
    photos = db.session.scalars(query.limit(200)).all()
    people = db.session.scalars(auth.visible_users(current_user).where(
        User.role == Role.PARTICIPANT).order_by(None).order_by(User.display_name)).all()
    sessions = db.session.scalars(programme.visible_sessions(current_user).order_by(None)
                                  .order_by(Session.starts_at.desc()).limit(50)).all()
    return render_template("photos/index.html", photos=photos, participant=participant,
                           session=session, state=state, unclear=unclear, people=people,
                           sessions=sessions, state_filters=lists.FILTERS,
                           state_words=lists.state_words)


def _participant_or_404(participant_id: int) -> User:
    try:
        return services.get_participant(current_user, participant_id)
    except DomainError:
        abort(404)


# --- sending ----------------------------------------------------------------------------


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _fill_choices(form: forms.UploadForm) -> None:
    if not current_user.is_staff:
        return
    people = db.session.scalars(
        select(User).where(User.role == Role.PARTICIPANT, User.active.is_(True),
                           *(() if current_user.is_admin else
                             (User.site_id == current_user.site_id,)))
        .order_by(User.display_name)).all()
    form.participant_id.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(p.id, p.display_name) for p in people]
    sessions = db.session.scalars(
        programme.visible_sessions(current_user).order_by(None)
        .order_by(Session.starts_at.desc()).limit(30)).all()
    form.session_id.choices = [SelectChoice("", "No session")] + [
        SelectChoice(s.id, f"{s.title}, {local_time(s.starts_at, '%a %-d %b')}")
        for s in sessions]
    loans = db.session.scalars(
        stock.visible_bookings(current_user).where(Booking.participant_id.is_not(None))
        .order_by(None).order_by(Booking.starts_at.desc()).limit(50)).all()
    form.booking_id.choices = [SelectChoice("", "No loan")] + [
        SelectChoice(b.id, f"{b.camera.asset_tag} to {b.participant.display_name}, "
                           f"{local_time(b.starts_at, '%-d %b')}")
        for b in loans if b.participant is not None]


def _refuse(message: str, form: forms.UploadForm):
    if _wants_json():
        return refused_upload(Invalid.field(form.photos.name, message))
    form.photos.errors = [message]
    return render_template("photos/upload.html", form=form), 422


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    # The page sends one photo a request: refuse a too-big one before reading any of it.
    if (request.method == "POST" and _wants_json() and request.content_length
            and request.content_length > max_bytes + 1024 * 1024):
        return refused_upload(services.TooLarge(services.too_large_message(max_bytes)))
    # Links from elsewhere (a developed film, a hand-back) fill in whose photos and what
    # they belong to; an id that is not in the lists just leaves its choice empty.
    form = forms.UploadForm(**initial_values(**{
        name: request.args.get(name, type=int) for name in PREFILLED}))
    _fill_choices(form)
    if not form.validate_on_submit():
        if request.method == "POST":
            return _refuse("Please check the details and try again.", form)
        return render_template("photos/upload.html", form=form,
                               max_bytes=max_bytes, max_files=current_app.config[
                                   "PHOTO_MAX_FILES"])
    files = [f for f in request.files.getlist(form.photos.name) if f.filename]
    if not files:
        return _refuse("Choose at least one photo.", form)
    if len(files) > current_app.config["PHOTO_MAX_FILES"]:
        return _refuse(f"Send up to {current_app.config['PHOTO_MAX_FILES']} photos at a "
                       "time.", form)
    try:
        target = services.upload_target(current_user, form.participant_id.data,
                                        form.session_id.data, form.booking_id.data)
    except (Invalid, NotFound) as exc:
        if _wants_json():
            return refused_upload(exc)
        return render_template("photos/upload.html", form=form), form_failed(form, exc)
    links = lesson_links()
    results = []
    for file in files:
        try:
            photo = services.upload(current_user, target, file.stream, form.caption.data)
            results.append({"name": file.filename, **photo_json(photo, links)})
        except PER_FILE_ERRORS as exc:
            if _wants_json() and len(files) == 1:
                return refused_upload(exc)
            existing = getattr(exc, "photo", None)
            results.append({
                "ok": False, "name": file.filename, "error": exc.message, "status": exc.status,
                "url": url_for("photos.photo", photo_id=existing.id) if existing else None,
            })
    stored = [r for r in results if r["ok"]]
    status = 201 if stored else results[0]["status"]
    if _wants_json():
        return jsonify(results[0] if len(results) == 1 else {"results": results}), status
    if not stored:
        return render_template("photos/uploaded.html", results=results), status
    # Ids, not the results: a session cookie holds 4 kB, and the page reads them afresh.
    sent = [{"id": r["id"], "name": r["name"]} if r["ok"] else
            {key: r[key] for key in ("name", "error", "url")} for r in results]
    return redirect_to_show_once("upload", {"sent": sent}, "photos.uploaded")


@bp.get("/upload/sent")
@login_required
def uploaded():
    made = take_shown_once("upload")
    if made is None:
        return redirect(url_for("photos.index"))
    links = lesson_links()
    results = [{"name": item["name"], **photo_json(services.get_photo(current_user,
                                                                      item["id"]), links)}
               if "id" in item else {"ok": False, **item} for item in made["sent"]]
    return render_template("photos/uploaded.html", results=results)


# --- one photo --------------------------------------------------------------------------


def _photo_page(found: Photo, status: int = 200, **forms_given):
    """The photo page with every form that applies to this person, some sent back filled."""
    staff = current_user.is_staff
    page_forms = {
        "form": forms.NoteForm() if staff else None,
        "submit_form": None if staff else forms.SubmitForm(
            caption=found.caption, theme=found.theme.value if found.theme else ""),
        "approve_form": forms.ApproveForm(seen_version=found.version) if staff else None,
        "reject_form": forms.RejectForm() if staff else None,
        "caption_form": None if staff else forms.CaptionForm(caption=found.caption),
    }
    page_forms.update(forms_given)
    if page_forms["submit_form"] is not None:
        page_forms["submit_form"].credit.choices[0] = SelectChoice(
            "display_name", f"My name here: {current_user.display_name}")
    overlays = [drawn for _, drawn in photo_shown.send(found, viewer=current_user) if drawn]
    return render_template("photos/photo.html", photo=found, links=lesson_links(),
                           checklist=moderating.CHECKLIST, overlays=overlays,
                           **page_forms), status


@bp.get("/<id:photo_id>")
@login_required
def photo(photo_id: int):
    return _photo_page(services.get_photo(current_user, photo_id))


@bp.post("/<id:photo_id>/notes")
@staff_required
def add_note(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    form = forms.NoteForm()
    if form.validate_on_submit():
        try:
            services.add_note(current_user, found, request.form.get("topic", ""),
                              form.comment.data)
        except Invalid as exc:
            return _photo_page(found, form_failed(form, exc), form=form)
        flash(f"Note added for {found.owner.display_name}.", "success")
        return redirect(url_for("photos.photo", photo_id=found.id, _anchor="notes"))
    return _photo_page(found, 422, form=form)


# --- moderation -------------------------------------------------------------------------


@bp.post("/<id:photo_id>/submit")
@login_required
def submit(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    form = forms.SubmitForm()
    if form.validate_on_submit():
        try:
            moderating.submit(current_user, found, form.caption.data, form.credit.data,
                              form.theme.data or None)
        except FORM_ERRORS as exc:
            return _photo_page(found, form_failed(form, exc), submit_form=form)
        flash("Sent. A worker will look at it soon; you will see their answer here.",
              "success")
        return redirect(url_for("photos.photo", photo_id=found.id, _anchor="share"))
    return _photo_page(found, 422, submit_form=form)


@bp.post("/<id:photo_id>/caption")
@login_required
def change_caption(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    form = forms.CaptionForm()
    if form.validate_on_submit():
        try:
            owner.change_caption(current_user, found, form.caption.data)
        # A Conflict (a worker has decided) becomes a page of its own: the form is gone.
        except Invalid as exc:
            return _photo_page(found, form_failed(form, exc), caption_form=form)
        flash("The new caption is saved.", "success")
        return redirect(url_for("photos.photo", photo_id=found.id, _anchor="share"))
    return _photo_page(found, 422, caption_form=form)


@bp.post("/<id:photo_id>/take-back")
@login_required
def take_back(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    owner.take_back(current_user, found)
    flash("Taken back. Only you and the workers here can see it now.", "success")
    return redirect(url_for("photos.photo", photo_id=found.id, _anchor="share"))


@bp.post("/<id:photo_id>/approve")
@staff_required
def approve(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    form = forms.ApproveForm()
    if form.validate_on_submit():
        ticked = {key: bool(getattr(form, key).data) for key in moderating.CHECKLIST}
        try:
            moderating.approve(current_user, found, ticked,
                               expected_version=form.seen_version.data)
        except FORM_ERRORS as exc:
            return _photo_page(found, form_failed(form, exc), approve_form=form)
        flash("Approved. It can now be shared where its owner said yes.", "success")
        return redirect(url_for("photos.moderation"))
    return _photo_page(found, 422, approve_form=form)


@bp.post("/<id:photo_id>/reject")
@staff_required
def reject(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    form = forms.RejectForm()
    if form.validate_on_submit():
        try:
            moderating.reject(current_user, found, form.reason.data)
        except FORM_ERRORS as exc:
            return _photo_page(found, form_failed(form, exc), reject_form=form)
        flash("Sent back with your reason.", "success")
        return redirect(url_for("photos.moderation"))
    return _photo_page(found, 422, reject_form=form)


@bp.get("/moderation")
@staff_required
def moderation():
    page = page_of(moderating.moderation_queue(current_user))
    waiting = lists.moderation_order(current_user, page.items)
    reported = db.session.scalars(moderating.reported_photos(current_user).limit(200)).all()
    return render_template("photos/moderation.html", photos=waiting, page=page,
                           reported=reported, uploaded_by=lists.uploaded_by)


@bp.post("/<id:photo_id>/review")
@staff_required
def review(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    keep = request.form.get("decision") == "keep"
    moderating.review_report(current_user, found, keep)
    flash("Back in the gallery." if keep else "Taken down; its owner sees a kind note.",
          "success")
    return redirect(url_for("photos.moderation"))


# --- consent ----------------------------------------------------------------------------


def _back_to(photo_id: int):
    target = request.form.get("back")
    if target == "consents":
        return redirect(url_for("photos.consents"))
    return redirect(url_for("photos.photo", photo_id=photo_id, _anchor="consent"))


@bp.post("/<id:photo_id>/consent")
@login_required
def give_consent(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    purpose = request.form.get("purpose", "")
    consent.give_consent(current_user, found, [purpose])
    flash(f"Thank you. This photo may now go to {PURPOSE_TITLES[purpose]} once a worker "
          "has checked it.", "success")
    return _back_to(found.id)


@bp.post("/<id:photo_id>/withdraw")
@login_required
def withdraw_consent(photo_id: int):
    found = services.get_photo(current_user, photo_id)
    purpose = request.form.get("purpose", "")
    consent.withdraw_consent(current_user, found, [purpose])
    flash(f"Done. This photo will not go to {PURPOSE_TITLES[purpose]}.", "success")
    return _back_to(found.id)


@bp.get("/consents")
@login_required
def consents():
    if current_user.is_staff:
        return redirect(url_for("photos.index"))
    return render_template("photos/consents.html",
                           consents=consent.consent_history(current_user))


@bp.get("/<id:photo_id>/<any(thumb, large, original):kind>")
@login_required
def photo_file(photo_id: int, kind: str):
    found = services.get_photo(current_user, photo_id)
    store = storage()
    original = kind == "original"
    stored = (store.original_path(found.content_hash) if original
              else store.copy_path(found.content_hash, kind))
    response = send_stored(
        stored, found.mime_type if original else "image/jpeg",
        etag=f"{found.content_hash}-{kind}", as_attachment=original,
        download_name=f"photo-{found.id}-{kind}"
        + (f".{found.format.lower()}" if original else ".jpg"), max_age=None)
    # Checked on every view (a shared PC must not keep showing a private photo), but an
    # unchanged file is not sent again: the answer is 304 for the same ETag.
    response.headers["Cache-Control"] = "private, no-cache"
    if original:
        # The original is the participant's file as sent, appended bytes and all.
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- progress ---------------------------------------------------------------------------


@bp.get("/progress")
@login_required
def my_progress():
    if current_user.role is not Role.PARTICIPANT:
        return redirect(url_for("photos.index"))
    return _progress(current_user)


@bp.get("/progress/<id:participant_id>")
@staff_required
def progress(participant_id: int):
    return _progress(_participant_or_404(participant_id))


def _progress(participant: User):
    photos = services.participant_photos(current_user, participant)
    return render_template("photos/progress.html", participant=participant, photos=photos,
                           summary=services.progress(photos), chart=_chart(photos))


def _chart(photos: list[Photo]) -> dict:
    """Dots along a line per check, oldest photo on the left: filled when it went well."""
    # Each row's name sits above its line, so the dots have the whole width: on a phone
    # the chart is drawn at about 0.7 of this size, on a desktop at most 1.35 times.
    width, row, left = 480, 110, 30
    step = (width - 2 * left) / max(len(photos) - 1, 1)
    # As big as the spacing allows (many photos): at least 7 in this drawing's units.
    radius = max(7, min(18, round(step / 2 - 2)))
    rows = []
    for index, name in enumerate(("steadiness", "light")):
        y = 75 + index * row
        points = [{"x": round(left + i * step, 1), "y": y, "tone": tone(p, name),
                   "label": f"{local_time(p.created_at, '%-d %b')}: "
                            f"{p.checks.get(name, {}).get('verdict', '?')}"}
                  for i, p in enumerate(photos)]
        rows.append({"name": name, "title": CHECK_TITLES[name], "y": y, "points": points})
    return {"width": width, "height": 2 * row + 5, "left": left, "radius": radius,
            "rows": rows}
