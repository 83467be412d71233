"""What faces add to photos' pages: the boxes drawn over the picture for workers."""

from typing import Any

from workshop.auth.models import User
from workshop.faces import services  # noqa: F401  (its receiver searches each upload)
from workshop.photos.models import Photo
from workshop.signals import photo_shown


@photo_shown.connect
def _face_boxes(photo: Photo, *, viewer: User, **_: Any) -> dict | None:
    # The worker who moderates checks each face against what is recorded; the participant
    # reads the count in their feedback instead of boxes over their friends.
    # Photo.faces is the backref faces.models adds, which photos' model does not declare.
    faces = photo.faces  # type: ignore[attr-defined]
    if not viewer.is_staff or not faces:
        return None
    return {"template": "faces/_boxes.html", "faces": faces}
