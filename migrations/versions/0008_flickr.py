"""Flickr: the connected account (its token sealed) and the outbox of sync jobs.

Revision ID: 0008_flickr
Revises: 0007_gallery
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_flickr"
down_revision = "0007_gallery"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
UNFINISHED = sa.text("state IN ('queued', 'running', 'attention')")


def upgrade():
    op.create_table(
        "flickr_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sealed_token", sa.LargeBinary(), nullable=False),
        sa.Column("perms", sa.String(length=10), nullable=False),
        sa.Column("user_nsid", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("fullname", sa.String(length=200), nullable=False),
        sa.Column("connected_at", Timestamp, nullable=False),
        sa.Column("connected_by_id", sa.Integer(), nullable=True),
        # One programme, one account.
        sa.CheckConstraint("id = 1", name=op.f("ck_flickr_accounts_single_row")),
        sa.ForeignKeyConstraint(["connected_by_id"], ["users.id"],
                                name="fk_flickr_accounts_connected_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_flickr_accounts"),
    )
    op.create_table(
        "flickr_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.Column("photo_uuid", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=True),
        sa.Column("flickr_photo_id", sa.String(length=40), nullable=True),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("lease_until", Timestamp, nullable=True),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("error_kind", sa.String(length=12), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("finished_at", Timestamp, nullable=True),
        sa.CheckConstraint("action IN ('upload', 'remove')",
                           name=op.f("ck_flickr_jobs_flickr_job_action")),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'attention', 'cancelled')",
                           name=op.f("ck_flickr_jobs_flickr_job_state")),
        sa.CheckConstraint("result IN ('in_group', 'pending', 'removed')",
                           name=op.f("ck_flickr_jobs_flickr_job_result")),
        sa.CheckConstraint("error_kind IN ('transient', 'person', 'auth')",
                           name=op.f("ck_flickr_jobs_flickr_error_kind")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_flickr_jobs_attempts_not_negative")),
        # An erased photo's row goes, but the job to take it off Flickr stays.
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name="fk_flickr_jobs_photo_id_photos", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_flickr_jobs_site_id_sites"),
        sa.PrimaryKeyConstraint("id", name="pk_flickr_jobs"),
    )
    op.create_index("ix_flickr_jobs_photo_id", "flickr_jobs", ["photo_id"])
    op.create_index("ix_flickr_jobs_photo_uuid", "flickr_jobs", ["photo_uuid"])
    op.create_index("ix_flickr_jobs_site_id", "flickr_jobs", ["site_id"])
    op.create_index("ix_flickr_jobs_due", "flickr_jobs", ["state", "due_at"])
    # One unfinished job per photo and action, even when two decisions race.
    op.create_index("uq_flickr_jobs_unfinished", "flickr_jobs", ["photo_uuid", "action"],
                    unique=True, sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)


def downgrade():
    op.drop_table("flickr_jobs")
    op.drop_table("flickr_accounts")
