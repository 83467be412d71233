"""Wall-clock times in the programme's time zone, turned into UTC for storage and back."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def programme_zone() -> ZoneInfo:
    return current_app.config["TZ"]


def to_utc(value: datetime, tz: ZoneInfo | None = None) -> datetime:
    """A time as typed on the programme's clock (naive, or already in its zone), in UTC.

    Clock-change days: a time that happens twice (the autumn hour) means the first one,
    still summer time; a time the clocks skip (the spring hour) moves an hour on, which
    is what a person who typed it means.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz or programme_zone())
    return value.astimezone(UTC)


def to_local(value: datetime, tz: ZoneInfo | None = None) -> datetime:
    """A stored UTC time as the programme's wall clock, naive, to fill a datetime-local input."""
    return value.astimezone(tz or programme_zone()).replace(tzinfo=None, second=0,
                                                            microsecond=0)


def at_local(day, hour: int, minute: int = 0, tz: ZoneInfo | None = None) -> datetime:
    """The UTC instant of a given wall-clock time on a given local day."""
    return to_utc(datetime.combine(day, time(hour, minute)), tz)


def end_of_today(now: datetime, tz: ZoneInfo | None = None) -> datetime:
    """The last moment of today on the programme's clock, in UTC.

    Worked out from the next local midnight, so a day of 23 or 25 hours ends right too.
    """
    tz = tz or programme_zone()
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return at_local(tomorrow, 0, tz=tz) - timedelta(microseconds=1)
