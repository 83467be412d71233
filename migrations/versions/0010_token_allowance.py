"""Participants may hold API tokens only when an admin allows it.

Revision ID: 0010_token_allowance
Revises: 0009_gallery_cache
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_token_allowance"
down_revision = "0009_gallery_cache"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no rebuild: rebuilding users would cascade-delete login sessions
    # and API tokens on SQLite.
    op.add_column("users", sa.Column("api_tokens_allowed", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    # Nobody allowed participants tokens before this, so the ones they hold end now.
    op.execute(
        "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL "
        "AND user_id IN (SELECT id FROM users WHERE role = 'participant')"
    )


def downgrade():
    op.drop_column("users", "api_tokens_allowed")
