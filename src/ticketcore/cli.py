"""The ``ticketcore`` command line (also ``python -m ticketcore``).

``ticketcore demo`` walks one ticket through its whole life and prints every step, the
events it caused and the resulting status. It runs through the
:class:`~ticketcore.helpdesk.Helpdesk` on the SQLite adapter: ``--db FILE`` leaves the
ticket in ``FILE`` (created if missing; a file that already holds demo tickets gets one
more); without it, a temporary file is used and removed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from ticketcore._version import __version__
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.enums import Category, Priority, Status
from ticketcore.errors import NotFoundError, TicketcoreError
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
)
from ticketcore.helpdesk import Helpdesk
from ticketcore.model import Actor
from ticketcore.ports import TicketRepository
from ticketcore.sla import SLAPolicy
from ticketcore.storage.memory import InMemoryAttachmentStore
from ticketcore.ticket import Ticket
from ticketcore.workflow import Workflow

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


_Step = Callable[[Helpdesk, str], Ticket]


def _demo_steps() -> list[tuple[str, _Step]]:
    sara, ali = Actor.requester("sara"), Actor.agent("ali")

    def open_ticket(helpdesk: Helpdesk, _: str) -> Ticket:
        return helpdesk.open_ticket(
            sara,
            subject="Payment failed for order A-1009",
            body="I paid for shipment A-1009 but the order still says unpaid.",
            category=Category.FINANCIAL,
            priority=Priority.HIGH,
            references={"order": "A-1009"},
        )

    return [
        ("sara opens a ticket", open_ticket),
        (
            "ali picks it up",
            lambda desk, ticket_id: desk.change_status(ali, ticket_id, Status.IN_PROGRESS),
        ),
        (
            "ali notes something only agents see",
            lambda desk, ticket_id: desk.add_note(ali, ticket_id, "Gateway log shows a timeout."),
        ),
        (
            "ali asks sara a question",
            lambda desk, ticket_id: desk.reply(
                ali, ticket_id, "Could you send the bank's reference number?"
            ),
        ),
        (
            "ali waits for sara",
            lambda desk, ticket_id: desk.change_status(ali, ticket_id, Status.WAITING_FOR_USER),
        ),
        (
            "sara answers",
            lambda desk, ticket_id: desk.reply(sara, ticket_id, "The reference is 7741-22."),
        ),
        (
            "ali resolves it",
            lambda desk, ticket_id: desk.change_status(
                ali, ticket_id, Status.RESOLVED, reason="Payment matched manually"
            ),
        ),
        ("sara closes it", lambda desk, ticket_id: desk.close(sara, ticket_id)),
    ]


def run_demo(out: TextIO, *, db: str | os.PathLike[str] | None = None) -> Ticket:
    """Print the scripted lifecycle to ``out`` and return the final ticket.

    The ticket is stored in the SQLite file ``db`` (a temporary one when ``None``).
    """
    if db is not None:
        return _run_demo(out, Path(db))
    with tempfile.TemporaryDirectory(prefix="ticketcore-demo-") as folder:
        return _run_demo(out, Path(folder) / "demo.sqlite3")


def _run_demo(out: TextIO, path: Path) -> Ticket:
    from ticketcore.storage.sqlite import SQLiteRepository  # noqa: PLC0415 - sqlite3 on demand

    with SQLiteRepository(path) as repository:
        clock = FixedClock(DEMO_START)
        helpdesk = Helpdesk(
            repository=repository,
            attachments=InMemoryAttachmentStore(),  # the demo attaches no files
            clock=clock,
            ids=SequentialIds(prefix="T-", start=_first_free_number(repository)),
            workflow=Workflow.default(),
            policy=SLAPolicy.default(),
        )
        return _walk(out, helpdesk, clock)


def _first_free_number(repository: TicketRepository, start: int = 1001) -> int:
    """The first demo ticket number not taken yet, so that a reused file gets one more."""
    number = start
    while True:
        try:
            repository.get(f"T-{number}")
        except NotFoundError:
            return number
        number += 1


def _walk(out: TextIO, helpdesk: Helpdesk, clock: FixedClock) -> Ticket:
    repository = helpdesk.repository
    out.write("ticketcore demo: one ticket's life, step by step\n")
    log = repository.events_after(0, limit=1000)
    position = log[-1].position if log else 0
    ticket_id = ""
    for number, (title, step) in enumerate(_demo_steps(), start=1):
        at = clock.now()
        ticket = step(helpdesk, ticket_id)
        ticket_id = ticket.id
        out.write(f"\n{number}. {title}  [{at:%Y-%m-%d %H:%M %Z}]\n")
        # What a host's notifier would read: the events this step committed.
        for record in repository.events_after(position):
            out.write(f"   event   {_describe_event(record.event)}\n")
            position = record.position
        out.write(f"   status  {ticket.status}\n")
        clock.advance(timedelta(minutes=17 * number))
    stored = repository.get(ticket_id)
    view = helpdesk.get(Actor.requester("sara"), ticket_id)
    out.write(
        f"\n{stored.id}: {stored.status}, version {stored.version},"
        f" {len(stored.history)} events, {len(stored.messages)} messages"
        f" ({len(view.messages)} visible to sara)\n"
    )
    return stored


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticketcore", description="Customer-support tickets: demo and tools."
    )
    parser.add_argument("--version", action="version", version=f"ticketcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    demo = commands.add_parser("demo", help="walk one ticket through its whole life")
    demo.add_argument(
        "--db",
        metavar="FILE",
        help="the SQLite file to keep the ticket in (default: a temporary file)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "demo":
            run_demo(sys.stdout, db=arguments.db)
    except TicketcoreError as error:
        sys.stderr.write(f"ticketcore: {error}\n")
        return 1
    return 0
