"""The public gallery: a photo's theme, when it was published, reports from visitors, the
admins' choice to name a site, and participants' portfolio pages.

Revision ID: 0007_gallery
Revises: 0006_moderation
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_gallery"
down_revision = "0006_moderation"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("theme", sa.String(length=20), nullable=True))
        batch.create_check_constraint(
            op.f("ck_photos_photo_theme"),
            "theme IN ('light', 'distance', 'steadiness', 'other')")
        batch.add_column(sa.Column("published_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("reported_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("report_reason", sa.Text(), nullable=True))
    # Keyset pagination of the gallery: (published_at, id) descending.
    op.create_index("ix_photos_gallery_order", "photos", ["published_at", "id"])
    # Plain ADD COLUMN, no rebuild: rebuilding users would cascade-delete login sessions.
    op.add_column("sites", sa.Column("gallery_shows_name", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("users", sa.Column("portfolio_slug", sa.String(length=24), nullable=True))
    op.create_index("ix_users_portfolio_slug", "users", ["portfolio_slug"], unique=True)


def downgrade():
    op.drop_index("ix_users_portfolio_slug", "users")
    op.drop_column("users", "portfolio_slug")
    op.drop_column("sites", "gallery_shows_name")
    op.drop_index("ix_photos_gallery_order", "photos")
    with op.batch_alter_table("photos") as batch:
        batch.drop_constraint(op.f("ck_photos_photo_theme"), type_="check")
        for column in ("report_reason", "reported_at", "published_at", "theme"):
            batch.drop_column(column)
