"""Building the demo site. Later features add their own demo records here."""

import io
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFilter
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


def _demo_picture(kind: str) -> bytes:
    """A drawn street scene: sharp, shaken sideways, or taken in poor light."""
    width, height = 1600, 1200
    picture = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    picture = Image.blend(picture, Image.new("RGB", picture.size, (70, 130, 200)), 0.6)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 800, width, height), fill=(90, 90, 85))
    for n in range(9):
        x = 80 + n * 170
        draw.rectangle((x, 380 + (n % 3) * 60, x + 130, 800), fill=(150 + n * 10, 80, 60),
                       outline=(20, 20, 20), width=4)
        for row in range(4):
            for col in range(2):
                draw.rectangle((x + 15 + col * 60, 420 + (n % 3) * 60 + row * 90,
                                x + 55 + col * 60, 470 + (n % 3) * 60 + row * 90),
                               fill=(230, 220, 150), outline=(10, 10, 10), width=2)
    draw.ellipse((1250, 90, 1420, 260), fill=(255, 230, 120))
    # Round trees and wheels: a photo has edges running every way, not only across and down.
    for n in range(8):
        x = 40 + n * 200
        y = 640 + (n % 2) * 40
        draw.ellipse((x, y, x + 150, y + 160), fill=(40, 110 + n * 8, 50), outline=(15, 40, 15),
                     width=4)
        draw.ellipse((x + 60, 900, x + 140, 980), outline=(20, 20, 20), width=8)
    noise = Image.effect_noise(picture.size, 12).convert("RGB")
    picture = Image.blend(picture, noise, 0.06)
    if kind == "shaky":
        picture = picture.filter(ImageFilter.BoxBlur((24, 3)))
    elif kind == "dark":
        picture = picture.point(lambda value: value // 6)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


def _load_photos(participant, worker) -> None:
    """Three photos with their feedback, the sharp one shared in the gallery."""
    target = photos.upload_target(participant)
    uploaded = [photos.upload(participant, target, io.BytesIO(_demo_picture(kind)), caption)
                for kind, caption in (("sharp", "The high street"), ("shaky", "Walking home"),
                                      ("dark", "Evening"))]
    shared = uploaded[0]
    consent.give_consent(participant, shared, ["gallery"])
    moderation.submit(participant, shared, shared.caption, "display_name", "light")
    moderation.approve(worker, shared, dict.fromkeys(moderation.CHECKLIST, True))
