"""Attachments as files under one directory, addressed by their SHA-256.

Content with digest ``abcd…`` lives at ``root/ab/cd/abcd…``. The store computes the
digest itself while reading, so a user's file name never reaches the file system: the
only key is a validated 64-hex-digit digest.

Writes are atomic: the content goes to a temporary file under ``root`` (the same file
system as its final place), is flushed to disk, then moved into place with
:func:`os.replace`. A reader never sees a partial file, and a write that fails (too
large, disk full, crash) leaves at most a temporary file named ``.incoming-*`` that
:meth:`FileAttachmentStore.clean_incoming` removes.

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
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ticketcore._validate import clean_sha256
from ticketcore.errors import ErrorCode, NotFoundError, StorageUnavailableError
from ticketcore.ports import CHUNK_SIZE, ReadableStream, StoredContent, copy_content

__all__ = ["FileAttachmentStore"]

_INCOMING = ".incoming-"


class FileAttachmentStore:
    """A :class:`~ticketcore.ports.AttachmentStore` in a directory (created if missing).

    Safe for several threads and processes sharing ``root``: content-addressed files
    are written once, atomically, and never modified.
    """

    def __init__(self, root: str | os.PathLike[str], *, chunk_size: int = CHUNK_SIZE) -> None:
        self._root = Path(root)
        self._chunk_size = chunk_size
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
            if target.exists():
                temporary.unlink()  # the same content is already there
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary.replace(target)
                _sync_directory(target.parent)
        except BaseException as error:
            temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise _storage_failed("store an attachment", error) from error
            raise
        return stored

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
