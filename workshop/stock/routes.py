"""Pages for cameras and loans: stock, a camera's page, lending, returns, lists and labels."""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_, select
from wtforms import SelectChoice

from workshop.audit.models import AuditEvent
from workshop.auth import services as auth
from workshop.auth.models import Role, User
from workshop.db import MAX_ID, utcnow
from workshop.extensions import db
from workshop.paging import page_of
from workshop.stock import forms
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState, Camera, CameraKind, CameraStatus
from workshop.templating import local_time
from workshop.timezones import at_local, end_of_today, programme_zone, to_utc
from workshop.web import FORM_ERRORS, form_failed, initial_values, staff_required

bp = Blueprint("stock", __name__)

STATUS_LABELS = {
    CameraStatus.AVAILABLE: "Available",
    CameraStatus.IN_REPAIR: "In repair",
    CameraStatus.RETIRED: "Retired",
    CameraStatus.LOST: "Lost",
    # What became of the film is told by its loan: sent for developing, or developed.
    CameraStatus.USED: "Used up",
}
STATE_LABELS = {
    BookingState.RESERVED: "Booked",
    BookingState.OUT: "Out",
    BookingState.RETURNED: "Returned",
    BookingState.CANCELLED: "Cancelled",
    BookingState.WRITTEN_OFF: "Not returned (written off)",
    BookingState.SENT_FOR_DEVELOPING: "Sent for developing",
    BookingState.DEVELOPED: "Developed",
}
KIND_LABELS = {CameraKind.DIGITAL: "Digital", CameraKind.DISPOSABLE: "Disposable"}
# A used-up disposable's film is in one of these, on its last loan.
FILM_STATES = (BookingState.SENT_FOR_DEVELOPING, BookingState.DEVELOPED)

# Which buttons a booking offers in each state. The services decide for real; this only
# keeps the pages from offering what would be refused.
ACTION_STATES = {
    "hand_over": (BookingState.RESERVED,),
    "take_back": (BookingState.OUT,),
    "extend": (BookingState.OUT, BookingState.RESERVED),
    "cancel": (BookingState.RESERVED,),
    "write_off": (BookingState.OUT,),
    "send_for_developing": (BookingState.OUT,),
    "developed": (BookingState.SENT_FOR_DEVELOPING,),
}
ACTION_DOING = {
    "hand_over": "handed over",
    "take_back": "taken back",
    "extend": "extended",
    "cancel": "cancelled",
    "write_off": "written off",
    "send_for_developing": "sent for developing",
    "developed": "marked developed",
}

# name -> (heading, what the list holds, sort order); the names are services.list_filter's.
LISTS = {
    "out": ("Out now", "Cameras out with someone now.", (Booking.ends_at,)),
    "due_today": ("Due back today", "Out now, and due back before the end of today.",
                  (Booking.ends_at,)),
    "overdue": ("Overdue", "Out now, and past the time to bring them back.",
                (Booking.ends_at,)),
    "reserved": ("Booked ahead", "Booked, not handed over yet.", (Booking.starts_at,)),
    "all": ("All loans", "Every loan, newest first.",
            (Booking.starts_at.desc(), Booking.id.desc())),
}
# A hand-over "now" with less than this left of today is due back tomorrow by default.
SHORTEST_DEFAULT_LOAN = timedelta(hours=1)
DAY_ENDS_AT = 17  # the programme's usual closing hour, for suggested return times
DAY_STARTS_AT = 10
MAX_LABELS = 200


@bp.context_processor
def stock_template_helpers() -> dict:
    return {"STATUS_LABELS": STATUS_LABELS, "STATE_LABELS": STATE_LABELS,
            "KIND_LABELS": KIND_LABELS, "can": can, "LISTS": LISTS,
            "missing_items": stock.missing_items}


def can(booking: Booking, action: str) -> bool:
    if action == "send_for_developing" and booking.camera.kind is not CameraKind.DISPOSABLE:
        return False
    return booking.state in ACTION_STATES[action]


def _participant_choices(form, camera: Camera) -> None:
    people = stock.participant_choices(current_user, camera)
    form.participant_id.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(person.id, person.display_name) for person in people]


def _who(user: User | None) -> str:
    return user.display_name if user is not None else "someone"


def _to_camera(camera_id: int):
    return redirect(url_for("stock.camera", camera_id=camera_id))


def _not_lendable(camera: Camera):
    message = (f"{camera.asset_tag} is {STATUS_LABELS[camera.status].lower()}, "
               "so it cannot be lent.")
    return render_template("stock/not_now.html", camera=camera, message=message,
                           now=utcnow()), 409


def _not_now(booking: Booking, action: str, message: str | None = None):
    if message is None:
        if action == "send_for_developing" and booking.camera.kind is CameraKind.DIGITAL:
            message = "Only disposable cameras are sent for developing."
        else:
            state = booking.state.value.replace("_", " ")
            message = f"This booking is {state}, so it cannot be {ACTION_DOING[action]}."
    return render_template("stock/not_now.html", camera=booking.camera, booking=booking,
                           message=message, now=utcnow()), 409


# --- cameras ----------------------------------------------------------------------------


def _whereabouts(cameras: Sequence[Camera], now: datetime) -> tuple[dict, dict]:
    """Each camera's loan now and its next booking, in one query for the whole list."""
    if not cameras:
        return {}, {}
    active = stock.visible_bookings(current_user).where(
        Booking.camera_id.in_([c.id for c in cameras]),
        or_(Booking.state == BookingState.OUT,
            and_(Booking.state == BookingState.RESERVED, Booking.ends_at > now)),
    ).order_by(None).order_by(Booking.starts_at)
    out: dict[int, Booking] = {}
    upcoming: dict[int, Booking] = {}
    for booking in db.session.scalars(active):
        if booking.state is BookingState.OUT:
            out[booking.camera_id] = booking
        else:
            upcoming.setdefault(booking.camera_id, booking)
    return out, upcoming


def _film(bookings: Sequence[Booking]) -> Booking | None:
    """The loan that used up a disposable (newest first in `bookings`): where its film is."""
    return next((b for b in bookings if b.state in FILM_STATES), None)


@bp.get("/cameras")
@staff_required
def cameras():
    query = stock.visible_cameras(current_user)
    status = request.args.get("status") or None
    if status is not None:
        try:
            status = CameraStatus(status)
        except ValueError:
            abort(404)
        query = query.where(Camera.status == status)
    else:
        # A used-up disposable will never be lent again: it has its own list.
        query = query.where(Camera.status != CameraStatus.USED)
    page = page_of(query)
    found = page.items
    now = utcnow()
    out, upcoming = _whereabouts(found, now)
    films = {}
    if status is CameraStatus.USED and found:
        for booking in db.session.scalars(stock.visible_bookings(current_user).where(
                Booking.camera_id.in_([c.id for c in found]), Booking.state.in_(FILM_STATES))):
            films[booking.camera_id] = booking
    return render_template("stock/cameras.html", cameras=found, page=page, status=status,
                           out=out, upcoming=upcoming, now=now, films=films)


@bp.route("/cameras/new", methods=["GET", "POST"])
@staff_required
def new_camera():
    form = forms.CameraForm()
    if current_user.is_admin:
        sites = db.session.scalars(auth.visible_sites(current_user)).all()
        form.site_id.choices = [SelectChoice(s.id, s.name) for s in sites]
    status = 200
    if form.validate_on_submit():
        try:
            camera = stock.create_camera(
                current_user, form.site_id.data, form.asset_tag.data, form.kind.data,
                make=form.make.data or "", model=form.model.data or "",
                megapixels=form.megapixels.data, exposures=form.exposures.data,
                notes=form.notes.data or "")
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{camera.asset_tag} is added. Print its label, so a phone can open "
                  "this page.", "success")
            return _to_camera(camera.id)
    elif form.errors:
        status = 422
    return render_template("stock/camera_new.html", form=form), status


def _status_label(value: Any) -> str:
    try:
        return STATUS_LABELS[CameraStatus(value)]
    except ValueError:
        return str(value)


def _status_changes(camera: Camera) -> list[dict]:
    """When the camera came into stock and each change of its status, with who did it."""
    # Read from the audit trail, which records every status change with who made it.
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "camera", AuditEvent.target_id == camera.id,
        AuditEvent.action.in_(("camera.created", "camera.status_changed")),
    ).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    actors: dict[int | None, User] = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    changes = []
    for event in events:
        details = event.details or {}
        if event.action == "camera.created":
            what = "Added to the stock"
        else:
            what = f"{_status_label(details.get('old'))} → {_status_label(details.get('new'))}"
            if details.get("reason"):
                what += f" ({details['reason']})"
        changes.append({"at": event.at, "what": what, "by": _who(actors.get(event.actor_id))})
    return changes


def _next_action(camera: Camera, loan: Booking | None, upcoming: Booking | None,
                 history: Sequence[Booking], now: datetime) -> dict | None:
    """The one big button on a camera's page: what a worker holding it most likely wants."""
    if loan is not None:
        if camera.kind is CameraKind.DISPOSABLE:
            return {"key": "send",
                    "label": f"Got it back from {_who(loan.participant)}: send for developing",
                    "url": url_for("stock.send_for_developing", booking_id=loan.id)}
        return {"key": "take_back", "label": f"Take back from {_who(loan.participant)}",
                "url": url_for("stock.take_back", booking_id=loan.id)}
    if camera.status is CameraStatus.USED:
        film = _film(history)
        if film is None:
            return None
        if film.state is BookingState.SENT_FOR_DEVELOPING:
            return {"key": "developed", "label": "The photos are back: mark as developed",
                    "url": url_for("stock.developed", booking_id=film.id)}
        scans = upload_scans_url(film)
        if not scans:
            return None
        return {"key": "upload_scans", "label": f"Upload the scans for {_who(film.participant)}",
                "url": scans}
    if camera.status is not CameraStatus.AVAILABLE:
        return {"key": "status", "label": "Change its status",
                "url": url_for("stock.camera_status", camera_id=camera.id)}
    if upcoming is not None and upcoming.starts_at <= end_of_today(now):
        return {"key": "hand_over_booked", "label": f"Hand over to {_who(upcoming.participant)}",
                "url": url_for("stock.hand_over", booking_id=upcoming.id)}
    return {"key": "hand_over_now", "label": "Hand over now",
            "url": url_for("stock.hand_over_now", camera_id=camera.id)}


@bp.get("/cameras/<id:camera_id>")
@staff_required
def camera(camera_id: int):
    camera = stock.get_camera(current_user, camera_id)
    now = utcnow()
    history = db.session.scalars(
        stock.visible_bookings(current_user, camera_id=camera.id)
        .order_by(None).order_by(Booking.starts_at.desc(), Booking.id.desc())).all()
    loan = stock.current_loan(camera)
    upcoming = stock.next_reservation(camera, now)
    booked_ahead = sorted((b for b in history if b.state is BookingState.RESERVED
                           and b.ends_at > now), key=lambda b: b.starts_at)
    return render_template(
        "stock/camera.html", camera=camera, now=now, loan=loan, upcoming=upcoming,
        booked_ahead=booked_ahead, history=history, film=_film(history),
        action=_next_action(camera, loan, upcoming, history, now),
        status_changes=_status_changes(camera))


@bp.route("/cameras/<id:camera_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_camera(camera_id: int):
    camera = stock.get_camera(current_user, camera_id)
    form = forms.CameraEditForm(
        **initial_values(asset_tag=camera.asset_tag, make=camera.make, model=camera.model,
                   megapixels=camera.megapixels, exposures=camera.exposures,
                   notes=camera.notes, expected_version=camera.version))
    status = 200
    if form.validate_on_submit():
        # Only the fields the page shows for this kind of camera are changed.
        specs = ({"exposures": form.exposures.data} if camera.kind is CameraKind.DISPOSABLE
                 else {"megapixels": form.megapixels.data})
        try:
            stock.update_camera(
                current_user, camera, expected_version=form.expected_version.data,
                asset_tag=form.asset_tag.data, make=form.make.data or "",
                model=form.model.data or "", notes=form.notes.data or "", **specs)
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{camera.asset_tag} is saved.", "success")
            return _to_camera(camera.id)
    elif form.errors:
        status = 422
    return render_template("stock/camera_edit.html", form=form, camera=camera), status


@bp.route("/cameras/<id:camera_id>/status", methods=["GET", "POST"])
@staff_required
def camera_status(camera_id: int):
    camera = stock.get_camera(current_user, camera_id)
    form = forms.CameraStatusForm(
        **initial_values(status=camera.status.value, expected_version=camera.version))
    status = 200
    if form.validate_on_submit():
        try:
            stock.update_camera(current_user, camera, status=form.status.data,
                                expected_version=form.expected_version.data)
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            message = f"{camera.asset_tag} is now {STATUS_LABELS[camera.status].lower()}."
            if camera.status is not CameraStatus.AVAILABLE:
                message += " Its future bookings are cancelled."
            flash(message, "success")
            return _to_camera(camera.id)
    elif form.errors:
        status = 422
    return render_template("stock/camera_status.html", form=form, camera=camera), status


# --- booking and handing over -----------------------------------------------------------


@bp.route("/cameras/<id:camera_id>/book", methods=["GET", "POST"])
@staff_required
def book(camera_id: int):
    camera = stock.get_camera(current_user, camera_id)
    if camera.status is not CameraStatus.AVAILABLE:
        return _not_lendable(camera)
    tomorrow = utcnow().astimezone(programme_zone()).date() + timedelta(days=1)
    form = forms.BookingForm(**initial_values(starts_at=at_local(tomorrow, DAY_STARTS_AT),
                                        ends_at=at_local(tomorrow, DAY_ENDS_AT)))
    _participant_choices(form, camera)
    status = 200
    if form.validate_on_submit():
        try:
            booking = stock.create_booking(
                current_user, camera.id, form.participant_id.data,
                to_utc(form.starts_at.data), to_utc(form.ends_at.data), form.note.data or "",
                participant_note=form.participant_note.data or "")
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{camera.asset_tag} is booked for {_who(booking.participant)} from "
                  f"{local_time(booking.starts_at)} to {local_time(booking.ends_at)}.",
                  "success")
            return _to_camera(camera.id)
    elif form.errors:
        status = 422
    return render_template("stock/book.html", form=form, camera=camera), status


def _default_return(now: datetime) -> datetime:
    """Back by the end of today's programme, or tomorrow's if today's is nearly over."""
    today = now.astimezone(programme_zone()).date()
    back = at_local(today, DAY_ENDS_AT)
    if back - now < SHORTEST_DEFAULT_LOAN:
        back = at_local(today + timedelta(days=1), DAY_ENDS_AT)
    return back


def _handed_over_message(booking: Booking) -> str:
    message = (f"{booking.camera.asset_tag} is out with {_who(booking.participant)}. "
               f"It is due back {local_time(booking.ends_at)}.")
    missing = stock.missing_items(booking.camera, booking.checkout_condition)
    if missing:
        message += " Not ticked: " + "; ".join(missing) + "."
    return message


@bp.route("/cameras/<id:camera_id>/hand-over", methods=["GET", "POST"])
@staff_required
def hand_over_now(camera_id: int):
    camera = stock.get_camera(current_user, camera_id)
    if camera.status is not CameraStatus.AVAILABLE:
        return _not_lendable(camera)
    form = forms.with_checklist(forms.HandOverNowForm, stock.checklist_for(camera),
                                **initial_values(ends_at=_default_return(utcnow())))
    _participant_choices(form, camera)
    status = 200
    if form.validate_on_submit():
        try:
            booking = stock.hand_over_now(
                current_user, camera.id, form.participant_id.data, to_utc(form.ends_at.data),
                form.ticked(), note=form.note.data or "",
                participant_note=form.participant_note.data or "")
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(_handed_over_message(booking), "success")
            return _to_camera(camera.id)
    elif form.errors:
        status = 422
    return render_template("stock/hand_over.html", form=form, camera=camera,
                           booking=None), status


# --- acting on a booking ----------------------------------------------------------------


def _booking_action(booking_id: int, action: str, make_form: Callable[[Booking], Any],
                    perform: Callable[[Booking, Any], object],
                    done: Callable[[Booking], str], template: str,
                    then: Callable[[Booking], str | None] = lambda b: None, **context):
    """Open a form for one step of a booking, do it, and go back to the camera's page
    (or to where `then` says the next step is).

    A booking that has moved on (someone else took it back, say) gets a plain page saying
    so, never the form.
    """
    booking = stock.get_booking(current_user, booking_id)
    if not can(booking, action):
        return _not_now(booking, action)
    form = make_form(booking)
    status = 200
    if form.validate_on_submit():
        try:
            perform(booking, form)
        except FORM_ERRORS as exc:
            status = form_failed(form, exc)
            if not can(booking, action):
                return _not_now(booking, action, exc.message)
            # The page now shows the booking as it is; sending again acts on that.
            form.expected_version.data = booking.version
            form.expected_version.raw_data = None
        else:
            flash(done(booking), "success")
            next_step = then(booking)
            return redirect(next_step) if next_step else _to_camera(booking.camera_id)
    elif form.errors:
        status = 422
    return render_template(template, form=form, booking=booking, camera=booking.camera,
                           action=action, now=utcnow(), **context), status


@bp.route("/loans/<id:booking_id>/hand-over", methods=["GET", "POST"])
@staff_required
def hand_over(booking_id: int):
    return _booking_action(
        booking_id, "hand_over",
        lambda b: forms.with_checklist(forms.HandOverForm, stock.checklist_for(b.camera),
                                       **initial_values(expected_version=b.version)),
        lambda b, form: stock.check_out(current_user, b, form.ticked(),
                                        note=form.note.data or "",
                                        expected_version=form.expected_version.data),
        _handed_over_message, "stock/hand_over.html")


def _returned_message(booking: Booking) -> str:
    camera = booking.camera
    if booking.return_condition and booking.return_condition.get("damaged"):
        message = (f"{camera.asset_tag} is back. It is marked damaged and is now in repair: "
                   "no one can borrow it until it is fixed.")
    else:
        message = f"{camera.asset_tag} is back on the shelf. Thank you."
    missing = stock.missing_items(camera, booking.return_condition)
    if missing:
        message += " Not ticked: " + "; ".join(missing) + "."
    return message


@bp.route("/loans/<id:booking_id>/return", methods=["GET", "POST"])
@staff_required
def take_back(booking_id: int):
    return _booking_action(
        booking_id, "take_back",
        lambda b: forms.with_checklist(forms.ReturnForm, stock.checklist_for(b.camera),
                                       **initial_values(expected_version=b.version)),
        lambda b, form: stock.check_in(current_user, b, form.ticked(),
                                       damaged=form.damaged.data, note=form.note.data or "",
                                       expected_version=form.expected_version.data),
        _returned_message, "stock/take_back.html")


@bp.route("/loans/<id:booking_id>/extend", methods=["GET", "POST"])
@staff_required
def extend(booking_id: int):
    return _booking_action(
        booking_id, "extend",
        # An overdue loan is offered a day from now, not a new end that has passed too.
        lambda b: forms.ExtendForm(**initial_values(
            ends_at=max(b.ends_at, utcnow()) + timedelta(days=1), expected_version=b.version)),
        lambda b, form: stock.extend(current_user, b, to_utc(form.ends_at.data),
                                     expected_version=form.expected_version.data),
        lambda b: f"{b.camera.asset_tag} is now due back {local_time(b.ends_at)}.",
        "stock/extend.html")


CONFIRM_PAGES = {
    "cancel": {
        "title": "Cancel this booking",
        "explain": ["The camera will be free for someone else at this time."],
        "button": "Cancel the booking",
    },
    "send_for_developing": {
        "title": "Send for developing",
        "explain": ["The disposable camera is back and its film goes to be developed.",
                    "The camera is used up: it leaves the stock."],
        "button": "Send for developing",
    },
    "developed": {
        "title": "Mark as developed",
        "explain": ["The photos from this film are back."],
        "button": "Mark as developed",
    },
}


def _confirm(booking_id: int, action: str, perform, done,
             then: Callable[[Booking], str | None] = lambda b: None):
    return _booking_action(
        booking_id, action,
        lambda b: forms.ConfirmForm(**initial_values(expected_version=b.version)),
        lambda b, form: perform(current_user, b, expected_version=form.expected_version.data),
        done, "stock/confirm.html", then=then, page=CONFIRM_PAGES[action])


@bp.route("/loans/<id:booking_id>/cancel", methods=["GET", "POST"])
@staff_required
def cancel(booking_id: int):
    return _confirm(booking_id, "cancel", stock.cancel,
                    lambda b: f"The booking of {b.camera.asset_tag} for {_who(b.participant)} "
                              "is cancelled.")


@bp.route("/loans/<id:booking_id>/send-for-developing", methods=["GET", "POST"])
@staff_required
def send_for_developing(booking_id: int):
    return _booking_action(
        booking_id, "send_for_developing",
        lambda b: forms.DevelopingForm(**initial_values(expected_version=b.version)),
        lambda b, form: stock.send_for_developing(
            current_user, b, expected_version=form.expected_version.data,
            lab=form.lab.data or "", lab_expected_on=form.lab_expected_on.data),
        lambda b: f"{b.camera.asset_tag} is sent for developing. Mark it "
                  "developed when the photos come back.",
        "stock/confirm.html", page=CONFIRM_PAGES["send_for_developing"])


def upload_scans_url(booking: Booking) -> str | None:
    """The upload page, filled in for the borrower of a developed film and its loan."""
    if booking.participant_id is None:
        return None
    return url_for("photos.upload", participant_id=booking.participant_id,
                   booking_id=booking.id)


@bp.route("/loans/<id:booking_id>/developed", methods=["GET", "POST"])
@staff_required
def developed(booking_id: int):
    # The prints are back: the next thing to do is to scan them in for their owner.
    return _confirm(booking_id, "developed", stock.mark_developed,
                    lambda b: f"The film from {b.camera.asset_tag} is developed."
                              + (f" Now upload the scans for {_who(b.participant)}."
                                 if b.participant_id else ""),
                    then=upload_scans_url)


@bp.route("/loans/<id:booking_id>/write-off", methods=["GET", "POST"])
@staff_required
def write_off(booking_id: int):
    return _booking_action(
        booking_id, "write_off",
        lambda b: forms.WriteOffForm(**initial_values(expected_version=b.version)),
        lambda b, form: stock.write_off(current_user, b, note=form.note.data or "",
                                        expected_version=form.expected_version.data),
        lambda b: f"The loan has ended. {b.camera.asset_tag} is marked as lost. "
                  "No one is in trouble.",
        "stock/write_off.html")


# --- lists ------------------------------------------------------------------------------


@bp.get("/loans", defaults={"name": "out"})
@bp.get("/loans/<name>")
@staff_required
def loans(name: str):
    now = utcnow()
    conditions = stock.list_filter(name, now, end_of_today(now))
    heading, explain, order = LISTS[name]
    query = (stock.visible_bookings(current_user).where(*conditions)
             .order_by(None).order_by(*order))
    page = page_of(query)
    return render_template("stock/loans.html", bookings=page.items, page=page, name=name,
                           heading=heading, explain=explain, now=now)


@bp.get("/people/<id:user_id>/loans")
@staff_required
def participant_loans(user_id: int):
    person = auth.get_user(current_user, user_id)
    if person.role is not Role.PARTICIPANT:
        abort(404)
    found = db.session.scalars(
        stock.visible_bookings(current_user, participant_id=person.id)
        .order_by(None).order_by(Booking.starts_at.desc(), Booking.id.desc())).all()
    return render_template("stock/participant_loans.html", person=person, bookings=found,
                           now=utcnow())


# --- labels -----------------------------------------------------------------------------


@bp.get("/cameras/labels")
@staff_required
def labels():
    # A sheet is for printing: a few pages at most, however long the address.
    ids = [i for i in request.args.getlist("camera", type=int) if 1 <= i <= MAX_ID][:MAX_LABELS]
    # A used-up disposable is gone for good: it needs no label.
    chosen = db.session.scalars(
        stock.visible_cameras(current_user).where(
            Camera.id.in_(ids), Camera.status != CameraStatus.USED)).all() if ids else []
    if not chosen:
        flash("Choose at least one camera, then press the labels button.", "error")
        return redirect(url_for("stock.cameras"))
    sheet = []
    for camera in chosen:
        address = url_for("stock.camera", camera_id=camera.id, _external=True)
        # SVG in a data: address: sharp at any print size, and allowed by the CSP.
        qr = segno.make(address, error="m", micro=False)
        sheet.append({"camera": camera, "address": address,
                      "qr": qr.svg_data_uri(border=4, omitsize=True)})
    return render_template("stock/labels.html", labels=sheet)
