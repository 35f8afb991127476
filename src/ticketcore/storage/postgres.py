"""Tickets in PostgreSQL, through psycopg 3 (the ``ticketcore[postgres]`` extra).

The host owns the connections: pass a :class:`psycopg_pool.ConnectionPool` (or anything
with its ``connection()`` context manager), or a callable that returns a new
:class:`psycopg.Connection` (closed after each operation). The repository never opens
a connection of its own, and is safe to share between threads; in a forked process,
give it a pool made in that process.

The tables live in one schema, ``ticketcore`` unless told otherwise, created and
migrated by an explicit call, once per deployment::

    pool = ConnectionPool(
        "postgresql://...",
        kwargs={"autocommit": True},  # reads in one round trip
        check=ConnectionPool.check_connection,  # drop connections a restart broke
    )
    repository = PostgresRepository(pool, schema="ticketcore")
    repository.migrate()  # idempotent; safe to call from several processes at once

How it stores:

- ``tickets``: one row per ticket, its current state as ``jsonb`` (the state record of
  :func:`~ticketcore.serialization.ticket_state_to_json`: fields, counts and SLA clocks,
  no messages and no history) plus the columns queries filter and sort on; instants are
  ``bigint`` microseconds since 1970 UTC, so ordering, cursors and ``due_before`` are
  exact. ``due_us`` is the next SLA deadline, or :data:`~ticketcore.ports.NO_DEADLINE`
  when none runs. ``id`` sorts with the ``"C"`` collation (code point order), as
  :class:`~ticketcore.ports.TicketQuery` does, whatever the database's locale.
- ``events``: the event log (the outbox), and the ticket's thread: a save appends the
  new events and updates the one state row, so its cost does not grow with the ticket.
  ``flags`` marks the events that add a message and those only staff may read, so a page
  of messages, or a requester's page, is filtered in the query (``events_by_ticket``
  index). A ticket read from the store reads its thread from here when asked, by page
  (:meth:`PostgresRepository.message_page`) or whole. Positions come from a one-row
  counter that each write updates after writing its tickets, in the same statement; the
  row lock, held until the commit, serializes the appends, so positions are gap-free and
  only grow in commit order (a sequence would not: a transaction may commit after
  another that drew a larger number, and a reader that already moved past that number
  would miss it).
- ``consumer_groups`` and ``deliveries``: what :meth:`PostgresRepository.claim_events`
  has handed out to each group of consumers, and until when.
- ``schema_migrations``: one row per applied step of :data:`MIGRATIONS`.

How it behaves: ``add``, ``add_many`` and ``save`` are each one statement in one
``READ COMMITTED`` transaction, sent with its ``BEGIN`` and ``COMMIT`` in one round trip
(pipeline mode), so the counter is never held while a client waits for its turn to run;
values are always bound parameters; driver errors become ticketcore's (see
:func:`translated`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, ClassVar, LiteralString, Protocol, Self, TypeAlias, TypeVar

import attrs
import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.rows import TupleRow, tuple_row

from ticketcore import _check
from ticketcore._validate import clean_identifier
from ticketcore.errors import (
    ConflictError,
    ErrorCode,
    StorageError,
    StorageUnavailableError,
    ValidationError,
    out_of_range,
    wrong_type,
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

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_SCHEMA",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ClaimedEvent",
    "ConnectionPoolLike",
    "Connections",
    "PostgresRepository",
    "migrate",
    "translated",
]

_T = TypeVar("_T")

#: The schema the tables go in when none is given.
DEFAULT_SCHEMA = "ticketcore"

#: How long a claimed event stays hidden from the group's other consumers by default.
DEFAULT_LEASE = timedelta(seconds=30)

#: The forward migrations: step ``n`` (1-based) takes a schema from version ``n - 1`` to
#: ``n``. Steps are only ever appended. ``{schema}`` is the quoted schema name.
#: A step is SQL, or a function of the migrating cursor and the schema's name.
MigrationStep: TypeAlias = LiteralString | Callable[["psycopg.Cursor[TupleRow]", str], None]

MIGRATIONS: tuple[tuple[str, tuple[MigrationStep, ...]], ...] = (
    (
        "tickets and their event log",
        (
            """
            CREATE TABLE {schema}.tickets (
                id           text COLLATE "C" NOT NULL PRIMARY KEY,
                version      integer NOT NULL,
                requester_id text    NOT NULL,
                assignee_id  text,
                status       text    NOT NULL,
                category     text    NOT NULL,
                priority     text    NOT NULL,
                created_us   bigint  NOT NULL,
                updated_us   bigint  NOT NULL,
                due_us       bigint  NOT NULL,
                data         jsonb   NOT NULL
            )
            """,
            """
            CREATE TABLE {schema}.events (
                position  bigint  NOT NULL PRIMARY KEY,
                ticket_id text    NOT NULL,
                version   integer NOT NULL,
                kind      text    NOT NULL,
                data      jsonb   NOT NULL
            )
            """,
            """
            CREATE TABLE {schema}.event_counter (
                one           boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (one),
                last_position bigint  NOT NULL
            )
            """,
            "INSERT INTO {schema}.event_counter (last_position) VALUES (0)",
        ),
    ),
    (
        "indexes for a requester's tickets, an agent's queue and tickets due soon",
        (
            "CREATE INDEX tickets_by_requester ON {schema}.tickets (requester_id, created_us, id)",
            "CREATE INDEX tickets_by_assignee ON {schema}.tickets (assignee_id, created_us, id)",
            "CREATE INDEX tickets_by_due ON {schema}.tickets (due_us, id)",
            "CREATE INDEX tickets_by_created ON {schema}.tickets (created_us, id)",
            "CREATE INDEX tickets_by_updated ON {schema}.tickets (updated_us, id)",
        ),
    ),
    (
        "consumer groups that claim and acknowledge events",
        (
            """
            CREATE TABLE {schema}.consumer_groups (
                name           text   NOT NULL PRIMARY KEY,
                filled_through bigint NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE {schema}.deliveries (
                group_name  text        NOT NULL REFERENCES {schema}.consumer_groups (name),
                position    bigint      NOT NULL,
                lease_until timestamptz NOT NULL DEFAULT '-infinity',
                attempts    integer     NOT NULL DEFAULT 0,
                PRIMARY KEY (group_name, position)
            )
            """,
        ),
    ),
    (
        "a ticket's row keeps its state; its thread is read from the event log",
        (
            "ALTER TABLE {schema}.events ADD COLUMN flags integer NOT NULL DEFAULT 0",
            "CREATE INDEX events_by_ticket ON {schema}.events (ticket_id, position)",
            lambda cursor, schema: _to_state_rows(cursor, schema),  # noqa: PLW0108
        ),
    ),
    (
        "full-text search over subjects and messages",
        (
            "ALTER TABLE {schema}.events ADD COLUMN words tsvector",
            lambda cursor, schema: _index_messages(cursor, schema),  # noqa: PLW0108
            "CREATE INDEX events_by_words ON {schema}.events USING gin (words)",
        ),
    ),
)

#: The schema version this release writes.
SCHEMA_VERSION = len(MIGRATIONS)

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_ORDER_COLUMN: dict[Order, LiteralString] = {
    Order.CREATED: "created_us",
    Order.UPDATED: "updated_us",
    Order.DUE: "due_us",
}

#: The ticket columns written by add and save, each named after its parameter.
_COLUMNS = (
    "id",
    "version",
    "requester_id",
    "assignee_id",
    "status",
    "category",
    "priority",
    "created_us",
    "updated_us",
    "due_us",
    "data",
)

# The end of every write: move the counter past the new events and insert them at the
# positions it covers. The counter's row lock is held until the commit, so the next
# writer's positions come after these and become visible after them: positions grow in
# commit order. It is taken once the tickets are written (``changed``, counted in full
# first), so every writer locks tickets, then the counter, and holds it briefly.
_APPEND_EVENTS: LiteralString = """
    counter AS (
        UPDATE {schema}.event_counter SET last_position = last_position + %(event_count)s
        WHERE (SELECT count(*) FROM changed) > 0
        RETURNING last_position - %(event_count)s AS last_before
    )
    INSERT INTO {schema}.events (position, ticket_id, version, kind, flags, data, words)
    SELECT counter.last_before + event.number, event.ticket_id, event.version, event.kind,
        event.flags, event.data::jsonb,
        CASE WHEN event.words IS NOT NULL THEN to_tsvector('simple', event.words) END
    FROM counter, unnest(
        %(event_ticket_ids)s::text[], %(event_versions)s::integer[],
        %(event_kinds)s::text[], %(event_flags)s::integer[], %(event_data)s::text[],
        %(event_words)s::text[]
    ) WITH ORDINALITY AS event (ticket_id, version, kind, flags, data, words, number)
"""

# How migration 4 appended a history, before the events had their words.
_APPEND_EVENTS_4: LiteralString = """
    counter AS (
        UPDATE {schema}.event_counter SET last_position = last_position + %(event_count)s
        WHERE (SELECT count(*) FROM changed) > 0
        RETURNING last_position - %(event_count)s AS last_before
    )
    INSERT INTO {schema}.events (position, ticket_id, version, kind, flags, data)
    SELECT counter.last_before + event.number, event.ticket_id, event.version, event.kind,
        event.flags, event.data::jsonb
    FROM counter, unnest(
        %(event_ticket_ids)s::text[], %(event_versions)s::integer[],
        %(event_kinds)s::text[], %(event_flags)s::integer[], %(event_data)s::text[]
    ) WITH ORDINALITY AS event (ticket_id, version, kind, flags, data, number)
"""

_SEARCH: LiteralString = """
    WITH best AS (
        SELECT e.ticket_id AS id, max(ts_rank(e.words, q.query)) AS score
        FROM {schema}.events e, to_tsquery('simple', %(query)s) AS q (query)
        WHERE e.words @@ q.query AND e.words IS NOT NULL
            AND (%(notes)s OR e.flags & 2 = 0)
        GROUP BY e.ticket_id
    )
    SELECT t.id, t.data::text FROM best b JOIN {schema}.tickets t ON t.id = b.id
    WHERE %(requester_id)s::text IS NULL OR t.requester_id = %(requester_id)s::text
    ORDER BY b.score DESC, t.id LIMIT %(limit)s OFFSET %(offset)s
"""

_REWRITE: LiteralString = """
    WITH changed AS (
        UPDATE {schema}.tickets SET version = %(version)s, requester_id = %(requester_id)s,
            assignee_id = %(assignee_id)s, status = %(status)s, category = %(category)s,
            priority = %(priority)s, created_us = %(created_us)s,
            updated_us = %(updated_us)s, due_us = %(due_us)s, data = %(data)s::jsonb
        WHERE id = %(id)s AND version = %(expected_version)s
        RETURNING id
    ),
    rewritten AS (
        UPDATE {schema}.events AS e SET flags = r.flags, data = r.data::jsonb,
            words = CASE WHEN r.words IS NOT NULL THEN to_tsvector('simple', r.words) END
        FROM unnest(
            %(old_positions)s::bigint[], %(old_flags)s::integer[], %(old_data)s::text[],
            %(old_words)s::text[]
        ) AS r (position, flags, data, words)
        WHERE e.position = r.position AND e.ticket_id = %(id)s
            AND (SELECT count(*) FROM changed) > 0
    ),
    {append_events}
"""

_ADD: LiteralString = """
    WITH changed AS (
        INSERT INTO {schema}.tickets (id, version, requester_id, assignee_id, status,
            category, priority, created_us, updated_us, due_us, data)
        SELECT id, version, requester_id, assignee_id, status, category, priority,
            created_us, updated_us, due_us, data::jsonb
        FROM unnest(
            %(id)s::text[], %(version)s::integer[], %(requester_id)s::text[],
            %(assignee_id)s::text[], %(status)s::text[], %(category)s::text[],
            %(priority)s::text[], %(created_us)s::bigint[], %(updated_us)s::bigint[],
            %(due_us)s::bigint[], %(data)s::text[]
        ) AS ticket (id, version, requester_id, assignee_id, status, category, priority,
            created_us, updated_us, due_us, data)
        RETURNING id
    ),
    {append_events}
"""

_SAVE: LiteralString = """
    WITH changed AS (
        UPDATE {schema}.tickets SET version = %(version)s, requester_id = %(requester_id)s,
            assignee_id = %(assignee_id)s, status = %(status)s, category = %(category)s,
            priority = %(priority)s, created_us = %(created_us)s,
            updated_us = %(updated_us)s, due_us = %(due_us)s, data = %(data)s::jsonb
        WHERE id = %(id)s AND version = %(expected_version)s
        RETURNING id
    ),
    {append_events}
"""


class ConnectionPoolLike(Protocol):
    """What the repository needs from a pool: ``psycopg_pool.ConnectionPool`` has it."""

    def connection(
        self, timeout: float | None = None
    ) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A connection for the duration of a ``with`` block."""
        ...


#: Where a repository gets its connections: a pool, or a factory of new connections.
Connections: TypeAlias = ConnectionPoolLike | Callable[[], psycopg.Connection[Any]]


@attrs.frozen
class ClaimedEvent(StoredEvent):
    """An event-log record claimed for a consumer group, and how often it was claimed.

    ``attempt`` is 1 the first time; more means an earlier claim was never acknowledged
    (its consumer died, or gave up) and its lease ran out.
    """

    attempt: int


# -- migrations ------------------------------------------------------------------------------


def migrate(
    connection: psycopg.Connection[Any],
    *,
    schema: str = DEFAULT_SCHEMA,
    target: int = SCHEMA_VERSION,
) -> int:
    """Create ``schema`` if needed and apply the missing :data:`MIGRATIONS` up to ``target``.

    Returns the version reached. Runs in one transaction under an advisory lock on the
    schema's name, so callers in several processes at once migrate it once, and a second
    call does nothing (and needs no ``CREATE`` privilege). A schema newer than ``target``
    is left alone; one newer than this release is a :class:`~ticketcore.StorageError`
    (``storage_invalid``).
    """
    schema = _check_schema(schema)
    _check.instance(connection, psycopg.Connection, "connection")
    _check.integer(target, "target", minimum=0, maximum=SCHEMA_VERSION)
    with translated(), connection.transaction():
        cursor = connection.cursor(row_factory=tuple_row)
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key("migrate", schema),))
        version = _known_version(cursor, schema)
        if version < target:
            cursor.execute(_compose("CREATE SCHEMA IF NOT EXISTS {schema}", schema))
            cursor.execute(
                _compose(
                    """
                    CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                        version     integer     NOT NULL PRIMARY KEY,
                        description text        NOT NULL,
                        applied_at  timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                    schema,
                )
            )
        for step in range(version, target):
            description, statements = MIGRATIONS[step]
            for statement in statements:
                if callable(statement):
                    statement(cursor, schema)
                else:
                    cursor.execute(_compose(statement, schema))
            cursor.execute(
                _compose(
                    "INSERT INTO {schema}.schema_migrations (version, description) VALUES (%s, %s)",
                    schema,
                ),
                (step + 1, description),
            )
    return max(version, target)


def _known_version(cursor: psycopg.Cursor[TupleRow], schema: str) -> int:
    cursor.execute(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_tables"
        " WHERE schemaname = %s AND tablename = 'schema_migrations')",
        (schema,),
    )
    if not _one(cursor)[0]:
        return 0
    cursor.execute(
        _compose("SELECT coalesce(max(version), 0) FROM {schema}.schema_migrations", schema)
    )
    version = int(_one(cursor)[0])
    if version > SCHEMA_VERSION:
        raise StorageError(
            ErrorCode.STORAGE_INVALID,
            f"schema {schema!r} has version {version}; this ticketcore knows up"
            f" to {SCHEMA_VERSION}: upgrade ticketcore",
            params={"reason": "schema too new", "version": version, "schema": schema},
        )
    return version


# -- the repository --------------------------------------------------------------------------


class PostgresRepository(EventLogThread):
    """A :class:`~ticketcore.ports.TicketRepository` in a PostgreSQL schema.

    ``connections`` is a pool (:class:`psycopg_pool.ConnectionPool`) or a callable that
    returns a new connection; see the module's documentation. ``schema`` is the schema's
    name: lower-case letters, digits and underscores. Call :meth:`migrate` once before
    use; until then every operation is a :class:`~ticketcore.StorageUnavailableError`.

    Beyond the protocol: :meth:`add_many` for imports, :meth:`claim_events` and
    :meth:`ack` for several workers reading the event log as one group, and
    :meth:`query_plan` to see PostgreSQL's plan of a query.
    """

    _MARK: ClassVar[LiteralString] = "%s"
    _DATA: ClassVar[LiteralString] = "data::text"

    def __init__(self, connections: Connections, *, schema: str = DEFAULT_SCHEMA) -> None:
        self._pool: ConnectionPoolLike | None = None
        self._factory: Callable[[], psycopg.Connection[Any]] | None = None
        if callable(getattr(connections, "connection", None)):
            self._pool = connections  # type: ignore[assignment]
        elif callable(connections):
            self._factory = connections
        else:
            raise wrong_type(
                "connections",
                "a connection pool or a callable returning a new connection",
                connections,
            )
        self._schema = _check_schema(schema)
        self._closed = False
        self._sql = _Statements(self._schema)

    @property
    def schema(self) -> str:
        """The name of the schema the tables are in."""
        return self._schema

    def migrate(self, *, target: int = SCHEMA_VERSION) -> int:
        """Create or upgrade the schema to ``target``; see :func:`migrate`."""
        with translated(schema=self._schema), self._connection() as connection:
            return migrate(connection, schema=self._schema, target=target)

    def schema_version(self) -> int:
        """The version of the schema in the database: 0 when it was never migrated."""
        with translated(schema=self._schema), self._connection() as connection:
            return _known_version(connection.cursor(row_factory=tuple_row), self._schema)

    # -- the protocol ------------------------------------------------------------------

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its whole history to the event log."""
        self.add_many([(ticket, next_deadline)])

    def add_many(self, tickets: Iterable[tuple[Ticket, datetime | None]]) -> int:
        """Add many ``(ticket, next_deadline)`` pairs in one transaction; returns how many.

        All or nothing: one taken id (:class:`~ticketcore.ConflictError`) adds none.
        For imports and benchmarks; each ticket is stored exactly as :meth:`add` would.
        """
        pairs = ticket_pairs(tickets, "tickets")
        if not pairs:
            return 0
        rows = [_ticket_columns(ticket, deadline) for ticket, deadline in pairs]
        parameters = {name: [row[name] for row in rows] for name in _COLUMNS}
        events = _event_parameters(event for ticket, _ in pairs for event in ticket.history)
        try:
            self._write(self._sql.add, parameters | events)
        except ConflictError as error:
            cause = error.__cause__
            if not isinstance(cause, pg_errors.UniqueViolation):
                raise
            raise ticket_exists(_taken_id(cause, [ticket.id for ticket, _ in pairs])) from cause
        return len(pairs)

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id, or :class:`~ticketcore.NotFoundError`."""
        ticket_id = check_ticket_id(ticket_id)
        found = self._read_one(self._sql.get, (ticket_id,))
        if found is None:
            raise ticket_not_found(ticket_id)
        return read_ticket(ticket_id, found[0], source=self)

    def save(
        self,
        ticket: Ticket,
        *,
        expected_version: int,
        next_deadline: datetime | None = None,
    ) -> None:
        """Replace the ticket if it is still at ``expected_version``; log its new events."""
        parameters = _ticket_columns(ticket, next_deadline)
        events = _event_parameters(new_events(ticket, expected_version=expected_version))
        parameters["expected_version"] = expected_version
        if self._write(self._sql.save, parameters | events, ticket_id=ticket.id):
            return
        # Nothing written: the ticket is missing, or at another version.
        found = self._read_one(self._sql.version, (ticket.id,))
        if found is None:
            raise ticket_not_found(ticket.id)
        raise stale_version(ticket.id, expected_version, int(found[0]))

    def rewrite(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """Replace the ticket, and the payloads of the events it logged, with ``ticket``'s
        rewritten ones, search words too (see :class:`~ticketcore.ports.Eraser`);
        append its new events, all in one statement."""
        parameters = _ticket_columns(ticket, next_deadline)
        old, new = rewritten_events(ticket, expected_version=expected_version)
        logged = self._read_all(self._sql.logged, (ticket.id,))
        if [(int(v), str(k)) for _, v, k in logged] != [(e.version, e.kind) for e in old]:
            found = self._read_one(self._sql.version, (ticket.id,))
            if found is None:
                raise ticket_not_found(ticket.id)
            if int(found[0]) != expected_version:
                raise stale_version(ticket.id, expected_version, int(found[0]))
            raise rewrite_mismatch(ticket.id)
        replacing = _event_parameters(old)
        parameters |= _event_parameters(new)
        parameters |= {
            "expected_version": expected_version,
            "old_positions": [int(row[0]) for row in logged],
            "old_flags": replacing["event_flags"],
            "old_data": replacing["event_data"],
            "old_words": replacing["event_words"],
        }
        if self._write(self._sql.rewrite, parameters, ticket_id=ticket.id):
            return
        found = self._read_one(self._sql.version, (ticket.id,))
        if found is None:
            raise ticket_not_found(ticket.id)
        raise stale_version(ticket.id, expected_version, int(found[0]))

    def purge(self) -> None:
        """Nothing it can do itself: PostgreSQL keeps replaced rows until ``VACUUM``,
        which cannot run inside the transactions the host's connections may open. After
        erasing, run ``VACUUM`` on the schema's ``tickets`` and ``events`` tables."""

    def search(
        self,
        text: str,
        *,
        requester_id: str | None = None,
        notes: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the tickets that match ``text``, best first (``tsvector`` with
        the ``simple`` configuration, ``ts_rank``; see
        :class:`~ticketcore.ports.TicketSearch`)."""
        asked = check_search(text, requester_id, notes, limit, cursor)
        if not asked.terms:
            return Page(())
        parameters = {
            "query": " & ".join(f"{term}:*" for term in asked.terms),  # words: no operators
            "notes": asked.notes,
            "requester_id": asked.requester_id,
            "limit": asked.limit + 1,
            "offset": asked.offset,
        }
        rows = self._read_all(self._sql.search, parameters)
        return search_page(asked, rows, self)

    def restate(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> bool:
        """Replace the ticket's state and deadline if it is still at ``ticket.version``
        (see :class:`~ticketcore.ports.StateWriter`)."""
        parameters = _ticket_columns(ticket, next_deadline)
        return self._write(self._sql.restate, parameters, ticket_id=ticket.id) == 1

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
        statement, parameters = _select(query, self._sql.tickets, limit=limit, cursor=cursor)
        rows = self._read_all(statement, parameters)
        return read_page(query, rows, limit=limit, source=self)

    # the thread, by page and whole (EventLogThread): the rows of the event log

    def _log_rows(
        self, sql: LiteralString, parameters: Sequence[object], *, closed_ok: bool = False
    ) -> list[tuple[Any, ...]]:
        # closed_ok: a ticket read before close() still reads its thread, the
        # connections being the host's
        return self._read_all(_compose(sql, self._schema), parameters, closed_ok=closed_ok)

    def _has_ticket(self, ticket_id: str) -> bool:
        return self._read_one(self._sql.version, (ticket_id,)) is not None

    def events_after(self, position: int = 0, *, limit: int = 100) -> tuple[StoredEvent, ...]:
        """Up to ``limit`` event-log records after ``position``, oldest first."""
        position = check_position(position)
        limit = check_limit(limit)
        rows = self._read_all(self._sql.events_after, (position, limit))
        return tuple(read_event(found, ticket_id, data) for found, ticket_id, data in rows)

    # -- consumer groups -----------------------------------------------------------------

    def claim_events(
        self, group: str, *, limit: int = 100, lease: timedelta = DEFAULT_LEASE
    ) -> tuple[ClaimedEvent, ...]:
        """Claim up to ``limit`` events for one consumer of ``group``, oldest first.

        Every event of the log is delivered to each group (a group is created on its
        first claim and starts at the beginning of the log). A claimed event is hidden
        from the group's other consumers for ``lease``, by the database's clock: the
        consumer handles it and then :meth:`ack`\\ s it. An event not acknowledged in
        time is claimed again (its ``attempt`` grows), so a consumer that dies loses
        nothing, and one slower than its lease may see an event handled twice: delivery
        is at least once, make handlers idempotent. A claim that fails or whose
        connection dies before it commits claims nothing. Consumers never wait for each
        other (``FOR UPDATE SKIP LOCKED``), so a claim may return fewer events than are
        pending while another consumer is claiming.
        """
        group = clean_identifier(group, "group")
        limit = check_limit(limit)
        lease = _check_lease(lease)

        def fill(cursor: psycopg.Cursor[TupleRow]) -> None:
            cursor.execute(self._sql.create_group, (group,))
            cursor.execute(self._sql.lock_group, (group,))
            filled_through = int(_one(cursor)[0])
            cursor.execute(self._sql.fill_deliveries, (group, filled_through, limit))
            added = [int(row[0]) for row in cursor.fetchall()]
            if added:
                cursor.execute(self._sql.move_group, (max(added), group))

        self._transaction(fill)
        rows = self._transaction(lambda cursor: self._claim(cursor, group, limit, lease))
        return tuple(
            ClaimedEvent(int(position), read_event(position, ticket_id, data).event, int(attempt))
            for position, attempt, ticket_id, data in rows
        )

    def ack(self, group: str, positions: Iterable[int]) -> int:
        """Mark these events of ``group`` as handled; returns how many it marked.

        An acknowledged event is never claimed by the group again. Positions the group
        has already acknowledged, or not reached yet, are ignored.
        """
        group = clean_identifier(group, "group")
        given = _check.items(positions, "positions")
        numbers = sorted({check_position(position) for position in given})
        if not numbers:
            return 0
        return self._transaction(lambda cursor: self._acknowledge(cursor, group, numbers))

    # -- tools -------------------------------------------------------------------------

    def query_plan(
        self, query: TicketQuery | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[str, ...]:
        """PostgreSQL's ``EXPLAIN`` (without costs) of :meth:`query` with these arguments."""
        statement, parameters = _select(
            check_query(query), self._sql.tickets, limit=check_limit(limit), cursor=cursor
        )
        rows = self._read_all(sql.SQL("EXPLAIN (COSTS OFF) {}").format(statement), parameters)
        return tuple(str(row[0]) for row in rows)

    def close(self) -> None:
        """Stop using the connections; later calls are StorageUnavailableError.

        The pool (or the factory's connections) belongs to the host: this does not
        close it.
        """
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresRepository(schema={self._schema!r})"

    # -- internals ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self, *, closed_ok: bool = False) -> Iterator[psycopg.Connection[Any]]:
        if self._closed and not closed_ok:
            raise StorageUnavailableError(
                ErrorCode.STORAGE_UNAVAILABLE,
                f"the repository on schema {self._schema!r} is closed",
                params={"reason": "closed"},
            )
        if self._pool is not None:
            with self._pool.connection() as connection:
                yield connection
            return
        assert self._factory is not None  # noqa: S101 - set when there is no pool
        connection = self._factory()
        try:
            yield connection
        finally:
            connection.close()

    def _write(
        self,
        statement: sql.Composed,
        parameters: dict[str, object],
        *,
        ticket_id: str | None = None,
    ) -> int:
        """Run one statement in its own READ COMMITTED transaction; returns its row count.

        BEGIN, the statement and COMMIT go in one round trip (pipeline mode), so the
        event counter's lock is held for the statement and the commit only, never while
        this client's thread waits for its turn to run.
        """
        with (
            translated(schema=self._schema, ticket_id=ticket_id),
            self._connection() as connection,
        ):
            cursor = connection.cursor(row_factory=tuple_row)
            with _pipeline(connection), connection.transaction():
                # Whatever the host's default: the counter relies on this level, and a
                # stricter one would fail concurrent appends instead of queueing them.
                connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                self._execute(cursor, statement, parameters)
            return cursor.rowcount

    def _execute(
        self,
        cursor: psycopg.Cursor[TupleRow],
        statement: sql.Composed,
        parameters: Mapping[str, object],
    ) -> None:
        cursor.execute(statement, parameters)

    def _transaction(self, work: Callable[[psycopg.Cursor[TupleRow]], _T]) -> _T:
        """Run ``work`` in one READ COMMITTED transaction, committed if it returns."""
        with (
            translated(schema=self._schema),
            self._connection() as connection,
            connection.transaction(),
        ):
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            return work(cursor)

    def _read_one(
        self, statement: sql.Composed, parameters: Sequence[object]
    ) -> tuple[Any, ...] | None:
        with translated(schema=self._schema), self._connection() as connection:
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute(statement, parameters)
            return cursor.fetchone()

    def _read_all(
        self,
        statement: sql.Composed,
        parameters: Sequence[object] | Mapping[str, object],
        *,
        closed_ok: bool = False,
    ) -> list[tuple[Any, ...]]:
        with translated(schema=self._schema), self._connection(closed_ok=closed_ok) as connection:
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute(statement, parameters)
            return cursor.fetchall()

    def _claim(
        self, cursor: psycopg.Cursor[TupleRow], group: str, limit: int, lease: timedelta
    ) -> list[tuple[Any, ...]]:
        cursor.execute(self._sql.claim, {"group": group, "limit": limit, "lease": lease})
        return cursor.fetchall()

    def _acknowledge(
        self, cursor: psycopg.Cursor[TupleRow], group: str, positions: list[int]
    ) -> int:
        cursor.execute(self._sql.ack, (group, positions))
        return cursor.rowcount


class _Statements:
    """Every fixed statement of a repository, composed once with its schema's name."""

    def __init__(self, schema: str) -> None:
        self.tickets = sql.Identifier(schema, "tickets")
        self.get = _compose("SELECT data::text FROM {schema}.tickets WHERE id = %s", schema)
        self.version = _compose("SELECT version FROM {schema}.tickets WHERE id = %s", schema)
        self.search = _compose(_SEARCH, schema)
        self.rewrite = sql.SQL(_REWRITE).format(
            schema=sql.Identifier(schema), append_events=_compose(_APPEND_EVENTS, schema)
        )
        self.logged = _compose(
            "SELECT position, version, kind FROM {schema}.events WHERE ticket_id = %s"
            " ORDER BY position",
            schema,
        )
        self.restate = _compose(
            "UPDATE {schema}.tickets SET due_us = %(due_us)s, data = %(data)s::jsonb"
            " WHERE id = %(id)s AND version = %(version)s",
            schema,
        )
        append_events = _compose(_APPEND_EVENTS, schema)
        self.add = sql.SQL(_ADD).format(schema=sql.Identifier(schema), append_events=append_events)
        self.save = sql.SQL(_SAVE).format(
            schema=sql.Identifier(schema), append_events=append_events
        )
        self.events_after = _compose(
            "SELECT position, ticket_id, data::text FROM {schema}.events WHERE position > %s"
            " ORDER BY position LIMIT %s",
            schema,
        )
        self.create_group = _compose(
            "INSERT INTO {schema}.consumer_groups (name) VALUES (%s) ON CONFLICT (name) DO NOTHING",
            schema,
        )
        self.lock_group = _compose(
            "SELECT filled_through FROM {schema}.consumer_groups WHERE name = %s FOR UPDATE",
            schema,
        )
        # Positions only grow in commit order, so nothing can appear below the group's
        # mark later: what is under it was handed to the group's deliveries once.
        self.fill_deliveries = _compose(
            "INSERT INTO {schema}.deliveries (group_name, position)"
            " SELECT %s, position FROM {schema}.events WHERE position > %s"
            " ORDER BY position LIMIT %s RETURNING position",
            schema,
        )
        self.move_group = _compose(
            "UPDATE {schema}.consumer_groups SET filled_through = %s WHERE name = %s",
            schema,
        )
        self.claim = _compose(
            """
            WITH claimed AS (
                UPDATE {schema}.deliveries AS d
                SET lease_until = clock_timestamp() + %(lease)s, attempts = d.attempts + 1
                FROM (
                    SELECT position FROM {schema}.deliveries
                    WHERE group_name = %(group)s AND lease_until <= clock_timestamp()
                    ORDER BY position
                    LIMIT %(limit)s
                    FOR UPDATE SKIP LOCKED
                ) AS free
                WHERE d.group_name = %(group)s AND d.position = free.position
                RETURNING d.position, d.attempts
            )
            SELECT claimed.position, claimed.attempts, e.ticket_id, e.data::text
            FROM claimed JOIN {schema}.events AS e ON e.position = claimed.position
            ORDER BY claimed.position
            """,
            schema,
        )
        self.ack = _compose(
            "DELETE FROM {schema}.deliveries WHERE group_name = %s AND position = ANY(%s)",
            schema,
        )


# -- errors ----------------------------------------------------------------------------------


@contextlib.contextmanager
def translated(*, schema: str | None = None, ticket_id: str | None = None) -> Iterator[None]:
    """Driver errors become ticketcore's; the driver's error is the ``__cause__``.

    - a serialization failure, a deadlock or a unique violation (two writers met):
      :class:`~ticketcore.ConflictError`, code ``conflict``, which the helpdesk retries;
    - a value the database cannot store (NUL in text, a number out of range, a lone
      surrogate): :class:`~ticketcore.ValidationError` (``out_of_range``,
      ``control_character``), since retrying cannot help;
    - a broken constraint, a missing privilege or a statement the schema refuses:
      :class:`~ticketcore.StorageError` (``storage_invalid``);
    - a missing table (the schema was never migrated), a dropped connection, an
      exhausted pool, a timeout and any other driver failure:
      :class:`~ticketcore.StorageUnavailableError`: retrying later may help.

    ``add`` turns the unique violation of a taken id into ``already_exists`` itself.
    """
    try:
        yield
    except (
        pg_errors.SerializationFailure,
        pg_errors.DeadlockDetected,
        pg_errors.UniqueViolation,
    ) as error:
        raise ConflictError(
            ErrorCode.CONFLICT,
            f"a concurrent transaction changed the same data ({error.sqlstate}); reload and"
            " try again",
            field="version",
            params={"ticket_id": ticket_id, "sqlstate": error.sqlstate},
        ) from error
    except pg_errors.UndefinedTable as error:
        raise StorageUnavailableError(
            ErrorCode.STORAGE_UNAVAILABLE,
            f"the ticket tables are missing from schema {schema!r}: call migrate() first ({error})",
            params={"reason": "not migrated", "schema": schema},
        ) from error
    except psycopg.DataError as error:  # NUL in text, a number out of range: the value
        raise out_of_range("value", str(error)[:200], "a value PostgreSQL can store") from error
    except UnicodeEncodeError as error:
        raise ValidationError(
            ErrorCode.CONTROL_CHARACTER,
            "a value holds a lone surrogate, which no database can store",
            field="value",
            params={"value": f"U+{ord(error.object[error.start]):04X}", "position": error.start},
        ) from error
    except (psycopg.IntegrityError, psycopg.ProgrammingError, psycopg.NotSupportedError) as error:
        # A constraint the data breaks, a privilege missing, a schema that is not ours:
        # retrying cannot help, the database or its use must change.
        raise StorageError(
            ErrorCode.STORAGE_INVALID,
            f"the ticket database refused the statement: {error}",
            params={"reason": str(error), "sqlstate": error.sqlstate},
        ) from error
    except psycopg.Error as error:
        raise StorageUnavailableError(
            ErrorCode.STORAGE_UNAVAILABLE,
            f"the ticket database failed: {error}",
            params={"reason": str(error), "sqlstate": error.sqlstate},
        ) from error


# -- helpers ---------------------------------------------------------------------------------


def _pipeline(connection: psycopg.Connection[Any]) -> AbstractContextManager[object]:
    """Pipeline mode where libpq supports it (it only saves round trips)."""
    if psycopg.Pipeline.is_supported():
        return connection.pipeline()
    return contextlib.nullcontext()


def _compose(statement: LiteralString, schema: str) -> sql.Composed:
    return sql.SQL(statement).format(schema=sql.Identifier(schema))


def _one(cursor: psycopg.Cursor[TupleRow]) -> TupleRow:
    row = cursor.fetchone()
    if row is None:  # pragma: no cover - the statements always return a row
        msg = "the statement returned no row"
        raise StorageUnavailableError(
            ErrorCode.STORAGE_UNAVAILABLE, msg, params={"reason": "no row"}
        )
    return row


def _check_schema(schema: object) -> str:
    text = _check.text(schema, "schema")
    if not _SCHEMA_NAME.fullmatch(text) or text.startswith("pg_"):
        raise out_of_range(
            "schema",
            text,
            "1 to 63 lower-case letters, digits and underscores, not starting with a digit or pg_",
        )
    return text


def _lock_key(purpose: str, schema: str) -> int:
    """A stable 64-bit advisory lock key for ``purpose`` on ``schema``."""
    digest = hashlib.sha256(f"ticketcore:{purpose}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _check_lease(lease: object) -> timedelta:
    return _check.duration(lease, "lease", positive=True)


def _ticket_columns(ticket: Ticket, next_deadline: datetime | None) -> dict[str, object]:
    check_stored_ticket(ticket, next_deadline)
    due = NO_DEADLINE if next_deadline is None else utc_microseconds(next_deadline)
    return {
        "id": ticket.id,
        "version": ticket.version,
        "requester_id": ticket.requester_id,
        "assignee_id": ticket.assignee_id,
        "status": ticket.status.value,
        "category": ticket.category.value,
        "priority": ticket.priority.value,
        "created_us": utc_microseconds(ticket.created_at),
        "updated_us": utc_microseconds(ticket.updated_at),
        "due_us": due,
        "data": ticket_state_to_json(ticket),
    }


def _event_parameters(events: Iterable[Event]) -> dict[str, object]:
    """The events to append, as the arrays the write statements unnest."""
    listed = list(events)
    return {
        "event_count": len(listed),
        "event_ticket_ids": [event.ticket_id for event in listed],
        "event_versions": [event.version for event in listed],
        "event_kinds": [event.kind for event in listed],
        "event_flags": [event_flags(event) for event in listed],
        "event_data": [event_to_json(event) for event in listed],
        "event_words": [search_text(event) for event in listed],
    }


def _taken_id(error: pg_errors.UniqueViolation, ids: Sequence[str]) -> str:
    """The id a unique violation on ``tickets`` names (the first one if it names none)."""
    detail = error.diag.message_detail or ""
    found = re.fullmatch(r"Key \(id\)=\((.*)\) already exists\.", detail, re.DOTALL)
    return found.group(1) if found and found.group(1) in ids else ids[0]


def _select(
    query: TicketQuery, tickets: sql.Identifier, *, limit: int, cursor: str | None
) -> tuple[sql.Composed, list[object]]:
    """The SELECT for a query: fixed SQL fragments joined, every value a parameter."""
    column = sql.Identifier(_ORDER_COLUMN[query.order])
    filters = _filters(query)
    if cursor is not None:
        key, ticket_id = query.position_of(cursor)
        comparison: LiteralString = "<" if query.descending else ">"
        filters.append(
            (sql.SQL("({}, id) " + comparison + " (%s, %s)").format(column), (key, ticket_id))
        )
    direction = sql.SQL("DESC" if query.descending else "ASC")
    where = (
        sql.SQL(" AND ").join(condition for condition, _ in filters) if filters else sql.SQL("TRUE")
    )
    statement = sql.SQL(
        "SELECT {column}, id, data::text FROM {tickets} WHERE {where}"
        " ORDER BY {column} {direction}, id {direction} LIMIT %s"
    ).format(column=column, tickets=tickets, where=where, direction=direction)
    parameters = [value for _, values in filters for value in values]
    parameters.append(limit + 1)
    return statement, parameters


def _filters(query: TicketQuery) -> list[tuple[sql.Composable, tuple[object, ...]]]:
    """Each filter of ``query`` as a condition and its parameters."""
    filters: list[tuple[sql.Composable, tuple[object, ...]]] = [
        (sql.SQL(condition), (value,))
        for condition, value in (
            ("requester_id = %s", query.requester_id),
            ("assignee_id = %s", query.assignee_id),
            ("created_us >= %s", _microseconds(query.created_from)),
            ("created_us < %s", _microseconds(query.created_before)),
            ("due_us < %s", _microseconds(query.due_before)),
        )
        if value is not None
    ]
    if query.unassigned:
        filters.append((sql.SQL("assignee_id IS NULL"), ()))
    for condition, members in (
        ("status = ANY(%s::text[])", query.statuses),
        ("category = ANY(%s::text[])", query.categories),
        ("priority = ANY(%s::text[])", query.priorities),
    ):
        if members is not None:
            filters.append((sql.SQL(condition), (sorted(member.value for member in members),)))
    return filters


def _microseconds(moment: datetime | None) -> int | None:
    return None if moment is None else utc_microseconds(moment)


def _to_state_rows(cursor: psycopg.Cursor[TupleRow], schema: str) -> None:
    """Migration 4: each ticket's row becomes its state; its events get their flags.

    The thread is read from the event log from now on, so each ticket's log must hold
    its history: one that holds none gets it appended; one that holds another number of
    events is a :class:`~ticketcore.StorageError` (``storage_invalid``) and nothing is
    migrated (the migration's transaction is rolled back).
    """
    cursor.execute(_compose("SELECT ticket_id, count(*) FROM {schema}.events GROUP BY 1", schema))
    counts = {str(ticket_id): int(count) for ticket_id, count in cursor.fetchall()}
    after = ""
    while True:
        cursor.execute(
            _compose(
                "SELECT id, data::text FROM {schema}.tickets WHERE id > %s ORDER BY id LIMIT 500",
                schema,
            ),
            (after,),
        )
        rows = cursor.fetchall()
        if not rows:
            break
        for ticket_id, data in rows:
            ticket = read_ticket(ticket_id, data)
            logged = counts.get(ticket_id, 0)
            if logged == 0:  # a row written without its log (by hand, or by a host)
                parameters = _event_parameters(ticket.history)
                cursor.execute(
                    sql.SQL("WITH changed AS (SELECT 1), {append_events}").format(
                        append_events=_compose(_APPEND_EVENTS_4, schema)
                    ),
                    parameters,
                )
            elif logged != len(ticket.history):
                raise StorageError(
                    ErrorCode.STORAGE_INVALID,
                    f"ticket {ticket_id}'s event log does not match its history",
                    params={"reason": "event log", "ticket_id": ticket_id},
                )
            cursor.execute(
                _compose("UPDATE {schema}.tickets SET data = %s::jsonb WHERE id = %s", schema),
                (ticket_state_to_json(ticket), ticket_id),
            )
        after = rows[-1][0]
    position = 0
    while True:
        cursor.execute(
            _compose(
                "SELECT position, ticket_id, data::text FROM {schema}.events WHERE position > %s"
                " AND kind IN ('ticket_opened', 'message_added') ORDER BY position LIMIT 500",
                schema,
            ),
            (position,),
        )
        events = cursor.fetchall()
        if not events:
            break
        cursor.executemany(
            _compose("UPDATE {schema}.events SET flags = %s WHERE position = %s", schema),
            [
                (event_flags(read_event(found, ticket_id, data).event), found)
                for found, ticket_id, data in events
            ],
        )
        position = events[-1][0]


def _index_messages(cursor: psycopg.Cursor[TupleRow], schema: str) -> None:
    """Migration 5: the words of every message already in the log, for search."""
    position = 0
    while True:
        cursor.execute(
            _compose(
                "SELECT position, ticket_id, data::text FROM {schema}.events WHERE position > %s"
                " AND flags & 1 <> 0 ORDER BY position LIMIT 1000",
                schema,
            ),
            (position,),
        )
        events = cursor.fetchall()
        if not events:
            break
        cursor.executemany(
            _compose(
                "UPDATE {schema}.events SET words = to_tsvector('simple', %s) WHERE position = %s",
                schema,
            ),
            [
                (search_text(read_event(found, ticket_id, data).event), found)
                for found, ticket_id, data in events
            ],
        )
        position = events[-1][0]
