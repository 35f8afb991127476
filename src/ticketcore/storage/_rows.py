"""What the SQL adapters share about a ticket's thread as rows of the event log.

Each event row carries ``flags``: whether the event adds a message, and whether that
message is an internal note, so a thread page (all of it, its messages, or what a
requester may read) is filtered by the query itself, never by decoding rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, LiteralString

from ticketcore import _check
from ticketcore._search import index_terms
from ticketcore.events import Event, TicketOpened
from ticketcore.model import Message
from ticketcore.ports import (
    Page,
    check_limit,
    check_ticket_id,
    read_event,
    thread_page,
    thread_position,
    ticket_not_found,
)

#: ``events.flags``: the event adds a message; the message is an internal note.
ADDS_MESSAGE, INTERNAL = 1, 2


def event_flags(event: Event) -> int:
    """The ``flags`` of ``event``'s row."""
    message = getattr(event, "message", None)
    if not isinstance(message, Message):
        return 0
    return ADDS_MESSAGE | (INTERNAL if message.internal else 0)


def message_of(event: Event) -> Message:
    """The message an event the query picked as adding one adds."""
    message = getattr(event, "message", None)
    assert isinstance(message, Message)  # noqa: S101 - the query picked message events
    return message


def thread_filters(*, messages: bool, public: bool) -> list[LiteralString]:
    """The SQL conditions (each starting with ``AND``) that pick a thread's rows."""
    filters: list[LiteralString] = []
    if messages:
        filters.append("AND flags & 1 <> 0")  # ADDS_MESSAGE
    if public:
        filters.append("AND flags & 2 = 0")  # INTERNAL
    return filters


def search_text(event: Event) -> str | None:
    """What the search index keeps for ``event``: the folded words of the message it
    adds (and, when it opens the ticket, of the subject); ``None`` for other events."""
    message = getattr(event, "message", None)
    if not isinstance(message, Message):
        return None
    if isinstance(event, TicketOpened):
        return index_terms(f"{event.subject}\n{message.body}")
    return index_terms(message.body)


class EventLogThread:
    """``ThreadReader`` and ``ThreadSource`` over an SQL event log, for both adapters.

    An adapter gives the SQL dialect (its placeholder, how it selects the JSON text)
    and two queries: :meth:`_log_rows`, the ``(position, data)`` rows of a statement
    on the ``events`` table, and :meth:`_has_ticket`.
    """

    #: the parameter placeholder, and the column expression of an event's JSON text
    _MARK: ClassVar[LiteralString]
    _DATA: ClassVar[LiteralString]

    def _log_rows(
        self, sql: LiteralString, parameters: Sequence[object], *, closed_ok: bool = False
    ) -> Sequence[tuple[int, str]]:
        raise NotImplementedError

    def _has_ticket(self, ticket_id: str) -> bool:
        raise NotImplementedError

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
        page = self._page(ticket_id, public, newest_first, limit, cursor, messages=True)
        return Page(tuple(message_of(event) for event in page.items), page.next_cursor)

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
        ticket_id: object,
        public: object,
        newest_first: object,
        limit: object,
        cursor: object,
        *,
        messages: bool,
    ) -> Page[Event]:
        found_id = check_ticket_id(ticket_id)
        public = _check.boolean(public, "public")
        descending = _check.boolean(newest_first, "newest_first")
        size = check_limit(limit)
        after = thread_position(
            None if cursor is None else _check.text(cursor, "cursor"), newest_first=descending
        )
        mark = self._MARK
        parts: list[LiteralString] = [
            f"SELECT position, {self._DATA} FROM {{schema}}.events WHERE ticket_id = {mark}",  # noqa: S608 - the adapter's own constants
            *thread_filters(messages=messages, public=public),
        ]
        parameters: list[object] = [found_id]
        if after is not None:
            parts.append(f"AND position < {mark}" if descending else f"AND position > {mark}")
            parameters.append(after)
        order = "ORDER BY position DESC" if descending else "ORDER BY position"
        parts.append(f"{order} LIMIT {mark}")
        parameters.append(size + 1)
        rows = self._log_rows(" ".join(parts), parameters)
        if not rows and not self._has_ticket(found_id):
            raise ticket_not_found(found_id)
        events = [(position, read_event(position, found_id, data).event) for position, data in rows]
        return thread_page(events, limit=size, newest_first=descending)

    # the thread source of the tickets the repository hands out

    def thread_messages(self, ticket_id: str, version: int, *, public: bool) -> list[Message]:
        """The ticket's messages up to ``version`` (see :class:`ThreadSource`)."""
        return [
            message_of(event)
            for event in self._thread(ticket_id, version, messages=True, public=public)
        ]

    def thread_events(self, ticket_id: str, version: int, *, public: bool) -> list[Event]:
        """The ticket's events up to ``version`` (see :class:`ThreadSource`)."""
        return self._thread(ticket_id, version, messages=False, public=public)

    def _thread(self, ticket_id: str, version: int, *, messages: bool, public: bool) -> list[Event]:
        ticket_id = check_ticket_id(ticket_id)
        version = _check.integer(version, "version", minimum=1, maximum=2**62)
        public = _check.boolean(public, "public")
        mark = self._MARK
        sql = " ".join(
            (
                f"SELECT position, {self._DATA} FROM {{schema}}.events",  # noqa: S608 - constants
                f"WHERE ticket_id = {mark} AND version <= {mark}",
                *thread_filters(messages=messages, public=public),
                "ORDER BY position",
            )
        )
        # a ticket read before the repository closed still reads its thread
        rows = self._log_rows(sql, (ticket_id, version), closed_ok=True)
        return [read_event(position, ticket_id, data).event for position, data in rows]
