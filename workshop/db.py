"""The database handle and its declarative base (stable constraint names), and column helpers."""

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, Enum, MetaData, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from workshop.errors import Conflict

# Stable constraint names make migrations reproducible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Made here beside its Base, unbound; create_app attaches it like the other extensions.
db = SQLAlchemy(model_class=Base)

# The models' base class. mypy cannot take a base class from an attribute such as db.Model
# (python/mypy#8603), so it checks them against Base, whose mapping db.Model copies.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


MAX_ID = 2**31 - 1  # the largest value an integer key holds on PostgreSQL


def get_row(model, row_id):
    """session.get, but an id no key can hold (typed into a form, say) finds nothing.

    PostgreSQL answers such an id with an error, not with "no row".
    """
    if type(row_id) is not int or not 1 <= row_id <= MAX_ID:
        return None
    return db.session.get(model, row_id)


def flush_or_conflict(message: str, race: type[Exception] = IntegrityError) -> None:
    """Flush; if another request got there first, undo and say so kindly.

    race: how the database tells: a unique rule broken (IntegrityError), or a row changed
    since it was read (StaleDataError, with a version column).
    """
    try:
        db.session.flush()
    except race:
        db.session.rollback()
        raise Conflict(message) from None


def string_enum(cls: type[enum.Enum], name: str, length: int) -> Enum:
    """A Python enum stored as its values in a short string column with a CHECK constraint.

    Readable in SQL, the same on both databases, and a new value needs only a migration
    of the constraint (no ALTER TYPE).
    """
    return Enum(cls, name=name, native_enum=False, length=length, create_constraint=True,
                values_callable=lambda members: [m.value for m in members])


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so without this a value written aware would come back naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use workshop.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Foreign keys are off by default in SQLite; WAL lets readers go on while one writes,
    # and the busy timeout makes a second writer wait instead of failing at once.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
