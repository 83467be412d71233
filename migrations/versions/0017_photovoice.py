"""Photovoice: reflection answers and the questions per site, themes, exhibitions and the
photos in them, and exhibition as a consent purpose of its own.

Existing photos have no answers and no themes, and no consent for exhibitions: nothing
joins an exhibition until its owner says yes.

Revision ID: 0017_photovoice
Revises: 0016_face_consent
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_photovoice"
down_revision = "0016_face_consent"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
PURPOSES_BEFORE = "purpose IN ('gallery', 'flickr')"
PURPOSES_AFTER = "purpose IN ('gallery', 'flickr', 'exhibition')"


def upgrade():
    with op.batch_alter_table("consents") as batch:
        batch.drop_constraint(op.f("ck_consents_consent_purpose"), type_="check")
        batch.create_check_constraint(op.f("ck_consents_consent_purpose"), PURPOSES_AFTER)
    op.create_table(
        "discussion_questions",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("wordings", sa.JSON(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_discussion_questions_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_discussion_questions")),
    )
    op.create_table(
        "reflections",
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("shared_with_group", sa.Boolean(), nullable=False),
        sa.Column("answers_shared", sa.Boolean(), nullable=False),
        sa.Column("name_shown", sa.Boolean(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name=op.f("fk_reflections_photo_id_photos"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("photo_id", name=op.f("pk_reflections")),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_themes_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_themes_site_id_name")),
    )
    op.create_index("ix_themes_site_id", "themes", ["site_id"])
    op.create_table(
        "photo_themes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("tagged_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"],
                                name=op.f("fk_photo_themes_theme_id_themes"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name=op.f("fk_photo_themes_photo_id_photos"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id", "photo_id", name=op.f("pk_photo_themes")),
    )
    op.create_index("ix_photo_themes_photo_id", "photo_themes", ["photo_id"])
    op.create_table(
        "exhibitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("print_size", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("printed_at", Timestamp, nullable=True),
        sa.Column("printed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_exhibitions_ends_after_start")),
        sa.CheckConstraint("print_size IN ('13x18', '20x30', '30x45')",
                           name=op.f("ck_exhibitions_print_size")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_exhibitions_site_id_sites")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_exhibitions_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["printed_by_id"], ["users.id"],
                                name=op.f("fk_exhibitions_printed_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exhibitions")),
    )
    op.create_index("ix_exhibitions_site_id", "exhibitions", ["site_id"])
    op.create_table(
        "exhibition_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exhibition_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["exhibition_id"], ["exhibitions.id"],
                                name=op.f("fk_exhibition_photos_exhibition_id_exhibitions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name=op.f("fk_exhibition_photos_photo_id_photos"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exhibition_photos")),
        sa.UniqueConstraint("exhibition_id", "photo_id",
                            name=op.f("uq_exhibition_photos_exhibition_id_photo_id")),
    )
    op.create_index("ix_exhibition_photos_exhibition_id", "exhibition_photos",
                    ["exhibition_id"])
    op.create_index("ix_exhibition_photos_photo_id", "exhibition_photos", ["photo_id"])


def downgrade():
    op.drop_table("exhibition_photos")
    op.drop_table("exhibitions")
    op.drop_table("photo_themes")
    op.drop_table("themes")
    op.drop_table("reflections")
    op.drop_table("discussion_questions")
    # The exhibition consents go with the purpose: the older code cannot read them.
    op.execute("DELETE FROM consents WHERE purpose = 'exhibition'")
    with op.batch_alter_table("consents") as batch:
        batch.drop_constraint(op.f("ck_consents_consent_purpose"), type_="check")
        batch.create_check_constraint(op.f("ck_consents_consent_purpose"), PURPOSES_BEFORE)
