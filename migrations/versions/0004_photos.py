"""Photos with their automatic checks, and workers' coaching notes on them.

Revision ID: 0004_photos
Revises: 0003_lessons_and_sessions
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_photos"
down_revision = "0003_lessons_and_sessions"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=False),
        # SHA-256 of the original: its file name in storage.
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("mime_type", sa.String(length=40), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("megapixels", sa.Float(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_photos_size_positive")),
        sa.CheckConstraint("byte_size > 0", name=op.f("ck_photos_bytes_positive")),
        sa.CheckConstraint("state IN ('private')", name=op.f("ck_photos_photo_state")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_photos_site_id_sites"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_photos_owner_id_users"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name="fk_photos_uploaded_by_id_users"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                                name="fk_photos_session_id_sessions", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"],
                                name="fk_photos_booking_id_bookings", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_photos"),
        sa.UniqueConstraint("uuid", name="uq_photos_uuid"),
        # One copy per participant and file: a repeat upload is refused, even in a race.
        sa.UniqueConstraint("owner_id", "content_hash",
                            name="uq_photos_owner_id_content_hash"),
    )
    for column in ("site_id", "owner_id", "session_id", "booking_id", "content_hash",
                   "created_at"):
        op.create_index(f"ix_photos_{column}", "photos", [column])

    op.create_table(
        "coaching_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.CheckConstraint("topic IN ('light', 'distance', 'steadiness', 'framing')",
                           name=op.f("ck_coaching_notes_note_topic")),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name="fk_coaching_notes_photo_id_photos", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name="fk_coaching_notes_author_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_coaching_notes"),
    )
    op.create_index("ix_coaching_notes_photo_id", "coaching_notes", ["photo_id"])


def downgrade():
    op.drop_table("coaching_notes")
    op.drop_table("photos")
