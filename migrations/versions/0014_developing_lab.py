"""Where a disposable's film went to be developed, and when the prints are expected back.

Workers chase a lab by name and date; until now neither was written down. Films sent
before this have neither, so both columns allow nothing: an empty lab and no date.

Revision ID: 0014_developing_lab
Revises: 0013_photos_seen_at
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_developing_lab"
down_revision = "0013_photos_seen_at"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no rebuild: rebuilding bookings would drop its overlap triggers.
    op.add_column("bookings", sa.Column("lab", sa.String(120), nullable=False,
                                        server_default=""))
    op.add_column("bookings", sa.Column("lab_expected_on", sa.Date(), nullable=True))


def downgrade():
    # SQLite 3.35 and later drop a column in place, so the triggers stay here too.
    op.drop_column("bookings", "lab_expected_on")
    op.drop_column("bookings", "lab")
