"""The faces of a photo in the API: each answer about a photo lists them, with what was
recorded for each, and a decision for one face is recorded here."""

from flask import Blueprint
from pydantic import Field

from workshop.api.spec import ApiModel, OutModel, add_field, one_of, operation
from workshop.auth.bearer import api_user
from workshop.faces import services
from workshop.faces.models import AgreedHow, FaceStatus
from workshop.photos import services as photos
from workshop.photos.api import PhotoOut, PurposeName

bp = Blueprint("faces_api", __name__)

class FaceOut(OutModel):
    id: int
    box: list[float] = Field(min_length=4, max_length=4, description=(
        "x, y, width, height of the face, as fractions of the upright picture's width and "
        "height, from its top left corner."))
    score: float = Field(ge=0, le=1, description="How sure the detector is (0 to 1).")
    status: one_of(FaceStatus) = Field(description=(
        "What is recorded: nothing yet (unreviewed), the person's yes (consented), "
        "obscured in every public copy (blur), or nobody (not_a_person)."))
    purposes: list[PurposeName] = Field(description=(
        "Where the person said yes to; empty unless consented."))


add_field(PhotoOut, "faces", list[FaceOut], Field(description=(
    "The faces found when it was uploaded, most certain first; empty when none were found "
    "or the photo was uploaded before faces were searched.")))


class FaceDecisionIn(ApiModel):
    status: one_of(s for s in FaceStatus
                   if s is not FaceStatus.UNREVIEWED)
    purposes: list[PurposeName] = Field(
        default_factory=list, max_length=10,
        description="With consented: where the person said yes to (at least one).")
    name: str | None = Field(default=None, max_length=services.NAME_LIMIT, description=(
        "With consented: their first name or a description (\"man in the red hat\")."))
    how: one_of(AgreedHow) | None = Field(
        default=None, description="With consented: said yes (verbal) or signed a form "
                                   "(written).")


@bp.put("/photos/<id:photo_id>/faces/<id:face_id>")
@operation("Record what was decided for one face in a photo: the person's yes, blur in "
           "public, or (workers) not a person. The decision before it stays as history.",
           tag="photos", body=FaceDecisionIn, response=FaceOut, errors=(404, 409))
def decide(photo_id: int, face_id: int, body: FaceDecisionIn):
    actor = api_user()
    face = services.get_face(photos.get_photo(actor, photo_id), face_id)
    services.decide(actor, face, body.status, body.purposes, body.name, body.how)
    return face
