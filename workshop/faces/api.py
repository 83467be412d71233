"""The faces of a photo in the API: each answer about a photo lists them."""

from pydantic import Field

from workshop.api.spec import OutModel, add_field
from workshop.photos.api import PhotoOut


class FaceOut(OutModel):
    id: int
    box: list[float] = Field(min_length=4, max_length=4, description=(
        "x, y, width, height of the face, as fractions of the upright picture's width and "
        "height, from its top left corner."))
    score: float = Field(ge=0, le=1, description="How sure the detector is (0 to 1).")


add_field(PhotoOut, "faces", list[FaceOut], Field(description=(
    "The faces found when it was uploaded, most certain first; empty when none were found "
    "or the photo was uploaded before faces were searched.")))
