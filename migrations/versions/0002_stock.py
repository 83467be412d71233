"""Camera stock and bookings, with overlapping active bookings refused by the database.

Revision ID: 0002_stock
Revises: 0001_accounts
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_stock"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
# A booking holds its camera only while reserved or out.
ACTIVE = "('reserved', 'out')"

# SQLite has no exclusion constraints. SQLite lets one writer in at a time, so a trigger
# that looks for an overlap before each write is race-free there.
SQLITE_OVERLAP_CHECK = f"""
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE NEW.state IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM bookings AS other
        WHERE other.camera_id = NEW.camera_id
          AND other.id IS NOT NEW.id
          AND other.state IN {ACTIVE}
          AND other.starts_at < NEW.ends_at
          AND NEW.starts_at < other.ends_at
    );
"""


def upgrade():
    op.create_table(
        "cameras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("asset_tag", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("make", sa.String(length=80), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("megapixels", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("exposures", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        # Optimistic locking: a stale edit fails instead of overwriting a newer one.
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('digital', 'disposable')", name=op.f("ck_cameras_camera_kind")),
        sa.CheckConstraint(
            "status IN ('available', 'in_repair', 'retired', 'lost', 'used')",
            name=op.f("ck_cameras_camera_status")),
        sa.CheckConstraint("megapixels IS NULL OR megapixels > 0",
                           name=op.f("ck_cameras_megapixels_positive")),
        sa.CheckConstraint("exposures IS NULL OR exposures > 0",
                           name=op.f("ck_cameras_exposures_positive")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_cameras_site_id_sites"),
        sa.PrimaryKeyConstraint("id", name="pk_cameras"),
        sa.UniqueConstraint("asset_tag", name="uq_cameras_asset_tag"),
    )
    op.create_index("ix_cameras_site_id", "cameras", ["site_id"])

    def user_fk(column):
        # People can be erased; the loan history stays, without them.
        return sa.ForeignKeyConstraint([column], ["users.id"],
                                       name=f"fk_bookings_{column}_users", ondelete="SET NULL")

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", Timestamp, nullable=False),
        sa.Column("ends_at", Timestamp, nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_out_at", Timestamp, nullable=True),
        sa.Column("checked_out_by_id", sa.Integer(), nullable=True),
        sa.Column("checkout_condition", sa.JSON(), nullable=True),
        sa.Column("returned_at", Timestamp, nullable=True),
        sa.Column("returned_by_id", sa.Integer(), nullable=True),
        sa.Column("return_condition", sa.JSON(), nullable=True),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_bookings_ends_after_start")),
        sa.CheckConstraint(
            "state IN ('reserved', 'out', 'returned', 'cancelled', 'written_off', "
            "'sent_for_developing', 'developed')", name=op.f("ck_bookings_booking_state")),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"],
                                name="fk_bookings_camera_id_cameras"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_bookings_site_id_sites"),
        user_fk("participant_id"),
        user_fk("created_by_id"),
        user_fk("checked_out_by_id"),
        user_fk("returned_by_id"),
        user_fk("closed_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
    )
    for column in ("camera_id", "participant_id", "site_id", "state"):
        op.create_index(f"ix_bookings_{column}", "bookings", [column])

    if op.get_bind().dialect.name == "postgresql":
        # btree_gist lets one GiST index compare camera ids (=) and periods (&&) together.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(f"""
            ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap
            EXCLUDE USING gist (camera_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
            WHERE (state IN {ACTIVE})
        """)
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(f"""
                CREATE TRIGGER bookings_no_overlap_{event.lower()}
                BEFORE {event} ON bookings
                BEGIN {SQLITE_OVERLAP_CHECK} END
            """)


def downgrade():
    # Dropping the table drops its exclusion constraint or triggers with it; the
    # btree_gist extension stays, as other databases objects may use it.
    op.drop_table("bookings")
    op.drop_table("cameras")
