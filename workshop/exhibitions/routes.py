"""Pages for exhibitions: the workers' list and plan, the choice of photos, sending to
print and the PDFs; the public page and the full-screen slideshow for the event."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from workshop.db import get_row
from workshop.errors import Conflict, DomainError
from workshop.exhibitions import forms, services
from workshop.exhibitions.models import Exhibition
from workshop.exhibitions.pdf import display_copy, pdf_response
from workshop.extensions import db
from workshop.web import (
    FORM_ERRORS,
    PUBLIC_COPY_CACHE,
    form_failed,
    revalidate_for_visitors,
    staff_required,
)

bp = Blueprint("exhibitions", __name__, url_prefix="/exhibitions")


@bp.context_processor
def exhibition_template_helpers() -> dict:
    return {"credit_of": services.credit_of,
            "print_sizes": forms.PRINT_SIZE_TITLES}


@bp.route("", methods=["GET", "POST"])
@staff_required
def index():
    form = forms.ExhibitionForm()
    status = 200
    if form.validate_on_submit():
        try:
            exhibition = services.create_exhibition(
                current_user, title=form.title.data, place=form.place.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                print_size=form.print_size.data)
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash("Exhibition planned. Now choose its photos.", "success")
            return redirect(url_for("exhibitions.exhibition", exhibition_id=exhibition.id))
    elif request.method == "POST":
        status = 422
    exhibitions = db.session.scalars(services.visible_exhibitions(current_user)).all()
    return render_template("exhibitions/index.html", form=form,
                           exhibitions=exhibitions), status


def _page(exhibition: Exhibition, status: int = 200):
    chosen = {entry.photo_id: entry.position for entry in exhibition.entries}
    # on_show first: it loads the entries' photos together, which too_small then reads.
    on_show = {entry.id for entry in services.on_show(exhibition)}
    return render_template(
        "exhibitions/exhibition.html", exhibition=exhibition, chosen=chosen,
        candidates=[] if exhibition.printed else services.candidates(current_user, exhibition),
        too_small={entry.id for entry in services.too_small(exhibition)},
        on_show=on_show, print_cm=services.print_cm,
        titles=services.titles_of(entry.photo for entry in exhibition.entries)), status


def _refused(exhibition_id: int, exc: DomainError):
    """The plan again with the reason, nothing of the refused change kept. (Fetched again
    after the rollback rather than reusing the loaded one, whose list the refused change
    may have altered in memory.)"""
    db.session.rollback()
    flash(exc.message, "error")
    return _page(services.get_exhibition(current_user, exhibition_id), exc.status)


@bp.get("/<id:exhibition_id>")
@staff_required
def exhibition(exhibition_id: int):
    return _page(services.get_exhibition(current_user, exhibition_id))


@bp.post("/<id:exhibition_id>/photos")
@staff_required
def set_photos(exhibition_id: int):
    found = services.get_exhibition(current_user, exhibition_id)
    # Ticked photos, in the order of the numbers typed beside them (unnumbered ones last).
    ticked = request.form.getlist("photo_ids", type=int)

    def place(photo_id: int) -> tuple[int, int]:
        number = request.form.get(f"position_{photo_id}", type=int)
        return (number if number is not None else 10**6, ticked.index(photo_id))

    try:
        services.set_photos(current_user, found, sorted(ticked, key=place))
    except FORM_ERRORS as exc:
        return _refused(exhibition_id, exc)
    flash("The photos are saved, in this order.", "success")
    return redirect(url_for("exhibitions.exhibition", exhibition_id=found.id))


@bp.post("/<id:exhibition_id>/print")
@staff_required
def send_to_print(exhibition_id: int):
    found = services.get_exhibition(current_user, exhibition_id)
    try:
        services.send_to_print(current_user, found)
    except Conflict as exc:
        return _refused(exhibition_id, exc)
    flash("Sent to print. The list of photos is fixed now.", "success")
    return redirect(url_for("exhibitions.exhibition", exhibition_id=found.id))


@bp.get("/<id:exhibition_id>/<any(prints, cards, catalogue):kind>.pdf")
@staff_required
def pdf(exhibition_id: int, kind: str):
    return pdf_response(services.get_exhibition(current_user, exhibition_id), kind)


# --- for the public, once it has been sent to print -------------------------------------


def _public(exhibition_id: int) -> Exhibition:
    # A plan still being made is nobody else's business.
    found = get_row(Exhibition, exhibition_id)
    if found is None or not found.printed:
        abort(404)
    return found


def _for_visitors(template: str, exhibition_id: int):
    found = _public(exhibition_id)
    entries = services.on_show(found)
    return revalidate_for_visitors(make_response(render_template(
        template, exhibition=found, entries=entries,
        titles=services.titles_of(entry.photo for entry in entries))))


@bp.get("/<id:exhibition_id>/show")
def public(exhibition_id: int):
    return _for_visitors("exhibitions/public.html", exhibition_id)


@bp.get("/<id:exhibition_id>/slideshow")
def slideshow(exhibition_id: int):
    return _for_visitors("exhibitions/slideshow.html", exhibition_id)


@bp.get("/<id:exhibition_id>/photos/<photo_uuid>.jpg")
def photo_file(exhibition_id: int, photo_uuid: str):
    found = _public(exhibition_id)
    photo = services.photo_on_show(found, photo_uuid)
    if photo is None:
        abort(404)
    # Made for each visitor (exhibitions keep no public copy yet): obscured like the prints,
    # so a face without a yes for the exhibition is never shown at the event.
    response = make_response(display_copy(photo))
    response.mimetype = "image/jpeg"
    # A picture must not outlive a withdrawal in any cache either: asked again first.
    response.headers["Cache-Control"] = PUBLIC_COPY_CACHE
    response.add_etag()
    return response.make_conditional(request)
