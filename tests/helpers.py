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
