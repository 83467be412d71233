"""Building the demo site. Later features add their own demo records here."""

from datetime import timedelta

from sqlalchemy import select

from workshop.auth import services as auth
from workshop.auth.models import Role
from workshop.db import utcnow
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan
from workshop.programme import services as programme
from workshop.stock import services as stock
from workshop.stock.models import Camera
from workshop.timezones import at_local, to_local

DEMO_SITE = ("Riverside Day Programme", "riverside")
# Public, well-known passphrases: for trying the app on your own machine only.
DEMO_LOGINS = [
    ("admin", Role.ADMIN.value, "demo-admin-pass"),
    ("worker", Role.WORKER.value, "demo-worker-pass"),
    ("sky", Role.PARTICIPANT.value, "apple-river-sun-12"),
    ("robin", Role.PARTICIPANT.value, "green-boat-moon-34"),
]
DISPLAY_NAMES = {"admin": "Alex (admin)", "worker": "Jo", "sky": "Sky", "robin": "Robin"}
# (asset tag, kind, make, model, megapixels, exposures)
DEMO_CAMERAS = [
    ("RIV-CAM-01", "digital", "Canon", "IXUS 185", 20, None),
    ("RIV-CAM-02", "digital", "Nikon", "Coolpix A10", 16.1, None),
    ("RIV-CAM-03", "digital", "Kodak", "PIXPRO FZ45", 16, None),
    ("RIV-DSP-01", "disposable", "Kodak", "FunSaver", None, 27),
    ("RIV-DSP-02", "disposable", "Fujifilm", "QuickSnap", None, 27),
]


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo records; None if they exist already (the command is re-runnable)."""
    # Before the check below: plans added in a later release reach an older demo too.
    lessons.load_shipped()
    name, slug = DEMO_SITE
    if auth.site_by_slug(slug) is not None:
        return None
    site = auth.create_site(None, name, slug)
    people = {}
    for username, role, passphrase in DEMO_LOGINS:
        people[username] = auth.create_user(
            None, username, role, DISPLAY_NAMES[username], passphrase,
            None if role == Role.ADMIN.value else site.id)
    _load_cameras(people["worker"], site.id)
    _load_session(people["worker"], [people["sky"], people["robin"]])
    return DEMO_LOGINS


def _load_cameras(worker, site_id: int) -> None:
    # Asset tags are unique across the whole service: a tag already in use is left alone.
    for tag, kind, make, model, megapixels, exposures in DEMO_CAMERAS:
        if db.session.scalar(select(Camera.id).where(Camera.asset_tag == tag)) is None:
            stock.create_camera(worker, site_id, tag, kind, make=make, model=model,
                                megapixels=megapixels, exposures=exposures)


def _load_session(worker, participants) -> None:
    """A session next week at 11:00, led by the demo worker, with both participants in it."""
    day = to_local(utcnow()).date() + timedelta(days=7)
    starts_at = at_local(day, 11)
    lesson_id = db.session.scalar(select(LessonPlan.id).where(LessonPlan.slug == "light"))
    session = programme.create_session(
        worker, title="Finding good light", starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2), place="Group room", capacity=8,
        lead_worker_id=worker.id, lesson_id=lesson_id)
    for person in participants:
        programme.enrol(worker, session, person.id)
