"""Moderation: a photo is submitted with a credit, then approved or sent back with a reason.

Revision ID: 0006_moderation
Revises: 0005_consents
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_moderation"
down_revision = "0005_consents"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
STATES_BEFORE = "state IN ('private')"
STATES_AFTER = "state IN ('private', 'submitted', 'approved', 'rejected', 'withdrawn')"


def upgrade():
    # On SQLite this rebuilds the table (no triggers live on photos); existing photos are
    # private and have been decided by nobody, so the new columns start empty.
    with op.batch_alter_table("photos") as batch:
        batch.drop_constraint(op.f("ck_photos_photo_state"), type_="check")
        batch.create_check_constraint(op.f("ck_photos_photo_state"), STATES_AFTER)
        batch.add_column(sa.Column("credit", sa.String(length=20), nullable=True))
        batch.create_check_constraint(op.f("ck_photos_photo_credit"),
                                      "credit IN ('display_name', 'anonymous')")
        batch.add_column(sa.Column("credit_name", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("submitted_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("decided_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        # Optimistic locking: of two decisions made at once, the second is refused.
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.create_foreign_key("fk_photos_decided_by_id_users", "users",
                                 ["decided_by_id"], ["id"])
    with op.batch_alter_table("photos") as batch:
        batch.alter_column("version", server_default=None)
    op.create_index("ix_photos_state", "photos", ["state"])


def downgrade():
    op.drop_index("ix_photos_state", "photos")
    op.execute("UPDATE photos SET state = 'private'")
    with op.batch_alter_table("photos") as batch:
        batch.drop_constraint("fk_photos_decided_by_id_users", type_="foreignkey")
        batch.drop_constraint(op.f("ck_photos_photo_credit"), type_="check")
        for column in ("version", "rejection_reason", "decided_by_id", "decided_at",
                       "submitted_at", "credit_name", "credit"):
            batch.drop_column(column)
        batch.drop_constraint(op.f("ck_photos_photo_state"), type_="check")
        batch.create_check_constraint(op.f("ck_photos_photo_state"), STATES_BEFORE)
