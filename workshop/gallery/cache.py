"""Rendered gallery pages kept for visitors, and the counter that makes them stale.

The gallery is the same for every visitor without a session, and rendering it costs far
more than serving it. A page is kept under the gallery's version: a number that goes up,
in its own tiny transaction, right after any transaction that changed a photo, a consent,
a site's name or a participant's public name commits. So a withdrawal, a report or an
approval shows on the very next request, in every process. A consent that lapses with
the clock changes nothing in the database, so a page is also kept no longer than the
earliest expiry among the consents of the photos it shows.

It watches the session's flushes, not signals (workshop.signals): its question is
whether a transaction changed any row a public page shows, whoever wrote it (a page, the
API, a CLI command, a migration of data), and a writer that forgot to send a signal would
leave a withdrawn photo on show.
"""

import threading
import weakref
from collections import OrderedDict
from datetime import datetime
from itertools import chain

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from workshop.auth.models import Site, User
from workshop.extensions import db
from workshop.gallery.models import GalleryState
from workshop.photos.models import Consent, Photo

# None: any change to these rows; a set: only changes to these attributes (a user's
# "last seen", updated every minute, shows nowhere in the gallery).
WATCHED: dict[type, set[str] | None] = {
    Photo: None,
    Consent: None,
    Site: {"name", "gallery_shows_name"},
    User: {"display_name", "portfolio_slug", "active"},
}
CHANGED = "gallery_changed"


def _touches_gallery(session: Session) -> bool:
    for obj in chain(session.new, session.deleted, session.dirty):
        if type(obj) not in WATCHED:
            continue
        fields = WATCHED[type(obj)]
        if fields is None or obj in session.new or obj in session.deleted:
            return True
        attrs = inspect(obj).attrs
        if any(attrs[name].history.has_changes() for name in fields):
            return True
    return False


@event.listens_for(Session, "after_flush")
def _note_change(session: Session, flush_context) -> None:
    # After a flush the session still lists what it flushed, with each attribute's history.
    if _touches_gallery(session):
        session.info[CHANGED] = True


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop(CHANGED, None)


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    # After, not during, the commit: a page rendered between the two is kept under the old
    # version, which no request asks for again. (A committed session cannot run SQL, so
    # the bump has a connection of its own.)
    if not session.info.pop(CHANGED, False):
        return
    try:
        with session.get_bind().begin() as connection:
            bump(connection)
    except DBAPIError:
        # The change itself is committed; say so rather than fail the request. This
        # process forgets its pages at least (other processes keep theirs until the next
        # change or consent expiry).
        current_app.logger.exception("Could not count a gallery change")
        page_cache().clear()


def bump(connection) -> None:
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(
        insert(GalleryState).values(id=1, version=1)
        .on_conflict_do_update(index_elements=[GalleryState.id],
                               set_={"version": GalleryState.version + 1}))


VERSION = select(GalleryState.version).where(GalleryState.id == 1)


def _version_engine() -> Engine:
    """Where the version is read: outside the request's session, with no BEGIN or COMMIT
    around the one statement, so a page served from the cache costs one round trip.

    On PostgreSQL that is a small pool of its own without the app pool's ping before
    every checkout (a second round trip); a connection found dead is retried once instead.
    """
    # current_app is typed as the app itself, not as the proxy it is.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get("gallery_version_engine")
    if engine is None:
        if db.engine.dialect.name != "postgresql":
            engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT",
                                   pool_size=2, max_overflow=8)
            weakref.finalize(app, engine.dispose)
        app.extensions["gallery_version_engine"] = engine
    return engine


def version() -> int:
    engine = _version_engine()
    try:
        return _read_version(engine)
    except DBAPIError as exc:
        # The server restarted since this connection was made: the pool has dropped it
        # (and its siblings); a fresh one will do.
        if not exc.connection_invalidated:
            raise
        return _read_version(engine)


def _read_version(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(VERSION) or 0


class PageCache:
    """The most recently used pages of one process, each under the version it was made at."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[str, tuple[int, datetime | None, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, current: int, now: datetime) -> bytes | None:
        with self._lock:
            kept = self._pages.get(key)
            if kept is None:
                return None
            made_at, until, body = kept
            if made_at != current or (until is not None and until <= now):
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return body

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def put(self, key: str, made_at: int, until: datetime | None, body: bytes) -> None:
        with self._lock:
            self._pages[key] = (made_at, until, body)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def page_cache(app: Flask | None = None) -> PageCache:
    app = app or current_app
    if "gallery_pages" not in app.extensions:
        app.extensions["gallery_pages"] = PageCache(app.config["GALLERY_CACHE_PAGES"])
    return app.extensions["gallery_pages"]
