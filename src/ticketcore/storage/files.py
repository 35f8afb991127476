"""Attachments as files under one directory, addressed by their SHA-256.

Content with digest ``abcd…`` lives at ``root/ab/cd/abcd…``. The store computes the
digest itself while reading, so a user's file name never reaches the file system: the
only key is a validated 64-hex-digit digest.

Writes are atomic: the content goes to a temporary file under ``root`` (the same file
system as its final place), is flushed to disk, then moved into place with
:func:`os.replace`. A reader never sees a partial file, and a write that fails (too
large, disk full, crash) leaves at most a temporary file named ``.incoming-*`` that
:meth:`FileAttachmentStore.clean_incoming` removes.

A file's modification time is when content was last stored: storing content that is
already there touches it. :meth:`~FileAttachmentStore.discard` and
:meth:`~FileAttachmentStore.sweep` remove a file only if nobody stored it since they
looked: each first moves the file aside (an atomic rename), checks its time, and puts it
back if a writer touched it meanwhile. A writer that finds the file gone in that instant
stores its own copy, so content a new ticket references is never lost.

>>> import io, tempfile
>>> with tempfile.TemporaryDirectory() as root:
...     store = FileAttachmentStore(root)
...     stored = store.put(io.BytesIO(b"receipt"), max_size=1024)
...     with store.open(stored.sha256) as stream:
...         stream.read()
b'receipt'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Container, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from ticketcore import _check
from ticketcore._validate import clean_sha256
from ticketcore.errors import ErrorCode, NotFoundError, StorageUnavailableError, wrong_type
from ticketcore.ports import CHUNK_SIZE, ReadableStream, StoredContent, copy_content

__all__ = ["FileAttachmentStore"]

_INCOMING = ".incoming-"
_ASIDE = ".aside-"


class FileAttachmentStore:
    """A :class:`~ticketcore.ports.AttachmentStore` in a directory (created if missing).

    Safe for several threads and processes sharing ``root``: content-addressed files
    are written once, atomically, and never modified.
    """

    def __init__(self, root: str | os.PathLike[str], *, chunk_size: int = CHUNK_SIZE) -> None:
        self._root = Path(_check.file_path(root, "root"))
        self._chunk_size = _check.integer(chunk_size, "chunk_size", minimum=1, maximum=2**26)
        # content this process created: digest -> the file's mtime (ns) it was created with
        self._created: dict[str, int] = {}
        self._lock = threading.Lock()
        with _unavailable("create the attachment directory"):
            self._root.mkdir(parents=True, exist_ok=True)

    @property
    def root(self) -> Path:
        """The directory the content lives under."""
        return self._root

    def put(self, stream: ReadableStream, *, max_size: int) -> StoredContent:
        """Store what ``stream`` yields if it is at most ``max_size`` bytes."""
        with _unavailable("store an attachment"):
            descriptor, name = tempfile.mkstemp(prefix=_INCOMING, dir=self._root)
        temporary = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as file:
                stored = copy_content(
                    stream, file.write, max_size=max_size, chunk_size=self._chunk_size
                )
                file.flush()
                os.fsync(file.fileno())
            target = self._path(stored.sha256)
            created = not _touch(target)
            if created:
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary.replace(target)
                _sync_directory(target.parent)
                with self._lock:
                    self._created[stored.sha256] = target.stat().st_mtime_ns
            else:
                temporary.unlink()  # the same content is already there
        except BaseException as error:
            temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise _storage_failed("store an attachment", error) from error
            raise
        return StoredContent(stored.sha256, stored.size, created=created)

    def discard(self, content: StoredContent) -> None:
        """Remove content a failed call created, unless a put stored it again since."""
        _check.instance(content, StoredContent, "content")
        digest = clean_sha256(content.sha256)
        with self._lock:
            created = self._created.pop(digest, None)
        if content.created and created is not None:
            with _unavailable("discard an attachment"):
                self._remove_unless_touched(digest, lambda mtime: mtime == created)

    def sweep(self, referenced: Container[str], *, older_than: timedelta) -> int:
        """Remove content not in ``referenced`` that no put stored within ``older_than``."""
        if not isinstance(referenced, Container):
            raise wrong_type("referenced", "a set of digests", referenced)
        age = _check.duration(older_than, "older_than")
        cutoff = time.time_ns() - age // timedelta(microseconds=1) * 1000
        removed = 0
        with _unavailable("sweep attachments"):
            for path in self._root.glob("??/??/*"):
                digest = path.name
                if len(digest) != 64 or digest in referenced:  # noqa: PLR2004 - a digest
                    continue
                if self._remove_unless_touched(digest, lambda mtime: mtime <= cutoff):
                    removed += 1
        return removed

    def _remove_unless_touched(self, digest: str, removable: Callable[[int], bool]) -> bool:
        """Move the file aside, then remove it if ``removable(mtime)``, else put it back."""
        target = self._path(digest)
        aside = self._root / f"{_ASIDE}{digest}-{os.getpid()}-{threading.get_ident()}"
        try:
            target.rename(aside)
        except FileNotFoundError:
            return False
        if removable(aside.stat().st_mtime_ns):
            aside.unlink()
            return True
        # A writer stored the content again before the rename: it stays. (os.replace is
        # fine if a writer placed a new copy meanwhile: the bytes are the same.)
        aside.replace(target)
        return False

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream over the content with this digest; the caller closes it."""
        digest = clean_sha256(sha256)
        try:
            return self._path(digest).open("rb")
        except FileNotFoundError:
            raise _no_content(digest) from None
        except OSError as error:
            raise _storage_failed("open an attachment", error) from error

    def delete(self, sha256: str) -> None:
        """Remove the content with this digest, if it is stored."""
        digest = clean_sha256(sha256)
        try:
            self._path(digest).unlink(missing_ok=True)
        except OSError as error:
            raise _storage_failed("delete an attachment", error) from error

    def clean_incoming(self) -> int:
        """Remove temporary files that interrupted writes left behind; returns how many.

        Run it when no write is in progress (at start-up, say).
        """
        removed = 0
        with _unavailable("clean the attachment directory"):
            for leftover in self._root.glob(_INCOMING + "*"):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
                    removed += 1
        return removed

    def _path(self, digest: str) -> Path:
        # ``digest`` went through clean_sha256: exactly 64 characters of [0-9a-f].
        return self._root / digest[:2] / digest[2:4] / digest

    def __repr__(self) -> str:
        return f"FileAttachmentStore({str(self._root)!r})"


def _touch(target: Path) -> bool:
    """Mark existing content as stored now; ``False`` if there is no such file."""
    try:
        os.utime(target)
    except FileNotFoundError:
        return False
    return True


def _sync_directory(directory: Path) -> None:
    # Make the rename durable; directories cannot be opened on Windows, where the
    # file system journals renames itself.
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
        return
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _no_content(digest: str) -> NotFoundError:
    return NotFoundError(
        ErrorCode.ATTACHMENT_NOT_FOUND,
        f"no attachment content with sha256 {digest}",
        field="sha256",
        params={"sha256": digest},
    )


def _storage_failed(doing: str, error: OSError) -> StorageUnavailableError:
    return StorageUnavailableError(
        ErrorCode.STORAGE_UNAVAILABLE,
        f"could not {doing}: {error.strerror or error}",
        params={"reason": error.strerror or str(error)},
    )


@contextlib.contextmanager
def _unavailable(doing: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise _storage_failed(doing, error) from error
