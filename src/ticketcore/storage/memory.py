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
from collections.abc import Container, Iterable
from datetime import datetime, timedelta
from typing import BinaryIO

from ticketcore import _check
from ticketcore._validate import clean_sha256
from ticketcore.errors import ErrorCode, NotFoundError, wrong_type
from ticketcore.events import Event
from ticketcore.ports import (
    Page,
    ReadableStream,
    StoredContent,
    StoredEvent,
    TicketQuery,
    check_limit,
    check_position,
    check_query,
    check_stored_ticket,
    check_ticket_id,
    copy_content,
    new_events,
    stale_version,
    ticket_exists,
    ticket_not_found,
)
from ticketcore.ticket import Ticket

__all__ = ["InMemoryAttachmentStore", "InMemoryRepository"]


class InMemoryRepository:
    """A :class:`~ticketcore.ports.TicketRepository` in a dict, guarded by a lock.

    Tickets are immutable values, so the repository keeps the values it was given and
    hands them back; nothing a caller does later can change what is stored.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, tuple[Ticket, datetime | None]] = {}
        self._log: list[StoredEvent] = []

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its whole history to the event log."""
        check_stored_ticket(ticket, next_deadline)
        with self._lock:
            if ticket.id in self._tickets:
                raise ticket_exists(ticket.id)
            self._tickets[ticket.id] = (ticket, next_deadline)
            self._append(ticket.history)

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id, or :class:`~ticketcore.NotFoundError`."""
        check_ticket_id(ticket_id)
        with self._lock:
            row = self._tickets.get(ticket_id)
        if row is None:
            raise ticket_not_found(ticket_id)
        return row[0]

    def save(
        self,
        ticket: Ticket,
        *,
        expected_version: int,
        next_deadline: datetime | None = None,
    ) -> None:
        """Replace the ticket if it is still at ``expected_version``; log its new events."""
        check_stored_ticket(ticket, next_deadline)
        events = new_events(ticket, expected_version=expected_version)
        with self._lock:
            row = self._tickets.get(ticket.id)
            if row is None:
                raise ticket_not_found(ticket.id)
            if row[0].version != expected_version:
                raise stale_version(ticket.id, expected_version, row[0].version)
            self._tickets[ticket.id] = (ticket, next_deadline)
            self._append(events)

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
            rows = list(self._tickets.values())
        return query.select(rows, limit=limit, cursor=cursor)

    def events_after(self, position: int = 0, *, limit: int = 100) -> tuple[StoredEvent, ...]:
        """Up to ``limit`` event-log records after ``position``, oldest first."""
        position = check_position(position)
        limit = check_limit(limit)
        with self._lock:
            # Positions are list index + 1, without gaps.
            return tuple(self._log[position : position + limit])

    def _append(self, events: Iterable[Event]) -> None:
        start = len(self._log) + 1
        self._log.extend(StoredEvent(start + offset, event) for offset, event in enumerate(events))

    def __repr__(self) -> str:
        return f"InMemoryRepository({len(self._tickets)} tickets, {len(self._log)} events)"


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
