"""The home page and the dashboard."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from workshop.auth.models import Role
from workshop.dashboard.services import readiness
from workshop.db import utcnow
from workshop.extensions import db
from workshop.photos import owner
from workshop.programme import services as programme
from workshop.stock import services as stock
from workshop.stock.models import Booking, BookingState
from workshop.timezones import end_of_today

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    # A visitor most likely came for the photos; the gallery links to the login.
    return redirect(url_for("gallery.index"))


@bp.get("/dashboard")
@login_required
def index():
    now = utcnow()
    if current_user.role is Role.PARTICIPANT:
        return _participant_home(now)
    # "Today" is the programme's day, not UTC's: it matters from March to October.
    numbers = stock.summary(current_user, now, end_of_today(now))
    # The next sessions at their site.
    sessions = programme.upcoming(current_user, now, limit=5)
    return render_template("dashboard/index.html", numbers=numbers, sessions=sessions)


def _participant_home(now):
    """A participant's own home: their camera, news of their photos, their next session."""
    loans = db.session.scalars(
        stock.visible_bookings(current_user, state=BookingState.OUT).order_by(None)
        .order_by(Booking.ends_at)).all()
    news = owner.news(current_user)
    # Looked at now: the next visit tells only what happens after this one.
    owner.mark_looked(current_user, now)
    return render_template("dashboard/participant.html", loans=loans, news=news, now=now,
                           sessions=programme.upcoming(current_user, now, limit=1))


@bp.get("/healthz")
def healthz():
    """For load balancers and the gallery benchmark: the app answers, nothing more."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
def readyz():
    """For load balancers: can this process serve requests now? 503 says what it cannot
    reach (the database, Redis when configured, the photo store); details go to the log,
    not to whoever asks."""
    failed = readiness()
    body = {"ready": not failed, **({"failed": failed} if failed else {})}
    return jsonify(body), 503 if failed else 200
