"""Domain events: what happened to a ticket, oldest first in ``Ticket.history``.

Every event carries the ticket's id, the ticket ``version`` it produced, when it
happened (``at``) and who did it (``actor``). One operation produces one version; an
operation that causes a second change (a requester's reply that moves a ticket out of
``waiting_for_user``) records both events under that one version.

Each event class has a stable ``kind`` (its wire name) for storage and messaging.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from ticketcore._frozenmap import FrozenMap
from ticketcore.enums import Category, Priority, Status
from ticketcore.model import Actor, Message

__all__ = [
    "AssigneeChanged",
    "CategoryChanged",
    "Event",
    "MessageAdded",
    "PriorityChanged",
    "RequesterErased",
    "StatusChanged",
    "TicketOpened",
]


@attrs.frozen
class Event:
    """Base of all domain events."""

    kind: ClassVar[str] = "event"

    ticket_id: str
    version: int
    at: datetime
    actor: Actor


@attrs.frozen
class TicketOpened(Event):
    """A ticket was opened with its first message."""

    kind: ClassVar[str] = "ticket_opened"

    requester_id: str
    subject: str
    category: Category
    priority: Priority
    message: Message
    references: FrozenMap[str, str] = attrs.field(factory=FrozenMap)


@attrs.frozen
class MessageAdded(Event):
    """A reply, an internal note, or files attached with an optional note."""

    kind: ClassVar[str] = "message_added"

    message: Message


@attrs.frozen
class StatusChanged(Event):
    """The ticket moved from one status to another."""

    kind: ClassVar[str] = "status_changed"

    from_status: Status
    to_status: Status
    reason: str | None = None
    reason_public: bool = False
    """Whether the requester may read ``reason`` (the agent chose to share it)."""


@attrs.frozen
class PriorityChanged(Event):
    """An agent changed the priority."""

    kind: ClassVar[str] = "priority_changed"

    from_priority: Priority
    to_priority: Priority


@attrs.frozen
class CategoryChanged(Event):
    """An agent changed the category."""

    kind: ClassVar[str] = "category_changed"

    from_category: Category
    to_category: Category


@attrs.frozen
class AssigneeChanged(Event):
    """The ticket was assigned, reassigned or unassigned (``to_assignee`` is ``None``)."""

    kind: ClassVar[str] = "assignee_changed"

    from_assignee: str | None
    to_assignee: str | None


@attrs.frozen
class RequesterErased(Event):
    """The requester's personal data was erased from the ticket (the right to be
    forgotten): its subject, message bodies, files, references and status reasons are
    gone from the whole history, and the requester goes by ``requester_id``, a new
    pseudonym. Ids, times, statuses and SLA facts stay."""

    kind: ClassVar[str] = "requester_erased"

    requester_id: str
