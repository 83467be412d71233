"""Moderation: a participant submits a photo, a second worker approves or rejects it,
and a visitor's report takes it down until a worker looks."""

from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit.services import record
from workshop.auth.models import User
from workshop.db import flush_or_conflict, utcnow
from workshop.errors import Conflict, Invalid, NotFound
from workshop.lessons.models import Topic
from workshop.photos.consent import consents_in_force
from workshop.photos.models import ConsentPurpose, Credit, Photo, PhotoState
from workshop.photos.services import clean_caption, refresh_where_shown, visible_photos
from workshop.signals import photo_approving

# Where approval puts a photo. An exhibition is chosen photo by photo by the workers who
# plan it, and its prints obscure whoever did not agree to it (exhibitions, faces).
ONLINE = {ConsentPurpose.GALLERY, ConsentPurpose.FLICKR}

# What the approving worker confirms, one line each (the keys are the API's).
CHECKLIST = {
    "no_identifiable_people": "Nobody else who could be recognised is in it without "
                              "having agreed.",
    "no_drug_references": "No drug use, paraphernalia (tin foil, needles, pipes) or places "
                          "tied to using or dealing.",
    "no_location_details": "No address, house number, number plate, clinic sign or anything "
                           "else that shows where someone lives or is treated.",
    "caption_is_safe": "The caption and the credit say none of these things either.",
}
REASON_LIMIT = 500


def _decide_flush() -> None:
    flush_or_conflict("Something changed on this photo a moment ago (perhaps its consent "
                      "was taken back). Look at it again.", StaleDataError)


def submit(actor: User, photo: Photo, caption: str | None, credit: Credit | str,
           theme: Topic | str | None = None, now: datetime | None = None) -> Photo:
    """The owner asks for the photo to go public, where its consents allow.

    The theme (what they were practising) defaults to the topic of the session's lesson.
    """
    if photo.owner_id != actor.id:
        raise NotFound("There is no such photo.")
    if photo.state not in (PhotoState.PRIVATE, PhotoState.REJECTED, PhotoState.WITHDRAWN):
        raise Conflict("This photo has been sent for checking already.")
    now = now or utcnow()
    if not consents_in_force(photo, now):
        raise Invalid.field("consent", "First choose where this photo may go: the gallery, "
                                       "Flickr, or both.")
    try:
        credit = Credit(credit)
    except ValueError:
        raise Invalid.field("credit", "Choose your name or Anonymous.") from None
    if theme:
        try:
            theme = Topic(theme)
        except ValueError:
            raise Invalid.field("theme", "Choose light, distance, steadiness or other.") from None
    elif photo.session is not None and photo.session.lesson is not None:
        theme = photo.session.lesson.topic
    photo.caption = clean_caption(caption)
    photo.theme = theme or None
    photo.credit = credit
    photo.credit_name = actor.display_name if credit is Credit.DISPLAY_NAME else None
    photo.state, photo.submitted_at = PhotoState.SUBMITTED, now
    photo.decided_at = photo.decided_by_id = photo.rejection_reason = None
    _decide_flush()
    refresh_where_shown(photo, now)
    record(actor, "photo.submitted", "photo", photo.id, site_id=photo.site_id,
           credit=credit.value)
    return photo


def _may_moderate(actor: User, photo: Photo) -> None:
    if not actor.is_staff:
        raise NotFound("There is no such photo.")
    if photo.state is not PhotoState.SUBMITTED:
        raise Conflict("This photo is not waiting for a decision.")
    # A second pair of eyes: whoever sent the photo in cannot also let it out.
    if actor.id == photo.uploaded_by_id:
        raise Conflict("Another worker must check this photo, as you uploaded it.")


def approve(actor: User, photo: Photo, checklist: dict[str, bool],
            now: datetime | None = None, expected_version: int | None = None) -> Photo:
    """expected_version: the photo's version as the worker saw it. The decision is on the
    photo they read: if its owner changed the caption (or anything else) since, they must
    look again."""
    _may_moderate(actor, photo)
    if expected_version is not None and expected_version != photo.version:
        raise Conflict("This photo changed while you were looking (perhaps its caption). "
                       "Look at it again before you decide.")
    missing = [key for key in CHECKLIST if checklist.get(key) is not True]
    if missing:
        raise Invalid("Check every line before approving.",
                      {key: ["Confirm this, or reject the photo."] for key in missing})
    now = now or utcnow()
    purposes = consents_in_force(photo, now)
    if not purposes:
        raise Conflict("Its consent has been taken back, so it cannot be approved.")
    # Faces (or any feature) may hold it back, e.g. for someone in it who has not agreed
    # to where approval puts it.
    photo_approving.send(photo, purposes=[c.purpose for c in purposes.values()
                                          if c.purpose in ONLINE])
    photo.state, photo.decided_at, photo.decided_by_id = PhotoState.APPROVED, now, actor.id
    _decide_flush()
    refresh_where_shown(photo, now)
    record(actor, "photo.approved", "photo", photo.id, site_id=photo.site_id,
           checklist=sorted(CHECKLIST),
           purposes=sorted(purposes))
    return photo


def reject(actor: User, photo: Photo, reason: str, now: datetime | None = None) -> Photo:
    _may_moderate(actor, photo)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "Say kindly why, so they can try again.")
    if len(reason) > REASON_LIMIT:
        raise Invalid.field("reason", f"Keep it to {REASON_LIMIT} characters.")
    photo.state, photo.decided_at, photo.decided_by_id = (
        PhotoState.REJECTED, now or utcnow(), actor.id)
    photo.rejection_reason = reason
    _decide_flush()
    record(actor, "photo.rejected", "photo", photo.id, site_id=photo.site_id)
    return photo


def report(photo: Photo, reason: str | None, now: datetime | None = None) -> Photo:
    """A visitor's report: the photo leaves the gallery at once, until a worker looks."""
    if not photo.is_public(now):
        raise NotFound("There is no such photo.")
    photo.reported_at = now or utcnow()
    photo.report_reason = (reason or "").strip()[:REASON_LIMIT] or None
    _decide_flush()
    refresh_where_shown(photo, now)
    record(None, "photo.reported", "photo", photo.id, site_id=photo.site_id)
    return photo


def review_report(actor: User, photo: Photo, keep: bool, reason: str = "",
                  now: datetime | None = None) -> Photo:
    """Put a reported photo back, or take it down with a reason its owner will read."""
    if not actor.is_staff:
        raise NotFound("There is no such photo.")
    if photo.reported_at is None:
        raise Conflict("This photo has not been reported.")
    if keep:
        photo.reported_at = photo.report_reason = None
    else:
        reason = reason.strip() or ("It was taken out of the gallery after someone raised a "
                                    "concern. Talk to a worker if you would like to know more.")
        photo.state, photo.rejection_reason = PhotoState.REJECTED, reason[:REASON_LIMIT]
        photo.decided_at, photo.decided_by_id = now or utcnow(), actor.id
        photo.reported_at = None
    _decide_flush()
    refresh_where_shown(photo, now)
    record(actor, "photo.report_reviewed", "photo", photo.id, site_id=photo.site_id,
           kept=keep)
    return photo


def reported_photos(actor: User) -> Select[Photo]:
    if not actor.is_staff:
        raise NotFound("There is nothing here.")
    return (visible_photos(actor).where(Photo.reported_at.is_not(None))
            .order_by(None).order_by(Photo.reported_at, Photo.id))


def moderation_queue(actor: User) -> Select[Photo]:
    """Submitted photos of the worker's site, oldest first."""
    if not actor.is_staff:
        raise NotFound("There is nothing here.")
    return (visible_photos(actor).where(Photo.state == PhotoState.SUBMITTED)
            .order_by(None).order_by(Photo.submitted_at, Photo.id))
