"""Building the demo site. Later features add their own demo records here."""

import io
from datetime import timedelta

import cv2
import numpy as np
from PIL import Image
from sqlalchemy import select

from workshop.auth import services as auth
from workshop.auth.models import Role
from workshop.db import utcnow
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan
from workshop.photos import consent, moderation
from workshop.photos import services as photos
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

# Sky's photos: (scikit-image photograph, what is done to it, caption). Their feedback
# shows each kind: good, shaky, too dark.
DEMO_PHOTOS = [
    ("chelsea", "as taken", "The cat next door"),
    ("rocket", "shaken", "Lift-off"),
    ("coffee", "dark", "Morning coffee"),
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
    _load_photos(people["sky"], people["worker"])
    return DEMO_LOGINS


def _load_cameras(worker, site_id: int) -> None:
    # Asset tags are unique within a site: a tag the site already uses is left alone.
    for tag, kind, make, model, megapixels, exposures in DEMO_CAMERAS:
        if db.session.scalar(select(Camera.id).where(Camera.site_id == site_id,
                                                     Camera.asset_tag == tag)) is None:
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


def _demo_picture(name: str, kind: str) -> bytes:
    """One of scikit-image's photographs as taken, shaken sideways, or underexposed.

    Real photographs, so a new user sees what the checks say about real pictures; they ship
    inside the package, so nothing is downloaded.
    """
    from skimage import data  # only the demo needs it: the "demo" extra, not the app

    pixels: np.ndarray = getattr(data, name)()
    if kind == "shaken":
        # A camera moved 11 pixels, a little off the horizontal, while the shutter was open.
        path = np.zeros((11, 11), np.float32)
        path[5, :] = 1
        turn = cv2.getRotationMatrix2D((5, 5), 20, 1)
        kernel = cv2.warpAffine(path, turn, (11, 11))
        pixels = cv2.filter2D(pixels, -1, kernel / kernel.sum())
    elif kind == "dark":
        pixels = pixels // 4
    out = io.BytesIO()
    Image.fromarray(pixels).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _load_photos(participant, worker) -> None:
    """Three photos with their feedback, the sharp one shared in the gallery."""
    target = photos.upload_target(participant)
    uploaded = [photos.upload(participant, target, io.BytesIO(_demo_picture(name, kind)),
                              caption)
                for name, kind, caption in DEMO_PHOTOS]
    shared = uploaded[0]
    consent.give_consent(participant, shared, ["gallery"])
    moderation.submit(participant, shared, shared.caption, "display_name", "light")
    moderation.approve(worker, shared, dict.fromkeys(moderation.CHECKLIST, True))
