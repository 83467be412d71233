"""What was recorded for each face: a person's yes (who, how, when, for what, with an
optional scan of the signed form), "blur in public" or "not a person", kept as history.

The purposes are a JSON list of consent purposes, checked by the service, so a purpose
added to photos' consents needs no change here.

Revision ID: 0016_face_consent
Revises: 0015_faces
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_face_consent"
down_revision = "0015_faces"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "face_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("face_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("how", sa.String(length=10), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("form_hash", sa.String(length=64), nullable=True),
        sa.Column("form_type", sa.String(length=40), nullable=True),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("decided_at", Timestamp, nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("ended_at", Timestamp, nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('unreviewed', 'consented', 'blur', 'not_a_person')",
                           name=op.f("ck_face_decisions_face_status")),
        sa.CheckConstraint("how IN ('verbal', 'written')",
                           name=op.f("ck_face_decisions_agreed_how")),
        sa.CheckConstraint("end_reason IN ('withdrawn', 'replaced')",
                           name=op.f("ck_face_decisions_face_decision_end")),
        sa.CheckConstraint("status != 'consented' OR (name IS NOT NULL AND how IS NOT NULL "
                           "AND agreed_on IS NOT NULL)",
                           name=op.f("ck_face_decisions_consent_complete")),
        sa.CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)",
                           name=op.f("ck_face_decisions_ended_with_reason")),
        sa.ForeignKeyConstraint(["face_id"], ["faces.id"],
                                name=op.f("fk_face_decisions_face_id_faces"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_face_decisions_decided_by_id_users")),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"],
                                name=op.f("fk_face_decisions_ended_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_decisions")),
    )
    op.create_index("ix_face_decisions_face_id", "face_decisions", ["face_id"])
    op.create_index("ix_face_decisions_form_hash", "face_decisions", ["form_hash"])
    # One decision in force per face, even when two clicks race.
    op.create_index("uq_face_decisions_in_force", "face_decisions", ["face_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"),
                    postgresql_where=sa.text("ended_at IS NULL"))


def downgrade():
    op.drop_table("face_decisions")
