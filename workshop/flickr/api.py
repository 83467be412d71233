"""JSON views of the Flickr sync: its state, and "try again" for one photo."""

from datetime import datetime
from typing import Literal

from flask import Blueprint
from pydantic import Field

from workshop.api.spec import OutModel, operation
from workshop.auth.bearer import api_user
from workshop.flickr import services
from workshop.flickr.models import FlickrJob
from workshop.photos import services as photos

bp = Blueprint("flickr_api", __name__)

# The names of services.STATUS_LABELS, listed once there.
StatusName = Literal[tuple(services.STATUS_LABELS)]


class FlickrPhotoOut(OutModel):
    photo_id: int | None = Field(description="null once the photo has been erased.")
    status: StatusName
    label: str = Field(description="The status in plain words.")
    flickr_photo_id: str | None
    attempts: int
    last_error: str | None = Field(description="What went wrong last, in plain words.")
    next_try_at: datetime | None = Field(description="When it is tried again by itself.")
    updated_at: datetime


class AccountOut(OutModel):
    username: str
    connected_at: datetime


class FlickrStatusOut(OutModel):
    account: AccountOut | None = Field(description="null when no account is connected.")
    counts: dict[StatusName, int]
    photos: list[FlickrPhotoOut] = Field(description="Each photo's latest state, most "
                                                     "recently changed first (up to 200).")


def _photo_out(job: FlickrJob) -> dict:
    status = services.status_of(job)
    return {"photo_id": job.photo_id, "status": status, "label": services.STATUS_LABELS[status],
            "flickr_photo_id": job.flickr_photo_id, "attempts": job.attempts,
            "last_error": job.last_error,
            "next_try_at": job.due_at if status == "queued" else None,
            "updated_at": job.updated_at}


@bp.get("/flickr/status")
@operation("Each photo's state on Flickr, with counts (workers and admins)", tag="flickr",
           response=FlickrStatusOut, errors=(404,))
def status():
    sync = services.sync_status(api_user())
    account = services.get_account()
    return {"account": account, "counts": sync.counts,
            "photos": [_photo_out(job) for job in sync.jobs]}


@bp.post("/photos/<id:photo_id>/flickr/retry")
@operation("Try a photo's Flickr job again now (after it needed attention, or to skip a "
           "wait)", tag="flickr", response=FlickrPhotoOut, errors=(404, 409))
def retry(photo_id: int):
    actor = api_user()
    return _photo_out(services.retry(actor, photos.get_photo(actor, photo_id)))
