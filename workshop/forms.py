"""Fields that forms across the features share: people and things chosen by id, times typed
on the programme's clock, optimistic-locking versions and notes."""

from datetime import UTC

from flask import current_app
from wtforms import DateTimeLocalField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from workshop.db import MAX_ID

# The browser's datetime-local sends minutes (or seconds); the first format is the one shown.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
BAD_TIME = "Give a date and a time, like 3 December 2026 at 14:00."


def optional_int(value):
    # "" is the "Choose a person" line: no choice yet, which InputRequired reports.
    if value in (None, ""):
        return None
    number = int(value)
    # Beyond what a database key can hold (PostgreSQL would fail on the query, not answer).
    if not 1 <= number <= MAX_ID:
        raise ValueError("not an id")
    return number


def _in_range(form, field) -> None:
    # Year 1 or 9999 on a clock east of UTC has no UTC time to store.
    if field.data is None:
        return
    try:
        field.data.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(BAD_TIME) from None


def local_time_field(label: str, required: str, **kwargs) -> DateTimeLocalField:
    # Typed on the programme's clock; the view turns it into UTC.
    return DateTimeLocalField(label, validators=[InputRequired(required), _in_range],
                              format=LOCAL_FORMATS, invalid_value_message=BAD_TIME,
                              tz=lambda: current_app.config["TZ"], **kwargs)


def version_field() -> IntegerField:
    # The version the person saw; a change by someone else since then is refused.
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def note_field(label: str = "Note (if you want)", description: str | None = None):
    return TextAreaField(label, validators=[Optional(), Length(max=1000)],
                         description=description, render_kw={"rows": 3})
