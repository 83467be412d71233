"""A booking's note for its borrower, beside the note for staff only.

Every note written before this was written for workers, so all of them stay internal.

Revision ID: 0012_participant_notes
Revises: 0011_asset_tags_per_site
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_participant_notes"
down_revision = "0011_asset_tags_per_site"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no rebuild: rebuilding bookings would drop its overlap triggers.
    op.add_column("bookings", sa.Column("participant_note", sa.Text(), nullable=False,
                                        server_default=""))


def downgrade():
    # SQLite 3.35 and later drop a column in place, so the triggers stay here too.
    op.drop_column("bookings", "participant_note")
