"""Pages for sessions: lists, the month calendar, planning, the session page, the register."""

import calendar as month_calendar
from datetime import date, datetime, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from wtforms import SelectChoice

from workshop.auth import services as auth
from workshop.db import utcnow
from workshop.errors import NotFound
from workshop.extensions import db
from workshop.hosts import public_host
from workshop.lessons import services as lessons
from workshop.paging import page_of
from workshop.programme import forms
from workshop.programme import services as programme
from workshop.programme.models import Session
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState
from workshop.templating import local_time
from workshop.timezones import at_local, programme_zone, to_local, to_utc
from workshop.web import (
    FORM_ERRORS,
    form_failed,
    initial_values,
    redirect_to_show_once,
    staff_required,
    take_shown_once,
)

bp = Blueprint("programme", __name__)

# On these forms a NotFound names something picked in a list (a site, a person, a lesson
# plan, a camera) that is not there, so it goes back to the form like any other complaint.
SESSION_FORM_ERRORS = (*FORM_ERRORS, NotFound)
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DEFAULT_START_HOUR = 11
DEFAULT_LENGTH = timedelta(hours=2)


def _to_session(session_id: int, anchor: str | None = None):
    return redirect(url_for("programme.session", session_id=session_id, _anchor=anchor))


def _when(session: Session) -> str:
    """ "Tue 3 Dec 2026, 11:00 to 13:00" on the programme's clock."""
    start = local_time(session.starts_at, "%a %-d %b %Y, %H:%M")
    same_day = local_time(session.starts_at, "%Y%m%d") == local_time(session.ends_at, "%Y%m%d")
    end = local_time(session.ends_at, "%H:%M" if same_day else "%a %-d %b %Y, %H:%M")
    return f"{start} to {end}"


@bp.context_processor
def programme_template_helpers() -> dict:
    return {"when": _when}


# --- lists and the calendar -------------------------------------------------------------


@bp.get("/sessions")
@login_required
def sessions():
    now = utcnow()
    page = page_of(programme.coming_up(current_user, now))
    # The recent past is for the first page only; the later ones go further ahead.
    past = programme.past(current_user, now) if page.number == 1 else []
    return render_template("programme/sessions.html", upcoming=page.items, page=page,
                           past=past, now=now)


def _month(value: str | None) -> date:
    if not value:
        return to_local(utcnow()).date().replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, OverflowError):  # a year too long for a C int overflows
        abort(404)


@bp.get("/sessions/calendar")
@login_required
def calendar():
    first = _month(request.args.get("month"))
    if not 2000 <= first.year <= 2100:
        abort(404)
    following = (first + timedelta(days=32)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    tz = programme_zone()
    found = programme.between(current_user, at_local(first, 0, tz=tz),
                              at_local(following, 0, tz=tz))
    by_day: dict[date, list[Session]] = {}
    for session in found:
        by_day.setdefault(session.starts_at.astimezone(tz).date(), []).append(session)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return render_template(
        "programme/calendar.html", first=first, weeks=weeks, by_day=by_day,
        day_names=DAY_NAMES, today=to_local(utcnow()).date(), count=len(found),
        previous=previous.strftime("%Y-%m"), following=following.strftime("%Y-%m"),
        previous_name=previous.strftime("%B %Y"), following_name=following.strftime("%B %Y"))


# --- planning ---------------------------------------------------------------------------


def _session_choices(form: forms.SessionForm, site_id: int | None) -> None:
    leads = programme.lead_choices(current_user, site_id)
    form.lead_worker_id.choices = [SelectChoice("", "No one yet")] + [
        SelectChoice(w.id, w.display_name) for w in leads]
    plans = lessons.library(current_user)
    form.lesson_id.choices = [SelectChoice("", "No lesson plan")] + [
        SelectChoice(plan.id, version.title) for plan, version in plans]
    if current_user.is_admin:
        sites = db.session.scalars(auth.visible_sites(current_user)).all()
        form.site_id.choices = [SelectChoice(s.id, s.name) for s in sites]


def _default_times() -> tuple[datetime, datetime]:
    tomorrow = to_local(utcnow()).date() + timedelta(days=1)
    start = at_local(tomorrow, DEFAULT_START_HOUR)
    return start, start + DEFAULT_LENGTH


@bp.route("/sessions/new", methods=["GET", "POST"])
@staff_required
def new_session():
    start, end = _default_times()
    lesson = request.args.get("lesson", type=int)
    form = forms.SessionForm(**initial_values(starts_at=to_local(start), ends_at=to_local(end),
                                        capacity=8, lead_worker_id=current_user.id,
                                        lesson_id=lesson))
    site_id = form.site_id.data if current_user.is_admin else current_user.site_id
    _session_choices(form, site_id)
    status = 200
    if form.validate_on_submit():
        try:
            session = programme.create_session(
                current_user, site_id=form.site_id.data if current_user.is_admin else None,
                title=form.title.data, starts_at=to_utc(form.starts_at.data),
                ends_at=to_utc(form.ends_at.data), place=form.place.data or "",
                capacity=form.capacity.data, lead_worker_id=form.lead_worker_id.data,
                lesson_id=form.lesson_id.data)
        except SESSION_FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{session.title} is planned. Now enrol people and book cameras.",
                  "success")
            return _to_session(session.id)
    elif form.errors:
        status = 422
    return render_template("programme/edit.html", form=form, session=None), status


@bp.route("/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_session(session_id: int):
    session = programme.get_session(current_user, session_id)
    form = forms.SessionForm(**initial_values(
        title=session.title, starts_at=to_local(session.starts_at),
        ends_at=to_local(session.ends_at), place=session.place, capacity=session.capacity,
        lead_worker_id=session.lead_worker_id, lesson_id=session.lesson_id,
        expected_version=session.version))
    _session_choices(form, session.site_id)
    status = 200
    if form.validate_on_submit():
        try:
            programme.update_session(
                current_user, session, expected_version=form.expected_version.data,
                title=form.title.data, starts_at=to_utc(form.starts_at.data),
                ends_at=to_utc(form.ends_at.data), place=form.place.data or "",
                capacity=form.capacity.data, lead_worker_id=form.lead_worker_id.data,
                lesson_id=form.lesson_id.data)
        except SESSION_FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{session.title} is saved.", "success")
            return _to_session(session.id)
    elif form.errors:
        status = 422
    return render_template("programme/edit.html", form=form, session=session), status


# --- the session page -------------------------------------------------------------------


def _page_context(session: Session, now: datetime) -> dict:
    bookings = programme.session_bookings(session)
    enrol_form = forms.PersonForm(prefix="enrol")
    enrol_form.participant_id.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(p.id, p.display_name) for p in programme.participant_choices(session)]
    return {
        "session": session, "now": now, "bookings": bookings,
        "reserved": [b for b in bookings if b.state is BookingState.RESERVED],
        "out": [b for b in bookings if b.state is BookingState.OUT],
        "enrol_form": enrol_form,
        "attending": [e for e in session.enrolments if e.attended],
        "places_left": session.capacity - len(session.enrolments),
        "over": session.ends_at <= now,
    }


@bp.get("/sessions/<id:session_id>")
@login_required
def session(session_id: int):
    session = programme.get_session(current_user, session_id)
    now = utcnow()
    if not current_user.is_staff:
        return render_template("programme/mine.html", session=session,
                               enrolment=programme.enrolment_of(session, current_user.id))
    return render_template("programme/session.html", **_page_context(session, now))


@bp.post("/sessions/<id:session_id>/enrol")
@staff_required
def enrol(session_id: int):
    session = programme.get_session(current_user, session_id)
    form = forms.PersonForm(prefix="enrol")
    if form.validate_on_submit():
        try:
            enrolment = programme.enrol(current_user, session, form.participant_id.data)
        except SESSION_FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            places = session.capacity - len(session.enrolments)
            flash(f"{enrolment.participant.display_name} is enrolled. "
                  f"{'No places left.' if places == 0 else f'{places} left.'}", "success")
            return _to_session(session.id, "people")
    else:
        status = 422
    context = _page_context(session, utcnow())
    form.participant_id.choices = context["enrol_form"].participant_id.choices
    context["enrol_form"] = form
    return render_template("programme/session.html", **context), status


@bp.post("/sessions/<id:session_id>/unenrol")
@staff_required
def unenrol(session_id: int):
    session = programme.get_session(current_user, session_id)
    form = forms.PersonIdForm()
    if not form.validate_on_submit():
        abort(400)
    enrolment = programme.enrolment_of(session, form.participant_id.data)
    name = enrolment.participant.display_name if enrolment else "That person"
    programme.unenrol(current_user, session, form.participant_id.data)
    flash(f"{name} is no longer enrolled.", "success")
    return _to_session(session.id, "people")


# --- the register -----------------------------------------------------------------------


@bp.route("/sessions/<id:session_id>/register", methods=["GET", "POST"])
@staff_required
def register(session_id: int):
    session = programme.get_session(current_user, session_id)
    form = forms.AttendanceForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        enrolment = programme.set_attendance(current_user, session, form.participant_id.data,
                                             form.attended.data == "yes")
        name = enrolment.participant.display_name
        flash(f"{name}: {'here' if enrolment.attended else 'not here'}.", "success")
        return redirect(url_for("programme.register", session_id=session.id,
                                _anchor=f"person-{enrolment.participant_id}"))
    return _register_page(session, form)


def _register_page(session: Session, form, walk_in_form=None, status: int = 200):
    if walk_in_form is None:
        walk_in_form = forms.WalkInForm(prefix="walkin")
    walk_in_form.participant_id.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(p.id, p.display_name) for p in programme.participant_choices(session)]
    here = sum(1 for e in session.enrolments if e.attended)
    return render_template("programme/register.html", session=session, form=form,
                           here=here, walk_in_form=walk_in_form), status


@bp.post("/sessions/<id:session_id>/register/walk-in")
@staff_required
def walk_in(session_id: int):
    session = programme.get_session(current_user, session_id)
    form = forms.WalkInForm(prefix="walkin")
    if form.validate_on_submit():
        try:
            enrolment = programme.walk_in(current_user, session, form.participant_id.data)
        except SESSION_FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{enrolment.participant.display_name} is added and marked here.",
                  "success")
            return redirect(url_for("programme.register", session_id=session.id,
                                    _anchor=f"person-{enrolment.participant_id}"))
    else:
        status = 422
    return _register_page(session, forms.AttendanceForm(), form, status)


# --- cameras ----------------------------------------------------------------------------


@bp.route("/sessions/<id:session_id>/cameras", methods=["GET", "POST"])
@staff_required
def reserve(session_id: int):
    session = programme.get_session(current_user, session_id)
    count_form = forms.CountForm(prefix="count",
                                 **initial_values(count=max(1, len(session.enrolments))))
    pick_form = forms.PickForm(prefix="pick")
    free = programme.free_cameras(session)
    pick_form.camera_ids.choices = [SelectChoice(c.id, c.label) for c in free]
    status = 200
    which = request.form.get("which")
    form = count_form if which == "count" else pick_form
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                bookings = programme.reserve_cameras(
                    current_user, session,
                    count=count_form.count.data if form is count_form else None,
                    camera_ids=pick_form.camera_ids.data if form is pick_form else None)
            except SESSION_FORM_ERRORS as exc:
                status = form_failed(form, exc)
            else:
                tags = ", ".join(b.camera.asset_tag for b in bookings)
                flash(f"Booked for this session: {tags}.", "success")
                return _to_session(session.id, "cameras")
        else:
            status = 422
    return render_template("programme/reserve.html", session=session, free=free,
                           count_form=count_form, pick_form=pick_form,
                           over=session.ends_at <= utcnow()), status


def _session_booking(session: Session, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != session.id:
        raise NotFound("That camera is not booked for this session.")
    return booking


@bp.route("/sessions/<id:session_id>/hand-out/<id:booking_id>", methods=["GET", "POST"])
@staff_required
def hand_out(session_id: int, booking_id: int):
    session = programme.get_session(current_user, session_id)
    booking = _session_booking(session, booking_id)
    if booking.state is not BookingState.RESERVED:
        flash(f"{booking.camera.asset_tag} is already handed out.", "info")
        return _to_session(session.id, "cameras")
    form = forms.with_checklist(forms.HandOutForm, stock.checklist_for(booking.camera),
                                **initial_values(participant_id=request.args.get("to", type=int)))
    # Those who have no camera from this session yet, present first.
    has_one = {b.participant_id for b in programme.session_bookings(session)
               if b.state is BookingState.OUT}
    people = sorted((e for e in session.enrolments if e.participant_id not in has_one),
                    key=lambda e: (e.attended is not True, e.participant.display_name.lower()))
    form.participant_id.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(e.participant_id, e.participant.display_name) for e in people]
    status = 200
    if form.validate_on_submit():
        try:
            programme.hand_out(current_user, session, booking.id, form.participant_id.data,
                               form.ticked(), note=form.note.data or "")
        except SESSION_FORM_ERRORS as exc:
            status = form_failed(form, exc)
        else:
            flash(f"{booking.camera.asset_tag} is out with "
                  # hand_out has just lent it to a participant.
                  f"{booking.participant.display_name} until "  # type: ignore[union-attr]
                  f"{local_time(booking.ends_at, '%H:%M')}.", "success")
            return _to_session(session.id, "cameras")
    elif form.errors:
        status = 422
    return render_template("programme/hand_out.html", session=session, booking=booking,
                           camera=booking.camera, form=form), status


# --- the calendar feed ------------------------------------------------------------------


@bp.post("/sessions/calendar-feed")
@staff_required
def new_feed():
    if not forms.FeedForm().validate_on_submit():
        abort(400)
    raw = programme.new_calendar_secret(current_user)
    address = url_for("programme.feed", secret=raw, _external=True)
    return redirect_to_show_once("feed", {"address": address}, "programme.feed_created")


@bp.get("/sessions/calendar-feed/new")
@staff_required
def feed_created():
    made = take_shown_once("feed")
    if made is None:
        flash("A calendar address is shown only once. If you did not copy it, make a new "
              "one: the old one then stops working.", "info")
        return redirect(url_for("programme.sessions"))
    return render_template("programme/feed_created.html", address=made["address"])


# No login: calendar programs cannot sign in. The 256-bit secret is the key.
@bp.get("/calendar/<secret>.ics")
def feed(secret: str):
    worker = programme.user_for_calendar_secret(secret)
    if worker is None:
        abort(404)
    now = utcnow()
    cal = Calendar()
    cal.add("prodid", "-//workshop//sessions//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Workshop sessions")
    for session in programme.feed_sessions(worker, now):
        event = Event()
        event.add("uid", f"session-{session.id}@{public_host()}")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", session.title)
        if session.place:
            event.add("location", session.place)
        event.add("sequence", session.version)
        # Only the session's own page: no names of who is coming (they are health data).
        event.add("url", url_for("programme.session", session_id=session.id,
                                 _external=True))
        cal.add_component(event)
    response = Response(cal.to_ical(), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
