"""The connected Flickr account and the outbox of jobs that keep Flickr in step."""

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from workshop.db import Model, UTCDateTime, string_enum, utcnow


class FlickrAccount(Model):
    """The one Flickr account the programme posts as (a single row, id 1)."""

    __tablename__ = "flickr_accounts"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The OAuth access token and its secret, encrypted with a key derived from the
    # app's secret key (services.seal): a copy of the database alone cannot post as us.
    sealed_token: Mapped[bytes] = mapped_column(LargeBinary)
    perms: Mapped[str] = mapped_column(String(10))
    user_nsid: Mapped[str] = mapped_column(String(40))
    username: Mapped[str] = mapped_column(String(100))
    fullname: Mapped[str] = mapped_column(String(200), default="")
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    connected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))


class JobAction(enum.StrEnum):
    UPLOAD = "upload"
    REMOVE = "remove"


class JobState(enum.StrEnum):
    # Waiting until due_at (a retry waits here too).
    QUEUED = "queued"
    # Claimed by a worker until lease_until; after that any worker may take it again.
    RUNNING = "running"
    DONE = "done"
    # Flickr said something only a person can fix; retried when someone asks.
    ATTENTION = "attention"
    # An upload that had not started when the photo's consent was taken back.
    CANCELLED = "cancelled"


UNFINISHED = (JobState.QUEUED, JobState.RUNNING, JobState.ATTENTION)
UNFINISHED_SQL = text("state IN ({})".format(", ".join(f"'{s.value}'" for s in UNFINISHED)))


class JobResult(enum.StrEnum):
    IN_GROUP = "in_group"
    # Flickr took it into the group's queue: the group's admins still have to say yes.
    PENDING = "pending"
    REMOVED = "removed"


class ErrorKind(enum.StrEnum):
    # Flickr was busy or unreachable: tried again by itself after a wait.
    TRANSIENT = "transient"
    # Flickr refused for a reason a person has to look at (group rules, file type).
    PERSON = "person"
    # The connection to the account no longer works: an admin connects it again.
    AUTH = "auth"


class FlickrJob(Model):
    """One step to take on Flickr for one photo: the durable outbox.

    Jobs are added in the same transaction as the decision that calls for them, so a
    decision is never made without its job, nor a job without its decision. Jobs of one
    photo run in order of id.
    """

    __tablename__ = "flickr_jobs"
    __table_args__ = (
        # One unfinished job per photo and action however many requests race to add it.
        Index("uq_flickr_jobs_unfinished", "photo_uuid", "action", unique=True,
              sqlite_where=UNFINISHED_SQL, postgresql_where=UNFINISHED_SQL),
        # What a worker looks for: due jobs, oldest first.
        Index("ix_flickr_jobs_due", "state", "due_at"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept when the photo itself is erased: its removal from Flickr must still happen.
    photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL"), index=True)
    # The photo's machine tag on Flickr (workshop:photo=<uuid>), by which it is found again.
    photo_uuid: Mapped[str] = mapped_column(String(32), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    action: Mapped[JobAction] = mapped_column(string_enum(JobAction, "flickr_job_action", 10))
    state: Mapped[JobState] = mapped_column(
        string_enum(JobState, "flickr_job_state", 12), default=JobState.QUEUED)
    result: Mapped[JobResult | None] = mapped_column(
        string_enum(JobResult, "flickr_job_result", 12))
    # Stored the moment Flickr answers the upload, before anything else can go wrong.
    flickr_photo_id: Mapped[str | None] = mapped_column(String(40))
    # An upload may have reached Flickr without our hearing its id (a timeout after the
    # file was sent, a worker killed): search by the machine tag before sending again.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A fresh random value per claim: a worker whose lease ran out and was taken over
    # finds its writes refused instead of overwriting the new owner's.
    claim: Mapped[str | None] = mapped_column(String(32))
    error_kind: Mapped[ErrorKind | None] = mapped_column(
        string_enum(ErrorKind, "flickr_error_kind", 12))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
