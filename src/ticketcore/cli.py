"""The ``ticketcore`` command line (also ``python -m ticketcore``).

``ticketcore demo`` walks one ticket through its whole life and prints every step, the
events it caused and the resulting status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from ticketcore._version import __version__
from ticketcore.enums import Category, Priority, Status
from ticketcore.errors import TicketcoreError
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
)
from ticketcore.model import Actor
from ticketcore.ticket import Change, Ticket

__all__ = ["main"]

DEMO_ZONE = ZoneInfo("Asia/Tehran")
DEMO_START = datetime(2026, 3, 21, 9, 0, tzinfo=DEMO_ZONE)


def _describe_event(event: Event) -> str:
    who = f"{event.actor.role} {event.actor.id}"
    if isinstance(event, TicketOpened):
        detail = f"{event.category}, {event.priority}"
    elif isinstance(event, MessageAdded):
        detail = "internal note" if event.message.internal else "message"
    elif isinstance(event, StatusChanged):
        detail = f"{event.from_status} -> {event.to_status}"
    elif isinstance(event, PriorityChanged):
        detail = f"{event.from_priority} -> {event.to_priority}"
    elif isinstance(event, CategoryChanged):
        detail = f"{event.from_category} -> {event.to_category}"
    elif isinstance(event, AssigneeChanged):
        detail = f"{event.from_assignee or '-'} -> {event.to_assignee or '-'}"
    else:  # pragma: no cover - every event type is listed above
        detail = ""
    return f"v{event.version}  {event.kind:<16} {detail:<34} by {who}"


def _demo_steps() -> list[tuple[str, Callable[[Ticket | None, datetime], Change]]]:
    sara, ali = Actor.requester("sara"), Actor.agent("ali")

    def open_ticket(_: Ticket | None, at: datetime) -> Change:
        return Ticket.open(
            sara,
            id="T-1001",
            subject="Payment failed for order A-1009",
            body="I paid for shipment A-1009 but the order still says unpaid.",
            at=at,
            category=Category.FINANCIAL,
            priority=Priority.HIGH,
            references={"order": "A-1009"},
        )

    def need(ticket: Ticket | None) -> Ticket:
        assert ticket is not None  # noqa: S101 - the demo's own script
        return ticket

    return [
        ("sara opens a ticket", open_ticket),
        (
            "ali picks it up",
            lambda t, at: need(t).change_status(ali, Status.IN_PROGRESS, at=at),
        ),
        (
            "ali notes something only agents see",
            lambda t, at: need(t).add_note(ali, "Gateway log shows a timeout.", at=at),
        ),
        (
            "ali asks sara a question",
            lambda t, at: need(t).reply(ali, "Could you send the bank's reference number?", at=at),
        ),
        (
            "ali waits for sara",
            lambda t, at: need(t).change_status(ali, Status.WAITING_FOR_USER, at=at),
        ),
        (
            "sara answers",
            lambda t, at: need(t).reply(sara, "The reference is 7741-22.", at=at),
        ),
        (
            "ali resolves it",
            lambda t, at: need(t).change_status(
                ali, Status.RESOLVED, at=at, reason="Payment matched manually"
            ),
        ),
        ("sara closes it", lambda t, at: need(t).close(sara, at=at)),
    ]


def run_demo(out: TextIO) -> Ticket:
    """Print the scripted lifecycle to ``out`` and return the final ticket."""
    out.write("ticketcore demo: one ticket's life, step by step\n")
    ticket: Ticket | None = None
    at = DEMO_START
    for number, (title, step) in enumerate(_demo_steps(), start=1):
        ticket, events = step(ticket, at)
        out.write(f"\n{number}. {title}  [{at:%Y-%m-%d %H:%M %Z}]\n")
        out.writelines(f"   event   {_describe_event(event)}\n" for event in events)
        out.write(f"   status  {ticket.status}\n")
        at += timedelta(minutes=17 * number)
    assert ticket is not None  # noqa: S101
    view = ticket.visible_to(Actor.requester("sara"))
    out.write(
        f"\n{ticket.id}: {ticket.status}, version {ticket.version},"
        f" {len(ticket.history)} events, {len(ticket.messages)} messages"
        f" ({len(view.messages)} visible to sara)\n"
    )
    return ticket


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticketcore", description="Customer-support tickets: demo and tools."
    )
    parser.add_argument("--version", action="version", version=f"ticketcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser("demo", help="walk one ticket through its whole life")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "demo":
            run_demo(sys.stdout)
    except TicketcoreError as error:
        sys.stderr.write(f"ticketcore: {error}\n")
        return 1
    return 0
