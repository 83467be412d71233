"""Domain errors raised by services; views turn them into form errors or problem+json."""

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        # Field name -> messages, so forms and the API can point at the field at fault.
        self.errors = errors or {}


class Invalid(DomainError):
    status = 422
    title = "Some details need fixing"

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls(message, {name: [message]})


def typed_text(value: Any, field: str, limit: int, required: str | None = None) -> str:
    """What a person typed, trimmed; refused on its field when it is missing and required
    (the message says what to give) or longer than limit characters."""
    value = (value or "").strip()
    if required and not value:
        raise Invalid.field(field, required)
    if len(value) > limit:
        raise Invalid.field(field, f"Use at most {limit} characters.")
    return value


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unavailable(DomainError):
    """Something the app needs (the photo store) did not answer; nothing was kept."""

    status = 503
    title = "Try again in a minute"


def changed_meanwhile(what: str) -> str:
    """What to say when someone else saved a change to this thing since the person looked."""
    return f"Someone changed this {what} a moment ago. Look at it again, then try once more."
