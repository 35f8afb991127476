"""Shared example values for the tests."""

from datetime import UTC, datetime, timedelta

import ticketcore as tc

T0 = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
SARA = tc.Actor.requester("sara")
REZA = tc.Actor.requester("reza")
ALI = tc.Actor.agent("ali")
SYSTEM = tc.Actor.system()
PDF = tc.Attachment("receipt.pdf", "application/pdf", 2048, "0" * 64)


def later(ticket: tc.Ticket, minutes: int = 1) -> datetime:
    return ticket.updated_at + timedelta(minutes=minutes)


def opened(**overrides) -> tc.Ticket:
    arguments = {
        "id": "T-1",
        "subject": "Payment failed",
        "body": "My card was charged twice.",
        "at": T0,
    }
    arguments.update(overrides)
    actor = arguments.pop("actor", SARA)
    return tc.Ticket.open(actor, **arguments).ticket


def walk(ticket: tc.Ticket, *moves) -> tc.Ticket:
    """Apply (actor, status) moves one minute apart."""
    for actor, status in moves:
        ticket = ticket.change_status(actor, status, at=later(ticket)).ticket
    return ticket


def in_status(status: tc.Status) -> tc.Ticket:
    ticket = opened()
    if status is tc.Status.OPEN:
        return ticket
    return walk(ticket, (ALI, status))


class PlainRepository:
    """A repository with the TicketRepository protocol and nothing more (no thread pages,
    search, restate or rewrite), over an in-memory one."""

    def __init__(self):
        from ticketcore.storage.memory import InMemoryRepository

        self._inner = InMemoryRepository()

    def add(self, ticket, *, next_deadline=None):
        self._inner.add(ticket, next_deadline=next_deadline)

    def get(self, ticket_id):
        return self._inner.get(ticket_id)

    def save(self, ticket, *, expected_version, next_deadline=None):
        self._inner.save(ticket, expected_version=expected_version, next_deadline=next_deadline)

    def query(self, query=None, *, limit=50, cursor=None):
        return self._inner.query(query, limit=limit, cursor=cursor)

    def events_after(self, position=0, *, limit=100):
        return self._inner.events_after(position, limit=limit)
