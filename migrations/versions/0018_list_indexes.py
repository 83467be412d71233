"""Indexes for a site's photos to check and its reported photos, found by bench/scale.py:
with a million photos the moderation page read a site's thousands to show fifty.

Partial indexes, so they hold only the few rows each list shows.

Revision ID: 0018_list_indexes
Revises: 0017_photovoice
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_list_indexes"
down_revision = "0017_photovoice"
branch_labels = None
depends_on = None

SUBMITTED = sa.text("state = 'submitted'")
REPORTED = sa.text("reported_at IS NOT NULL")


def upgrade():
    op.create_index("ix_photos_moderation_queue", "photos", ["site_id", "submitted_at", "id"],
                    sqlite_where=SUBMITTED, postgresql_where=SUBMITTED)
    op.create_index("ix_photos_reported", "photos", ["site_id", "reported_at", "id"],
                    sqlite_where=REPORTED, postgresql_where=REPORTED)


def downgrade():
    op.drop_index("ix_photos_reported", table_name="photos")
    op.drop_index("ix_photos_moderation_queue", table_name="photos")
