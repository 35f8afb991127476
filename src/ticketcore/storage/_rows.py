"""What the SQL adapters share about a ticket's thread as rows of the event log.

Each event row carries ``flags``: whether the event adds a message, and whether that
message is an internal note, so a thread page (all of it, its messages, or what a
requester may read) is filtered by the query itself, never by decoding rows.
"""

from __future__ import annotations

from ticketcore._search import index_terms
from ticketcore.events import Event, TicketOpened
from ticketcore.model import Message

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


def thread_filters(*, messages: bool, public: bool) -> list[str]:
    """The SQL conditions (each starting with ``AND``) that pick a thread's rows."""
    filters = []
    if messages:
        filters.append(f"AND flags & {ADDS_MESSAGE:d} <> 0")
    if public:
        filters.append(f"AND flags & {INTERNAL:d} = 0")
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
