"""Your own storage: a ticket repository over JSON documents, proven by the contract suite.

    python examples/custom_repository.py   # a helpdesk on this repository
    pytest examples/custom_repository.py   # every check of the contract, on this repository

Both need the contract suite's pytest: ``pip install '.[testing]'`` from a clone.

A host keeps tickets wherever it already keeps data. This adapter stores each ticket's
state as one small JSON document in a key-value store (a plain dict stands in for Redis,
DynamoDB or a document database) and appends its events to a list, in ticketcore's
versioned wire format (``ticketcore.serialization``).
``TestJsonDocumentRepository`` at the bottom runs ``TicketRepositoryContract`` (from the
``ticketcore[testing]`` extra) against it: the same checks the SQLite adapter passes.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from ticketcore import (
    Event,
    Helpdesk,
    Message,
    MessageAdded,
    Page,
    StoredEvent,
    Ticket,
    TicketOpened,
    TicketQuery,
    serialization,
)
from ticketcore.ports import (
    check_limit,
    check_position,
    check_search,
    check_stored_ticket,
    check_ticket_id,
    new_events,
    read_ticket,
    rewrite_mismatch,
    rewritten_events,
    search_page,
    search_words,
    stale_version,
    thread_page,
    thread_position,
    ticket_exists,
    ticket_not_found,
)
from ticketcore.testing.contract import TicketRepositoryContract


class JsonDocumentRepository:
    """A ``ticketcore.ports.TicketRepository`` (and ``ThreadReader``) over a key-value
    store of JSON documents.

    A ticket is two things, as in every ticketcore adapter: its **state**, one small
    document ``{"version", "next_deadline", "state"}`` rewritten on each save (the state
    record of ``serialization.ticket_state_to_json``: fields, counts and SLA clocks, no
    messages), and its **thread**, the ticket's events, only ever appended. A save
    writes the new events and one state document, so it costs the same however long
    the ticket is; ``get`` reads the state only, and the ticket it returns reads its
    thread from this repository when something looks at its messages or history.
    """

    def __init__(self) -> None:
        # One lock makes "check the version, then write the state and append the events"
        # a transaction; a real store would use a conditional write or a transaction.
        self._lock = threading.Lock()
        self._documents: dict[str, str] = {}
        # ticket id -> its rows, oldest first: (position, version, adds a message,
        # is internal, event JSON); the flags let a page filter without decoding.
        self._threads: dict[str, list[tuple[int, int, bool, bool, str]]] = {}
        self._events: list[str] = []  # the event log (the outbox): position = index + 1
        # ticket id -> each message's folded words (``search_words``) and if it is a note
        self._words: dict[str, list[tuple[list[str], bool]]] = {}

    def add(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> None:
        """Store a new ticket and append its whole history to the event log."""
        check_stored_ticket(ticket, next_deadline)
        document, rows = _encode(ticket, next_deadline, ticket.history)
        with self._lock:
            if ticket.id in self._documents:
                raise ticket_exists(ticket.id)
            self._documents[ticket.id] = document
            self._threads[ticket.id] = []
            self._words[ticket.id] = []
            self._append(ticket.id, rows)

    def get(self, ticket_id: str) -> Ticket:
        """The stored ticket with this id (its thread read on use), or ``NotFoundError``."""
        check_ticket_id(ticket_id)
        with self._lock:
            document = self._documents.get(ticket_id)
        if document is None:
            raise ticket_not_found(ticket_id)
        return _decode(ticket_id, document, self)[0]

    def save(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """Replace the ticket's state if it is still at ``expected_version``, else
        ``ConflictError``; append its new events."""
        check_stored_ticket(ticket, next_deadline)
        # new_events refuses a ticket with nothing new to save (a ValidationError).
        events = new_events(ticket, expected_version=expected_version)
        document, rows = _encode(ticket, next_deadline, events)
        with self._lock:
            stored = self._documents.get(ticket.id)
            if stored is None:
                raise ticket_not_found(ticket.id)
            stored_version = json.loads(stored)["version"]
            if stored_version != expected_version:
                raise stale_version(ticket.id, expected_version, stored_version)
            self._documents[ticket.id] = document
            self._append(ticket.id, rows)

    def _append(self, ticket_id: str, rows: list[tuple[int, bool, bool, str]]) -> None:
        thread = self._threads[ticket_id]
        for version, adds_message, internal, text in rows:
            self._events.append(text)
            thread.append((len(self._events), version, adds_message, internal, text))
            if adds_message:
                self._words[ticket_id].append((_words(text), internal))

    def restate(self, ticket: Ticket, *, next_deadline: datetime | None = None) -> bool:
        """Replace the state and deadline if still at ``ticket.version`` (a ``StateWriter``,
        for ``Helpdesk.recompute_deadlines``)."""
        check_stored_ticket(ticket, next_deadline)
        document, _ = _encode(ticket, next_deadline, ())
        with self._lock:
            stored = self._documents.get(ticket.id)
            if stored is None or json.loads(stored)["version"] != ticket.version:
                return False
            self._documents[ticket.id] = document
            return True

    def rewrite(
        self, ticket: Ticket, *, expected_version: int, next_deadline: datetime | None = None
    ) -> None:
        """``save`` for an erased ticket: its logged events are replaced in place (an
        ``Eraser``, for ``Helpdesk.erase_requester``)."""
        check_stored_ticket(ticket, next_deadline)
        old, new = rewritten_events(ticket, expected_version=expected_version)
        document, replacing = _encode(ticket, next_deadline, old)
        _, appending = _encode(ticket, next_deadline, new)
        with self._lock:
            stored = self._documents.get(ticket.id)
            if stored is None:
                raise ticket_not_found(ticket.id)
            stored_version = json.loads(stored)["version"]
            if stored_version != expected_version:
                raise stale_version(ticket.id, expected_version, stored_version)
            thread = self._threads[ticket.id]
            if [row[1] for row in thread] != [row[0] for row in replacing]:
                raise rewrite_mismatch(ticket.id)
            self._documents[ticket.id] = document
            self._words[ticket.id] = []
            for index, (row, (version, adds, internal, text)) in enumerate(
                zip(thread, replacing, strict=True)
            ):
                self._events[row[0] - 1] = text
                thread[index] = (row[0], version, adds, internal, text)
                if adds:
                    self._words[ticket.id].append((_words(text), internal))
            self._append(ticket.id, appending)

    def purge(self) -> None:
        """Nothing is left behind: replaced strings are gone once nothing refers to them."""

    def query(
        self, query: TicketQuery | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> Page[Ticket]:
        """One page of the matching tickets, in the query's order."""
        with self._lock:
            documents = list(self._documents.items())
        # A store without a query language reads every state document (never a thread)
        # and lets TicketQuery.select filter, sort and page: the reference semantics. A
        # store with indexes fetches only the page, as the SQL adapters do.
        rows = [_decode(ticket_id, document, self) for ticket_id, document in documents]
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

    def search(
        self,
        text: str,
        *,
        requester_id: str | None = None,
        notes: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """Tickets whose subject or one message holds every word of ``text`` (each as a
        prefix), best first: a ``ticketcore.ports.TicketSearch``.

        This store has no search engine, so it reads the words it kept for every
        message (``search_words`` folds them as every adapter must); a store with one
        hands ``search_words`` text to it, as the SQLite adapter does to FTS5.
        """
        asked = check_search(text, requester_id, notes, limit, cursor)
        if not asked.terms:
            return Page(())
        with self._lock:
            documents = dict(self._documents)
            words = {ticket_id: list(kept) for ticket_id, kept in self._words.items()}
        states = {ticket_id: json.loads(text)["state"] for ticket_id, text in documents.items()}
        scored = []
        for ticket_id, kept in words.items():
            if asked.requester_id not in {None, states[ticket_id]["requester_id"]}:
                continue
            scores = [_score(found, asked.terms) for found, note in kept if asked.notes or not note]
            if max(scores, default=0):
                scored.append((-max(scores), ticket_id))
        page = sorted(scored)[asked.offset : asked.offset + asked.limit + 1]
        rows = [(ticket_id, json.dumps(states[ticket_id])) for _, ticket_id in page]
        return search_page(asked, rows, self)

    # -- the thread: by page (ThreadReader), and whole for the tickets ``get`` returns --

    def message_page(
        self,
        ticket_id: str,
        *,
        public: bool = False,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Message]:
        """One page of the ticket's messages, oldest (or newest) first."""
        page = self._page(ticket_id, public, newest_first, limit, cursor, messages=True)
        return Page(tuple(_message(event) for event in page.items), page.next_cursor)

    def event_page(
        self,
        ticket_id: str,
        *,
        public: bool = False,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Event]:
        """One page of the ticket's history, oldest (or newest) first."""
        return self._page(ticket_id, public, newest_first, limit, cursor, messages=False)

    def _page(
        self,
        ticket_id: str,
        public: bool,
        newest_first: bool,
        limit: int,
        cursor: str | None,
        *,
        messages: bool,
    ) -> Page[Event]:
        check_ticket_id(ticket_id)
        limit = check_limit(limit)
        after = thread_position(cursor, newest_first=newest_first)  # checks the cursor too
        with self._lock:
            thread = self._threads.get(ticket_id)
            if thread is None:
                raise ticket_not_found(ticket_id)
            # keyset paging: start right after the cursor's position, take limit + 1
            start = 0 if after is None else bisect.bisect_right(thread, (after, 2**62))
            stop = len(thread) if after is None else bisect.bisect_left(thread, (after,))
            rows = reversed(thread[:stop]) if newest_first else iter(thread[start:])
            found: list[tuple[int, str]] = []
            for position, _version, adds_message, internal, text in rows:
                if (messages and not adds_message) or (public and internal):
                    continue
                found.append((position, text))
                if len(found) > limit:
                    break
        decoded = [(position, serialization.event_from_json(text)) for position, text in found]
        return thread_page(decoded, limit=limit, newest_first=newest_first)

    def thread_messages(self, ticket_id: str, version: int, *, public: bool) -> list[Message]:
        """The ticket's messages up to ``version`` (a ``serialization.ThreadSource``)."""
        return [
            _message(event)
            for event in self.thread_events(ticket_id, version, public=public)
            if isinstance(event, TicketOpened | MessageAdded)
        ]

    def thread_events(self, ticket_id: str, version: int, *, public: bool) -> list[Event]:
        """The ticket's events up to ``version`` (a ``serialization.ThreadSource``)."""
        with self._lock:
            thread = list(self._threads.get(ticket_id, ()))
        return [
            serialization.event_from_json(text)
            for _, row_version, _, internal, text in thread
            if row_version <= version and not (public and internal)
        ]


def _encode(
    ticket: Ticket, next_deadline: datetime | None, events: Sequence[Event]
) -> tuple[str, list[tuple[int, bool, bool, str]]]:
    # Everything is encoded before anything is written: an error leaves the store as it was.
    document = {
        "version": ticket.version,
        "next_deadline": None if next_deadline is None else next_deadline.isoformat(),
        "state": serialization.ticket_state_to_dict(ticket),
    }
    rows = []
    for event in events:
        message = event.message if isinstance(event, TicketOpened | MessageAdded) else None
        internal = message is not None and message.internal
        rows.append(
            (event.version, message is not None, internal, serialization.event_to_json(event))
        )
    return json.dumps(document), rows


def _decode(
    ticket_id: str, document: str, source: JsonDocumentRepository
) -> tuple[Ticket, datetime | None]:
    data = json.loads(document)
    deadline = data["next_deadline"]
    # read_ticket names the ticket in a RecordUnreadableError if the record is damaged
    ticket = read_ticket(ticket_id, json.dumps(data["state"]), source)
    return ticket, None if deadline is None else datetime.fromisoformat(deadline)


def _words(event_json: str) -> list[str]:
    """The folded words search matches in the message an event adds (and its subject)."""
    event = serialization.event_from_json(event_json)
    text = _message(event).body
    if isinstance(event, TicketOpened):
        text = f"{event.subject}\n{text}"
    return search_words(text).split()


def _score(words: list[str], terms: tuple[str, ...]) -> int:
    """How often ``words`` hold the ``terms`` (each a prefix); 0 unless all are there."""
    counts = [sum(word.startswith(term) for word in words) for term in terms]
    return sum(counts) if all(counts) else 0


def _message(event: Event) -> Message:
    assert isinstance(event, TicketOpened | MessageAdded)  # the page picked message events
    return event.message


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
    newest = repository.message_page(opened.id, newest_first=True, limit=1)
    print("newest message:", newest.items[0].body)
    print("search 'tomorrow':", [found.id for found in helpdesk.search(ali, "tomorrow").items])
    print("event log:", [record.event.kind for record in repository.events_after(0)])
    print("Prove the adapter with: pytest examples/custom_repository.py")


if __name__ == "__main__":
    main()
