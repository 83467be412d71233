"""Asset tags are unique within a site, not over all sites.

A tag unique over all sites let a worker learn, by being refused, that another site has a
camera with that tag.

Revision ID: 0011_asset_tags_per_site
Revises: 0010_token_allowance
Create Date: 2026-12-03
"""

from alembic import op

revision = "0011_asset_tags_per_site"
down_revision = "0010_token_allowance"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite changes a unique constraint only by rebuilding the table (batch mode); env.py
    # turns its foreign keys off meanwhile, so the bookings that point at cameras stay.
    with op.batch_alter_table("cameras") as batch:
        batch.drop_constraint("uq_cameras_asset_tag", type_="unique")
        batch.create_unique_constraint("uq_cameras_site_id_asset_tag", ["site_id", "asset_tag"])


def downgrade():
    # Fails, and changes nothing, while two sites share a tag: rename one first.
    with op.batch_alter_table("cameras") as batch:
        batch.drop_constraint("uq_cameras_site_id_asset_tag", type_="unique")
        batch.create_unique_constraint("uq_cameras_asset_tag", ["asset_tag"])
