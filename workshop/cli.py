"""What every command group shares."""

from collections.abc import Iterator
from contextlib import contextmanager

import click

from workshop.errors import DomainError
from workshop.extensions import db


@contextmanager
def domain_errors_as_messages() -> Iterator[None]:
    """A refusal from a service undoes the command's changes and ends it with the service's
    own words and exit status 1, as click does, instead of a traceback."""
    try:
        yield
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
