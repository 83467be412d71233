"""Photo files, on disk or in S3-compatible object storage: originals named by content
hash, display copies beside them, the gallery's copies named by photo.

Where they live is `STORAGE_URL`: `file:///path` (the default, `STORAGE_DIR`) or
`s3://bucket/prefix`. Either way a reader never sees half a file (a file is renamed into
place, an object appears whole), and a file is written before the request commits its
row; if the request then fails, the files it created are removed again, and a crash in
between leaves only files without a row, which nobody can reach and `flask photos fsck`
cleans up. Uploads arrive in a temporary folder on this machine in both cases.
"""

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import SplitResult, urlsplit

from flask import Response, abort, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from workshop.errors import Unavailable

COPY_KINDS = ("large", "thumb")
CHUNK = 1024 * 1024
# Files this transaction created; removed if it does not commit.
_CREATED = "photo_files_created"
# Files whose rows this transaction deleted; removed only once it has committed.
_DOOMED = "photo_files_doomed"
# The app's Storage in app.extensions, made once per app.
_STORAGE = "workshop.photo_storage"
log = logging.getLogger(__name__)


class FileTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class StorageUnavailable(Unavailable):
    """The object store did not answer, or refused us."""


def _fsync_dir(path: Path) -> None:
    # The rename itself must reach the disk, or a crash could forget it.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Opened:
    """A stored file opened for reading, with what an HTTP answer about it needs."""

    stream: IO[bytes]
    size: int
    etag: str
    modified: datetime


class Backend:
    """Where files are kept, by key ("originals/ab/ab12..."). Subclasses do the I/O."""

    def location(self, key: str) -> str:
        raise NotImplementedError

    def put(self, key: str, source: bytes | Path, *, replace: bool) -> bool:
        """Put the bytes (or the file at source, which may be moved) at key, whole.
        Without replace an existing file is kept. True if this wrote the file."""
        raise NotImplementedError

    def open(self, key: str) -> Opened | None:
        raise NotImplementedError

    def size(self, key: str) -> int | None:
        """The file's size in bytes, or None if there is no such file."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def delete(self, key: str) -> None:
        """Remove the file; one already gone is fine."""
        raise NotImplementedError

    def listing(self) -> Iterator[tuple[str, float, int]]:
        """Every stored key with its modification time (seconds since the epoch) and its
        size in bytes: both come with the listing, asking nothing more per file."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise StorageUnavailable unless files can be stored now."""
        raise NotImplementedError


@dataclass
class FileBackend(Backend):
    root: Path

    def path(self, key: str) -> Path:
        return self.root / key

    def location(self, key: str) -> str:
        return str(self.path(key))

    def put(self, key: str, source: bytes | Path, *, replace: bool) -> bool:
        final = self.path(key)
        if not replace and final.exists():
            # Named by content: the same bytes are already there (another person's upload).
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            fd, name = tempfile.mkstemp(dir=final.parent, prefix=".writing-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(source)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
            source = Path(name)
        os.replace(source, final)
        _fsync_dir(final.parent)
        return True

    def open(self, key: str) -> Opened | None:
        try:
            stream = self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            return None
        stat = os.fstat(stream.fileno())
        # Changes whenever the file is written again (a copy made again, or replaced).
        return Opened(stream, stat.st_size, f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
                      datetime.fromtimestamp(stat.st_mtime, UTC))

    def size(self, key: str) -> int | None:
        path = self.path(key)
        return path.stat().st_size if path.is_file() else None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[tuple[str, float, int]]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                yield path.relative_to(self.root).as_posix(), stat.st_mtime, stat.st_size

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(f"{self.root} cannot be made: {error}") from error
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(f"{self.root} is not writable")


@dataclass
class S3Backend(Backend):
    """Objects in a bucket of any S3-compatible store, through boto3. Nothing is made
    public: objects get the bucket's default (private) access, and only the app reads them."""

    client: Any
    bucket: str
    prefix: str = ""

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def put(self, key: str, source: bytes | Path, *, replace: bool) -> bool:
        if not replace and self.exists(key):
            return False
        with self._errors():
            if isinstance(source, bytes):
                self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=source)
            else:
                # In parts when large; the object appears only when every part is in.
                self.client.upload_file(str(source), self.bucket, self.prefix + key)
        return True

    def open(self, key: str) -> Opened | None:
        with self._errors():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            except self.client.exceptions.NoSuchKey:
                return None
        return Opened(answer["Body"], answer["ContentLength"], answer["ETag"].strip('"'),
                      answer["LastModified"])

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        with self._errors():
            try:
                answer = self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            except ClientError as error:
                if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                    return None
                raise
        return answer["ContentLength"]

    def delete(self, key: str) -> None:
        with self._errors():
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def listing(self) -> Iterator[tuple[str, float, int]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        with self._errors():
            for page in pages:
                for item in page.get("Contents", ()):
                    yield (item["Key"][len(self.prefix):], item["LastModified"].timestamp(),
                           item["Size"])

    def check(self) -> None:
        with self._errors():
            self.client.head_bucket(Bucket=self.bucket)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError) as error:
            log.warning("The object store failed at %s: %s", self.location(""), error)
            raise StorageUnavailable("The photo store is not answering, so nothing was "
                                     "changed. Try again in a minute.") from error


@dataclass(frozen=True)
class StoredFile:
    """One stored file, wherever the store keeps it."""

    backend: Backend
    key: str

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    def exists(self) -> bool:
        return self.backend.exists(self.key)

    def open(self) -> Opened | None:
        return self.backend.open(self.key)

    def read_bytes(self) -> bytes:
        opened = self.open()
        if opened is None:
            raise FileNotFoundError(str(self))
        with opened.stream:
            return opened.stream.read()

    def delete(self) -> None:
        self.backend.delete(self.key)

    def __str__(self) -> str:
        return self.backend.location(self.key)


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
    backend: Backend
    # Uploads arrive here, on this machine, before they are checked and stored.
    tmp_dir: Path

    @classmethod
    def on_disk(cls, root: Path) -> "Storage":
        return cls(FileBackend(root), root / "tmp")

    def _file(self, key: str) -> StoredFile:
        return StoredFile(self.backend, key)

    def original_path(self, content_hash: str) -> StoredFile:
        return self._file(f"originals/{content_hash[:2]}/{content_hash}")

    def copy_path(self, content_hash: str, kind: str) -> StoredFile:
        if kind not in COPY_KINDS:
            raise ValueError(kind)
        return self._file(f"copies/{content_hash[:2]}/{content_hash}-{kind}.jpg")

    def public_path(self, photo_uuid: str, kind: str) -> StoredFile:
        """A copy for the gallery, named by the photo (not its content): removing it for
        one person's withdrawal never touches another person's identical photo."""
        if kind not in COPY_KINDS:
            raise ValueError(kind)
        return self._file(f"public/{photo_uuid[:2]}/{photo_uuid}-{kind}.jpg")

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

    def write(self, target: StoredFile, source: bytes | Path, *, replace: bool = False) -> bool:
        """Put these bytes at target, whole; with replace, over what is there. True if
        this wrote the file (a caller removes only what it wrote if the request fails)."""
        return self.backend.put(target.key, source, replace=replace)

    def _write_all(self, files: list[tuple[StoredFile, bytes | Path]], *,
                   replace: bool = False) -> list[StoredFile]:
        """Write each file; returns those this wrote (not those already there)."""
        return [target for target, source in files
                if self.write(target, source, replace=replace)]

    def keep_original(self, received: Received) -> list[StoredFile]:
        """Move a received file into place as an original, without copies (a signed
        consent form); returns new files."""
        return self._write_all([(self.original_path(received.sha256), received.path)])

    def keep(self, received: Received, copies: dict[str, bytes]) -> list[StoredFile]:
        """Move the original into place and write its display copies; returns new files."""
        return self.keep_original(received) + self._write_all(
            [(self.copy_path(received.sha256, kind), copies[kind]) for kind in COPY_KINDS])

    def publish(self, photo_uuid: str, copies: dict[str, bytes]) -> list[StoredFile]:
        """Write the gallery's copies, each replacing the one there whole: what they
        obscure can change while the photo stays public."""
        return self._write_all(
            [(self.public_path(photo_uuid, kind), copies[kind]) for kind in COPY_KINDS],
            replace=True)

    def unpublish(self, photo_uuid: str) -> None:
        for kind in COPY_KINDS:
            self.public_path(photo_uuid, kind).delete()

    def files(self) -> Iterator[tuple[str, StoredFile, float]]:
        """Every stored file as (what it belongs to, the file, its modification time):
        a content hash, "public:" and a photo's uuid, or '' for a temporary file."""
        for key, mtime, _ in self.backend.listing():
            owner = _owner(key)
            if owner is None:
                continue  # not ours: fsck must never delete it
            yield owner, self._file(key), mtime
        arriving = FileBackend(self.tmp_dir)
        for key, mtime, _ in arriving.listing():
            yield "", StoredFile(arriving, key), mtime

    @contextmanager
    def local_copy(self, stored: StoredFile) -> Iterator[Path]:
        """The file as a path on this machine, for code that reads paths (Pillow)."""
        if isinstance(stored.backend, FileBackend):
            yield stored.backend.path(stored.key)
            return
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="fetched-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(stored.read_bytes())
            yield Path(name)
        finally:
            Path(name).unlink(missing_ok=True)


def _owner(key: str) -> str | None:
    """What a stored key belongs to (see Storage.files); '' for a file being written,
    None for one that is not ours."""
    top, _, rest = key.partition("/")
    if top not in ("originals", "copies", "public"):
        return None
    name = rest.rsplit("/", 1)[-1]
    if name.startswith("."):
        return ""
    if top == "public":
        return "public:" + name.split("-", 1)[0]
    return name.split("-", 1)[0]


def copy_all(source: Storage, target: Storage) -> Iterator[tuple[StoredFile, bool]]:
    """Copy every photo file (not the uploads arriving) from source to target; yields
    each with whether it was copied. A file already in the target at its size is not
    copied again, so this can run again after an interruption, or to catch up."""
    # Both listings carry sizes: asking an object store twice per file would take hours
    # at a million photos (the target's keys are held in memory, as fsck holds them).
    there = {key: size for key, _, size in target.backend.listing()}
    for key, _, size in source.backend.listing():
        if not _owner(key):
            continue  # not a photo file, or one being written
        stored = StoredFile(source.backend, key)
        if there.get(key) == size:
            yield stored, False
            continue
        target.backend.put(key, stored.read_bytes(), replace=True)
        yield stored, True


def parse_storage_url(url: str | None) -> SplitResult | None:
    """`STORAGE_URL` in parts: None when unset (the folder `STORAGE_DIR`), else a
    file:///path or an s3://bucket/prefix. Raises ValueError saying what is wrong; the
    app's configuration checks with this too, so a bad URL stops it starting."""
    parts = urlsplit(url or "")
    if not parts.geturl():
        return None
    if (parts.scheme == "file" and parts.path) or (parts.scheme == "s3" and parts.netloc):
        return parts
    raise ValueError(f"FLASK_STORAGE_URL {parts.geturl()!r} is neither file:///path nor "
                     "s3://bucket/prefix.")


def storage_for(config: dict[str, Any]) -> Storage:
    """The storage `STORAGE_URL` names: a folder (by default `STORAGE_DIR`) or a bucket."""
    parts = parse_storage_url(config["STORAGE_URL"])
    if parts is None:
        return Storage.on_disk(Path(config["STORAGE_DIR"]))
    if parts.scheme == "file":
        return Storage.on_disk(Path(parts.path))
    # Otherwise s3://bucket/prefix, the only other kind the parser lets through.
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3", endpoint_url=config["S3_ENDPOINT_URL"], region_name=config["S3_REGION"],
        aws_access_key_id=config["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"],
        # A store that does not answer must not hold a request (or a health check)
        # for a minute; path-style addressing is what S3-compatible servers take.
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3},
                      s3={"addressing_style": "path"}))
    prefix = parts.path.strip("/")
    return Storage(S3Backend(client, parts.netloc, prefix + "/" if prefix else ""),
                   Path(config["STORAGE_DIR"]) / "tmp")


def storage() -> Storage:
    """This app's storage, made once per app: its S3 client is costly to make and safe
    to share between threads, and a Storage keeps no state of its own."""
    app = current_app
    made = app.extensions.get(_STORAGE)
    if made is None:
        made = app.extensions[_STORAGE] = storage_for(app.config)
    return made


def send_stored(stored: StoredFile, mimetype: str, etag: str | None = None,
                **options: Any) -> Response:
    """Stream a stored file through the app, answering 304 to a cache that has it."""
    opened = stored.open()
    if opened is None:
        abort(404)
    response = send_file(opened.stream, mimetype=mimetype, etag=etag or opened.etag,
                         last_modified=opened.modified, conditional=True, **options)
    if response.status_code == 200:
        response.content_length = opened.size
    return response


def track_new_files(session: OrmSession, files: list[StoredFile]) -> None:
    """Remove these files again unless the session's transaction commits."""
    session.info.setdefault(_CREATED, []).extend(files)


def delete_after_commit(session: OrmSession, files: list[StoredFile]) -> None:
    """Remove these files once the session's transaction has committed, not before."""
    session.info.setdefault(_DOOMED, []).extend(files)


def _delete_all(files: list[StoredFile]) -> None:
    for stored in files:
        try:
            stored.delete()
        except StorageUnavailable:
            # The transaction is over either way: what is left is an orphan for fsck.
            log.warning("Could not remove %s; `flask photos fsck` will", stored)


@event.listens_for(OrmSession, "after_commit")
def _files_kept(session: OrmSession) -> None:
    session.info.pop(_CREATED, None)
    _delete_all(session.info.pop(_DOOMED, []))


@event.listens_for(OrmSession, "after_transaction_end")
def _files_dropped(session: OrmSession, transaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(_DOOMED, None)
    _delete_all(session.info.pop(_CREATED, []))
