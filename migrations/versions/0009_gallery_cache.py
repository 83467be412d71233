"""The gallery's change counter: cached gallery pages are keyed by it.

Revision ID: 0009_gallery_cache
Revises: 0008_flickr
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_gallery_cache"
down_revision = "0008_flickr"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gallery_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        # A single row (made by the first change, or here).
        sa.CheckConstraint("id = 1", name=op.f("ck_gallery_state_single_row")),
        sa.PrimaryKeyConstraint("id", name="pk_gallery_state"),
    )
    op.execute("INSERT INTO gallery_state (id, version) VALUES (1, 0)")


def downgrade():
    op.drop_table("gallery_state")
