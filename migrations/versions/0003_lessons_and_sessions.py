"""Lesson plans with versions, workshop sessions with enrolments, and cameras booked for them.

Revision ID: 0003_lessons_and_sessions
Revises: 0002_stock
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_lessons_and_sessions"
down_revision = "0002_stock"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
ACTIVE = "('reserved', 'out')"
# As in 0002_stock: a migration keeps its own copy, so later edits cannot change history.
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


def restore_sqlite_overlap_triggers():
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE"):
            op.execute(f"""
                CREATE TRIGGER IF NOT EXISTS bookings_no_overlap_{event.lower()}
                BEFORE {event} ON bookings
                BEGIN {SQLITE_OVERLAP_CHECK} END
            """)


def upgrade():
    op.create_table(
        "lesson_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        # The current version's number: a save begun from an older one is a conflict.
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("topic IN ('light', 'distance', 'steadiness', 'other')",
                           name=op.f("ck_lesson_plans_lesson_topic")),
        sa.PrimaryKeyConstraint("id", name="pk_lesson_plans"),
        sa.UniqueConstraint("slug", name="uq_lesson_plans_slug"),
    )
    op.create_index("ix_lesson_plans_topic", "lesson_plans", ["topic"])

    # Versions are written once and never changed: every edit adds one.
    op.create_table(
        "lesson_plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("materials", sa.Text(), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("exercise", sa.Text(), nullable=False),
        sa.Column("discussion", sa.Text(), nullable=False),
        sa.Column("handout", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name="fk_lesson_plan_versions_created_by_id_users",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["lesson_plans.id"],
                                name="fk_lesson_plan_versions_plan_id_lesson_plans",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_lesson_plan_versions"),
        sa.UniqueConstraint("plan_id", "number",
                            name="uq_lesson_plan_versions_plan_id_number"),
    )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("starts_at", Timestamp, nullable=False),
        sa.Column("ends_at", Timestamp, nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("lead_worker_id", sa.Integer(), nullable=True),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_sessions_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_sessions_ends_after_start")),
        sa.ForeignKeyConstraint(["lead_worker_id"], ["users.id"],
                                name="fk_sessions_lead_worker_id_users", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson_plans.id"],
                                name="fk_sessions_lesson_id_lesson_plans", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_sessions_site_id_sites"),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    for column in ("lead_worker_id", "site_id", "starts_at"):
        op.create_index(f"ix_sessions_{column}", "sessions", [column])

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", Timestamp, nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("attendance_taken_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["users.id"],
                                name="fk_enrolments_participant_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                                name="fk_enrolments_session_id_sessions", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_enrolments"),
        # Enrolled once per session, whatever two workers click at the same moment.
        sa.UniqueConstraint("session_id", "participant_id",
                            name="uq_enrolments_session_id_participant_id"),
    )
    op.create_index("ix_enrolments_participant_id", "enrolments", ["participant_id"])
    op.create_index("ix_enrolments_session_id", "enrolments", ["session_id"])

    # SQLite adds a foreign key only by rebuilding the table, which drops its triggers:
    # the overlap triggers of 0002 are put back, unchanged, straight after.
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_bookings_session_id_sessions", "sessions",
                                 ["session_id"], ["id"], ondelete="SET NULL")
    restore_sqlite_overlap_triggers()
    # users keeps its table: a plain ADD COLUMN (a rebuild would cascade deletes to
    # login sessions) and a unique index, which SQLite can add in place.
    op.create_index("ix_bookings_session_id", "bookings", ["session_id"])
    op.add_column("users", sa.Column("calendar_token_hash", sa.String(length=64),
                                     nullable=True))
    op.create_index("ix_users_calendar_token_hash", "users", ["calendar_token_hash"],
                    unique=True)


def downgrade():
    op.drop_index("ix_users_calendar_token_hash", "users")
    op.drop_column("users", "calendar_token_hash")
    op.drop_index("ix_bookings_session_id", "bookings")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_constraint("fk_bookings_session_id_sessions", type_="foreignkey")
        batch.drop_column("session_id")
    restore_sqlite_overlap_triggers()
    op.drop_table("enrolments")
    op.drop_table("sessions")
    op.drop_table("lesson_plan_versions")
    op.drop_table("lesson_plans")
