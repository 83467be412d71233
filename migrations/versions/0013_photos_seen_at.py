"""When a participant last looked at their home page, so it can say what happened to
their photos since then.

Nobody has looked yet: the first home page shows everything that happened so far.

Revision ID: 0013_photos_seen_at
Revises: 0012_participant_notes
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_photos_seen_at"
down_revision = "0012_participant_notes"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no rebuild: rebuilding users would cascade-delete login sessions
    # and API tokens on SQLite.
    op.add_column("users", sa.Column("photos_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("users", "photos_seen_at")
