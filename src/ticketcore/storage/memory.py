"""In-memory adapters: real implementations for tests, demos and embedded use.

They lock, check versions and raise exactly what the database adapter raises; they only
forget everything when the process ends.

>>> from datetime import datetime, timezone
>>> import ticketcore as tc
>>> repository = InMemoryRepository()
>>> at = datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc)
>>> ticket = tc.Ticket.open(
...     tc.Actor.requester("sara"), id="T-1", subject="Late", body="Where is it?", at=at
... ).ticket
>>> repository.add(ticket)
>>> repository.get("T-1") == ticket
True
>>> [record.event.kind for record in repository.events_after(0)]
['ticket_opened']
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Container, Sequence
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from ticketcore import _check
from ticketcore._search import search_cursor
from ticketcore._thread import Thread
from ticketcore._validate import clean_sha256
from ticketcore.errors import ErrorCode, NotFoundError, wrong_type
from ticketcore.events import Event, MessageAdded
from ticketcore.model import Message
from ticketcore.ports import (
    Page,
    ReadableStream,
    StoredContent,
    StoredEvent,
    TicketQuery,
    check_limit,
    check_position,
    check_query,
    check_search,
    check_stored_ticket,
    check_ticket_id,
    copy_content,
    new_events,
    rewrite_mismatch,
    rewritten_events,
    stale_version,
    thread_page,
    thread_position,
    ticket_exists,
    ticket_not_found,
)
from ticketcore.storage._rows import search_text
from ticketcore.ticket import Ticket, rethreaded

__all__ = ["InMemoryAttachmentStore", "InMemoryRepository"]


class _Rows:
    """One ticket as the repository keeps it: its state (a ticket whose thread reads
    these lists), its next deadline, and its messages and events, only ever appended."""

    __slots__ = ("deadline", "events", "messages", "state", "words")

    def __init__(self) -> None:
        self.state: Ticket | None = None
        self.deadline: datetime | None = None
        self.messages: list[Message] = []
        self.events: list[Event] = []
        # each message's folded words, as the search index keeps them, and if it is a note
        self.words: list[tuple[tuple[str, ...], bool]] = []


class InMemoryRepository:
    """A :class:`~ticketcore.ports.TicketRepository` in dicts and lists, guarded by a lock.

    Like the database adapters it keeps a ticket's state apart from its thread, whose
    messages and events are only appended: a save costs the same at any length, and a
    loaded ticket reads its thread only when something looks at it. Tickets are
    immutable values, so nothing a caller does later can change what is stored.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, _Rows] = {}
        self._log: list[StoredEvent] = []

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its whole history to the event log."""
        check_stored_ticket(ticket, next_deadline)
        history = tuple(ticket.history)
        with self._lock:
            if ticket.id in self._tickets:
                raise ticket_exists(ticket.id)
            rows = self._tickets[ticket.id] = _Rows()
            self._store(rows, ticket, next_deadline, history)

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id, or :class:`~ticketcore.NotFoundError`."""
        check_ticket_id(ticket_id)
        with self._lock:
            rows = self._tickets.get(ticket_id)
        if rows is None or rows.state is None:
            raise ticket_not_found(ticket_id)
        return rows.state

    def save(
        self,
        ticket: Ticket,
        *,
        expected_version: int,
        next_deadline: datetime | None = None,
    ) -> None:
        """Replace the ticket's state if it is still at ``expected_version``; append its
        new messages and events."""
        check_stored_ticket(ticket, next_deadline)
        events = new_events(ticket, expected_version=expected_version)
        with self._lock:
            rows = self._tickets.get(ticket.id)
            if rows is None or rows.state is None:
                raise ticket_not_found(ticket.id)
            if rows.state.version != expected_version:
                raise stale_version(ticket.id, expected_version, rows.state.version)
            self._store(rows, ticket, next_deadline, events)

    def rewrite(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """Replace the ticket, and the events it logged, with ``ticket``'s rewritten ones
        (see :class:`~ticketcore.ports.Eraser`); append its new events."""
        check_stored_ticket(ticket, next_deadline)
        old, new = rewritten_events(ticket, expected_version=expected_version)
        with self._lock:
            rows = self._tickets.get(ticket.id)
            if rows is None or rows.state is None:
                raise ticket_not_found(ticket.id)
            if rows.state.version != expected_version:
                raise stale_version(ticket.id, expected_version, rows.state.version)
            if [(e.version, e.kind) for e in rows.events] != [(e.version, e.kind) for e in old]:
                raise rewrite_mismatch(ticket.id)
            fresh = _Rows()
            self._store(fresh, ticket, next_deadline, old, log=False)
            replaced = dict(zip((id(e) for e in rows.events), old, strict=True))
            self._log = [
                StoredEvent(r.position, replaced[id(r.event)]) if id(r.event) in replaced else r
                for r in self._log
            ]
            self._tickets[ticket.id] = fresh
            self._store(fresh, ticket, next_deadline, new)

    def purge(self) -> None:
        """Nothing to do: what a rewrite replaced is gone once nothing refers to it."""

    def search(
        self,
        text: str,
        *,
        requester_id: str | None = None,
        notes: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the tickets that match ``text``, best first (see
        :class:`~ticketcore.ports.TicketSearch`): a message scores the occurrences of
        the words it matches, a ticket its best message's score."""
        asked = check_search(text, requester_id, notes, limit, cursor)
        if not asked.terms:
            return Page(())
        with self._lock:
            candidates = [
                (rows.state, list(rows.words))
                for rows in self._tickets.values()
                if rows.state is not None
                and (asked.requester_id is None or rows.state.requester_id == asked.requester_id)
            ]
        scored: list[tuple[int, str, Ticket]] = []
        for ticket, messages in candidates:
            best = max(
                (
                    _score(words, asked.terms)
                    for words, internal in messages
                    if asked.notes or not internal
                ),
                default=0,
            )
            if best:
                scored.append((-best, ticket.id, ticket))
        scored.sort(key=lambda found: found[:2])
        page = scored[asked.offset : asked.offset + asked.limit + 1]
        more = len(page) > asked.limit
        return Page(
            tuple(found[2] for found in page[: asked.limit]),
            search_cursor(asked.offset + asked.limit) if more else None,
        )

    def restate(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> bool:
        """Replace the ticket's state and deadline if it is still at ``ticket.version``
        (see :class:`~ticketcore.ports.StateWriter`)."""
        check_stored_ticket(ticket, next_deadline)
        with self._lock:
            rows = self._tickets.get(ticket.id)
            if rows is None or rows.state is None or rows.state.version != ticket.version:
                return False
            rows.state = _restored(self, ticket, len(rows.messages), len(rows.events))
            rows.deadline = next_deadline
            return True

    def query(
        self,
        query: TicketQuery | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """One page of the matching tickets (see :meth:`TicketQuery.select`)."""
        query = check_query(query)
        check_limit(limit)
        with self._lock:
            found = [
                (rows.state, rows.deadline)
                for rows in self._tickets.values()
                if rows.state is not None
            ]
        return query.select(found, limit=limit, cursor=cursor)

    def events_after(self, position: int = 0, *, limit: int = 100) -> tuple[StoredEvent, ...]:
        """Up to ``limit`` event-log records after ``position``, oldest first."""
        position = check_position(position)
        limit = check_limit(limit)
        with self._lock:
            # Positions are list index + 1, without gaps.
            return tuple(self._log[position : position + limit])

    def message_page(
        self,
        ticket_id: str,
        *,
        public: bool = False,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Message]:
        """One page of the ticket's messages (see :class:`~ticketcore.ports.ThreadReader`)."""
        return self._page(ticket_id, public, newest_first, limit, cursor, messages=True)

    def event_page(
        self,
        ticket_id: str,
        *,
        public: bool = False,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Event]:
        """One page of the ticket's history (see :class:`~ticketcore.ports.ThreadReader`)."""
        return self._page(ticket_id, public, newest_first, limit, cursor, messages=False)

    def _page(
        self,
        ticket_id: str,
        public: object,
        newest_first: object,
        limit: object,
        cursor: object,
        *,
        messages: bool,
    ) -> Page[Any]:
        ticket_id = check_ticket_id(ticket_id)
        public = _check.boolean(public, "public")
        newest_first = _check.boolean(newest_first, "newest_first")
        limit = check_limit(limit)
        after = thread_position(
            None if cursor is None else _check.text(cursor, "cursor"), newest_first=newest_first
        )
        with self._lock:
            rows = self._tickets.get(ticket_id)
            if rows is None or rows.state is None:
                raise ticket_not_found(ticket_id)
            items: list[Any] = list(rows.messages if messages else rows.events)
        found = [
            (position, item)
            for position, item in enumerate(items, start=1)
            if not (public and _internal(item))
        ]
        if newest_first:
            found.reverse()
        if after is not None:
            found = [row for row in found if (row[0] < after if newest_first else row[0] > after)]
        return thread_page(found[: limit + 1], limit=limit, newest_first=newest_first)

    # the thread source of the tickets this repository hands out
    def thread_messages(self, ticket_id: str, version: int, *, public: bool) -> list[Message]:
        """The ticket's messages up to ``version`` (see :class:`ThreadSource`)."""
        rows = self._thread_rows(ticket_id, version, public)
        with self._lock:
            versions = [event.version for event in rows.events if _adds_message(event)]
            found = [m for m, v in zip(rows.messages, versions, strict=True) if v <= version]
        return [m for m in found if not (public and m.internal)]

    def thread_events(self, ticket_id: str, version: int, *, public: bool) -> list[Event]:
        """The ticket's events up to ``version`` (see :class:`ThreadSource`)."""
        rows = self._thread_rows(ticket_id, version, public)
        with self._lock:
            found = [e for e in rows.events if e.version <= version]
        return [e for e in found if not (public and _internal(e))]

    def _thread_rows(self, ticket_id: object, version: object, public: object) -> _Rows:
        found_id = check_ticket_id(ticket_id)
        _check.integer(version, "version", minimum=1, maximum=2**62)
        _check.boolean(public, "public")
        with self._lock:
            rows = self._tickets.get(found_id)
        if rows is None:
            raise ticket_not_found(found_id)
        return rows

    def _store(
        self,
        rows: _Rows,
        ticket: Ticket,
        deadline: datetime | None,
        events: Sequence[Event],
        *,
        log: bool = True,
    ) -> None:
        for event in events:
            message = getattr(event, "message", None)
            if isinstance(message, Message):
                rows.messages.append(message)
                rows.words.append((tuple((search_text(event) or "").split()), message.internal))
            rows.events.append(event)
        if log:
            start = len(self._log) + 1
            self._log.extend(
                StoredEvent(start + offset, event) for offset, event in enumerate(events)
            )
        rows.state = _restored(self, ticket, len(rows.messages), len(rows.events))
        rows.deadline = deadline

    def __repr__(self) -> str:
        return f"InMemoryRepository({len(self._tickets)} tickets, {len(self._log)} events)"


def _restored(source: InMemoryRepository, ticket: Ticket, messages: int, events: int) -> Ticket:
    """``ticket`` as :meth:`InMemoryRepository.get` hands it out: its thread read from
    the repository's lists, like a database adapter's."""
    ticket_id, version, notes = ticket.id, ticket.version, ticket.summary().notes

    def load_messages(*, public: bool) -> Callable[[], list[Message]]:
        return lambda: source.thread_messages(ticket_id, version, public=public)

    def load_events(*, public: bool) -> Callable[[], list[Event]]:
        return lambda: source.thread_events(ticket_id, version, public=public)

    return rethreaded(
        ticket,
        Thread(
            messages,
            load_messages(public=False),
            public=(messages - notes, load_messages(public=True)),
        ),
        Thread(
            events, load_events(public=False), public=(events - notes, load_events(public=True))
        ),
    )


def _score(words: Sequence[str], terms: Sequence[str]) -> int:
    """How often ``words`` hold the ``terms`` (each a prefix); 0 unless all are there."""
    total = 0
    for term in terms:
        count = sum(1 for word in words if word.startswith(term))
        if not count:
            return 0
        total += count
    return total


def _adds_message(event: Event) -> bool:
    return isinstance(getattr(event, "message", None), Message)


def _internal(item: Message | Event) -> bool:
    if isinstance(item, Message):
        return item.internal
    return isinstance(item, MessageAdded) and item.message.internal


class InMemoryAttachmentStore:
    """A :class:`~ticketcore.ports.AttachmentStore` in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._content: dict[str, bytes] = {}
        # per digest: how many puts stored it, the count when it was created, and
        # when it was last stored (time.monotonic()), for discard and sweep
        self._puts: dict[str, tuple[int, int, float]] = {}

    def put(self, stream: ReadableStream, *, max_size: int) -> StoredContent:
        """Store what ``stream`` yields if it is at most ``max_size`` bytes."""
        buffer = io.BytesIO()
        stored = copy_content(stream, buffer.write, max_size=max_size)
        with self._lock:
            created = stored.sha256 not in self._content
            puts, created_at, _last = self._puts.get(stored.sha256, (0, 0, 0.0))
            if created:
                self._content[stored.sha256] = buffer.getvalue()
                created_at = puts + 1
            self._puts[stored.sha256] = (puts + 1, created_at, time.monotonic())
        return StoredContent(stored.sha256, stored.size, created=created)

    def discard(self, content: StoredContent) -> None:
        """Remove content a failed call created, unless a put stored it again since."""
        _check.instance(content, StoredContent, "content")
        digest = clean_sha256(content.sha256)
        with self._lock:
            puts, created_at, _last = self._puts.get(digest, (0, -1, 0.0))
            if content.created and puts == created_at:
                self._content.pop(digest, None)
                self._puts.pop(digest, None)

    def sweep(self, referenced: Container[str], *, older_than: timedelta) -> int:
        """Remove content not in ``referenced`` that no put stored within ``older_than``."""
        if not isinstance(referenced, Container):
            raise wrong_type("referenced", "a set of digests", referenced)
        cutoff = time.monotonic() - _check.duration(older_than, "older_than").total_seconds()
        with self._lock:
            stale = [
                digest
                for digest in self._content
                if digest not in referenced and self._puts.get(digest, (0, 0, 0.0))[2] <= cutoff
            ]
            for digest in stale:
                self._content.pop(digest, None)
                self._puts.pop(digest, None)
        return len(stale)

    def open(self, sha256: str) -> BinaryIO:
        """A stream over the content with this digest."""
        digest = clean_sha256(sha256)
        with self._lock:
            content = self._content.get(digest)
        if content is None:
            raise _no_content(digest)
        return io.BytesIO(content)

    def delete(self, sha256: str) -> None:
        """Forget the content with this digest, if any."""
        digest = clean_sha256(sha256)
        with self._lock:
            self._content.pop(digest, None)
            self._puts.pop(digest, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._content)

    def __repr__(self) -> str:
        return f"InMemoryAttachmentStore({len(self)} files)"


def _no_content(digest: str) -> NotFoundError:
    return NotFoundError(
        ErrorCode.ATTACHMENT_NOT_FOUND,
        f"no attachment content with sha256 {digest}",
        field="sha256",
        params={"sha256": digest},
    )
