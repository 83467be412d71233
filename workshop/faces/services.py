"""The rules for faces: each uploaded photo is searched, and what was found is kept and
told in plain words.

Faces read photos' models; photos know nothing of faces and tell them of an upload by
signal (workshop.signals.photo_stored).
"""

from io import BytesIO
from typing import Any

from PIL import Image

from workshop.extensions import db
from workshop.faces import detector
from workshop.faces.models import Face
from workshop.photos.models import Photo
from workshop.signals import photo_stored


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
