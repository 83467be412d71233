"""What faces add to photos' pages (the boxes for workers, what is recorded for each face)
and the page where a decision for one face is recorded."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from workshop.auth.models import User
from workshop.faces import forms, services
from workshop.faces.models import AgreedHow, Face, FaceStatus
from workshop.photos import services as photos
from workshop.photos.models import Photo
from workshop.photos.storage import send_stored, storage
from workshop.signals import photo_shown
from workshop.web import FORM_ERRORS, form_failed

bp = Blueprint("faces", __name__, url_prefix="/photos")


@bp.app_template_global("face_recorded")
def recorded(face: Face) -> str:
    """What is recorded for a face, in a sentence."""
    decision = face.decision
    if decision is None:
        return "Nothing recorded yet."
    if decision.status is FaceStatus.BLUR:
        return "Blurred in public."
    if decision.status is FaceStatus.NOT_A_PERSON:
        return "Not a person."
    how = "signed a form" if decision.how is AgreedHow.WRITTEN else "said yes"
    where = " and ".join(services.purpose_words(p) for p in decision.purposes)
    return f"{decision.name} {how} on {decision.agreed_on:%-d %B %Y}, for {where}."


@photo_shown.connect
def _faces_shown(photo: Photo, *, viewer: User, **_: Any) -> dict | None:
    # Photo.faces is the backref faces.models adds, which photos' model does not declare.
    faces = photo.faces  # type: ignore[attr-defined]
    if not faces:
        return None
    unsettled = sum(f.status is FaceStatus.UNREVIEWED for f in faces)
    return {
        # The worker who moderates checks each face against what is recorded; the
        # participant reads the list below instead of boxes over their friends.
        "template": "faces/_boxes.html" if viewer.is_staff else None,
        "section": "faces/_section.html",
        "faces": faces,
        "where": services.where,
        "checklist": {"no_identifiable_people": (
            f"{len(faces)} found: " + (f"{unsettled} with nothing recorded yet."
                                       if unsettled else "each has a decision recorded."))},
    }


def _decision_page(photo: Photo, face: Face, form: forms.DecisionForm, status: int = 200):
    return render_template("faces/decide.html", photo=photo, face=face,
                           number=services.number(face), where=services.where(face),
                           form=form.for_viewer(current_user.is_staff),
                           withdraw_form=forms.WithdrawForm()), status


@bp.get("/<id:photo_id>/faces/<id:face_id>")
@login_required
def decide_form(photo_id: int, face_id: int):
    photo = photos.get_photo(current_user, photo_id)
    face = services.get_face(photo, face_id)
    return _decision_page(photo, face, forms.DecisionForm(status=FaceStatus.CONSENTED.value))


@bp.post("/<id:photo_id>/faces/<id:face_id>")
@login_required
def decide(photo_id: int, face_id: int):
    photo = photos.get_photo(current_user, photo_id)
    face = services.get_face(photo, face_id)
    form = forms.DecisionForm()
    if form.validate_on_submit():
        try:
            scan = form.scan.data
            services.decide(current_user, face, form.status.data or "", form.purposes.data or [],
                            form.name.data, form.how.data, form.agreed_on.data,
                            scan.stream if scan and scan.filename else None)
        except FORM_ERRORS as exc:
            return _decision_page(photo, face, form, form_failed(form, exc))
        flash(f"Saved for face {services.number(face)}: {recorded(face)}", "success")
        return redirect(url_for("photos.photo", photo_id=photo.id, _anchor="faces"))
    return _decision_page(photo, face, form, 422)


@bp.post("/<id:photo_id>/faces/<id:face_id>/withdraw")
@login_required
def withdraw(photo_id: int, face_id: int):
    photo = photos.get_photo(current_user, photo_id)
    face = services.get_face(photo, face_id)
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, face)
        except FORM_ERRORS as exc:
            flash(exc.message, "error")
        else:
            flash(f"Taken back. Face {services.number(face)} is blurred in public from now on.",
                  "success")
    return redirect(url_for("photos.photo", photo_id=photo.id, _anchor="faces"))


@bp.get("/<id:photo_id>/faces/<id:face_id>/form")
@login_required
def signed_form(photo_id: int, face_id: int):
    """The signed form of the yes in force, for the photo's owner and the site's workers."""
    face = services.get_face(photos.get_photo(current_user, photo_id), face_id)
    decision = face.decision
    if decision is None or decision.form_hash is None or decision.form_type is None:
        abort(404)
    extension = services.FORM_EXTENSIONS[decision.form_type]
    return send_stored(storage().original_path(decision.form_hash), decision.form_type,
                       etag=decision.form_hash, as_attachment=True,
                       download_name=f"face-{services.number(face)}-form.{extension}",
                       max_age=None)
