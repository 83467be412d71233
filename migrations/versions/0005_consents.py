"""Consent per photo and purpose (the public gallery, the Flickr group), kept as history.

Revision ID: 0005_consents
Revises: 0004_photos
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_consents"
down_revision = "0004_photos"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("wording_version", sa.Integer(), nullable=False),
        sa.Column("given_at", Timestamp, nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=False),
        sa.Column("witnessed_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("ended_at", Timestamp, nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("purpose IN ('gallery', 'flickr')",
                           name=op.f("ck_consents_consent_purpose")),
        sa.CheckConstraint("end_reason IN ('withdrawn', 'expired')",
                           name=op.f("ck_consents_consent_end")),
        sa.CheckConstraint("expires_at > given_at", name=op.f("ck_consents_expires_after_given")),
        sa.CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)",
                           name=op.f("ck_consents_ended_with_reason")),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name="fk_consents_photo_id_photos", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["given_by_id"], ["users.id"],
                                name="fk_consents_given_by_id_users"),
        sa.ForeignKeyConstraint(["witnessed_by_id"], ["users.id"],
                                name="fk_consents_witnessed_by_id_users"),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"],
                                name="fk_consents_ended_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_consents"),
    )
    op.create_index("ix_consents_photo_id", "consents", ["photo_id"])
    op.create_index("ix_consents_expires_at", "consents", ["expires_at"])
    # One consent in force per photo and purpose, even when two clicks race.
    op.create_index("uq_consents_in_force", "consents", ["photo_id", "purpose"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"),
                    postgresql_where=sa.text("ended_at IS NULL"))


def downgrade():
    op.drop_table("consents")
