"""Photo files on disk: originals named by content hash, display copies beside them.

Every file is written to a temporary name, synced and renamed, so a reader never sees half
a file. A file is written before the request commits its row; if the request then fails,
the files it created are removed again, and a crash in between leaves only files without
a row, which nobody can reach and `flask photos fsck` cleans up.
"""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

COPY_KINDS = ("large", "thumb")
CHUNK = 1024 * 1024
# Files this transaction created; removed if it does not commit.
_CREATED = "photo_files_created"
# Files whose rows this transaction deleted; removed only once it has committed.
_DOOMED = "photo_files_doomed"


class FileTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


def _fsync_dir(path: Path) -> None:
    # The rename itself must reach the disk, or a crash could forget it.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Received:
    """An upload copied to a temporary file, with its hash and size."""

    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class Storage:
    root: Path
    created: list[Path] = field(default_factory=list)

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    def original_path(self, content_hash: str) -> Path:
        return self.root / "originals" / content_hash[:2] / content_hash

    def copy_path(self, content_hash: str, kind: str) -> Path:
        if kind not in COPY_KINDS:
            raise ValueError(kind)
        return self.root / "copies" / content_hash[:2] / f"{content_hash}-{kind}.jpg"

    def receive(self, stream: IO[bytes], max_bytes: int) -> Received:
        """Copy an upload to a temporary file, refusing it as soon as it passes max_bytes."""
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="upload-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Received(path=path, sha256=digest.hexdigest(), size=size)

    def _place(self, final: Path, data: bytes | None = None, source: Path | None = None,
               replace: bool = False) -> None:
        """Put data (or the synced file at source, by renaming it) at final, atomically;
        a file already there is kept unless replace."""
        if final.exists() and not replace:
            # Named by content: the same bytes are already there (another person's upload).
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            fd, name = tempfile.mkstemp(dir=final.parent, prefix=".writing-")
            source = Path(name)
            assert data is not None, "give data or source"
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:
                source.unlink(missing_ok=True)
                raise
        os.replace(source, final)
        _fsync_dir(final.parent)
        self.created.append(final)

    def keep_original(self, received: Received) -> list[Path]:
        """Move a received file into place as an original, without copies (a signed
        consent form); returns new files."""
        self.created = []
        self._place(self.original_path(received.sha256), source=received.path)
        return self.created

    def keep(self, received: Received, copies: dict[str, bytes]) -> list[Path]:
        """Move the original into place and write its display copies; returns new files."""
        self.keep_original(received)
        for kind in COPY_KINDS:
            self._place(self.copy_path(received.sha256, kind), copies[kind])
        return self.created

    def write_copy(self, content_hash: str, kind: str, data: bytes) -> None:
        self._place(self.copy_path(content_hash, kind), data)

    def public_path(self, photo_uuid: str, kind: str) -> Path:
        """A copy for the gallery, named by the photo (not its content): removing it for
        one person's withdrawal never touches another person's identical photo."""
        if kind not in COPY_KINDS:
            raise ValueError(kind)
        return self.root / "public" / photo_uuid[:2] / f"{photo_uuid}-{kind}.jpg"

    def publish(self, photo_uuid: str, copies: dict[str, bytes]) -> list[Path]:
        """Write the gallery's copies, each replacing the one there in one rename: what
        they obscure can change while the photo stays public."""
        self.created = []
        for kind in COPY_KINDS:
            self._place(self.public_path(photo_uuid, kind), copies[kind], replace=True)
        return self.created

    def unpublish(self, photo_uuid: str) -> None:
        for kind in COPY_KINDS:
            self.public_path(photo_uuid, kind).unlink(missing_ok=True)

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every stored file as (content hash it belongs to, path); temporary ones as ''."""
        for path in sorted((self.root / "originals").glob("*/*")):
            yield path.name, path
        for path in sorted((self.root / "copies").glob("*/*")):
            yield path.name.split("-", 1)[0], path
        for path in sorted((self.root / "public").glob("*/*")):
            yield "public:" + path.name.split("-", 1)[0], path
        for path in sorted(self.root.glob("*/*/.writing-*")):
            yield "", path
        for path in sorted(self.tmp_dir.glob("*")):
            yield "", path


def storage() -> Storage:
    return Storage(Path(current_app.config["STORAGE_DIR"]))


def track_new_files(session: OrmSession, paths: list[Path]) -> None:
    """Remove these files again unless the session's transaction commits."""
    session.info.setdefault(_CREATED, []).extend(paths)


def delete_after_commit(session: OrmSession, paths: list[Path]) -> None:
    """Remove these files once the session's transaction has committed, not before."""
    session.info.setdefault(_DOOMED, []).extend(paths)


@event.listens_for(OrmSession, "after_commit")
def _files_kept(session: OrmSession) -> None:
    session.info.pop(_CREATED, None)
    for path in session.info.pop(_DOOMED, ()):
        path.unlink(missing_ok=True)


@event.listens_for(OrmSession, "after_transaction_end")
def _files_dropped(session: OrmSession, transaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(_DOOMED, None)
    for path in session.info.pop(_CREATED, ()):
        path.unlink(missing_ok=True)
