"""Pages of a long list for the HTML pages: ?page=N, a fixed number of rows each.

The API pages by cursor (api.spec.page_of); people click through a page or two of a
list, so an offset is simple and cheap enough here, and a page link can be shared.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort, request
from sqlalchemy import Select

from workshop.extensions import db

T = TypeVar("T")
PER_PAGE = 50
# Far past any real list; a larger number is a made-up link, answered as not found.
LAST_PAGE = 10_000


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number() -> int:
    value = request.args.get("page", "1")
    if not value.isdigit() or not 1 <= int(value) <= LAST_PAGE:
        abort(404)
    return int(value)


def page_of(query: Select[T], per_page: int = PER_PAGE) -> Page[T]:
    """The rows of the asked-for page of an ordered query, and whether more follow."""
    number = page_number()
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((number - 1) * per_page)))
    if number > 1 and not rows:
        abort(404)  # past the end: an old link to a list that has shrunk, or a made-up one
    return Page(rows[:per_page], number, len(rows) > per_page)
