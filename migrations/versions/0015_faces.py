"""Faces found in each photo at upload, so the people in it can be asked before it goes
public.

Photos uploaded before this have no rows: they were never searched, and are not
searched now (the moderating worker still looks at each one).

Revision ID: 0015_faces
Revises: 0014_developing_lab
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_faces"
down_revision = "0014_developing_lab"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "faces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("w", sa.Float(), nullable=False),
        sa.Column("h", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.CheckConstraint("x >= 0 AND y >= 0 AND w > 0 AND h > 0 AND x + w <= 1.0001 "
                           "AND y + h <= 1.0001", name=op.f("ck_faces_box_inside")),
        sa.CheckConstraint("score >= 0 AND score <= 1", name=op.f("ck_faces_score_fraction")),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_faces_photo_id_photos"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faces")),
    )
    op.create_index("ix_faces_photo_id", "faces", ["photo_id"])


def downgrade():
    op.drop_index("ix_faces_photo_id", table_name="faces")
    op.drop_table("faces")
