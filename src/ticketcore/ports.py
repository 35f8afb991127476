"""The protocols at ticketcore's edges, and the values they exchange.

A host application implements these (or uses the reference adapters in
:mod:`ticketcore.storage`) and passes them to :class:`~ticketcore.helpdesk.Helpdesk`:

- :class:`TicketRepository`: tickets, with optimistic concurrency, queries with keyset
  pagination, and an ordered event log written in the same transaction (an outbox);
- :class:`AttachmentStore`: the bytes of attached files, content-addressed by SHA-256;
- :class:`Clock` and :class:`IdGenerator`: time and ids, so hosts and tests control both;
- :class:`DeadlinePolicy`: what the helpdesk needs from an SLA policy
  (:class:`ticketcore.SLAPolicy` is one).

Every protocol is ``runtime_checkable``, so ``isinstance(repo, TicketRepository)``
checks that the methods exist (not their behaviour: the contract suite in
:mod:`ticketcore.testing.contract` does that).

The values here are also the reference semantics of a query: :meth:`TicketQuery.select`
runs a query over ``(ticket, next_deadline)`` pairs, and every adapter must return what
it returns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import BinaryIO, Generic, NamedTuple, Protocol, TypeVar, runtime_checkable

import attrs

from ticketcore import _check
from ticketcore._thread import Thread
from ticketcore._time import require_aware
from ticketcore._validate import clean_identifier
from ticketcore.enums import Category, Priority, Status, _WireEnum
from ticketcore.errors import (
    ConflictError,
    ErrorCode,
    NotFoundError,
    RecordUnreadableError,
    StorageError,
    ValidationError,
    wrong_type,
)
from ticketcore.events import Event
from ticketcore.model import Attachment, Message
from ticketcore.serialization import (
    ThreadSource,
    _loads,
    event_from_json,
    ticket_from_dict,
    ticket_state_from_dict,
    utc_microseconds,
)
from ticketcore.ticket import Ticket

__all__ = [
    "CHUNK_SIZE",
    "MAX_CURSOR_LENGTH",
    "MAX_PAGE_SIZE",
    "NO_DEADLINE",
    "AttachmentStore",
    "Clock",
    "DeadlinePolicy",
    "Eraser",
    "IdGenerator",
    "Order",
    "Page",
    "ReadableStream",
    "SearchAsked",
    "StateWriter",
    "StoredContent",
    "StoredEvent",
    "ThreadReader",
    "ThreadSource",
    "TicketQuery",
    "TicketRepository",
    "TicketSearch",
    "check_limit",
    "check_position",
    "check_query",
    "check_search",
    "check_stored_ticket",
    "check_ticket_id",
    "copy_content",
    "new_events",
    "read_event",
    "read_page",
    "read_ticket",
    "record_unreadable",
    "rewrite_mismatch",
    "rewritten_events",
    "search_page",
    "search_words",
    "stale_version",
    "thread_cursor",
    "thread_page",
    "thread_position",
    "ticket_exists",
    "ticket_not_found",
    "ticket_pairs",
]

T = TypeVar("T")
_E = TypeVar("_E", bound=StrEnum)

#: The largest ``limit`` a query or ``events_after`` accepts.
MAX_PAGE_SIZE = 1000

#: The sort key of "no deadline" in :attr:`Order.DUE` order: after every real deadline.
NO_DEADLINE = 2**63 - 1


# -- values ----------------------------------------------------------------------------------


class Order(_WireEnum):
    """What a query sorts by; ties are broken by ticket id, so the order is total."""

    CREATED = "created"
    """When the ticket was opened."""
    UPDATED = "updated"
    """When the ticket last changed."""
    DUE = "due"
    """The stored next SLA deadline; tickets without one come last."""


@attrs.frozen
class Page(Generic[T]):
    """One page of a query: its ``items`` and the cursor of the next page.

    ``next_cursor`` is ``None`` on the last page. Pass it back unchanged, with the same
    query, to get the next page. ``unreadable`` names the tickets that matched but whose
    stored record could not be read (damaged, or written by something else): they are
    left out of ``items``, the rest of the page is still there, and ``get`` of such an
    id raises :class:`~ticketcore.RecordUnreadableError`.
    """

    items: tuple[T, ...]
    next_cursor: str | None = None
    unreadable: tuple[str, ...] = ()


@attrs.frozen
class StoredEvent:
    """One record of a repository's event log: its ``position`` and the ``event``.

    Positions are positive and strictly increasing in the order the events were
    committed; they may have gaps.
    """

    position: int
    event: Event


@attrs.frozen
class StoredContent:
    """What :meth:`AttachmentStore.put` stored: the content's SHA-256 and its size.

    ``created`` is true when this put stored new content (not content already there):
    only such content may be discarded when the call that stored it fails. It tells
    about the call, not the content, so equality ignores it.
    """

    sha256: str
    size: int
    created: bool = attrs.field(default=False, eq=False)

    def attachment(self, filename: str, content_type: str) -> Attachment:
        """The :class:`~ticketcore.Attachment` metadata for this content."""
        return Attachment(filename, content_type, self.size, self.sha256)


#: The longest cursor :meth:`TicketQuery.position_of` reads; real ones are under 100.
MAX_CURSOR_LENGTH = 512


def _members(kind: type[_E], values: Iterable[_E | str] | None) -> frozenset[_E] | None:
    if values is None:
        return None
    if isinstance(values, str):  # one wire name, not its letters
        values = (values,)
    names: dict[type[StrEnum], str] = {
        Status: "statuses",
        Category: "categories",
        Priority: "priorities",
    }
    field = names.get(kind, kind.__name__.lower())
    members: set[_E] = set()
    for value in _check.items(values, field):
        if not isinstance(value, str):
            raise wrong_type(field, f"{kind.__name__} members or names", value)
        members.add(kind(value))
    return frozenset(members)


def _statuses(values: Iterable[Status | str] | None) -> frozenset[Status] | None:
    return _members(Status, values)


def _categories(values: Iterable[Category | str] | None) -> frozenset[Category] | None:
    return _members(Category, values)


def _priorities(values: Iterable[Priority | str] | None) -> frozenset[Priority] | None:
    return _members(Priority, values)


def _aware(_instance: object, attribute: attrs.Attribute[datetime | None], value: object) -> None:
    if value is not None:
        require_aware(value, attribute.name)


def _optional_id(_instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    _check.optional_text(value, attribute.name)


def _flag(_instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    _check.boolean(value, attribute.name)


def _order(value: object) -> Order:
    if type(value) is Order:
        return value
    text = _check.text(value, "order")
    try:
        return Order(text)
    except ValueError:
        valid = ", ".join(order.value for order in Order)
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"{text[:40]!r} is not an order; valid values: {valid}",
            field="order",
            params={"value": text[:40], "valid": valid},
        ) from None


@attrs.frozen(kw_only=True)
class TicketQuery:
    """Which tickets to list, and in what order.

    Every filter left at ``None`` matches everything; the filters given must all match.
    ``statuses``, ``categories`` and ``priorities`` take any iterable of members or wire
    names (an empty one matches nothing). ``created_from`` is inclusive,
    ``created_before`` and ``due_before`` exclusive; ``due_before`` compares the
    ``next_deadline`` stored with the ticket, so tickets without one never match it.
    ``unassigned=True`` keeps only tickets without an assignee.

    >>> from datetime import datetime, timezone
    >>> TicketQuery(requester_id="sara", statuses=["open"], order="updated").order
    <Order.UPDATED: 'updated'>
    """

    requester_id: str | None = attrs.field(default=None, validator=_optional_id)
    assignee_id: str | None = attrs.field(default=None, validator=_optional_id)
    unassigned: bool = attrs.field(default=False, validator=_flag)
    statuses: frozenset[Status] | None = attrs.field(default=None, converter=_statuses)
    categories: frozenset[Category] | None = attrs.field(default=None, converter=_categories)
    priorities: frozenset[Priority] | None = attrs.field(default=None, converter=_priorities)
    created_from: datetime | None = attrs.field(default=None, validator=_aware)
    created_before: datetime | None = attrs.field(default=None, validator=_aware)
    due_before: datetime | None = attrs.field(default=None, validator=_aware)
    order: Order = attrs.field(default=Order.CREATED, converter=_order)
    descending: bool = attrs.field(default=False, validator=_flag)

    def matches(self, ticket: Ticket, next_deadline: datetime | None) -> bool:
        """Whether ``ticket``, stored with ``next_deadline``, passes every filter."""
        _check_row(ticket, next_deadline)
        return (
            (self.requester_id is None or ticket.requester_id == self.requester_id)
            and (self.assignee_id is None or ticket.assignee_id == self.assignee_id)
            and (not self.unassigned or ticket.assignee_id is None)
            and (self.statuses is None or ticket.status in self.statuses)
            and (self.categories is None or ticket.category in self.categories)
            and (self.priorities is None or ticket.priority in self.priorities)
            and (self.created_from is None or ticket.created_at >= self.created_from)
            and (self.created_before is None or ticket.created_at < self.created_before)
            and (
                self.due_before is None
                or (next_deadline is not None and next_deadline < self.due_before)
            )
        )

    def sort_key(self, ticket: Ticket, next_deadline: datetime | None) -> tuple[int, str]:
        """The ticket's position in this query's order: ``(instant in UTC µs, id)``.

        In :attr:`Order.DUE`, a ticket without a deadline has :data:`NO_DEADLINE`.
        """
        _check_row(ticket, next_deadline)
        if self.order is Order.CREATED:
            moment: datetime | None = ticket.created_at
        elif self.order is Order.UPDATED:
            moment = ticket.updated_at
        else:
            moment = next_deadline
        return (NO_DEADLINE if moment is None else utc_microseconds(moment), ticket.id)

    def cursor_after(self, key: tuple[int, str]) -> str:
        """The opaque cursor of the page that starts after the item with ``key``."""
        if (
            not isinstance(key, tuple)
            or len(key) != 2  # noqa: PLR2004 - a pair
            or not _check.is_int(key[0])
            or not isinstance(key[1], str)
        ):
            raise wrong_type("key", "an (int, str) sort key", key)
        _check.integer(key[0], "key", minimum=-(2**63), maximum=NO_DEADLINE)
        payload = json.dumps([self._fingerprint(), key[0], key[1]], separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def position_of(self, cursor: str) -> tuple[int, str]:
        """The sort key a cursor of this query's order points after.

        Raises :class:`~ticketcore.ValidationError` (``invalid_cursor``) for a cursor
        that is malformed, too long or was made for another order. (Filters may differ
        between pages: a window that moves with the clock is fine.)
        """
        _check.text(cursor, "cursor")
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            raise _bad_cursor(cursor)
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            decoded = json.loads(raw)
        except (TypeError, ValueError, binascii.Error, RecursionError):
            raise _bad_cursor(cursor) from None
        if not isinstance(decoded, list) or len(decoded) != 3:  # noqa: PLR2004
            raise _bad_cursor(cursor)
        fingerprint, instant, ticket_id = decoded
        if (
            fingerprint != self._fingerprint()
            or not _check.is_int(instant)
            or not -(2**63) <= instant <= NO_DEADLINE
            or not isinstance(ticket_id, str)
            or not 1 <= len(ticket_id) <= 128  # noqa: PLR2004 - the longest id
        ):
            raise _bad_cursor(cursor)
        return instant, ticket_id

    def select(
        self,
        rows: Iterable[tuple[Ticket, datetime | None]],
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """Run this query over ``(ticket, next_deadline)`` pairs: the reference semantics.

        An adapter without a query language of its own can return this directly.
        """
        limit = check_limit(limit)
        after = None if cursor is None else self.position_of(cursor)
        keyed = [
            (self.sort_key(ticket, deadline), ticket)
            for ticket, deadline in ticket_pairs(rows)
            if self.matches(ticket, deadline)
        ]
        if after is not None:
            keyed = [
                item for item in keyed if (item[0] < after if self.descending else item[0] > after)
            ]
        keyed.sort(key=lambda item: item[0], reverse=self.descending)
        return self.page(keyed[: limit + 1], limit=limit)

    def page(self, found: Sequence[tuple[tuple[int, str], T]], *, limit: int) -> Page[T]:
        """The page for the matches found after the cursor, in order, with their sort keys.

        Pass up to ``limit + 1`` of them: the one past ``limit`` tells that there is a
        next page, without a second query.
        """
        limit = check_limit(limit)
        found = _check.items(found, "found")  # type: ignore[assignment]
        for item in found:
            if not isinstance(item, tuple) or len(item) != 2:  # noqa: PLR2004 - a pair
                raise wrong_type("found", "(sort key, item) pairs", item)
        if len(found) <= limit:
            return Page(tuple(item for _, item in found))
        return Page(
            tuple(item for _, item in found[:limit]), self.cursor_after(found[limit - 1][0])
        )

    def _fingerprint(self) -> str:
        text = f"{self.order.value}:{'desc' if self.descending else 'asc'}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _bad_cursor(cursor: str) -> ValidationError:
    return ValidationError(
        ErrorCode.INVALID_CURSOR,
        f"{cursor[:40]!r} is not a cursor of this query's order",
        field="cursor",
        params={"expected": "a next_cursor returned for the same order"},
    )


def _check_row(ticket: object, next_deadline: object) -> None:
    _check.instance(ticket, Ticket, "ticket")
    if next_deadline is not None:
        require_aware(next_deadline, "next_deadline")


def ticket_pairs(rows: object, field: str = "rows") -> list[tuple[Ticket, datetime | None]]:
    """``rows`` as a list of ``(ticket, next_deadline)`` pairs, for ``add_many`` and
    :meth:`TicketQuery.select`; a row of another shape is ``invalid_type``."""
    _check.text(field, "field")
    pairs = []
    for row in _check.items(rows, field):
        if not isinstance(row, tuple) or len(row) != 2:  # noqa: PLR2004 - a pair
            raise wrong_type(field, "(ticket, next_deadline) pairs", row)
        pairs.append((row[0], row[1]))
    return pairs


def read_event(position: int, ticket_id: str, data: str) -> StoredEvent:
    """The logged event at ``position`` of ``ticket_id`` from its stored ``data``;
    :class:`~ticketcore.RecordUnreadableError` naming both if it cannot be read."""
    position = check_position(position)
    try:
        return StoredEvent(position, event_from_json(data))
    except ValidationError as error:
        raise record_unreadable(ticket_id, error.message, position=position) from error


def check_limit(limit: object) -> int:
    """``limit`` if it is an int from 1 to :data:`MAX_PAGE_SIZE`; ValidationError if not
    (``invalid_type`` for a non-int, ``out_of_range`` for one outside that range)."""
    return _check.integer(limit, "limit", minimum=1, maximum=MAX_PAGE_SIZE)


def new_events(ticket: Ticket, *, expected_version: int) -> tuple[Event, ...]:
    """The events of ``ticket`` newer than ``expected_version``: what a save appends.

    Read from the end of the history, so a ticket restored from a store gives them
    without reading its stored thread. Raises :class:`~ticketcore.ValidationError`
    unless ``ticket`` is at least one version past ``expected_version`` and carries the
    events of those versions.
    """
    _check.instance(ticket, Ticket, "ticket")
    _check.integer(expected_version, "expected_version", minimum=1, maximum=2**62)
    newer: list[Event] = []
    history = ticket.history
    added = history.added if isinstance(history, Thread) else ()
    if ticket.version <= expected_version:
        pass
    elif added and added[0].version <= expected_version + 1:
        # every stored event is older than the first added one: the store is not read
        newer = [event for event in reversed(added) if event.version > expected_version]
    else:
        for event in reversed(history):
            if event.version <= expected_version:
                break
            newer.append(event)
    if not newer:
        raise ValidationError(
            ErrorCode.HISTORY_INVALID,
            f"ticket {ticket.id} at version {ticket.version} has no change after version"
            f" {expected_version} to save",
            field="version",
            params={"problem": "nothing to save", "ticket_id": ticket.id},
        )
    newer.reverse()
    return tuple(newer)


def check_stored_ticket(ticket: object, next_deadline: object) -> Ticket:
    """What every repository checks of ``add`` and ``save`` arguments: a :class:`Ticket`
    and an aware ``next_deadline`` (or ``None``)."""
    _check_row(ticket, next_deadline)
    return ticket  # type: ignore[return-value]


def check_ticket_id(ticket_id: object) -> str:
    """A ticket id a repository looks up: a str (``invalid_type`` otherwise).

    Text that no ticket id can be (empty, too long, unencodable) is simply not found,
    so an adapter never hands its driver a value it would choke on.
    """
    text = _check.text(ticket_id, "ticket_id")
    try:
        return clean_identifier(text, "ticket_id")
    except ValidationError:
        raise ticket_not_found(text[:128]) from None


def check_query(query: object) -> TicketQuery:
    """``query``, or every ticket for ``None``; ``invalid_type`` for anything else."""
    if query is None:
        return TicketQuery()
    return _check.instance(query, TicketQuery, "query")


def read_ticket(ticket_id: str, data: str | bytes, source: ThreadSource | None = None) -> Ticket:
    """The ticket a repository stored as ``data``: a state record
    (:func:`~ticketcore.serialization.ticket_state_to_json`), whose thread ``source``
    reads when it is used, or a whole ticket (the wire format's JSON, as stores before
    release 0.3 wrote every ticket).

    A record that does not decode is :class:`~ticketcore.RecordUnreadableError` (code
    ``record_unreadable``) naming the ticket: never the caller's ValidationError.
    """
    try:
        record = _loads(data, "record")
        if record.get("kind") == "ticket_state":
            if source is None:
                raise record_unreadable(ticket_id, "a state record needs a thread source")
            ticket = ticket_state_from_dict(record, source)
        else:
            ticket = ticket_from_dict(record)
    except ValidationError as error:
        raise record_unreadable(ticket_id, error.message) from error
    if ticket.id != ticket_id:
        raise record_unreadable(ticket_id, f"the record holds ticket {ticket.id!r}")
    return ticket


_ROW_LENGTH = 3


def read_page(
    query: TicketQuery,
    rows: Sequence[tuple[int, str, str | bytes]],
    *,
    limit: int,
    source: ThreadSource | None = None,
) -> Page[Ticket]:
    """The page for ``(sort key, ticket id, data)`` rows a repository fetched (up to
    ``limit + 1`` of them, in order): unreadable records are named, not fatal."""
    _check.instance(query, TicketQuery, "query")
    checked: list[tuple[tuple[int, str], tuple[str, str | bytes]]] = []
    for row in _check.items(rows, "rows"):
        if not (isinstance(row, tuple) and len(row) == _ROW_LENGTH):
            raise wrong_type("rows", "(sort key, ticket id, data) tuples", row)
        key, ticket_id, data = row
        checked.append(((key, ticket_id), (ticket_id, data)))
    page = query.page(checked, limit=limit)
    items: list[Ticket] = []
    unreadable: list[str] = []
    for ticket_id, data in page.items:  # rows of the adapter's own query: trusted shape
        try:
            items.append(read_ticket(ticket_id, data, source))
        except RecordUnreadableError:
            unreadable.append(ticket_id)
    return Page(tuple(items), page.next_cursor, tuple(unreadable))


def record_unreadable(ticket_id: str, problem: str, **params: object) -> RecordUnreadableError:
    """The error for a stored record that cannot be read back."""
    _check.text(ticket_id, "ticket_id")
    _check.text(problem, "problem")
    return RecordUnreadableError(
        ErrorCode.RECORD_UNREADABLE,
        f"the stored record of ticket {ticket_id!r} cannot be read: {problem}",
        field="ticket_id",
        params={"ticket_id": ticket_id, "problem": problem, **params},
    )


def ticket_not_found(ticket_id: str) -> NotFoundError:
    """The error an adapter raises for an unknown ticket id (code ``not_found``)."""
    _check.text(ticket_id, "ticket_id")
    return NotFoundError(
        ErrorCode.NOT_FOUND,
        f"no ticket {ticket_id!r}",
        field="ticket_id",
        params={"ticket_id": ticket_id},
    )


def ticket_exists(ticket_id: str) -> ConflictError:
    """The error an adapter raises when ``add`` meets a taken id (``already_exists``)."""
    _check.text(ticket_id, "ticket_id")
    return ConflictError(
        ErrorCode.ALREADY_EXISTS,
        f"ticket {ticket_id!r} already exists",
        field="ticket_id",
        params={"ticket_id": ticket_id},
    )


def stale_version(ticket_id: str, expected_version: int, stored_version: int) -> ConflictError:
    """The error an adapter raises when a save starts from a stale version (``conflict``)."""
    _check.text(ticket_id, "ticket_id")
    _check.integer(expected_version, "expected_version")
    _check.integer(stored_version, "stored_version")
    return ConflictError(
        ErrorCode.CONFLICT,
        f"ticket {ticket_id!r} is at version {stored_version}, not {expected_version};"
        " reload it and try again",
        field="version",
        params={
            "ticket_id": ticket_id,
            "expected_version": expected_version,
            "stored_version": stored_version,
        },
    )


def check_position(position: object) -> int:
    """``position`` if it is an int from 0 to 2**63 - 1 (``events_after``'s argument)."""
    return _check.integer(position, "position", minimum=0, maximum=2**63 - 1)


#: How many bytes :func:`copy_content` reads at a time.
CHUNK_SIZE = 64 * 1024


def copy_content(
    stream: ReadableStream,
    write: Callable[[bytes], object],
    *,
    max_size: int,
    chunk_size: int = CHUNK_SIZE,
) -> StoredContent:
    """Copy ``stream`` to ``write`` in chunks, hashing it and enforcing ``max_size``.

    What an :class:`AttachmentStore`'s ``put`` does, for adapters to reuse: it never
    reads more than ``max_size`` plus one chunk, never writes past ``max_size``, and
    raises :class:`~ticketcore.ValidationError` (``attachment_too_large``) as soon as
    the content is too large; the caller then discards what was written.

    >>> import io
    >>> sink = io.BytesIO()
    >>> copy_content(io.BytesIO(b"hello"), sink.write, max_size=10).size
    5
    """
    _check.integer(max_size, "max_size", minimum=0)
    _check.integer(chunk_size, "chunk_size", minimum=1, maximum=64 * 1024 * 1024)
    if not isinstance(stream, ReadableStream):
        raise wrong_type("stream", "a binary stream", stream)
    if not callable(write):
        raise wrong_type("write", "callable", write)
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(chunk_size)
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise wrong_type("stream", "a stream of bytes", chunk)
        if not chunk:
            return StoredContent(digest.hexdigest(), size)
        size += len(chunk)
        if size > max_size:
            raise ValidationError(
                ErrorCode.ATTACHMENT_TOO_LARGE,
                f"the content is more than {max_size} bytes",
                field="size",
                params={"value": "", "size": size, "limit": max_size},
            )
        digest.update(chunk)
        write(bytes(chunk))


# -- reading a thread by page -------------------------------------------------------------


def thread_cursor(position: int, *, newest_first: bool) -> str:
    """The opaque cursor of the thread page after the item at ``position`` (the
    adapter's own ordering number: any int that grows with the thread)."""
    _check.integer(position, "position", minimum=0, maximum=2**63 - 1)
    payload = f"{'d' if newest_first else 'a'}{position:d}"
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def thread_position(cursor: str | None, *, newest_first: bool) -> int | None:
    """The position a :func:`thread_cursor` points after (``None`` for the first page).

    A cursor that is malformed or was made for the other direction is a
    :class:`~ticketcore.ValidationError` (``invalid_cursor``).
    """
    if cursor is None:
        return None
    _check.text(cursor, "cursor")
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad_cursor(cursor)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error):
        raise _bad_cursor(cursor) from None
    direction, digits = raw[:1], raw[1:]
    if direction != ("d" if newest_first else "a") or not (
        digits.isascii() and digits.isdigit() and len(digits) <= 19  # noqa: PLR2004
    ):
        raise _bad_cursor(cursor)
    return int(digits)


def thread_page(rows: Sequence[tuple[int, T]], *, limit: int, newest_first: bool) -> Page[T]:
    """The page for ``(position, item)`` rows an adapter fetched in order: up to
    ``limit + 1`` of them (one more than the page tells that another page follows)."""
    limit = check_limit(limit)
    rows = _check.items(rows, "rows")  # type: ignore[assignment]  # checked below
    _check.boolean(newest_first, "newest_first")
    for row in rows:
        if not (isinstance(row, tuple) and len(row) == 2 and _check.is_int(row[0])):  # noqa: PLR2004
            raise wrong_type("rows", "(position, item) pairs", row)
        _check.integer(row[0], "position", minimum=0, maximum=2**63 - 1)
    items = tuple(item for _, item in rows[:limit])
    more = len(rows) > limit
    cursor = thread_cursor(rows[limit - 1][0], newest_first=newest_first) if more else None
    return Page(items, cursor)


# -- protocols --------------------------------------------------------------------------------


@runtime_checkable
class TicketRepository(Protocol):
    """Where tickets live. Guarantees, checked by the contract suite:

    - ``get`` returns a ticket equal to the one last added or saved under its id, and
      raises :class:`~ticketcore.NotFoundError` for an unknown id.
    - ``add`` stores a new ticket; an id already taken raises
      :class:`~ticketcore.ConflictError` with code ``already_exists``.
    - ``save`` is optimistic: it succeeds only if the stored version equals
      ``expected_version`` (the version of the ticket the caller loaded and changed);
      otherwise it raises ``ConflictError`` (code ``conflict``) and writes nothing.
      ``ticket.version`` must be past ``expected_version`` (one or more operations may
      have been applied); see :func:`new_events`.
    - ``add`` and ``save`` append the ticket's new events (all of its history for
      ``add``, those after ``expected_version`` for ``save``) to the event log in the
      same transaction as the ticket: both are written or neither is.
    - ``next_deadline`` is stored with the ticket as given (the helpdesk computes it
      with its SLA policy); ``None`` means no clock is running.
    - ``query`` returns a :class:`Page` of tickets matching a :class:`TicketQuery`, in
      its order, after ``cursor``; paging through a query that nobody changes meanwhile
      returns every match exactly once.
    - ``events_after(position)`` returns up to ``limit`` :class:`StoredEvent` records
      with positions greater than ``position``, oldest first; a position once returned
      is never followed later by a newly committed smaller one, so a reader that
      remembers the last position it handled misses nothing.
    - Driver failures surface as :class:`~ticketcore.StorageUnavailableError`.
    """

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its history to the event log."""
        ...

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id."""
        ...

    def save(
        self,
        ticket: Ticket,
        *,
        expected_version: int,
        next_deadline: datetime | None = None,
    ) -> None:
        """Replace the stored ticket if it is still at ``expected_version``."""
        ...

    def query(
        self,
        query: TicketQuery | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the tickets matching ``query`` (all tickets when ``None``)."""
        ...

    def events_after(self, position: int = 0, *, limit: int = 100) -> tuple[StoredEvent, ...]:
        """Up to ``limit`` event-log records after ``position``, oldest first."""
        ...


@runtime_checkable
class TicketSearch(Protocol):
    """What a repository adds for full-text search (optional: :meth:`Helpdesk.search
    <ticketcore.Helpdesk.search>` needs it; every shipped adapter has it).

    ``search`` returns one page of the tickets whose subject or one of whose messages
    holds every word of ``text`` (each as a prefix), best match first, words folded as
    :mod:`ticketcore._search` says (Persian letters and digits, diacritics, kashida,
    ZWNJ). Internal notes are searched only with ``notes=True``; ``requester_id``
    keeps only that requester's tickets; both are applied in the query. ``cursor`` is
    the ``next_cursor`` of the page before. A text without words finds nothing.
    """

    def search(
        self,
        text: str,
        *,
        requester_id: str | None = None,
        notes: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the tickets that match ``text``, best first."""
        ...


class SearchAsked(NamedTuple):
    """A search, checked (see :func:`check_search`)."""

    terms: tuple[str, ...]
    requester_id: str | None
    notes: bool
    limit: int
    offset: int


def search_words(text: str) -> str:
    """``text`` as a search index keeps it: its folded words, separated by spaces (a
    ZWNJ-joined word whole and by its parts). For adapters that index text themselves."""
    from ticketcore._search import index_terms  # noqa: PLC0415 - on use

    return index_terms(_check.text(text, "text"))


def check_search(
    text: object, requester_id: object, notes: object, limit: object, cursor: object
) -> SearchAsked:
    """The arguments of :meth:`TicketSearch.search`, checked, with ``text`` as the folded
    words to match and ``cursor`` as the offset the page starts at."""
    from ticketcore._search import query_terms, search_offset  # noqa: PLC0415 - on use

    terms = query_terms(_check.text(text, "text"))
    if requester_id is not None:
        requester_id = _check.text(requester_id, "requester_id")
    notes = _check.boolean(notes, "notes")
    limit = check_limit(limit)
    offset = search_offset(None if cursor is None else _check.text(cursor, "cursor"))
    return SearchAsked(terms, requester_id, notes, limit, offset)


def search_page(
    asked: SearchAsked,
    rows: Sequence[tuple[str, str | bytes]],
    source: ThreadSource | None = None,
) -> Page[Ticket]:
    """The page for the ``(ticket id, data)`` rows a repository found for ``asked``, in
    rank order from its offset: up to ``limit + 1`` of them."""
    from ticketcore._search import search_cursor  # noqa: PLC0415 - on use

    _check.instance(asked, SearchAsked, "asked")
    check_limit(asked.limit)
    _check.integer(asked.offset, "offset", minimum=0, maximum=2**31)
    rows = _check.items(rows, "rows")  # type: ignore[assignment]  # checked below
    for row in rows:
        if not (isinstance(row, tuple) and len(row) == 2 and isinstance(row[0], str)):  # noqa: PLR2004
            raise wrong_type("rows", "(ticket id, data) pairs", row)
    items: list[Ticket] = []
    unreadable: list[str] = []
    for ticket_id, data in rows[: asked.limit]:
        try:
            items.append(read_ticket(ticket_id, data, source))
        except RecordUnreadableError:
            unreadable.append(ticket_id)
    more = len(rows) > asked.limit
    cursor = search_cursor(asked.offset + asked.limit) if more else None
    return Page(tuple(items), cursor, tuple(unreadable))


@runtime_checkable
class Eraser(Protocol):
    """What a repository adds so a requester's personal data can be erased (optional:
    :meth:`~ticketcore.Helpdesk.erase_requester` needs it; every shipped adapter has it).

    ``rewrite`` is ``save`` for the one operation that changes the past
    (:meth:`Ticket.erase_requester <ticketcore.Ticket.erase_requester>`): if the stored
    ticket is still at ``expected_version``, it replaces its state, replaces the payload
    of each event already logged (same positions, same ids and versions) with the
    rewritten one, search index entries included, and appends the new events; otherwise
    it raises as ``save`` does and writes nothing. ``purge`` then removes what the
    rewrites left where the store keeps it out of sight (old index segments, freed
    pages, a write-ahead log), so no copy of the erased data remains in its files.
    """

    def rewrite(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """Replace the ticket and its logged events' payloads; append its new events."""
        ...

    def purge(self) -> None:
        """Remove the leftovers of rewrites from the store's files."""
        ...


def rewritten_events(
    ticket: Ticket, *, expected_version: int
) -> tuple[tuple[Event, ...], tuple[Event, ...]]:
    """For :meth:`Eraser.rewrite`: the events of ``ticket`` that replace the ones logged
    up to ``expected_version``, and the new ones to append."""
    new = new_events(ticket, expected_version=expected_version)
    history = tuple(ticket.history)
    return history[: len(history) - len(new)], new


def rewrite_mismatch(ticket_id: str) -> StorageError:
    """The error of a rewrite whose history does not line up with the stored log."""
    ticket_id = _check.text(ticket_id, "ticket_id")
    return StorageError(
        ErrorCode.STORAGE_INVALID,
        f"ticket {ticket_id}'s rewritten history does not match its event log",
        params={"reason": "event log", "ticket_id": ticket_id},
    )


@runtime_checkable
class StateWriter(Protocol):
    """What a repository adds so stored SLA clocks and deadlines can be recomputed
    (optional: :meth:`~ticketcore.Helpdesk.recompute_deadlines` needs it).

    ``restate`` replaces the stored state of ``ticket`` (its state record, with the SLA
    clocks a policy folded, and its next deadline) only while the store still holds the
    ticket at ``ticket.version``; it appends no event and changes no version. It
    returns whether it wrote: ``False`` when the ticket moved on (or is gone) since it
    was read, which a caller takes as already done by that later save.
    """

    def restate(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> bool:
        """Replace the state and deadline of ``ticket`` if it is still at its version."""
        ...


@runtime_checkable
class ThreadReader(Protocol):
    """What a repository adds to read a ticket's thread by page (optional: a
    :class:`~ticketcore.Helpdesk` over a repository without it pages the loaded ticket).

    Both methods return one page of ticket ``ticket_id``'s messages or events, oldest
    first (or newest first), after ``cursor`` (from :func:`thread_cursor`). With
    ``public=True`` the page holds only what someone who may not read notes sees: no
    internal notes nor the events that added them, left out by the query itself (status
    reasons not made public are removed by the caller). An unknown ticket raises
    :class:`~ticketcore.NotFoundError`.
    """

    def message_page(
        self,
        ticket_id: str,
        *,
        public: bool = False,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Message]:
        """One page of the ticket's messages."""
        ...

    def event_page(
        self,
        ticket_id: str,
        *,
        public: bool = False,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Event]:
        """One page of the ticket's history."""
        ...


@runtime_checkable
class ReadableStream(Protocol):
    """Anything with a binary ``read(size)``: an open file, ``io.BytesIO``, an upload."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end."""
        ...


@runtime_checkable
class AttachmentStore(Protocol):
    """Where the bytes of attached files live, addressed by their SHA-256. Guarantees:

    - ``put`` reads ``stream`` in chunks, never more than ``max_size`` plus one chunk;
      past ``max_size`` it raises :class:`~ticketcore.ValidationError`
      (``attachment_too_large``) and keeps nothing. It returns the SHA-256 and size of
      what it stored. Storing the same content twice stores it once.
    - The only key is a 64-hex-digit digest the store computed itself, so no file name
      or user input ever chooses a storage location; a malformed digest is a
      ``ValidationError`` (``checksum_invalid``).
    - ``open`` returns a binary stream of the content (the caller closes it) or raises
      :class:`~ticketcore.NotFoundError`.
    - ``delete`` removes the content; deleting absent content does nothing. Content is
      shared by every attachment with the same digest: delete only what no ticket
      references.
    - ``discard`` undoes a ``put`` whose call failed: it removes the content if that
      put created it (``created``) and no ``put`` has stored the same content since
      (whose caller may be about to reference it); otherwise it does nothing.
    - ``sweep`` removes content whose digest is not in ``referenced`` and that no put
      stored within ``older_than``, and returns how many it removed. It is safe while
      writers run: content a put stores again during the sweep is kept.
    """

    def put(self, stream: ReadableStream, *, max_size: int) -> StoredContent:
        """Store everything ``stream`` yields, if it is at most ``max_size`` bytes."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored content with this digest."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove the content with this digest, if it is stored."""
        ...

    def discard(self, content: StoredContent) -> None:
        """Undo the put that returned ``content``, unless it is in use (see above)."""
        ...

    def sweep(self, referenced: Container[str], *, older_than: timedelta) -> int:
        """Remove content nobody references and nobody stored lately; returns how many."""
        ...


@runtime_checkable
class Clock(Protocol):
    """The source of "now" for everything the helpdesk does."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@runtime_checkable
class IdGenerator(Protocol):
    """The source of new ticket ids."""

    def new_id(self) -> str:
        """A new id: 1 to 128 characters without spaces, unique for this repository."""
        ...


@runtime_checkable
class DeadlinePolicy(Protocol):
    """What the helpdesk asks an SLA policy (:class:`ticketcore.SLAPolicy` is one)."""

    def next_deadline(self, ticket: Ticket) -> datetime | None:
        """The earliest pending SLA deadline of ``ticket``; ``None`` if none is running."""
        ...
