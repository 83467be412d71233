"""The rules for exhibitions: who builds them, which photos may join, sending to print,
and a consent taken back before or after printing.

A photo joins only while its owner's yes for exhibitions is in force. Until the exhibition
is sent to print, taking that yes back takes the photo out; after, the print exists, so the
withdrawal is recorded on the entry and the photo is shown nowhere again (not on the
exhibition's pages, nor in the PDFs made later).
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit.services import record
from workshop.auth.models import Site, User
from workshop.auth.services import require_staff
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.discussion.models import Reflection
from workshop.errors import Conflict, Invalid, NotFound, typed_text
from workshop.exhibitions.models import (
    PRINT_SIZES_CM,
    Exhibition,
    ExhibitionPhoto,
    PrintSize,
)
from workshop.extensions import db
from workshop.photos.checks import CM_PER_INCH, PRINT_DPI
from workshop.photos.models import ConsentPurpose, Credit, Photo
from workshop.photos.services import visible_photos
from workshop.signals import consent_withdrawn, participant_moving

TITLE_LIMIT = 120
PLACE_LIMIT = 120
# A wall holds only so many; the prints PDF is made in memory, about 3.3 times its own
# size (bench/exhibition_pdfs.py): 50 photos of 12 MP is about 700 MB at the peak.
MAX_PHOTOS = 50


def _flush() -> None:
    flush_or_conflict("Someone changed this exhibition a moment ago. Look at it again.",
                      StaleDataError)


def visible_exhibitions(actor: User) -> Select[Exhibition]:
    """Workers see their site's; admins all; participants none (they see the public page)."""
    query = select(Exhibition).order_by(Exhibition.starts_on.desc(), Exhibition.id.desc())
    if actor.is_admin:
        return query
    if not actor.is_staff:
        return query.where(false())
    return query.where(Exhibition.site_id == actor.site_id)


def get_exhibition(actor: User, exhibition_id: int) -> Exhibition:
    found = db.session.scalar(visible_exhibitions(actor).where(
        Exhibition.id == exhibition_id)) if type(exhibition_id) is int else None
    if found is None:
        raise NotFound("There is no such exhibition.")
    return found


def create_exhibition(actor: User, *, title: str, place: str, starts_on: date, ends_on: date,
                      print_size: PrintSize | str = PrintSize.MEDIUM,
                      site_id: int | None = None) -> Exhibition:
    require_staff(actor)
    site_id = site_id if site_id is not None else actor.site_id
    if site_id is None:
        raise Invalid.field("site_id", "Choose the site this exhibition is for.")
    site = get_row(Site, site_id)
    if site is None or not (actor.is_admin or site.id == actor.site_id):
        raise NotFound("There is no such site.")
    if ends_on < starts_on:
        raise Invalid.field("ends_on", "The last day cannot be before the first.")
    try:
        size = PrintSize(print_size)
    except ValueError:
        raise Invalid.field("print_size", "Choose 13x18, 20x30 or 30x45.") from None
    exhibition = Exhibition(
        site_id=site.id, title=typed_text(title, "title", TITLE_LIMIT, "Give it a title."),
        place=typed_text(place, "place", PLACE_LIMIT, "Say where it will be."),
        starts_on=starts_on, ends_on=ends_on, print_size=size, created_by_id=actor.id)
    db.session.add(exhibition)
    db.session.flush()
    record(actor, "exhibition.created", "exhibition", exhibition.id, site_id=site.id,
           title=exhibition.title)
    return exhibition


def refusal(photo: Photo, now: datetime) -> str | None:
    """Why this photo may not be in an exhibition now, or None (the rule itself is
    Photo.cleared_for_exhibition, which candidates() also asks in SQL)."""
    if photo.cleared_for_exhibition(now):
        return None
    if not photo.has_consent(ConsentPurpose.EXHIBITION, now):
        return f"Photo {photo.id} has no yes for exhibitions from its owner."
    return f"Photo {photo.id} is hidden while a worker looks at a report."


def candidates(actor: User, exhibition: Exhibition, now: datetime | None = None
               ) -> list[Photo]:
    """Photos of the exhibition's site that may join it now, as the actor sees them."""
    return list(db.session.scalars(visible_photos(actor).where(
        Photo.site_id == exhibition.site_id,
        Photo.cleared_for_exhibition(now or utcnow())).limit(300)))


def set_photos(actor: User, exhibition: Exhibition, photo_ids: list[int],
               now: datetime | None = None) -> Exhibition:
    """Put these photos in the exhibition, in this order, instead of those it had."""
    require_staff(actor)
    if exhibition.printed:
        raise Conflict("This exhibition has been sent to print, so its photos stay as "
                       "they are.")
    if len(set(photo_ids)) != len(photo_ids):
        raise Invalid.field("photo_ids", "Each photo can be in the list once.")
    if len(photo_ids) > MAX_PHOTOS:
        raise Invalid.field("photo_ids", f"An exhibition can have up to {MAX_PHOTOS} photos.")
    now = now or utcnow()
    photos = []
    for photo_id in photo_ids:
        photo = get_row(Photo, photo_id)
        # Another site's photo answers exactly like one that does not exist.
        if photo is None or photo.site_id != exhibition.site_id:
            raise NotFound(f"There is no photo {photo_id}.",
                           {"photo_ids": [f"There is no photo {photo_id}."]})
        if (why := refusal(photo, now)) is not None:
            raise Conflict(why, {"photo_ids": [why]})
        photos.append(photo)
    kept = {entry.photo_id: entry for entry in exhibition.entries}
    exhibition.entries = [kept.get(photo.id) or ExhibitionPhoto(photo=photo, position=0)
                          for photo in photos]
    for position, entry in enumerate(exhibition.entries, start=1):
        entry.position = position
    # The list is part of the exhibition: changing it meets a print sent meanwhile.
    flag_modified(exhibition, "title")
    _flush()
    record(actor, "exhibition.photos_set", "exhibition", exhibition.id,
           site_id=exhibition.site_id, photo_ids=photo_ids)
    return exhibition


def send_to_print(actor: User, exhibition: Exhibition, now: datetime | None = None
                  ) -> Exhibition:
    """Fix the list: from now on a withdrawal is recorded, not honoured by taking it out."""
    require_staff(actor)
    if exhibition.printed:
        raise Conflict("This exhibition has been sent to print already.")
    if not exhibition.entries:
        raise Conflict("Add photos to the exhibition first.")
    now = now or utcnow()
    for entry in exhibition.entries:
        if (why := refusal(entry.photo, now)) is not None:
            raise Conflict(why + " Take it out of the list first.", {"photo_ids": [why]})
    exhibition.printed_at, exhibition.printed_by_id = now, actor.id
    _flush()
    record(actor, "exhibition.sent_to_print", "exhibition", exhibition.id,
           site_id=exhibition.site_id, photo_ids=[e.photo_id for e in exhibition.entries])
    return exhibition


def on_show(exhibition: Exhibition, now: datetime | None = None) -> list[ExhibitionPhoto]:
    """The entries that may be shown now: not withdrawn after printing, and their consent
    still in force (one that expired on its own is not shown either)."""
    now = now or utcnow()
    _load_photos(exhibition)
    return [entry for entry in exhibition.entries
            if entry.withdrawn_at is None
            and entry.photo.has_consent(ConsentPurpose.EXHIBITION, now)]


def _load_photos(exhibition: Exhibition) -> None:
    # The entries' photos and their consents in a few queries, instead of two per entry:
    # set on the very entries exhibition.entries holds.
    ids = [entry.id for entry in exhibition.entries]
    if ids:
        db.session.scalars(select(ExhibitionPhoto).where(ExhibitionPhoto.id.in_(ids)).options(
            selectinload(ExhibitionPhoto.photo).selectinload(Photo.consents))).all()


def photo_on_show(exhibition: Exhibition, photo_uuid: str, now: datetime | None = None
                  ) -> Photo | None:
    """This photo if it is on show in the exhibition now (the rule of on_show), else None:
    one query for each picture a visitor's page asks for."""
    return db.session.scalar(
        select(Photo).join(ExhibitionPhoto, ExhibitionPhoto.photo_id == Photo.id).where(
            ExhibitionPhoto.exhibition_id == exhibition.id, Photo.uuid == photo_uuid,
            ExhibitionPhoto.withdrawn_at.is_(None),
            Photo.has_consent(ConsentPurpose.EXHIBITION, now or utcnow())))


# --- words and sizes for the pages and the PDFs -----------------------------------------


def credit_of(photo: Photo) -> str:
    """The credit as the participant chose it when they sent it to be shared; Anonymous
    when they never chose (a name is never shown without their choice)."""
    if photo.credit is Credit.DISPLAY_NAME and photo.credit_name:
        return photo.credit_name
    return "Anonymous"


def titles_of(photos: Iterable[Photo]) -> dict[int, str]:
    """Each photo's title by its id, as its owner named it in their reflection, else
    Untitled: one query for a whole page or PDF."""
    ids = [photo.id for photo in photos]
    named = dict(db.session.execute(select(Reflection.photo_id, Reflection.title).where(
        Reflection.photo_id.in_(ids))).all()) if ids else {}
    return {photo_id: named.get(photo_id) or "Untitled" for photo_id in ids}


def best_print_cm(photo: Photo) -> tuple[float, float]:
    """Width and height in cm at the resolution check's print density."""
    return (photo.width / PRINT_DPI * CM_PER_INCH, photo.height / PRINT_DPI * CM_PER_INCH)


def print_cm(photo: Photo, size: PrintSize) -> tuple[float, float]:
    """The print's width and height: its best size, no bigger than the chosen print size
    (turned to the photo's own orientation)."""
    width, height = best_print_cm(photo)
    short, long = PRINT_SIZES_CM[size]
    box = (long, short) if width >= height else (short, long)
    scale = min(1.0, box[0] / width, box[1] / height)
    return (round(width * scale, 1), round(height * scale, 1))


def too_small(exhibition: Exhibition) -> list[ExhibitionPhoto]:
    """Entries whose photo has too little detail to fill the chosen print size."""
    short, long = PRINT_SIZES_CM[exhibition.print_size]
    flagged = []
    for entry in exhibition.entries:
        width, height = best_print_cm(entry.photo)
        if max(width, height) < long or min(width, height) < short:
            flagged.append(entry)
    return flagged


# --- a yes taken back -------------------------------------------------------------------


@consent_withdrawn.connect
def _withdrawn(photo: Photo, *, purpose: ConsentPurpose, actor: User, now: datetime,
               **_: Any) -> None:
    if purpose is not ConsentPurpose.EXHIBITION:
        return
    entries = db.session.scalars(select(ExhibitionPhoto).where(
        ExhibitionPhoto.photo_id == photo.id)).all()
    for entry in entries:
        exhibition = entry.exhibition
        # Sending to print at the same moment meets a changed row: the withdrawal then
        # starts again (consent.withdraw_consent) and finds it printed.
        flag_modified(exhibition, "title")
        if exhibition.printed:
            if entry.withdrawn_at is None:
                entry.withdrawn_at = now
                record(actor, "exhibition.print_withdrawn", "exhibition", exhibition.id,
                       site_id=exhibition.site_id, photo_id=photo.id)
        else:
            _take_out(entry)
            record(actor, "exhibition.photo_removed", "exhibition", exhibition.id,
                   site_id=exhibition.site_id, photo_id=photo.id, reason="consent_withdrawn")
    db.session.flush()


@participant_moving.connect
def _leave_plans(participant: User, **_: Any) -> dict[str, int]:
    # Their photos go to the new site: the old site's exhibitions not yet printed let them
    # go too; prints already made stay on the record.
    entries = db.session.scalars(
        select(ExhibitionPhoto).join(ExhibitionPhoto.exhibition).join(ExhibitionPhoto.photo)
        .where(Photo.owner_id == participant.id, Exhibition.printed_at.is_(None))).all()
    for entry in entries:
        _take_out(entry)
    db.session.flush()
    return {"exhibition_photos": len(entries)}


def _take_out(entry: ExhibitionPhoto) -> None:
    exhibition = entry.exhibition
    exhibition.entries.remove(entry)
    for position, rest in enumerate(exhibition.entries, start=1):
        rest.position = position
