"""The ``ticketcore`` command line (also ``python -m ticketcore``).

Every command works on a SQLite file (``--db``; by default ``tickets.sqlite3`` in the
user's data directory, created on first use, or ``$TICKETCORE_DB``), acts as someone
(``--as agent:ali``, ``--as user:sara``; by default the user logged in) and speaks
English or Persian (``--locale fa``). ``ticketcore demo`` walks one ticket through its
whole life on a temporary file unless ``--db`` is given.

Bad input is one line on stderr, in the chosen language, and exit code 1; a usage error
is exit code 2. There is no traceback for anything a user can type.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import mimetypes
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ticketcore._version import __version__
from ticketcore.clock import FixedClock, SequentialIds, SystemClock
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import ErrorCode, PermissionDeniedError, TicketcoreError, ValidationError
from ticketcore.helpdesk import Helpdesk
from ticketcore.model import Actor
from ticketcore.ports import Order, TicketQuery, TicketRepository
from ticketcore.sla import Metric, SLAPolicy
from ticketcore.ticket import Ticket
from ticketcore.workflow import Workflow

if TYPE_CHECKING:
    from ticketcore._cli_text import Text
    from ticketcore.storage.sqlite import SQLiteRepository

__all__ = ["default_db", "main", "run_demo"]

DEMO_ZONE = ZoneInfo("Asia/Tehran")
DEMO_START = datetime(2026, 3, 21, 9, 0, tzinfo=DEMO_ZONE)
_TICKET_NUMBER = re.compile(r"T-(\d+)")
_ROLES = {"user": Role.REQUESTER, "requester": Role.REQUESTER, "agent": Role.AGENT}
_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UsageError(Exception):
    """A command line that cannot run; the message is already in the user's language."""


# -- where things live ---------------------------------------------------------------------


def default_db() -> Path:
    """``$TICKETCORE_DB``, else ``tickets.sqlite3`` in the user's data directory."""
    if os.environ.get("TICKETCORE_DB"):
        return Path(os.environ["TICKETCORE_DB"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ticketcore" / "tickets.sqlite3"


def _attachments_dir(db: Path) -> Path:
    return db.with_name(db.stem + "-attachments")


@contextlib.contextmanager
def _helpdesk(
    db: Path, text: Text, *, clock: SystemClock | FixedClock | None = None
) -> Iterator[Helpdesk]:
    from ticketcore.storage.files import FileAttachmentStore  # noqa: PLC0415
    from ticketcore.storage.sqlite import SQLiteRepository  # noqa: PLC0415 - on demand

    _check_db(db, text)
    with SQLiteRepository(db) as repository:
        yield Helpdesk(
            repository=repository,
            attachments=FileAttachmentStore(_attachments_dir(db)),
            clock=clock or SystemClock(),
            ids=SequentialIds(prefix="T-", start=_next_number(repository)),
            workflow=Workflow.default(),
            policy=SLAPolicy.default(),
        )


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_db(db: Path, text: Text) -> None:
    """Create the default file's folder on first use; refuse what cannot be a database."""
    if db == default_db():
        db.parent.mkdir(parents=True, exist_ok=True)
    elif not db.parent.is_dir():
        raise UsageError(text.say("no_folder", path=db))
    if db.is_file() and db.stat().st_size:
        with db.open("rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                raise UsageError(text.say("not_a_database", path=db))


def _next_number(repository: TicketRepository, first: int = 1001) -> int:
    """One past the newest ``T-<n>`` ticket (the helpdesk retries if another took it)."""
    newest = repository.query(TicketQuery(order=Order.CREATED, descending=True), limit=1)
    for ticket in newest.items:
        match = _TICKET_NUMBER.fullmatch(ticket.id)
        if match:
            return max(first, int(match.group(1)) + 1)
    return first


# -- the demo ------------------------------------------------------------------------------

_DEMO_TEXT = {
    "en": {
        "subject": "Payment failed for order A-1009",
        "body": "I paid for shipment A-1009 but the order still says unpaid.",
        "note": "Gateway log shows a timeout.",
        "question": "Could you send the bank's reference number?",
        "answer": "The reference is 7741-22.",
        "reason": "Payment matched manually",
    },
    "fa": {
        "subject": "پرداخت سفارش A-1009 ناموفق بود",
        "body": "هزینهٔ محمولهٔ A-1009 را پرداخت کردم اما سفارش هنوز پرداخت‌نشده است.",
        "note": "گزارش درگاه پرداخت خطای مهلت را نشان می‌دهد.",
        "question": "لطفاً شمارهٔ پیگیری بانک را بفرستید.",
        "answer": "شمارهٔ پیگیری ۷۷۴۱-۲۲ است.",
        "reason": "پرداخت به‌صورت دستی تطبیق داده شد",
    },
}


@dataclass(frozen=True)
class _Step:
    title: str
    run: Callable[[Helpdesk, str], Ticket]


def _demo_steps(words: dict[str, str]) -> list[_Step]:
    sara, ali = Actor.requester("sara"), Actor.agent("ali")
    return [
        _Step(
            "step_open",
            lambda desk, _: desk.open_ticket(
                sara,
                subject=words["subject"],
                body=words["body"],
                category=Category.FINANCIAL,
                priority=Priority.HIGH,
                references={"order": "A-1009"},
            ),
        ),
        _Step("step_pick_up", lambda desk, t: desk.change_status(ali, t, Status.IN_PROGRESS)),
        _Step("step_note", lambda desk, t: desk.add_note(ali, t, words["note"])),
        _Step("step_ask", lambda desk, t: desk.reply(ali, t, words["question"])),
        _Step("step_wait", lambda desk, t: desk.change_status(ali, t, Status.WAITING_FOR_USER)),
        _Step("step_answer", lambda desk, t: desk.reply(sara, t, words["answer"])),
        _Step(
            "step_resolve",
            lambda desk, t: desk.change_status(ali, t, Status.RESOLVED, reason=words["reason"]),
        ),
        _Step("step_close", lambda desk, t: desk.close(sara, t)),
    ]


def run_demo(
    out: TextIO, *, db: str | os.PathLike[str] | None = None, locale: str = "en"
) -> Ticket:
    """Print the scripted lifecycle to ``out`` and return the final ticket.

    The ticket is stored in the SQLite file ``db`` (a temporary one when ``None``);
    ``locale`` chooses the language (``fa``: Persian, Jalali dates, Persian digits).
    """
    from ticketcore._cli_text import Text  # noqa: PLC0415 - Babel on demand

    text = Text(locale, tz=DEMO_ZONE)
    if db is not None:
        return _run_demo(out, Path(db), text)
    with tempfile.TemporaryDirectory(prefix="ticketcore-demo-") as folder:
        return _run_demo(out, Path(folder) / "demo.sqlite3", text)


def _run_demo(out: TextIO, path: Path, text: Text) -> Ticket:
    clock = FixedClock(DEMO_START)
    with _helpdesk(path, text, clock=clock) as helpdesk:
        words = _DEMO_TEXT["fa" if text.rtl else "en"]
        repository = helpdesk.repository
        out.write(text.para(text.say("demo_title")) + "\n")
        log = repository.events_after(0, limit=1000)
        position = log[-1].position if log else 0
        ticket_id = ""
        for number, step in enumerate(_demo_steps(words), start=1):
            at = clock.now()
            ticket = step.run(helpdesk, ticket_id)
            ticket_id = ticket.id
            title = text.say(step.title, requester="sara", agent="ali")
            out.write("\n" + text.para(f"{text.number(number)}. {title}  [{text.when(at)}]") + "\n")
            # What a host's notifier would read: the events this step committed.
            rows = []
            for record in repository.events_after(position):
                event = record.event
                what, detail, who = text.event(event)
                rows.append(
                    [
                        text.say("event"),
                        text.say("version_short", version=event.version),
                        what,
                        detail,
                        who,
                    ]
                )
                position = record.position
            rows.append([text.say("status"), "", text.label(ticket.status), "", ""])
            out.write(_indent(text.table(["", "", "", "", ""], rows).partition("\n")[2]) + "\n")
            clock.advance(timedelta(minutes=17 * number))
        stored = repository.get(ticket_id)
        view = helpdesk.get(Actor.requester("sara"), ticket_id)
        summary = text.say(
            "demo_summary",
            ticket_id=stored.id,
            status=stored.status,
            version=stored.version,
            events=len(stored.history),
            messages=len(stored.messages),
            visible=len(view.messages),
            requester="sara",
        )
        out.write("\n" + text.para(summary) + "\n")
        return stored


def _indent(block: str) -> str:
    return "\n".join("   " + line for line in block.splitlines())


# -- commands ------------------------------------------------------------------------------


@dataclass
class _Context:
    out: TextIO
    text: Text
    db: Path
    actor: Actor
    arguments: argparse.Namespace


def _cmd_demo(ctx: _Context) -> None:
    run_demo(ctx.out, db=ctx.arguments.db, locale=ctx.text.locale)


def _uploads(paths: Sequence[str], text: Text) -> list[tuple[str, str, Any]]:
    uploads = []
    for name in paths:
        path = Path(name)
        try:
            stream = path.open("rb")
        except OSError as error:
            raise UsageError(
                text.say("cannot_read", path=name, problem=error.strerror or error)
            ) from error
        kind = (
            _CONTENT_TYPES.get(path.suffix.lower())
            or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream"
        )
        uploads.append((path.name, kind, stream))
    return uploads


def _references(pairs: Sequence[str]) -> dict[str, str]:
    references = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        references[key] = value
    return references


def _cmd_new(ctx: _Context) -> None:
    a = ctx.arguments
    uploads = _uploads(a.attach, ctx.text)
    try:
        with _helpdesk(ctx.db, ctx.text) as helpdesk:
            ticket = helpdesk.open_ticket(
                ctx.actor,
                subject=a.subject,
                body=a.body,
                category=a.category,
                priority=a.priority,
                requester_id=a.requester,
                references=_references(a.ref),
                uploads=uploads,
            )
    finally:
        for _, _, stream in uploads:
            stream.close()
    ctx.out.write(ctx.text.say("opened", ticket_id=ticket.id) + "\n")


def _cmd_reply(ctx: _Context) -> None:
    a = ctx.arguments
    uploads = _uploads(a.attach, ctx.text)
    try:
        with _helpdesk(ctx.db, ctx.text) as helpdesk:
            if a.body is None:
                ticket = helpdesk.attach(ctx.actor, a.ticket, uploads, internal=a.internal)
            else:
                ticket = helpdesk.reply(
                    ctx.actor, a.ticket, a.body, internal=a.internal, uploads=uploads
                )
    finally:
        for _, _, stream in uploads:
            stream.close()
    _saved(ctx, ticket)


def _cmd_status(ctx: _Context) -> None:
    a = ctx.arguments
    with _helpdesk(ctx.db, ctx.text) as helpdesk:
        ticket = helpdesk.change_status(ctx.actor, a.ticket, a.status, reason=a.reason)
    _saved(ctx, ticket)


def _cmd_assign(ctx: _Context) -> None:
    a = ctx.arguments
    assignee = None if a.assignee in {"-", "none"} else a.assignee
    with _helpdesk(ctx.db, ctx.text) as helpdesk:
        ticket = helpdesk.assign(ctx.actor, a.ticket, assignee)
    _saved(ctx, ticket)


def _cmd_close(ctx: _Context) -> None:
    a = ctx.arguments
    with _helpdesk(ctx.db, ctx.text) as helpdesk:
        ticket = helpdesk.close(ctx.actor, a.ticket, reason=a.reason)
    _saved(ctx, ticket)


def _saved(ctx: _Context, ticket: Ticket) -> None:
    ctx.out.write(
        ctx.text.say("saved", ticket_id=ticket.id, version=ticket.version, status=ticket.status)
        + "\n"
    )


def _cmd_list(ctx: _Context) -> None:
    a = ctx.arguments
    text = ctx.text
    with _helpdesk(ctx.db, ctx.text) as helpdesk:
        now = helpdesk.clock.now()
        if a.at_risk:
            page = helpdesk.at_risk(
                ctx.actor, within=timedelta(hours=a.within), limit=a.limit, cursor=a.cursor
            )
        else:
            page = helpdesk.list_tickets(
                ctx.actor,
                requester_id=a.requester,
                statuses=a.status or None,
                priorities=a.priority or None,
                categories=a.category or None,
                limit=a.limit,
                cursor=a.cursor,
            )
        policy = helpdesk.policy
        rows = []
        for ticket in page.items:
            deadline = policy.next_deadline(ticket)
            rows.append(
                [
                    ticket.id,
                    text.label(ticket.status),
                    text.label(ticket.priority),
                    text.label(ticket.category),
                    _shorten(ticket.subject, 40),
                    text.say("no_deadline") if deadline is None else text.when(deadline),
                    "" if deadline is None else text.remaining(deadline, now),
                ]
            )
    if not rows:
        ctx.out.write(text.say("no_tickets") + "\n")
        return
    header = [
        text.say("column_id"),
        text.field("status"),
        text.field("priority"),
        text.field("category"),
        text.field("subject"),
        text.say("column_deadline"),
        text.say("column_remaining"),
    ]
    ctx.out.write(text.table(header, rows) + "\n")
    if page.next_cursor:
        ctx.out.write(text.say("next_page", cursor=page.next_cursor) + "\n")


def _shorten(value: str, size: int) -> str:
    return value if len(value) <= size else value[: size - 1] + "…"


def _cmd_show(ctx: _Context) -> None:
    text = ctx.text
    with _helpdesk(ctx.db, ctx.text) as helpdesk:
        ticket = helpdesk.get(ctx.actor, ctx.arguments.ticket)
        now = helpdesk.clock.now()
        policy = helpdesk.policy
        report = policy.evaluate(ticket, now) if isinstance(policy, SLAPolicy) else None
    write = ctx.out.write
    write(text.para(f"{ticket.id}  {ticket.subject}") + "\n")
    facts = [
        (text.field("status"), text.label(ticket.status)),
        (text.field("priority"), text.label(ticket.priority)),
        (text.field("category"), text.label(ticket.category)),
        (text.field("requester_id"), ticket.requester_id),
        (text.field("assignee_id"), ticket.assignee_id or "-"),
        (text.field("created_at"), text.when(ticket.created_at)),
        (text.field("updated_at"), text.when(ticket.updated_at)),
    ]
    facts += [(key, value) for key, value in ticket.references.items()]
    write(text.table(["", ""], [[k, v] for k, v in facts]).partition("\n")[2] + "\n")
    write(f"\n{text.say('messages')}\n")
    for message in ticket.messages:
        tag = f" ({text.say('internal')})" if message.internal else ""
        write(f"  [{text.when(message.at)}] {text.actor(message.author)}{tag}\n")
        for body_line in message.body.splitlines() or [""]:
            write(f"    {body_line}\n")
        for item in message.attachments:
            size = text.number(item.size)
            write(text.para(f"    📎 {item.filename} ({size} B, {item.content_type})") + "\n")
    write(f"\n{text.say('history')}\n")
    rows = []
    for event in ticket.history:
        what, detail, who = text.event(event)
        version = text.say("version_short", version=event.version)
        rows.append([text.when(event.at), version, what, detail, who])
    write(_indent(text.table([""] * 5, rows).partition("\n")[2]) + "\n")
    if report is not None:
        write(f"\n{text.say('sla')}\n")
        rows = []
        for status in report:
            rows.append(
                [
                    text.metric(status.metric),
                    text.clock_state(status.state),
                    "" if status.deadline is None else text.when(status.deadline),
                    ""
                    if status.deadline is None or not status.is_pending
                    else text.remaining(status.deadline, now),
                ]
            )
        header = [
            text.say("column_metric"),
            text.say("column_state"),
            text.say("column_deadline"),
            text.say("column_remaining"),
        ]
        write(_indent(text.table(header, rows)) + "\n")


def _cmd_sla(ctx: _Context) -> None:
    text = ctx.text
    policy = SLAPolicy.default()
    rows = []
    for metric in Metric:
        for priority in sorted(Priority, reverse=True):
            target = policy.target(metric, priority)
            if target is not None:
                rows.append([text.metric(metric), text.label(priority), text.duration(target)])
    ctx.out.write(text.say("targets") + "\n")
    header = [text.say("column_metric"), text.field("priority"), text.say("column_target")]
    ctx.out.write(_indent(text.table(header, rows)) + "\n")
    if ctx.actor.role is Role.REQUESTER:
        return  # the tickets at risk are the team's view
    ctx.out.write("\n")
    window = timedelta(hours=ctx.arguments.within)
    ctx.out.write(text.say("at_risk", window=text.duration(window)) + "\n")
    arguments = argparse.Namespace(
        at_risk=True, within=ctx.arguments.within, limit=ctx.arguments.limit, cursor=None
    )
    _cmd_list(_Context(ctx.out, text, ctx.db, ctx.actor, arguments))


def _cmd_export(ctx: _Context) -> None:
    from ticketcore.serialization import ticket_to_json  # noqa: PLC0415

    _staff_only(ctx.actor, "export")
    count = 0
    with _helpdesk(ctx.db, ctx.text) as helpdesk, _output(ctx.arguments.output, ctx.out) as out:
        cursor = None
        while True:
            page = helpdesk.list_tickets(ctx.actor, limit=200, cursor=cursor)
            for ticket in page.items:
                out.write(ticket_to_json(ticket) + "\n")
                count += 1
            cursor = page.next_cursor
            if cursor is None:
                break
    if ctx.arguments.output not in {None, "-"}:
        ctx.out.write(ctx.text.say("exported", count=count) + "\n")


@contextlib.contextmanager
def _output(name: str | None, default: TextIO) -> Iterator[TextIO]:
    if name in {None, "-"}:
        yield default
        return
    assert name is not None  # noqa: S101 - narrowed above
    with Path(name).open("w", encoding="utf-8") as handle:
        yield handle


def _cmd_import(ctx: _Context) -> None:
    from ticketcore.serialization import ticket_from_dict  # noqa: PLC0415

    text = ctx.text
    _staff_only(ctx.actor, "import")
    name = ctx.arguments.file
    try:
        handle = sys.stdin.buffer if name == "-" else Path(name).open("rb")  # noqa: SIM115
    except OSError as error:
        raise UsageError(text.say("cannot_read", path=name, problem=error.strerror)) from error
    tickets: list[Ticket] = []

    def refuse(number: int, problem: str) -> UsageError:
        return UsageError(
            text.say("bad_line", line=number, problem=problem) + " " + text.say("nothing_imported")
        )

    with handle:
        for number, raw_bytes in enumerate(handle, start=1):
            try:
                raw = raw_bytes.decode("utf-8")
            except UnicodeDecodeError as error:
                raise refuse(number, text.say("not_utf8")) from error
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as error:
                raise refuse(number, text.say("bad_json", problem=error.msg)) from error
            try:
                ticket = ticket_from_dict(data)
                if Ticket.replay(ticket.history) != ticket:
                    raise ValidationError(
                        ErrorCode.HISTORY_INVALID,
                        "the ticket does not match its own history",
                        field="history",
                    )
            except TicketcoreError as error:
                raise refuse(number, _error_text(error, text)) from error
            tickets.append(ticket)
    with _helpdesk(ctx.db, ctx.text) as helpdesk:
        policy = helpdesk.policy
        repository: SQLiteRepository = helpdesk.repository  # type: ignore[assignment]
        repository.add_many((ticket, policy.next_deadline(ticket)) for ticket in tickets)
    ctx.out.write(text.say("imported", count=len(tickets)) + "\n")


def _staff_only(actor: Actor, action: str) -> None:
    """Export and import move whole tickets, internal notes included: agents only."""
    if actor.role is Role.REQUESTER:
        raise PermissionDeniedError(
            ErrorCode.ACTION_NOT_ALLOWED,
            f"a requester may not {action} tickets",
            field=action,
            params={"action": action, "role": actor.role.value},
        )


# -- parsing -------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after its name.

    Only the top-level parser sets defaults: a subcommand's default would otherwise
    overwrite a value given before the subcommand's name.
    """

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--db",
        metavar="FILE",
        default=default(None),
        help=f"the SQLite file (default: {default_db()})",
    )
    parser.add_argument(
        "--as",
        dest="actor",
        metavar="ROLE:ID",
        default=default(None),
        help="who acts: user:ID (a requester), agent:ID or system (default: user:<your login>)",
    )
    parser.add_argument(
        "--locale",
        default=default(os.environ.get("TICKETCORE_LOCALE", "en")),
        help="en or fa (default: $TICKETCORE_LOCALE, else en)",
    )
    parser.add_argument(
        "--tz",
        default=default(None),
        help="the time zone dates are shown in (default: $TZ, else Asia/Tehran in Persian"
        " and UTC otherwise)",
    )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    run: Callable[[_Context], None],
) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=help_text, description=help_text)
    _common(sub, defaults=False)
    sub.set_defaults(run=run)
    return sub


def _ticket_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = _command(commands, "new", "open a ticket", _cmd_new)
    new.add_argument("--subject", required=True)
    new.add_argument("--body", required=True)
    new.add_argument("--category", default="general", choices=[c.value for c in Category])
    new.add_argument("--priority", default="medium", choices=[p.value for p in Priority])
    new.add_argument("--ref", action="append", default=[], metavar="KEY=VALUE")
    new.add_argument("--attach", action="append", default=[], metavar="FILE")
    new.add_argument("--for", dest="requester", metavar="USER", help="(agents) the requester")

    reply = _command(commands, "reply", "reply to a ticket (or attach files)", _cmd_reply)
    reply.add_argument("ticket")
    reply.add_argument("body", nargs="?")
    reply.add_argument("--attach", action="append", default=[], metavar="FILE")
    reply.add_argument("--internal", action="store_true", help="(agents) a note users never see")

    status = _command(commands, "status", "move a ticket to another status", _cmd_status)
    status.add_argument("ticket")
    status.add_argument("status", choices=[s.value for s in Status])
    status.add_argument("--reason")

    assign = _command(
        commands, "assign", "assign a ticket to an agent ('-' to unassign)", _cmd_assign
    )
    assign.add_argument("ticket")
    assign.add_argument("assignee")

    close = _command(commands, "close", "close a ticket", _cmd_close)
    close.add_argument("ticket")
    close.add_argument("--reason")


def _reading_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = _command(commands, "list", "list tickets (yours, or all for agents)", _cmd_list)
    listing.add_argument("--status", action="append", choices=[s.value for s in Status])
    listing.add_argument("--priority", action="append", choices=[p.value for p in Priority])
    listing.add_argument("--category", action="append", choices=[c.value for c in Category])
    listing.add_argument("--requester", metavar="USER")
    listing.add_argument("--at-risk", action="store_true", help="by SLA deadline (agents)")
    listing.add_argument("--within", type=_hours, default=4.0, metavar="HOURS")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--cursor")

    show = _command(commands, "show", "a ticket: messages, history, SLA clocks", _cmd_show)
    show.add_argument("ticket")

    sla = _command(commands, "sla", "the SLA targets and the tickets at risk", _cmd_sla)
    sla.add_argument("--within", type=_hours, default=4.0, metavar="HOURS")
    sla.add_argument("--limit", type=int, default=20)

    export = _command(
        commands, "export", "write every ticket you can see as JSON lines", _cmd_export
    )
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")

    imports = _command(
        commands, "import", "read tickets from JSON lines, all or nothing", _cmd_import
    )
    imports.add_argument("file", help="a .jsonl file, or - for standard input")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticketcore",
        description="Customer-support tickets on a SQLite file: a demo and everyday tools.",
    )
    _common(parser, defaults=True)
    parser.add_argument("--version", action="version", version=f"ticketcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _command(commands, "demo", "walk one ticket through its whole life", _cmd_demo)
    _ticket_commands(commands)
    _reading_commands(commands)
    return parser


def _hours(value: str) -> float:
    hours = float(value)
    if not hours > 0:
        msg = f"must be a positive number of hours, not {value}"
        raise argparse.ArgumentTypeError(msg)
    return hours


def _actor(value: str | None, text: Text) -> Actor:
    if value is None:
        try:
            login = getpass.getuser()
        except (OSError, KeyError):
            login = "user"
        return Actor.requester(re.sub(r"\s+", "_", login) or "user")
    role, _, actor_id = value.partition(":")
    if role == "system" and not actor_id:
        return Actor.system()
    if role == "system":
        return Actor.system(actor_id)
    if role not in _ROLES or not actor_id:
        raise UsageError(text.say("bad_actor", value=value))
    return Actor(actor_id, _ROLES[role])


def _zone(value: str | None, locale: str) -> ZoneInfo:
    """``--tz``, else ``$TZ``, else Tehran for Persian readers and UTC for others."""
    for candidate in (value, os.environ.get("TZ")):
        if candidate:
            try:
                return ZoneInfo(candidate.lstrip(":"))
            except (ZoneInfoNotFoundError, ValueError):
                if candidate is value:
                    raise
    return ZoneInfo("Asia/Tehran" if locale.lower().startswith("fa") else "UTC")


def _error_text(error: TicketcoreError, text: Text) -> str:
    from ticketcore.i18n import message  # noqa: PLC0415

    return message(error, text.locale)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    from ticketcore._cli_text import Text  # noqa: PLC0415 - Babel on demand

    arguments = _parser().parse_args(argv)
    text = Text(arguments.locale)
    try:
        text = Text(arguments.locale, tz=_zone(arguments.tz, arguments.locale))
        actor = _actor(arguments.actor, text)
        db = Path(arguments.db) if arguments.db else default_db()
        arguments.run(_Context(sys.stdout, text, db, actor, arguments))
    except TicketcoreError as error:
        sys.stderr.write(f"ticketcore: {_error_text(error, text)}\n")
        return 1
    except UsageError as error:
        sys.stderr.write(f"ticketcore: {error}\n")
        return 1
    except BrokenPipeError:
        # The reader went away (``ticketcore list | head``): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        sys.stderr.write(f"ticketcore: {error}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
