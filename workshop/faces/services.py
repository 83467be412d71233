"""The rules for faces: each uploaded photo is searched, what was found is kept and told
in plain words, what each person in it said is recorded, approval waits for it, and
public copies obscure everyone who did not agree.

Faces read photos' models and services; photos know nothing of faces and reach them by
signal (workshop.signals: photo_stored, photo_approving, photo_publishing).
"""

import math
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from typing import IO, Any

from flask import current_app
from PIL import Image
from sqlalchemy import select

from workshop.audit.services import record
from workshop.auth.models import User
from workshop.db import flush_or_conflict, utcnow
from workshop.errors import Invalid, NotFound
from workshop.extensions import db
from workshop.faces import detector
from workshop.faces.models import AgreedHow, DecisionEnd, Face, FaceDecision, FaceStatus
from workshop.photos import metadata
from workshop.photos.consent import chosen_purposes, may_decide_for
from workshop.photos.models import ConsentPurpose, Photo
from workshop.photos.services import mark_decision_changed, refresh_where_shown
from workshop.photos.storage import FileTooLarge, storage, track_new_files
from workshop.signals import (
    photo_approving,
    photo_publishing,
    photo_stored,
    stored_files_wanted,
)

NAME_LIMIT = 100
# Obscured around the box by this much of its size on each side: the detector's box is
# tight on the face, and hair, ears and chin help recognise someone too.
MARGIN = 0.3
# What is left of the box and its margin across: a few cells of colour, from which no
# face can be recovered; smoothed back up, so nothing of the cells' edges remains either.
CELLS = 4
# A signed form, photographed or scanned: told apart by how the file starts; its type,
# and the extension its download is named with.
FORM_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
              b"%PDF-": ("application/pdf", "pdf")}
FORM_EXTENSIONS = dict(FORM_TYPES.values())  # by type, as a decision keeps it


def faces_message(count: int) -> str:
    """What the participant reads, or "" when there is nothing to say."""
    if count == 0:
        return ""
    faces = "1 face" if count == 1 else f"{count} faces"
    people = "the person in it needs" if count == 1 else "the people in it need"
    return f"{faces} – {people} to agree before it goes public."


def search(photo: Photo, picture: Image.Image) -> list[Face]:
    """Find the faces in the photo's picture and keep them, with a check the participant's
    feedback shows ("faces": found or none, and how many)."""
    found = detector.find_faces(picture)
    faces = [Face(photo=photo, x=f.x, y=f.y, w=f.w, h=f.h, score=f.score) for f in found]
    db.session.add_all(faces)
    photo.checks = {**photo.checks, "faces": {
        "verdict": "found" if faces else "none",
        "count": len(faces),
        "message": faces_message(len(faces)),
        "lesson": None,
    }}
    db.session.flush()
    return faces


@photo_stored.connect
def _search_upload(photo: Photo, *, large: bytes, **_: Any) -> None:
    # The display copy is upright and about 1,600 px: the detector's own copy is made from
    # it, and its boxes fit every copy of the photo.
    with Image.open(BytesIO(large)) as picture:
        search(photo, picture)


# --- telling faces apart, in words -----------------------------------------------------


def where(face: Face) -> str:
    """Where the face is in the picture, as a person says it ("top right")."""
    column = ("left", "centre", "right")[min(2, int((face.x + face.w / 2) * 3))]
    row = ("top", "middle", "bottom")[min(2, int((face.y + face.h / 2) * 3))]
    return "centre" if (row, column) == ("middle", "centre") else f"{row} {column}"


def number(face: Face) -> int:
    """Its number on the photo's pages (1 for the first found), as the boxes are labelled."""
    return face.photo.faces.index(face) + 1  # type: ignore[attr-defined]


def label(face: Face) -> str:
    return f"face {number(face)}, {where(face)}"


def purpose_words(purpose: str) -> str:
    return purpose.capitalize()


# --- recording what each person said ---------------------------------------------------


def get_face(photo: Photo, face_id: int) -> Face:
    """One of this photo's faces (the photo already checked as the actor's to see)."""
    # Picked from the faces loaded with the photo (the backref faces.models adds, which
    # photos' model does not declare), so another photo's face is never found.
    face = next((f for f in photo.faces if f.id == face_id), None)  # type: ignore[attr-defined]
    if face is None:
        raise NotFound("There is no such face in this photo.")
    return face


def _may_decide_for(actor: User, face: Face, status: FaceStatus) -> None:
    # Whoever may decide the photo's own consent; "nobody" is for a worker to say.
    may_decide_for(actor, face.photo)
    if status is FaceStatus.NOT_A_PERSON and not actor.is_staff:
        raise Invalid.field("status", "Only a worker can say a face is not a person.")


def _status(value: FaceStatus | str) -> FaceStatus:
    try:
        status = FaceStatus(value)
    except ValueError:
        status = FaceStatus.UNREVIEWED
    if status is FaceStatus.UNREVIEWED:
        raise Invalid.field("status", "Choose: they said yes, or blur them in public.")
    return status


def _purposes(values: Sequence[str]) -> list[str]:
    # As a photo's consent reads them, told in the words of the face's page.
    choices = ", ".join(purpose_words(p.value) for p in ConsentPurpose)
    return [p.value for p in chosen_purposes(values, f"Choose from: {choices}.",
                                             f"Choose where they said yes to: {choices}.")]


def _name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid.field("name", "Write their first name, or how to tell who it is "
                                    "(\"man in the red hat\").")
    if len(name) > NAME_LIMIT:
        raise Invalid.field("name", f"Keep it to {NAME_LIMIT} characters.")
    return name


def _how(how: AgreedHow | str | None) -> AgreedHow:
    try:
        return AgreedHow(how or "")
    except ValueError:
        raise Invalid.field("how", "Choose: they said yes, or they signed a form.") from None


def decide(actor: User, face: Face, status: FaceStatus | str, purposes: Sequence[str] = (),
           name: str | None = None, how: AgreedHow | str | None = None,
           agreed_on: date | None = None, scan: IO[bytes] | None = None,
           now: datetime | None = None) -> FaceDecision:
    """Record what is decided for a face; the decision in force before it ends (as a
    withdrawal, if a yes lost a purpose) and stays as history. scan: of the signed form,
    kept as an original is."""
    status = _status(status)
    _may_decide_for(actor, face, status)
    now = now or utcnow()
    # Joined to the face only once it is complete (in _replace). Purposes only for a yes:
    # Face.purposes and Face.cleared_for count on it.
    decision = FaceDecision(status=status, purposes=[], decided_at=now, decided_by_id=actor.id)
    if status is FaceStatus.CONSENTED:
        decision.purposes = _purposes(purposes)
        decision.name, decision.how = _name(name), _how(how)
        decision.agreed_on = agreed_on or now.date()
        if decision.agreed_on > now.date():
            raise Invalid.field("agreed_on", "That date has not come yet.")
    if scan is not None:
        if decision.how is not AgreedHow.WRITTEN:
            raise Invalid.field("scan", "A form goes with \"they signed a form\".")
        decision.form_hash, decision.form_type = _keep_form(scan)
    return _replace(actor, face, decision, now)


def _keep_form(stream: IO[bytes]) -> tuple[str, str]:
    """Store a signed form as photos store an original: its content hash and its type."""
    store = storage()
    limit = int(current_app.config["PHOTO_MAX_BYTES"])
    try:
        received = store.receive(stream, limit)
    except FileTooLarge:
        raise Invalid.field("scan", f"The form is bigger than {limit // (1024 * 1024)} MB. "
                                    "Take its photo again, a little further away.") from None
    try:
        with received.path.open("rb") as file:
            start = file.read(8)
        kind = next((name for magic, (name, _) in FORM_TYPES.items()
                     if start.startswith(magic)), None)
        if kind is None:
            raise Invalid.field("scan", "Send the form as a photo (JPEG or PNG) or a PDF.")
        # Where and with what a phone photographed the form is not kept.
        metadata.scrub_file(received.path)
        track_new_files(db.session(), store.keep_original(received))
    finally:
        received.discard()
    return received.sha256, kind


@stored_files_wanted.connect
def _forms_kept(_: Any, **__: Any) -> set[str]:
    return set(db.session.scalars(select(FaceDecision.form_hash)
                                  .where(FaceDecision.form_hash.is_not(None))))


def withdraw(actor: User, face: Face, purposes: list[str] | None = None,
             now: datetime | None = None) -> FaceDecision:
    """The person photographed takes back their yes (for these purposes, or all): the
    face is obscured where they no longer agree, at once."""
    current = face.decision
    if current is None or current.status is not FaceStatus.CONSENTED:
        raise Invalid.field("purposes", "No yes is recorded for this face.")
    ending = set(current.purposes if purposes is None else _purposes(purposes))
    kept = [p for p in current.purposes if p not in ending]
    if not kept:
        return decide(actor, face, FaceStatus.BLUR, now=now)
    decision = decide(actor, face, FaceStatus.CONSENTED, kept, current.name, current.how,
                      current.agreed_on, now=now)
    decision.form_hash, decision.form_type = current.form_hash, current.form_type
    return decision


def _replace(actor: User, face: Face, decision: FaceDecision, now: datetime) -> FaceDecision:
    photo = face.photo
    before = {p: face.cleared_for(p.value) for p in ConsentPurpose}
    current = face.decision
    withdrawn = False
    if current is not None:
        withdrawn = bool(set(current.purposes) - set(decision.purposes))
        current.ended_at, current.ended_by_id = now, actor.id
        current.end_reason = DecisionEnd.WITHDRAWN if withdrawn else DecisionEnd.REPLACED
        # The old one leaves the in-force index before the new one enters it.
        flush_or_conflict("Someone recorded something for this face at the same moment. "
                          "Look again and try once more.")
    decision.face = face
    db.session.add(decision)
    # As with the photo's own consent: an approval decided on an older view of its faces
    # is refused.
    mark_decision_changed(photo)
    flush_or_conflict("Someone recorded something for this face at the same moment. "
                      "Look again and try once more.")
    record(actor, "face.consent_withdrawn" if withdrawn else "face.decided", "photo",
           photo.id, site_id=photo.site_id, face=face.id, status=decision.status.value,
           purposes=decision.purposes, how=decision.how.value if decision.how else None,
           witnessed=actor.id != photo.owner_id)
    changed = [p for p in ConsentPurpose if face.cleared_for(p.value) != before[p]]
    if changed:
        refresh_where_shown(photo, now, changed)
    return decision


# --- approval, and public copies ---------------------------------------------------------


@photo_approving.connect
def _everyone_agreed(photo: Photo, *, purposes: list[ConsentPurpose], **_: Any) -> None:
    # Photo.faces is the backref faces.models adds, which photos' model does not declare.
    faces = photo.faces  # type: ignore[attr-defined]
    problems = []
    for face in faces:
        if face.status is FaceStatus.BLUR:
            continue
        missing = [purpose_words(p.value) for p in purposes if not face.cleared_for(p.value)]
        if missing:
            problems.append(f"{label(face).capitalize()}: no yes for {' or '.join(missing)} "
                            "is recorded, and it is not marked \"blur in public\".")
    if problems:
        raise Invalid(" ".join(problems), {"no_identifiable_people": problems})


def obscure(picture: Image.Image, face: Face) -> None:
    """Obscure the face and a margin round it, for good, in the picture itself."""
    width, height = picture.size
    margin_x, margin_y = face.w * MARGIN, face.h * MARGIN
    box = (max(0, math.floor((face.x - margin_x) * width)),
           max(0, math.floor((face.y - margin_y) * height)),
           min(width, math.ceil((face.x + face.w + margin_x) * width)),
           min(height, math.ceil((face.y + face.h + margin_y) * height)))
    region = picture.crop(box)
    cells = region.resize((CELLS, max(1, round(CELLS * region.height / region.width))),
                          Image.Resampling.BOX)
    picture.paste(cells.resize(region.size, Image.Resampling.BILINEAR), box[:2])


@photo_publishing.connect
def _obscure_faces(photo: Photo, *, purpose: ConsentPurpose, picture: Image.Image,
                   **_: Any) -> bool:
    # Anyone not cleared for this purpose, including a face nobody has looked at yet.
    hidden = [face for face in photo.faces  # type: ignore[attr-defined]
              if not face.cleared_for(purpose.value)]
    for face in hidden:
        obscure(picture, face)
    return bool(hidden)
