"""The ``ticketcore`` command line (also ``python -m ticketcore``).

Every command works on a SQLite file (``--db``; by default ``tickets.sqlite3`` in the
user's data directory, created on first use, or ``$TICKETCORE_DB``), acts as someone
(``--as agent:ali``, ``--as user:sara``; by default the user logged in) and speaks
English or Persian (``--locale fa``). ``ticketcore demo`` walks one ticket through its
whole life on a temporary file unless ``--db`` is given.

Bad input is one line on stderr, in the chosen language, and exit code 1; a usage error
(argparse's, translated) is exit code 2. There is no traceback for anything a user can
type. The rules (who may export, what a subject may hold, which page sizes are fine)
are the library's: the command line parses what was typed and asks the
:class:`~ticketcore.Helpdesk` and its :class:`~ticketcore.Workflow`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import getpass
import io
import json
import math
import mimetypes
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, TextIO
from zoneinfo import ZoneInfo

from ticketcore._version import __version__
from ticketcore._zones import zone
from ticketcore.clock import FixedClock, SequentialIds, SystemClock
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import (
    ErrorCode,
    StorageError,
    TicketcoreError,
    ValidationError,
    out_of_range,
    wrong_type,
)
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
from ticketcore.ports import Order, Page, TicketQuery, TicketRepository
from ticketcore.sla import Metric, SLAPolicy
from ticketcore.ticket import Change, Ticket
from ticketcore.workflow import Action, Workflow

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
_DEFAULT_HOURS = 4.0
# What must not reach a terminal raw inside a message: controls (newlines and escape
# sequences among them), bidi embeddings, overrides and isolates, and lone surrogates
# (which stderr cannot even encode). ZWNJ, LRM and RLM, which Persian needs, stay.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What the operating system said, as the user's language says it.
_OS_PROBLEMS = {
    errno.ENOENT: "os_missing",
    errno.EACCES: "os_denied",
    errno.EPERM: "os_denied",
    errno.EISDIR: "os_is_folder",
    errno.ENOTDIR: "os_not_folder",
    errno.ENOSPC: "os_full",
}


class UsageError(TicketcoreError):
    """A command that cannot run as given (a folder that is missing, a file that cannot
    be read); the message is already in the user's language. Exit code 1."""


class _UnusableDatabaseError(UsageError, StorageError):
    """A ``--db`` that cannot be a ticket database (code ``storage_invalid``)."""


class _CommandLineError(Exception):
    """A command line argparse (or an option's check) refused; already translated.
    Exit code 2, as argparse's own."""


@dataclass(frozen=True)
class _Config:
    """The host's rules: the workflow (rights, limits) and the SLA policy."""

    workflow: Workflow
    policy: SLAPolicy

    @classmethod
    def of(cls, workflow: object, policy: object) -> _Config:
        if workflow is None:
            workflow = Workflow.default()
        elif not isinstance(workflow, Workflow):
            raise wrong_type("workflow", "Workflow or None", workflow)
        if policy is None:
            policy = SLAPolicy.default()
        elif not isinstance(policy, SLAPolicy):
            raise wrong_type("policy", "SLAPolicy or None", policy)
        return cls(workflow, policy)


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


@dataclass(frozen=True)
class _Desk:
    """The helpdesk a command talks to, and the SQLite file under it (for imports only:
    adding whole tickets in one transaction is not a helpdesk operation)."""

    helpdesk: Helpdesk
    store: SQLiteRepository
    config: _Config


@contextlib.contextmanager
def _desk(
    db: Path, text: Text, config: _Config, *, clock: SystemClock | FixedClock | None = None
) -> Iterator[_Desk]:
    from ticketcore.storage.files import FileAttachmentStore  # noqa: PLC0415
    from ticketcore.storage.sqlite import SQLiteRepository  # noqa: PLC0415 - on demand

    _check_db(db, text)
    with SQLiteRepository(db) as repository:
        helpdesk = Helpdesk(
            repository=repository,
            attachments=FileAttachmentStore(_attachments_dir(db)),
            clock=clock or SystemClock(),
            ids=SequentialIds(prefix="T-", start=_next_number(repository)),
            workflow=config.workflow,
            policy=config.policy,
        )
        yield _Desk(helpdesk, repository, config)


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_db(db: Path, text: Text) -> None:
    """Create the default file's folder on first use; refuse what cannot be a database."""
    if db == default_db():
        db.parent.mkdir(parents=True, exist_ok=True)
    elif not db.parent.is_dir():
        raise _unusable_db("no_folder", db, text)
    if db.is_dir():
        raise _unusable_db("db_is_folder", db, text)
    if db.is_file() and db.stat().st_size:
        with db.open("rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                raise _unusable_db("not_a_database", db, text)


def _unusable_db(key: str, db: Path, text: Text) -> UsageError:
    return _UnusableDatabaseError(
        ErrorCode.STORAGE_INVALID, text.say(key, path=db), field="db", params={"path": str(db)}
    )


def _next_number(repository: TicketRepository, first: int = 1001) -> int:
    """One past the newest ``T-<n>`` ticket (the helpdesk retries if another took it)."""
    newest = repository.query(TicketQuery(order=Order.CREATED, descending=True), limit=1)
    for ticket in newest.items:
        match = _TICKET_NUMBER.fullmatch(ticket.id)
        if match:
            return max(first, int(match.group(1)) + 1)
    return first


def _os_problem(error: OSError | ValueError, text: Text) -> str:
    """What went wrong with a file, in the user's language (never ``[Errno 2] ...``)."""
    if isinstance(error, OSError) and error.errno in _OS_PROBLEMS:
        return text.say(_OS_PROBLEMS[error.errno])
    if isinstance(error, OSError) and error.errno is not None:
        return text.say("os_other", value=error.errno)
    return text.say("bad_path")  # NUL, or text the file system cannot encode


def _open_for_reading(name: str, text: Text) -> BinaryIO:
    try:
        return Path(name).open("rb")
    except (OSError, ValueError) as error:
        raise UsageError(
            ErrorCode.STORAGE_INVALID,
            text.say("cannot_read", path=name, problem=_os_problem(error, text)),
            field="path",
            params={"path": name},
        ) from error


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
    Wrong-typed arguments raise :class:`~ticketcore.InvalidTypeError`; a ``db`` that
    cannot be a ticket database raises a :class:`~ticketcore.StorageError`.
    """
    from ticketcore._cli_text import Text  # noqa: PLC0415 - Babel on demand

    stream: object = out  # what a caller passes, not what the annotation promises
    if not callable(getattr(stream, "write", None)) or isinstance(
        stream, io.RawIOBase | io.BufferedIOBase
    ):
        raise wrong_type("out", "a text stream", stream)
    if db is not None and not isinstance(db, str | os.PathLike):
        raise wrong_type("db", "a file path or None", db)
    if not isinstance(locale, str):
        raise wrong_type("locale", "str", locale)
    path = None if db is None else os.fspath(db)
    if path is not None and not isinstance(path, str):
        raise wrong_type("db", "a file path or None", db)
    text = Text(locale, tz=DEMO_ZONE)
    config = _Config.of(None, None)
    if path is not None:
        return _run_demo(out, Path(path), text, config)
    with tempfile.TemporaryDirectory(prefix="ticketcore-demo-") as folder:
        return _run_demo(out, Path(folder) / "demo.sqlite3", text, config)


def _run_demo(out: TextIO, path: Path, text: Text, config: _Config) -> Ticket:
    clock = FixedClock(DEMO_START)
    with _desk(path, text, config, clock=clock) as desk:
        helpdesk = desk.helpdesk
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
        return stored.detached()


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
    config: _Config

    @contextlib.contextmanager
    def desk(self) -> Iterator[_Desk]:
        with _desk(self.db, self.text, self.config) as desk:
            yield desk


def _cmd_demo(ctx: _Context) -> None:
    run_demo(ctx.out, db=ctx.arguments.db, locale=ctx.text.locale)


def _uploads(paths: Sequence[str], text: Text) -> list[tuple[str, str, Any]]:
    uploads: list[tuple[str, str, Any]] = []
    try:
        for name in paths:
            path = Path(name)
            stream = _open_for_reading(name, text)
            kind = (
                _CONTENT_TYPES.get(path.suffix.lower())
                or mimetypes.guess_type(path.name)[0]
                or "application/octet-stream"
            )
            uploads.append((path.name, kind, stream))
    except BaseException:
        _close(uploads)
        raise
    return uploads


def _close(uploads: Sequence[tuple[str, str, Any]]) -> None:
    for _, _, stream in uploads:
        stream.close()


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
        with ctx.desk() as desk:
            ticket = desk.helpdesk.open_ticket(
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
        _close(uploads)
    ctx.out.write(ctx.text.say("opened", ticket_id=ticket.id) + "\n")


def _cmd_reply(ctx: _Context) -> None:
    a = ctx.arguments
    uploads = _uploads(a.attach, ctx.text)
    try:
        with ctx.desk() as desk:
            if a.body is None:
                ticket = desk.helpdesk.attach(ctx.actor, a.ticket, uploads, internal=a.internal)
            else:
                ticket = desk.helpdesk.reply(
                    ctx.actor, a.ticket, a.body, internal=a.internal, uploads=uploads
                )
    finally:
        _close(uploads)
    _saved(ctx, ticket)


def _cmd_status(ctx: _Context) -> None:
    a = ctx.arguments
    with ctx.desk() as desk:
        ticket = desk.helpdesk.change_status(
            ctx.actor, a.ticket, a.status, reason=a.reason, reason_public=a.public_reason
        )
    _saved(ctx, ticket)


def _cmd_assign(ctx: _Context) -> None:
    a = ctx.arguments
    assignee = None if a.assignee in {"-", "none"} else a.assignee
    with ctx.desk() as desk:
        ticket = desk.helpdesk.assign(ctx.actor, a.ticket, assignee)
    _saved(ctx, ticket)


def _cmd_close(ctx: _Context) -> None:
    a = ctx.arguments
    with ctx.desk() as desk:
        ticket = desk.helpdesk.close(
            ctx.actor, a.ticket, reason=a.reason, reason_public=a.public_reason
        )
    _saved(ctx, ticket)


def _saved(ctx: _Context, ticket: Ticket) -> None:
    ctx.out.write(
        ctx.text.say("saved", ticket_id=ticket.id, version=ticket.version, status=ticket.status)
        + "\n"
    )


def _window(hours: float) -> timedelta:
    """``--within``'s hours as a timedelta; more than a timedelta holds is out of range."""
    try:
        return timedelta(hours=hours)
    except OverflowError:
        raise out_of_range("within", hours, "at most 999999999 days") from None


def _cmd_list(ctx: _Context) -> None:
    a = ctx.arguments
    if a.within is not None and not a.at_risk:
        raise _CommandLineError(
            ctx.text.say(
                "usage", problem=ctx.text.say("within_needs_at_risk"), value="ticketcore list"
            )
        )
    with ctx.desk() as desk:
        if a.at_risk:
            within = _window(_DEFAULT_HOURS if a.within is None else a.within)
            page = desk.helpdesk.at_risk(ctx.actor, within=within, limit=a.limit, cursor=a.cursor)
        else:
            page = desk.helpdesk.list_tickets(
                ctx.actor,
                requester_id=a.requester,
                statuses=a.status or None,
                priorities=a.priority or None,
                categories=a.category or None,
                limit=a.limit,
                cursor=a.cursor,
            )
        _print_page(ctx, desk, page)


def _cmd_search(ctx: _Context) -> None:
    a = ctx.arguments
    with ctx.desk() as desk:
        page = desk.helpdesk.search(ctx.actor, " ".join(a.words), limit=a.limit, cursor=a.cursor)
        _print_page(ctx, desk, page)


def _print_page(ctx: _Context, desk: _Desk, page: Page[Ticket]) -> None:
    text = ctx.text
    now = desk.helpdesk.clock.now()
    rows = []
    for ticket in page.items:
        deadline = desk.helpdesk.policy.next_deadline(ticket)
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
    from ticketcore.i18n._format import format_bytes  # noqa: PLC0415 - Babel on demand

    text = ctx.text
    with ctx.desk() as desk:
        ticket = desk.helpdesk.get(ctx.actor, ctx.arguments.ticket).detached()
        now = desk.helpdesk.clock.now()
        report = desk.config.policy.evaluate(ticket, now)
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
            size = format_bytes(item.size, text.locale)
            write(text.para(f"    📎 {item.filename} ({size}, {item.content_type})") + "\n")
    write(f"\n{text.say('history')}\n")
    rows = []
    for event in ticket.history:
        what, detail, who = text.event(event)
        version = text.say("version_short", version=event.version)
        rows.append([text.when(event.at), version, what, detail, who])
    write(_indent(text.table([""] * 5, rows).partition("\n")[2]) + "\n")
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
    policy = ctx.config.policy
    rows = []
    for metric in Metric:
        for priority in sorted(Priority, reverse=True):
            target = policy.target(metric, priority)
            if target is not None:
                rows.append([text.metric(metric), text.label(priority), text.duration(target)])
    if not ctx.config.workflow.permits(Action.VIEW_AT_RISK, ctx.actor):
        _print_targets(ctx, rows)
        return  # the tickets at risk are the team's view
    window = _window(ctx.arguments.within)
    with ctx.desk() as desk:
        page = desk.helpdesk.at_risk(ctx.actor, within=window, limit=ctx.arguments.limit)
        _print_targets(ctx, rows)
        ctx.out.write("\n" + text.say("at_risk", window=text.duration(window)) + "\n")
        _print_page(ctx, desk, page)


def _print_targets(ctx: _Context, rows: list[list[str]]) -> None:
    text = ctx.text
    ctx.out.write(text.say("targets") + "\n")
    header = [text.say("column_metric"), text.field("priority"), text.say("column_target")]
    ctx.out.write(_indent(text.table(header, rows)) + "\n")


def _cmd_export(ctx: _Context) -> None:
    from ticketcore.serialization import ticket_to_json  # noqa: PLC0415

    ctx.config.workflow.check_action(Action.EXPORT, ctx.actor)
    count = 0
    with ctx.desk() as desk, _output(ctx.arguments.output, ctx.out, ctx.text) as out:
        cursor = None
        while True:
            page = desk.helpdesk.list_tickets(ctx.actor, limit=200, cursor=cursor)
            for ticket in page.items:
                out.write(ticket_to_json(ticket) + "\n")
                count += 1
            cursor = page.next_cursor
            if cursor is None:
                break
    if ctx.arguments.output not in {None, "-"}:
        ctx.out.write(ctx.text.say("exported", count=count) + "\n")


@contextlib.contextmanager
def _output(name: str | None, default: TextIO, text: Text) -> Iterator[TextIO]:
    if name is None or name == "-":
        yield default
        return
    try:
        handle = Path(name).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    except (OSError, ValueError) as error:
        raise UsageError(
            ErrorCode.STORAGE_INVALID,
            text.say("cannot_write", path=name, problem=_os_problem(error, text)),
            field="path",
            params={"path": name},
        ) from error
    with handle:
        yield handle


def _cmd_import(ctx: _Context) -> None:
    ctx.config.workflow.check_action(Action.IMPORT, ctx.actor)
    name = ctx.arguments.file
    handle = sys.stdin.buffer if name == "-" else _open_for_reading(name, ctx.text)
    with handle:
        tickets = _read_tickets(handle, ctx.text, ctx.config)
    with ctx.desk() as desk:
        desk.store.add_many(tickets)
    ctx.out.write(ctx.text.say("imported", count=len(tickets)) + "\n")


def _read_tickets(
    handle: BinaryIO, text: Text, config: _Config
) -> list[tuple[Ticket, datetime | None]]:
    """Every ticket of a JSON-lines file, each made again by the operations, with its
    next deadline; the first bad line stops the import before anything is stored."""
    from ticketcore.i18n import message  # noqa: PLC0415
    from ticketcore.serialization import ticket_from_dict  # noqa: PLC0415

    def refuse(number: int, problem: str) -> UsageError:
        said = text.say("bad_line", line=number, problem=problem.rstrip("."))
        return UsageError(
            ErrorCode.FORMAT_INVALID,
            f"{said}. {text.say('nothing_imported')}",
            field="file",
            params={"line": number},
        )

    tickets: list[tuple[Ticket, datetime | None]] = []
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
            raise refuse(number, text.say("bad_json", value=error.colno)) from error
        except RecursionError as error:
            raise refuse(number, text.say("json_too_deep")) from error
        try:
            ticket = _remade(ticket_from_dict(data), config.workflow)
            tickets.append((ticket, config.policy.next_deadline(ticket)))
        except TicketcoreError as error:
            raise refuse(number, message(error, text.locale)) from error
    return tickets


def _remade(ticket: Ticket, workflow: Workflow) -> Ticket:
    """``ticket`` made again from its history by the operations themselves, so every
    field passes exactly the checks (text rules, limits, rights) a live ticket passed;
    a ticket that differs from what its history makes is refused."""
    history = ticket.history
    first = history[0] if history else None
    if not isinstance(first, TicketOpened):
        raise _history_invalid("a ticket's history starts with ticket_opened")
    remade = Ticket.open(
        first.actor,
        id=first.ticket_id,
        subject=first.subject,
        body=first.message.body,
        at=first.at,
        category=first.category,
        priority=first.priority,
        requester_id=first.requester_id,
        attachments=first.message.attachments,
        references=first.references,
        message_id=first.message.id,
        workflow=workflow,
    ).ticket
    position = 1
    while position < len(history):
        change = _redo(remade, history[position], workflow)
        if not change.events:
            raise _history_invalid(f"event {position + 1} changes nothing")
        remade = change.ticket
        position += len(change.events)
    if remade != ticket:
        raise _history_invalid("the ticket does not match its own history")
    return remade


def _redo(ticket: Ticket, event: Event, workflow: Workflow) -> Change:
    actor, at = event.actor, event.at
    if isinstance(event, MessageAdded):
        message = event.message
        if not message.body and message.attachments:
            return ticket.attach(
                actor,
                message.attachments,
                at=at,
                internal=message.internal,
                message_id=message.id,
                workflow=workflow,
            )
        return ticket.reply(
            actor,
            message.body,
            at=at,
            internal=message.internal,
            attachments=message.attachments,
            message_id=message.id,
            workflow=workflow,
        )
    if isinstance(event, StatusChanged):
        return ticket.change_status(
            actor,
            event.to_status,
            at=at,
            reason=event.reason,
            reason_public=event.reason_public,
            workflow=workflow,
        )
    if isinstance(event, PriorityChanged):
        return ticket.change_priority(actor, event.to_priority, at=at, workflow=workflow)
    if isinstance(event, CategoryChanged):
        return ticket.change_category(actor, event.to_category, at=at, workflow=workflow)
    if isinstance(event, AssigneeChanged):
        return ticket.assign(actor, event.to_assignee, at=at, workflow=workflow)
    raise _history_invalid(f"{event.kind} cannot follow the opening")


def _history_invalid(problem: str) -> ValidationError:
    return ValidationError(ErrorCode.HISTORY_INVALID, problem, field="history")


# -- parsing -------------------------------------------------------------------------------

_REQUIRED = re.compile(r"the following arguments are required: (?P<value>.+)", re.DOTALL)
_UNRECOGNIZED = re.compile(r"unrecognized arguments: (?P<value>.+)", re.DOTALL)
_ARGUMENT = re.compile(r"argument (?P<option>[^:]+): (?P<problem>.+)", re.DOTALL)
_CHOICE = re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<valid>.+)\)", re.DOTALL)
_NEEDS_VALUE = re.compile(r"expected (?:one|at most one|at least one) argument")
_AMBIGUOUS = re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<valid>.+)")
_INVALID_VALUE = re.compile(r"invalid \S+ value: (?P<value>.+)", re.DOTALL)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one translated line (and exit code 2)."""

    def __init__(self, *, text: Text, **kwargs: Any) -> None:  # noqa: ANN401 - argparse's
        super().__init__(**kwargs)
        self.text = text

    def error(self, message: str) -> NoReturn:
        problem = _translated_usage(message, self.text)
        raise _CommandLineError(self.text.say("usage", problem=problem, value=self.prog))


def _unquoted(value: str) -> str:
    return value.replace("'", "")


def _translated_usage(message: str, text: Text) -> str:
    """argparse's English sentence, said in the user's language."""
    if found := _REQUIRED.fullmatch(message):
        return text.say("usage_required", value=found["value"])
    if found := _UNRECOGNIZED.fullmatch(message):
        return text.say("usage_unknown", value=found["value"])
    if found := _AMBIGUOUS.fullmatch(message):
        return text.say("usage_ambiguous", option=found["option"], valid=found["valid"])
    if found := _ARGUMENT.fullmatch(message):
        return _argument_problem(found["option"], found["problem"], text)
    return text.say("usage_other", problem=message)


def _argument_problem(option: str, problem: str, text: Text) -> str:
    """What argparse found wrong with one option, said in the user's language."""
    if choice := _CHOICE.fullmatch(problem):
        value, valid = _unquoted(choice["value"]), _unquoted(choice["valid"])
        return text.say("usage_choice", option=option, value=value, valid=valid)
    if _NEEDS_VALUE.fullmatch(problem):
        return text.say("usage_value_needed", option=option)
    if invalid := _INVALID_VALUE.fullmatch(problem):
        return text.say("usage_other", problem=f"{option} {invalid['value']}")
    return problem  # an option's own check: already translated


def _hours(option: str, text: Text) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            hours = float(value)
        except ValueError:
            hours = math.nan
        if not (math.isfinite(hours) and hours > 0):
            raise argparse.ArgumentTypeError(text.say("bad_hours", option=option, value=value))
        return hours

    return parse


def _whole_number(option: str, text: Text) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                text.say("bad_number", option=option, value=value)
            ) from None

    return parse


def _ticket_ref(text: Text) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError(text.say("no_ticket_id"))
        return value

    return parse


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
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    help_text: str,
    run: Callable[[_Context], None],
    text: Text,
) -> _Parser:
    sub = commands.add_parser(name, help=help_text, description=help_text, text=text)
    _common(sub, defaults=False)
    sub.set_defaults(run=run)
    return sub


def _ticket_commands(commands: argparse._SubParsersAction[_Parser], text: Text) -> None:
    ticket = _ticket_ref(text)
    new = _command(commands, "new", "open a ticket", _cmd_new, text)
    new.add_argument("--subject", required=True)
    new.add_argument("--body", required=True)
    new.add_argument("--category", default="general", choices=[c.value for c in Category])
    new.add_argument("--priority", default="medium", choices=[p.value for p in Priority])
    new.add_argument("--ref", action="append", default=[], metavar="KEY=VALUE")
    new.add_argument("--attach", action="append", default=[], metavar="FILE")
    new.add_argument("--for", dest="requester", metavar="USER", help="(agents) the requester")

    reply = _command(commands, "reply", "reply to a ticket (or attach files)", _cmd_reply, text)
    reply.add_argument("ticket", type=ticket)
    reply.add_argument("body", nargs="?")
    reply.add_argument("--attach", action="append", default=[], metavar="FILE")
    reply.add_argument("--internal", action="store_true", help="(agents) a note users never see")

    public = "(agents) show the reason to the requester too"
    status = _command(commands, "status", "move a ticket to another status", _cmd_status, text)
    status.add_argument("ticket", type=ticket)
    status.add_argument("status", choices=[s.value for s in Status])
    status.add_argument("--reason", help="why (for the team, unless --public-reason)")
    status.add_argument("--public-reason", action="store_true", help=public)

    assign = _command(
        commands, "assign", "assign a ticket to an agent ('-' to unassign)", _cmd_assign, text
    )
    assign.add_argument("ticket", type=ticket)
    assign.add_argument("assignee")

    close = _command(commands, "close", "close a ticket", _cmd_close, text)
    close.add_argument("ticket", type=ticket)
    close.add_argument("--reason", help="why (for the team, unless --public-reason)")
    close.add_argument("--public-reason", action="store_true", help=public)


def _reading_commands(commands: argparse._SubParsersAction[_Parser], text: Text) -> None:
    listing = _command(commands, "list", "list tickets (yours, or all for agents)", _cmd_list, text)
    listing.add_argument("--status", action="append", choices=[s.value for s in Status])
    listing.add_argument("--priority", action="append", choices=[p.value for p in Priority])
    listing.add_argument("--category", action="append", choices=[c.value for c in Category])
    listing.add_argument("--requester", metavar="USER")
    listing.add_argument("--at-risk", action="store_true", help="by SLA deadline (agents)")
    listing.add_argument(
        "--within",
        type=_hours("--within", text),
        metavar="HOURS",
        help=f"with --at-risk: due within this many hours (default: {_DEFAULT_HOURS:g})",
    )
    listing.add_argument("--limit", type=_whole_number("--limit", text), default=20)
    listing.add_argument("--cursor")

    search = _command(
        commands, "search", "find tickets by the words of their messages", _cmd_search, text
    )
    search.add_argument("words", nargs="+", metavar="WORD")
    search.add_argument("--limit", type=_whole_number("--limit", text), default=20)
    search.add_argument("--cursor")

    show = _command(commands, "show", "a ticket: messages, history, SLA clocks", _cmd_show, text)
    show.add_argument("ticket", type=_ticket_ref(text))

    sla = _command(commands, "sla", "the SLA targets and the tickets at risk", _cmd_sla, text)
    sla.add_argument(
        "--within", type=_hours("--within", text), default=_DEFAULT_HOURS, metavar="HOURS"
    )
    sla.add_argument("--limit", type=_whole_number("--limit", text), default=20)

    export = _command(
        commands, "export", "write every ticket you can see as JSON lines", _cmd_export, text
    )
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")

    imports = _command(
        commands, "import", "read tickets from JSON lines, all or nothing", _cmd_import, text
    )
    imports.add_argument("file", help="a .jsonl file, or - for standard input")


def _parser(text: Text) -> _Parser:
    parser = _Parser(
        prog="ticketcore",
        description="Customer-support tickets on a SQLite file: a demo and everyday tools.",
        text=text,
    )
    _common(parser, defaults=True)
    parser.add_argument("--version", action="version", version=f"ticketcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _command(commands, "demo", "walk one ticket through its whole life", _cmd_demo, text)
    _ticket_commands(commands, text)
    _reading_commands(commands, text)
    return parser


def _locale_of(argv: Sequence[str]) -> str:
    """The ``--locale`` a command line asks for, read before parsing it, so that
    argparse's own errors are said in that language too."""
    locale = os.environ.get("TICKETCORE_LOCALE", "en")
    for index, argument in enumerate(argv):
        if argument == "--locale" and index + 1 < len(argv):
            locale = argv[index + 1]
        elif argument.startswith("--locale="):
            locale = argument.partition("=")[2]
    return locale


def _actor(value: str | None, text: Text) -> Actor:
    if value is None:
        try:
            login = getpass.getuser()
        except (OSError, KeyError):
            login = "user"
        return Actor.requester(re.sub(r"\s+", "_", login) or "user")
    role, _, actor_id = value.partition(":")
    try:
        if role == "system":
            return Actor.system(actor_id) if actor_id else Actor.system()
        if role in _ROLES and actor_id:
            return Actor(actor_id, _ROLES[role])
    except ValidationError:
        pass
    raise UsageError(
        ErrorCode.INVALID_IDENTIFIER,
        text.say("bad_actor", value=value),
        field="actor",
        params={"value": value},
    )


def _zone(value: str | None, locale: str) -> ZoneInfo:
    """``--tz``, else ``$TZ`` (when it names a zone), else Tehran for Persian readers and
    UTC for others. An unknown ``--tz`` is a ticketcore error (``time_zone_unknown``)."""
    if value is not None:
        return zone(value.removeprefix(":"), "tz")
    with contextlib.suppress(ValidationError):
        return zone(os.environ.get("TZ", "").removeprefix(":"), "tz")
    return ZoneInfo("Asia/Tehran" if locale.lower().startswith("fa") else "UTC")


def _arguments(argv: object) -> list[str]:
    if argv is None:
        return sys.argv[1:]
    if isinstance(argv, str) or not isinstance(argv, Sequence):
        raise wrong_type("argv", "a list of str or None", argv)
    for item in argv:
        if not isinstance(item, str):
            raise wrong_type("argv", "a list of str or None", item)
    return list(argv)


def main(  # noqa: PLR0911 - one return per exit code
    argv: Sequence[str] | None = None,
    *,
    workflow: Workflow | None = None,
    policy: SLAPolicy | None = None,
) -> int:
    """Run the command line; returns the process exit code.

    ``workflow`` and ``policy`` are the host's rules (default: ``Workflow.default()``
    and ``SLAPolicy.default()``): who may export, import and see what, the limits, the
    SLA targets. Wrong-typed arguments raise :class:`~ticketcore.InvalidTypeError`.
    """
    from ticketcore._cli_text import Text  # noqa: PLC0415 - Babel on demand
    from ticketcore.i18n import message  # noqa: PLC0415

    arguments_list = _arguments(argv)
    config = _Config.of(workflow, policy)
    text = Text(_locale_of(arguments_list))
    try:
        arguments = _parser(text).parse_args(arguments_list)
        text = Text(arguments.locale)
        text = Text(arguments.locale, tz=_zone(arguments.tz, arguments.locale))
        actor = _actor(arguments.actor, text)
        db = Path(arguments.db) if arguments.db else default_db()
        arguments.run(_Context(sys.stdout, text, db, actor, arguments, config))
    except _CommandLineError as error:
        _complain(str(error))
        return 2
    except UsageError as error:
        _complain(error.message)
        return 1
    except TicketcoreError as error:
        _complain(message(error, text.locale))
        return 1
    except BrokenPipeError:
        # The reader went away (``ticketcore list | head``): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as error:  # the default database's folder, say
        where = error.filename if error.filename is not None else "-"
        problem = _os_problem(error, text)
        _complain(text.say("cannot_use", path=where, problem=problem))
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _complain(said: str) -> None:
    """One line on stderr, whatever the message quotes from the input."""
    line = _UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", said)
    sys.stderr.write(f"ticketcore: {line}\n")
