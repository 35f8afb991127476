"""Your own storage: a ticket repository over JSON documents, proven by the contract suite.

    python examples/custom_repository.py   # a helpdesk on this repository
    pytest examples/custom_repository.py   # every check of the contract, on this repository

Both need the contract suite's pytest: ``pip install '.[testing]'`` from a clone.

A host keeps tickets wherever it already keeps data. This adapter stores each ticket as
one JSON document in a key-value store (a plain dict stands in for Redis, DynamoDB or a
document database), in ticketcore's versioned wire format (``ticketcore.serialization``).
``TestJsonDocumentRepository`` at the bottom runs ``TicketRepositoryContract`` (from the
``ticketcore[testing]`` extra) against it: the same checks the SQLite adapter passes.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

from ticketcore import Event, Helpdesk, Page, StoredEvent, Ticket, TicketQuery, serialization
from ticketcore.ports import (
    check_limit,
    check_position,
    new_events,
    stale_version,
    ticket_exists,
    ticket_not_found,
)
from ticketcore.testing.contract import TicketRepositoryContract


class JsonDocumentRepository:
    """A ``ticketcore.ports.TicketRepository`` over a key-value store of JSON documents.

    Each document is ``{"ticket": <ticket in the wire format>, "next_deadline": <ISO
    8601 or null>}``; the event log is a list of JSON events (position = index + 1).
    """

    def __init__(self) -> None:
        # One lock makes "check the version, then write the document and its events" a
        # transaction; a real store would use a conditional write or a transaction.
        self._lock = threading.Lock()
        self._documents: dict[str, str] = {}
        self._events: list[str] = []

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its whole history to the event log."""
        document, events = _encode(ticket, next_deadline, ticket.history)
        with self._lock:
            if ticket.id in self._documents:
                raise ticket_exists(ticket.id)
            self._documents[ticket.id] = document
            self._events.extend(events)

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id, or ``NotFoundError``."""
        with self._lock:
            document = self._documents.get(ticket_id)
        if document is None:
            raise ticket_not_found(ticket_id)
        return _decode(document)[0]

    def save(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """Replace the ticket if it is still at ``expected_version``, else ``ConflictError``."""
        # new_events refuses a ticket with nothing new to save (a ValidationError).
        document, events = _encode(
            ticket, next_deadline, new_events(ticket, expected_version=expected_version)
        )
        with self._lock:
            stored = self._documents.get(ticket.id)
            if stored is None:
                raise ticket_not_found(ticket.id)
            stored_version = json.loads(stored)["ticket"]["version"]
            if stored_version != expected_version:
                raise stale_version(ticket.id, expected_version, stored_version)
            self._documents[ticket.id] = document
            self._events.extend(events)

    def query(
        self, query: TicketQuery | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> Page[Ticket]:
        """One page of the matching tickets, in the query's order."""
        with self._lock:
            documents = list(self._documents.values())
        # A store without a query language reads every document and lets
        # TicketQuery.select filter, sort and page: the reference semantics.
        rows = [_decode(document) for document in documents]
        return (query or TicketQuery()).select(rows, limit=limit, cursor=cursor)

    def events_after(self, position: int = 0, *, limit: int = 100) -> tuple[StoredEvent, ...]:
        """Up to ``limit`` event-log records after ``position``, oldest first."""
        position, limit = check_position(position), check_limit(limit)
        with self._lock:
            texts = self._events[position : position + limit]
        return tuple(
            StoredEvent(position + offset + 1, serialization.event_from_json(text))
            for offset, text in enumerate(texts)
        )


def _encode(
    ticket: Ticket, next_deadline: datetime | None, events: tuple[Event, ...]
) -> tuple[str, list[str]]:
    # Everything is encoded before anything is written: an error leaves the store as it was.
    document = {
        "ticket": serialization.ticket_to_dict(ticket),
        "next_deadline": None if next_deadline is None else next_deadline.isoformat(),
    }
    return json.dumps(document), [serialization.event_to_json(event) for event in events]


def _decode(document: str) -> tuple[Ticket, datetime | None]:
    data = json.loads(document)
    deadline = data["next_deadline"]
    return (
        serialization.ticket_from_dict(data["ticket"]),
        None if deadline is None else datetime.fromisoformat(deadline),
    )


class TestJsonDocumentRepository(TicketRepositoryContract):
    """Every guarantee of ``TicketRepository``, checked against the adapter above."""

    def create_repository(self) -> JsonDocumentRepository:
        return JsonDocumentRepository()


def main() -> None:
    from ticketcore import Actor, SLAPolicy, Workflow  # noqa: PLC0415 - only the demo
    from ticketcore.clock import FixedClock, SequentialIds  # noqa: PLC0415
    from ticketcore.storage import InMemoryAttachmentStore  # noqa: PLC0415

    repository = JsonDocumentRepository()
    helpdesk = Helpdesk(
        repository=repository,
        attachments=InMemoryAttachmentStore(),
        clock=FixedClock(datetime(2026, 3, 21, 9, 0, tzinfo=UTC)),
        ids=SequentialIds(prefix="T-"),
        workflow=Workflow.default(),
        policy=SLAPolicy.default(),
    )
    sara, ali = Actor.requester("sara"), Actor.agent("ali")
    opened = helpdesk.open_ticket(sara, subject="Where is SHP-12?", body="It is late.")
    helpdesk.reply(ali, opened.id, "It arrives tomorrow.")
    ticket = repository.get(opened.id)
    print(f"{ticket.id} read back from its document: {ticket.status}, version {ticket.version}")
    print("messages:", [message.body for message in ticket.messages])
    print("event log:", [record.event.kind for record in repository.events_after(0)])
    print("Prove the adapter with: pytest examples/custom_repository.py")


if __name__ == "__main__":
    main()
