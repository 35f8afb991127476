"""Reference adapters for the protocols in :mod:`ticketcore.ports`.

- :class:`InMemoryRepository` and :class:`InMemoryAttachmentStore`
  (:mod:`ticketcore.storage.memory`): the embedded default for tests and demos, with
  the same semantics and errors as the database adapter;
- :class:`SQLiteRepository` (:mod:`ticketcore.storage.sqlite`): tickets in one SQLite
  file, safe for several threads and processes;
- :class:`PostgresRepository` (:mod:`ticketcore.storage.postgres`, the ``postgres``
  extra): tickets in a PostgreSQL schema, for several application servers;
- :class:`FileAttachmentStore` (:mod:`ticketcore.storage.files`): attachments as
  content-addressed files under one directory.

Importing this package imports neither :mod:`sqlite3` nor psycopg;
``SQLiteRepository`` and ``PostgresRepository`` are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ticketcore.storage.files import FileAttachmentStore
from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository

if TYPE_CHECKING:
    from ticketcore.storage.postgres import PostgresRepository
    from ticketcore.storage.sqlite import SQLiteRepository

__all__ = [
    "FileAttachmentStore",
    "InMemoryAttachmentStore",
    "InMemoryRepository",
    "PostgresRepository",
    "SQLiteRepository",
]


def __getattr__(name: str) -> object:
    if name == "SQLiteRepository":
        from ticketcore.storage.sqlite import SQLiteRepository  # noqa: PLC0415 - lazy on purpose

        return SQLiteRepository
    if name == "PostgresRepository":
        from ticketcore.storage.postgres import PostgresRepository  # noqa: PLC0415 - lazy on purpose

        return PostgresRepository
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
