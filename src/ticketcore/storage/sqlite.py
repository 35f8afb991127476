"""Tickets in one SQLite file, through the standard library's :mod:`sqlite3`.

>>> import tempfile, os
>>> from datetime import datetime, timezone
>>> import ticketcore as tc
>>> at = datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc)
>>> ticket = tc.Ticket.open(
...     tc.Actor.requester("sara"), id="T-1", subject="Late", body="Where is it?", at=at
... ).ticket
>>> with tempfile.TemporaryDirectory() as folder:
...     with SQLiteRepository(os.path.join(folder, "tickets.sqlite3")) as repository:
...         repository.add(ticket)
...         repository.get("T-1") == ticket
True

How it stores:

- ``tickets``: one row per ticket, the ticket as JSON (:mod:`ticketcore.serialization`)
  plus the columns queries filter and sort on; instants are integer microseconds since
  1970 UTC, so ordering and ``due_before`` are exact. ``due_us`` is the next SLA
  deadline, or :data:`~ticketcore.ports.NO_DEADLINE` when none runs.
- ``events``: the event log (the outbox), ``position`` an ``AUTOINCREMENT`` key.
- The schema version is ``PRAGMA user_version``; opening a file applies the missing
  forward migrations (:data:`MIGRATIONS`) in one transaction, and refuses a file made
  by a newer ticketcore.

How it behaves: WAL journal mode (readers never wait for the writer), a busy timeout
(``timeout`` seconds) after which a locked database is a
:class:`~ticketcore.StorageUnavailableError`, and every write in one ``BEGIN
IMMEDIATE`` transaction, so a save and its events are committed together or not at all.
Values are always bound parameters. Each thread gets its own connection (and a forked
process its own), so one repository may be shared by threads, and several processes may
open the same file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import ClassVar, LiteralString, Self, TypeVar

from ticketcore import _check
from ticketcore.errors import (
    ErrorCode,
    StorageError,
    StorageUnavailableError,
    ValidationError,
    out_of_range,
)
from ticketcore.events import Event
from ticketcore.ports import (
    NO_DEADLINE,
    Order,
    Page,
    StoredEvent,
    TicketQuery,
    check_limit,
    check_position,
    check_query,
    check_search,
    check_stored_ticket,
    check_ticket_id,
    new_events,
    read_event,
    read_page,
    read_ticket,
    rewrite_mismatch,
    rewritten_events,
    search_page,
    stale_version,
    ticket_exists,
    ticket_not_found,
    ticket_pairs,
)
from ticketcore.serialization import (
    event_to_json,
    ticket_state_to_json,
    utc_microseconds,
)
from ticketcore.storage._rows import EventLogThread, event_flags, search_text
from ticketcore.ticket import Ticket

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteRepository", "migrate"]

_T = TypeVar("_T")

#: The forward migrations: step ``n`` (1-based) takes a file from ``user_version``
#: ``n - 1`` to ``n``. Steps are only ever appended.
MIGRATIONS: tuple[tuple[str, tuple[str | Callable[[sqlite3.Connection], None], ...]], ...] = (
    (
        "tickets and their event log",
        (
            """
            CREATE TABLE tickets (
                id           TEXT    NOT NULL PRIMARY KEY,
                version      INTEGER NOT NULL,
                requester_id TEXT    NOT NULL,
                assignee_id  TEXT,
                status       TEXT    NOT NULL,
                category     TEXT    NOT NULL,
                priority     TEXT    NOT NULL,
                created_us   INTEGER NOT NULL,
                updated_us   INTEGER NOT NULL,
                due_us       INTEGER NOT NULL,
                data         TEXT    NOT NULL
            )
            """,
            """
            CREATE TABLE events (
                position  INTEGER PRIMARY KEY AUTOINCREMENT,
                ticket_id TEXT    NOT NULL,
                version   INTEGER NOT NULL,
                kind      TEXT    NOT NULL,
                data      TEXT    NOT NULL
            )
            """,
        ),
    ),
    (
        "indexes for a requester's tickets, an agent's queue and tickets due soon",
        (
            "CREATE INDEX tickets_by_requester ON tickets (requester_id, created_us, id)",
            "CREATE INDEX tickets_by_assignee ON tickets (assignee_id, created_us, id)",
            "CREATE INDEX tickets_by_due ON tickets (due_us, id)",
            "CREATE INDEX tickets_by_created ON tickets (created_us, id)",
            "CREATE INDEX tickets_by_updated ON tickets (updated_us, id)",
        ),
    ),
    (
        "a ticket's row keeps its state; its thread is read from the event log",
        (
            "ALTER TABLE events ADD COLUMN flags INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX events_by_ticket ON events (ticket_id, position)",
            lambda connection: _to_state_rows(connection),  # noqa: PLW0108 - defined below
        ),
    ),
    (
        "full-text search over subjects and messages",
        (
            # contentless: the index only, the text stays in the event log; rowid is the
            # position of the event that added the message
            (
                "CREATE VIRTUAL TABLE search USING fts5("
                "text, content='', tokenize='unicode61 remove_diacritics 0')"
            ),
            lambda connection: _index_messages(connection),  # noqa: PLW0108 - defined below
        ),
    ),
)

#: The schema version this release writes.
SCHEMA_VERSION = len(MIGRATIONS)

_ORDER_COLUMN = {Order.CREATED: "created_us", Order.UPDATED: "updated_us", Order.DUE: "due_us"}

_INSERT_TICKET = (
    "INSERT INTO tickets (id, version, requester_id, assignee_id, status, category, priority,"
    " created_us, updated_us, due_us, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_TICKET = (
    "UPDATE tickets SET version = ?, requester_id = ?, assignee_id = ?, status = ?,"
    " category = ?, priority = ?, created_us = ?, updated_us = ?, due_us = ?, data = ?"
    " WHERE id = ? AND version = ?"
)
_INSERT_EVENT = "INSERT INTO events (ticket_id, version, kind, flags, data) VALUES (?, ?, ?, ?, ?)"
_APPEND_EVENT = (
    "INSERT INTO events (position, ticket_id, version, kind, flags, data) VALUES (?, ?, ?, ?, ?, ?)"
)
_INDEX = "INSERT INTO search (rowid, text) VALUES (?, ?)"
_SEARCH = """
    WITH hits AS (SELECT rowid AS position, rank AS score FROM search WHERE search MATCH ?),
    best AS (
        SELECT e.ticket_id AS id, min(h.score) AS score
        FROM hits h JOIN events e ON e.position = h.position
        WHERE ? OR e.flags & 2 = 0
        GROUP BY e.ticket_id
    )
    SELECT t.id, t.data FROM best b JOIN tickets t ON t.id = b.id
    WHERE ? IS NULL OR t.requester_id = ?
    ORDER BY b.score, t.id LIMIT ? OFFSET ?
"""

_TicketRow = tuple[str, int, str, str | None, str, str, str, int, int, int, str]
#: an event's row, and the words the search index keeps for it (None: not a message)
_EventRow = tuple[str, int, str, int, str, str | None]


def migrate(connection: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing :data:`MIGRATIONS` up to ``target``; returns the version reached.

    Runs in one ``BEGIN IMMEDIATE`` transaction, so two processes opening a new file
    at once migrate it once. ``connection`` must be in autocommit mode
    (``isolation_level=None``). A file newer than ``target`` is left alone, and one
    newer than this release is a :class:`~ticketcore.StorageError` (``storage_invalid``).
    """
    _check.instance(connection, sqlite3.Connection, "connection")
    _check.integer(target, "target", minimum=0, maximum=SCHEMA_VERSION)
    with _translated():
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = _known_version(connection)
            for step in range(version, target):
                _description, statements = MIGRATIONS[step]
                for statement in statements:
                    if callable(statement):
                        statement(connection)
                    else:
                        connection.execute(statement)
                # PRAGMA takes no parameters; the value is our own int.
                connection.execute(f"PRAGMA user_version = {step + 1:d}")
            connection.execute("COMMIT")
        except BaseException:
            _rollback(connection)
            raise
    return max(version, target)


def _known_version(connection: sqlite3.Connection) -> int:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StorageError(
            ErrorCode.STORAGE_INVALID,
            f"the database has schema version {version}; this ticketcore knows up"
            f" to {SCHEMA_VERSION}: upgrade ticketcore",
            params={"reason": "schema too new", "version": version},
        )
    return version


def _path_problem(path: Path) -> str | None:
    """Why ``path`` cannot hold a database file, or ``None``."""
    try:
        if path.is_dir():
            return "is a folder"
        if not path.parent.is_dir():
            return "is in a folder that does not exist"
    except OSError as error:  # a name too long for the file system, say
        return f"cannot be used: {error.strerror or type(error).__name__}"
    return None


class SQLiteRepository(EventLogThread):
    """A :class:`~ticketcore.ports.TicketRepository` in the SQLite file at ``path``.

    The file is created (and migrated) when missing. ``timeout`` is how many seconds a
    write waits for another writer before giving up with
    :class:`~ticketcore.StorageUnavailableError`. Close the repository (or use it as a
    context manager) to close its connections.
    """

    _MARK: ClassVar[LiteralString] = "?"
    _DATA: ClassVar[LiteralString] = "data"

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0) -> None:
        if path == "":  # SQLite's name for a private temporary database
            raise out_of_range("path", path, "a file path (InMemoryRepository keeps memory)")
        text = _check.file_path(path, "path")
        if text == ":memory:" or text.startswith("file:"):
            raise out_of_range("path", text, "a file path (InMemoryRepository keeps memory)")
        self._path = Path(text)
        self._timeout = _check.real(timeout, "timeout", positive=True)
        problem = _path_problem(self._path)
        if problem is not None:
            raise StorageError(
                ErrorCode.STORAGE_INVALID,
                f"the ticket database {text[:200]!r} {problem}",
                field="path",
                params={"reason": problem, "path": text[:200]},
            )
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[int, sqlite3.Connection]] = []  # (pid, connection)
        self._closed = False
        migrate(self._connection())

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    # -- the protocol ------------------------------------------------------------------

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its whole history to the event log."""
        row = _ticket_row(ticket, next_deadline)
        events = _event_rows(ticket.history)  # checked: _ticket_row refuses a non-Ticket

        def work(connection: sqlite3.Connection) -> None:
            try:
                connection.execute(_INSERT_TICKET, row)
            except sqlite3.IntegrityError as error:
                raise ticket_exists(ticket.id) from error
            self._append_events(connection, events)

        self._write(work)

    def add_many(self, tickets: Iterable[tuple[Ticket, datetime | None]]) -> int:
        """Add many ``(ticket, next_deadline)`` pairs in one transaction; returns how many.

        All or nothing: one taken id (:class:`~ticketcore.ConflictError`) adds none.
        For imports and benchmarks; each ticket is stored exactly as :meth:`add` would.
        """
        prepared = [
            (_ticket_row(ticket, deadline), _event_rows(ticket.history))
            for ticket, deadline in ticket_pairs(tickets, "tickets")
        ]
        ids = [row[0] for row, _ in prepared]
        if len(set(ids)) < len(ids):
            seen: set[str] = set()
            raise ticket_exists(next(i for i in ids if i in seen or seen.add(i)))  # type: ignore[func-returns-value]

        def work(connection: sqlite3.Connection) -> int:
            for start in range(0, len(ids), 500):  # within SQLite's bound parameters
                chunk = ids[start : start + 500]
                taken = connection.execute(
                    f"SELECT id FROM tickets WHERE id IN ({', '.join('?' * len(chunk))})",  # noqa: S608 - placeholders only
                    chunk,
                ).fetchone()
                if taken is not None:
                    raise ticket_exists(taken[0])
            connection.executemany(_INSERT_TICKET, [row for row, _ in prepared])
            _append_events(connection, [event for _, events in prepared for event in events])
            return len(prepared)

        return self._write(work)

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id, or :class:`~ticketcore.NotFoundError`."""
        ticket_id = check_ticket_id(ticket_id)
        with _translated():
            found = (
                self._connection()
                .execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,))
                .fetchone()
            )
        if found is None:
            raise ticket_not_found(ticket_id)
        return read_ticket(ticket_id, found[0], self)

    def save(
        self,
        ticket: Ticket,
        *,
        expected_version: int,
        next_deadline: datetime | None = None,
    ) -> None:
        """Replace the ticket if it is still at ``expected_version``; log its new events."""
        row = _ticket_row(ticket, next_deadline)
        events = _event_rows(new_events(ticket, expected_version=expected_version))
        update = (*row[1:], ticket.id, expected_version)

        def work(connection: sqlite3.Connection) -> None:
            if connection.execute(_UPDATE_TICKET, update).rowcount != 1:
                found = connection.execute(
                    "SELECT version FROM tickets WHERE id = ?", (ticket.id,)
                ).fetchone()
                if found is None:
                    raise ticket_not_found(ticket.id)
                raise stale_version(ticket.id, expected_version, int(found[0]))
            self._append_events(connection, events)

        self._write(work)

    def rewrite(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """Replace the ticket, and the payloads of the events it logged, with ``ticket``'s
        rewritten ones, search index entries too (see :class:`~ticketcore.ports.Eraser`);
        append its new events."""
        row = _ticket_row(ticket, next_deadline)
        old, new = rewritten_events(ticket, expected_version=expected_version)
        replacing, appending = _event_rows(old), _event_rows(new)
        update = (*row[1:], ticket.id, expected_version)

        def work(connection: sqlite3.Connection) -> None:
            # freed space is overwritten, so what is replaced leaves no copy in the file
            connection.execute("PRAGMA secure_delete = ON")
            if connection.execute(_UPDATE_TICKET, update).rowcount != 1:
                found = connection.execute(
                    "SELECT version FROM tickets WHERE id = ?", (ticket.id,)
                ).fetchone()
                if found is None:
                    raise ticket_not_found(ticket.id)
                raise stale_version(ticket.id, expected_version, int(found[0]))
            logged = connection.execute(
                "SELECT position, version, kind, data FROM events WHERE ticket_id = ?"
                " ORDER BY position",
                (ticket.id,),
            ).fetchall()
            if [(v, k) for _, v, k, _ in logged] != [(r[1], r[2]) for r in replacing]:
                raise rewrite_mismatch(ticket.id)
            for (position, _, _, data), replacement in zip(logged, replacing, strict=True):
                words = search_text(read_event(position, ticket.id, data).event)
                if words is not None:  # a contentless index forgets a row given its words
                    connection.execute(
                        "INSERT INTO search (search, rowid, text) VALUES ('delete', ?, ?)",
                        (position, words),
                    )
                connection.execute(
                    "UPDATE events SET flags = ?, data = ? WHERE position = ?",
                    (replacement[3], replacement[4], position),
                )
                if replacement[5] is not None:
                    connection.execute(_INDEX, (position, replacement[5]))
            _append_events(connection, appending)

        self._write(work)

    def purge(self) -> None:
        """Remove what rewrites left in the file: the search index is rebuilt without
        the entries they deleted, and the write-ahead log is emptied into the file
        (whose freed pages ``secure_delete`` has zeroed)."""

        def work(connection: sqlite3.Connection) -> None:
            connection.execute("PRAGMA secure_delete = ON")
            connection.execute("INSERT INTO search (search) VALUES ('optimize')")

        self._write(work)
        with _translated():
            busy, _, _ = self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a reader holds an old snapshot: the log keeps what it replaced
            raise StorageUnavailableError(
                ErrorCode.STORAGE_UNAVAILABLE,
                "the write-ahead log could not be emptied while another connection reads:"
                " purge again later",
                params={"reason": "wal_checkpoint busy"},
            )

    def search(
        self,
        text: str,
        *,
        requester_id: str | None = None,
        notes: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the tickets that match ``text``, best first (FTS5, ``bm25``; see
        :class:`~ticketcore.ports.TicketSearch`)."""
        asked = check_search(text, requester_id, notes, limit, cursor)
        if not asked.terms:
            return Page(())
        match = " ".join(f'"{term}"*' for term in asked.terms)  # words: no quotes inside
        parameters = (
            match,
            asked.notes,
            asked.requester_id,
            asked.requester_id,
            asked.limit + 1,
            asked.offset,
        )
        with _translated():
            rows = self._connection().execute(_SEARCH, parameters).fetchall()
        return search_page(asked, rows, self)

    def restate(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> bool:
        """Replace the ticket's state and deadline if it is still at ``ticket.version``
        (see :class:`~ticketcore.ports.StateWriter`)."""
        row = _ticket_row(ticket, next_deadline)
        written = []

        def work(connection: sqlite3.Connection) -> None:
            written.append(
                connection.execute(
                    "UPDATE tickets SET due_us = ?, data = ? WHERE id = ? AND version = ?",
                    (row[9], row[10], ticket.id, ticket.version),
                ).rowcount
            )

        self._write(work)
        return written == [1]

    def query(
        self,
        query: TicketQuery | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the matching tickets, in the query's order."""
        query = check_query(query)
        limit = check_limit(limit)
        sql, parameters = _select(query, limit=limit, cursor=cursor)
        with _translated():
            rows = self._connection().execute(sql, parameters).fetchall()
        return read_page(query, rows, limit=limit, source=self)

    def events_after(self, position: int = 0, *, limit: int = 100) -> tuple[StoredEvent, ...]:
        """Up to ``limit`` event-log records after ``position``, oldest first."""
        position = check_position(position)
        limit = check_limit(limit)
        with _translated():
            rows = (
                self._connection()
                .execute(
                    "SELECT position, ticket_id, data FROM events WHERE position > ?"
                    " ORDER BY position LIMIT ?",
                    (position, limit),
                )
                .fetchall()
            )
        return tuple(read_event(found, ticket_id, data) for found, ticket_id, data in rows)

    # the thread, by page and whole (EventLogThread): the rows of the event log

    def _log_rows(
        self, sql: LiteralString, parameters: Sequence[object], *, closed_ok: bool = False
    ) -> list[tuple[int, str]]:
        statement = sql.replace("{schema}.", "")
        with _translated():
            if not (closed_ok and self._closed):
                return self._connection().execute(statement, parameters).fetchall()
            # a ticket read before close() still reads its thread: through a
            # short-lived read-only connection, so nothing is created or kept open
            uri = f"file:{urllib.parse.quote(str(self._path.absolute()))}?mode=ro"
            connection = sqlite3.connect(uri, uri=True, timeout=self._timeout)
            try:
                return connection.execute(statement, parameters).fetchall()
            finally:
                connection.close()

    def _has_ticket(self, ticket_id: str) -> bool:
        with _translated():
            found = self._connection().execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,))
            return found.fetchone() is not None

    # -- tools -------------------------------------------------------------------------

    def query_plan(
        self, query: TicketQuery | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[str, ...]:
        """SQLite's ``EXPLAIN QUERY PLAN`` for :meth:`query` with these arguments."""
        sql, parameters = _select(check_query(query), limit=check_limit(limit), cursor=cursor)
        with _translated():
            rows = self._connection().execute("EXPLAIN QUERY PLAN " + sql, parameters).fetchall()
        return tuple(str(row[3]) for row in rows)

    def close(self) -> None:
        """Close every connection this repository opened (in this process).

        Later calls fail with :class:`~ticketcore.StorageUnavailableError`. Connections
        of threads that ended stay open until then.
        """
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        pid = os.getpid()
        for owner, connection in connections:
            if owner == pid:  # never touch a parent's connection copied by fork
                with contextlib.suppress(sqlite3.Error):
                    connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteRepository({str(self._path)!r})"

    # -- internals ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is not None and local.pid == os.getpid() and not self._closed:
            return connection
        with self._lock:
            if self._closed:
                raise StorageUnavailableError(
                    ErrorCode.STORAGE_UNAVAILABLE,
                    f"the repository on {self._path} is closed",
                    params={"reason": "closed"},
                )
            with _translated():
                connection = sqlite3.connect(
                    self._path,
                    timeout=self._timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
                connection.execute("PRAGMA journal_mode = WAL")
            self._connections.append((os.getpid(), connection))
        local.connection = connection
        local.pid = os.getpid()
        return connection

    def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        connection = self._connection()
        with _translated():
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                _rollback(connection)
                raise
        return result

    def _append_events(self, connection: sqlite3.Connection, rows: Sequence[_EventRow]) -> None:
        _append_events(connection, rows)


def _append_events(connection: sqlite3.Connection, rows: Sequence[_EventRow]) -> None:
    """Append events to the log, and their messages' words to the search index.

    Positions are given here, after the highest ever used (the write transaction holds
    the file), so the index rows can name them in the same batch.
    """
    found = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    start = (0 if found is None else int(found[0])) + 1
    connection.executemany(
        _APPEND_EVENT, [(start + offset, *row[:5]) for offset, row in enumerate(rows)]
    )
    connection.executemany(
        _INDEX,
        [(start + offset, row[5]) for offset, row in enumerate(rows) if row[5] is not None],
    )


def _rollback(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Driver errors become ticketcore's, by whether retrying can help.

    A locked, busy or unreachable database (``OperationalError``) is
    :class:`~ticketcore.StorageUnavailableError`; a file that is not a database or is
    damaged is a :class:`~ticketcore.StorageError` (``storage_invalid``); a value the
    driver cannot store (too large, unencodable) is a ValidationError. Retrying helps
    only the first.
    """
    try:
        yield
    except sqlite3.OperationalError as error:
        raise StorageUnavailableError(
            ErrorCode.STORAGE_UNAVAILABLE,
            f"the ticket database failed: {error}",
            params={"reason": str(error)},
        ) from error
    except (sqlite3.DataError, sqlite3.InterfaceError, OverflowError) as error:
        raise out_of_range("value", str(error), "a value SQLite can store") from error
    except UnicodeEncodeError as error:
        raise ValidationError(
            ErrorCode.CONTROL_CHARACTER,
            "a value holds a lone surrogate, which no database can store",
            field="value",
            params={"value": f"U+{ord(error.object[error.start]):04X}", "position": error.start},
        ) from error
    except sqlite3.DatabaseError as error:  # not a database, damaged, constraint failed
        raise StorageError(
            ErrorCode.STORAGE_INVALID,
            f"the ticket database cannot be used: {error}",
            params={"reason": str(error)},
        ) from error


def _ticket_row(ticket: Ticket, next_deadline: datetime | None) -> _TicketRow:
    check_stored_ticket(ticket, next_deadline)
    due = NO_DEADLINE if next_deadline is None else utc_microseconds(next_deadline)
    return (
        ticket.id,
        ticket.version,
        ticket.requester_id,
        ticket.assignee_id,
        ticket.status.value,
        ticket.category.value,
        ticket.priority.value,
        utc_microseconds(ticket.created_at),
        utc_microseconds(ticket.updated_at),
        due,
        ticket_state_to_json(ticket),
    )


def _event_rows(events: Iterable[Event]) -> list[_EventRow]:
    return [
        (
            event.ticket_id,
            event.version,
            event.kind,
            event_flags(event),
            event_to_json(event),
            search_text(event),
        )
        for event in events
    ]


def _to_state_rows(connection: sqlite3.Connection) -> None:
    """Migration 3: each ticket's row becomes its state; its events get their flags.

    The thread is read from the event log from now on, so each ticket's log must hold
    its history: one that holds none gets it appended; one that holds another number of
    events is a :class:`~ticketcore.StorageError` (``storage_invalid``) and nothing is
    migrated.
    """
    counts = dict(
        connection.execute("SELECT ticket_id, count(*) FROM events GROUP BY ticket_id").fetchall()
    )
    after = ""
    while True:
        rows = connection.execute(
            "SELECT id, data FROM tickets WHERE id > ? ORDER BY id LIMIT 500", (after,)
        ).fetchall()
        if not rows:
            break
        for ticket_id, data in rows:
            ticket = read_ticket(ticket_id, data)
            logged = counts.get(ticket_id, 0)
            if logged == 0:  # a row written without its log (by hand, or by a host)
                connection.executemany(
                    _INSERT_EVENT, [row[:5] for row in _event_rows(ticket.history)]
                )
            elif logged != len(ticket.history):
                raise StorageError(
                    ErrorCode.STORAGE_INVALID,
                    f"ticket {ticket_id}'s event log does not match its history",
                    params={"reason": "event log", "ticket_id": ticket_id},
                )
            connection.execute(
                "UPDATE tickets SET data = ? WHERE id = ?",
                (ticket_state_to_json(ticket), ticket_id),
            )
        after = rows[-1][0]
    while True:
        events = connection.execute(
            "SELECT position, ticket_id, data FROM events WHERE flags = 0"
            " AND kind IN ('ticket_opened', 'message_added') ORDER BY position LIMIT 500"
        ).fetchall()
        if not events:
            break
        connection.executemany(
            "UPDATE events SET flags = ? WHERE position = ?",
            [
                (event_flags(read_event(position, ticket_id, data).event), position)
                for position, ticket_id, data in events
            ],
        )


def _index_messages(connection: sqlite3.Connection) -> None:
    """Migration 4: the words of every message already in the log go in the index."""
    after = 0
    while True:
        events = connection.execute(
            "SELECT position, ticket_id, data FROM events WHERE position > ? AND flags & 1 <> 0"
            " ORDER BY position LIMIT 1000",
            (after,),
        ).fetchall()
        if not events:
            break
        connection.executemany(
            _INDEX,
            [
                (position, search_text(read_event(position, ticket_id, data).event))
                for position, ticket_id, data in events
            ],
        )
        after = events[-1][0]


def _select(query: TicketQuery, *, limit: int, cursor: str | None) -> tuple[str, list[object]]:
    """The SELECT for a query: fixed SQL fragments joined, every value a parameter."""
    column = _ORDER_COLUMN[query.order]
    filters = _filters(query)
    if cursor is not None:
        key, ticket_id = query.position_of(cursor)
        comparison = "<" if query.descending else ">"
        filters.append((f"({column}, id) {comparison} (?, ?)", (key, ticket_id)))
    direction = "DESC" if query.descending else "ASC"
    sql = " ".join(
        (
            "SELECT",
            column,
            ", id, data FROM tickets WHERE",
            " AND ".join(sql for sql, _ in filters) or "1",
            "ORDER BY",
            column,
            direction,
            ", id",
            direction,
            "LIMIT ?",
        )
    )
    parameters = [value for _, values in filters for value in values]
    parameters.append(limit + 1)
    return sql, parameters


def _filters(query: TicketQuery) -> list[tuple[str, tuple[object, ...]]]:
    """Each filter of ``query`` as a condition and its parameters."""
    filters: list[tuple[str, tuple[object, ...]]] = [
        (sql, (value,))
        for sql, value in (
            ("requester_id = ?", query.requester_id),
            ("assignee_id = ?", query.assignee_id),
            ("created_us >= ?", _microseconds(query.created_from)),
            ("created_us < ?", _microseconds(query.created_before)),
            ("due_us < ?", _microseconds(query.due_before)),
        )
        if value is not None
    ]
    if query.unassigned:
        filters.append(("assignee_id IS NULL", ()))
    for name, members in (
        ("status", query.statuses),
        ("category", query.categories),
        ("priority", query.priorities),
    ):
        if members is not None:
            values = tuple(sorted(member.value for member in members))
            filters.append((f"{name} IN ({', '.join('?' * len(values))})", values))
    return filters


def _microseconds(moment: datetime | None) -> int | None:
    return None if moment is None else utc_microseconds(moment)
