"""Hypothesis strategies for ticketcore's types, for host test suites and our own.

Names follow hypothesis' conventions: plural nouns, keyword-only arguments with
defaults, ``min_size``/``max_size`` for sizes, and strategies accepted wherever a value
is. Every strategy generates valid values only: tickets that replay to themselves,
calendars with working time, policies the constructor accepts.

>>> from hypothesis import given
>>> from ticketcore.testing import strategies as tcst
>>> @given(tcst.tickets())
... def test_a_ticket_is_its_history(ticket):
...     assert type(ticket).replay(ticket.history) == ticket
>>> test_a_ticket_is_its_history()

With the ``ticketcore[testing]`` extra installed, ``st.from_type(tc.Ticket)`` (and the
other public types) uses these strategies without importing this module.
"""

from __future__ import annotations

import functools
import inspect
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import assume, reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ticketcore import _check
from ticketcore._time import require_aware
from ticketcore.calendar import BusinessCalendar
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import ErrorCode, TicketcoreError, ValidationError, _short, out_of_range
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
)
from ticketcore.limits import DEFAULT_CONTENT_TYPES, Limits
from ticketcore.model import Actor, Attachment, Message
from ticketcore.sla import Metric, SLAPolicy, SLAReport
from ticketcore.ticket import Change, Ticket
from ticketcore.workflow import Action, Transition, Workflow

__all__ = [
    "TIME_ZONES",
    "InvalidStrategyArgumentError",
    "Operation",
    "actors",
    "attachments",
    "bodies",
    "calendars",
    "categories",
    "datetimes",
    "events",
    "histories",
    "limits",
    "messages",
    "operations",
    "policies",
    "priorities",
    "reports",
    "roles",
    "statuses",
    "subjects",
    "tickets",
    "time_zones",
    "transitions",
    "workflows",
]

T = Any  # a value or a strategy for it
_F = TypeVar("_F", bound=Callable[..., Any])

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_FIRST_DAY = date(2020, 1, 1)
_LAST_DAY = date(2030, 12, 31)

#: Real IANA zones for :func:`calendars`: the common ones, and the odd ones that break
#: naive date arithmetic: half- and quarter-hour offsets (Kathmandu, Chatham, St John's,
#: Lord Howe's 30-minute DST), DST changes at midnight (Havana, Santiago, Asuncion, Gaza,
#: Beirut), negative DST (Dublin, Casablanca's Ramadan change), a two-hour DST (Troll),
#: DST that was abolished (Tehran, Sao Paulo, Amman) and the edges of the date line
#: (Kiritimati at +14, Pago Pago at -11, Apia, which skipped a whole day in 2011).
TIME_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Moscow",
    "America/New_York",
    "America/St_Johns",
    "America/Havana",
    "America/Santiago",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/Nuuk",
    "Africa/Casablanca",
    "Asia/Tehran",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Gaza",
    "Asia/Beirut",
    "Asia/Amman",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Antarctica/Troll",
)

#: Text that real users send: Latin and Persian letters, digits of three scripts, ZWNJ,
#: punctuation and emoji, without the characters the model rejects.
_ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Zl", "Zp"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
_PERSIAN_WORDS = st.sampled_from(
    ["تیکت", "پرداخت", "ناموفق", "بود", "حساب\u200cکاربری", "می\u200cخواهم", "۱۲۳", "بار"]
)
_WORDS = st.one_of(_PERSIAN_WORDS, st.text(_ALPHABET, min_size=1, max_size=12).map(str.strip))

_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/csv": "csv",
    "application/zip": "zip",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_STEMS = ("receipt", "screen shot", "رسید", "log", "گزارش مالی", "invoice-2026")
_AGENT_IDS = ("ali", "mina")
_NOT_CLOSED = tuple(status for status in Status if status is not Status.CLOSED)
_STAFF_ONLY = (Action.ADD_NOTE, Action.VIEW_NOTES, Action.EXPORT, Action.IMPORT, Action.ERASE)
_MINUTES_PER_DAY = 24 * 60
_MIB = 1024 * 1024


class InvalidStrategyArgumentError(ValidationError, InvalidArgument):
    """A strategy was given an argument it cannot use.

    A ticketcore :class:`~ticketcore.ValidationError` (code ``out_of_range``) that
    hypothesis also treats as its own ``InvalidArgument``.
    """


def _bad_argument(message: str, field: str = "strategy") -> InvalidStrategyArgumentError:
    return InvalidStrategyArgumentError(ErrorCode.OUT_OF_RANGE, message, field=field)


_MAX_SIZE = 2**31 - 1  # far beyond any useful size or count


def _checked(function: _F) -> _F:
    """Check a strategy's arguments when it is built, as hypothesis' own strategies do.

    Sizes and counts (parameters annotated ``int``) must be ints from 0 to 2**31 - 1, instants
    aware datetimes; the strategy is validated at once, and an argument problem
    hypothesis finds is raised as :class:`InvalidStrategyArgumentError`.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def build(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - the strategy's own
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            annotation = signature.parameters[name].annotation
            if annotation == "int" or (annotation == "int | None" and value is not None):
                _check.integer(value, name, minimum=0, maximum=_MAX_SIZE)
            elif annotation == "datetime" or (
                annotation == "datetime | None" and value is not None
            ):
                require_aware(value, name)
            elif annotation == "Sequence[str]":
                for item in _check.items(value, name, limit=_MAX_SIZE):
                    _check.text(item, name)
        try:
            strategy = function(*args, **kwargs)
            strategy.validate()
        except TicketcoreError:
            raise
        except InvalidArgument as error:
            raise _bad_argument(f"{function.__name__}: {error}") from None
        return strategy

    return build  # type: ignore[return-value]


def _strategy(value: T) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def _check_sizes(name: str, min_size: int, max_size: int | None, *, least: int = 0) -> None:
    """Reject impossible sizes when the strategy is built, as hypothesis' own do."""
    if min_size < least:
        raise _bad_argument(f"{name}: min_size={min_size} must be at least {least}")
    if max_size is not None and max_size < min_size:
        raise _bad_argument(f"{name}: max_size={max_size} is less than min_size={min_size}")


def _clean(text: str, max_size: int) -> str:
    """``text`` as the model stores it (NFC, stripped), cut to ``max_size`` characters."""
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) > max_size:
        text = unicodedata.normalize("NFC", text[:max_size]).strip()
    return text


# -- enums and actors ----------------------------------------------------------------------


@_checked
def statuses() -> st.SearchStrategy[Status]:
    """Any ticket status."""
    return st.sampled_from(Status)


@_checked
def priorities() -> st.SearchStrategy[Priority]:
    """Any priority."""
    return st.sampled_from(Priority)


@_checked
def categories() -> st.SearchStrategy[Category]:
    """Any category."""
    return st.sampled_from(Category)


@_checked
def roles() -> st.SearchStrategy[Role]:
    """Any role."""
    return st.sampled_from(Role)


@_checked
def actors(*, role: T = None, ids: T = None) -> st.SearchStrategy[Actor]:
    """Actors, optionally of one ``role`` or with ids drawn from ``ids``."""
    id_strategy = _strategy(ids) if ids is not None else st.sampled_from(["sara", "reza", "ali"])
    role_strategy = roles() if role is None else _strategy(role)
    return st.builds(Actor, id_strategy, role_strategy)


# -- text ----------------------------------------------------------------------------------


@_checked
def subjects(*, min_size: int = 1, max_size: int = 200) -> st.SearchStrategy[str]:
    """Valid subjects, Persian and Latin mixed, already as the ticket stores them.

    The text is NFC and stripped, so ``ticket.subject`` is exactly what was drawn.
    """
    _check_sizes("subjects", min_size, max_size, least=1)
    return _subjects(min_size, max_size)


# Composite strategies build these on every draw: caching them saves hypothesis from
# validating the same strategy again each time.
@functools.lru_cache(maxsize=256)
def _subjects(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    # Each word brings at least two characters with its space: enough words for min_size.
    words = st.lists(_WORDS.filter(bool), min_size=(min_size + 1) // 2, max_size=min_size + 8)
    return (
        words.map(" ".join)
        .map(lambda text: _clean(text, max_size))
        .filter(lambda text: min_size <= len(text) <= max_size)
    )


@_checked
def bodies(*, min_size: int = 1, max_size: int = 500) -> st.SearchStrategy[str]:
    """Valid message bodies, lines and tabs included, already as the ticket stores them."""
    _check_sizes("bodies", min_size, max_size, least=1)
    return _bodies(min_size, max_size)


@functools.lru_cache(maxsize=256)
def _bodies(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    tokens = st.one_of(_WORDS.filter(bool), st.sampled_from(["\n", "\t", "\n\n"]))
    return (
        st.lists(tokens, min_size=(min_size + 1) // 2 + 1, max_size=min_size + 20)
        .map(" ".join)
        .map(lambda text: _clean(text, max_size))
        .filter(lambda text: min_size <= len(text) <= max_size)
    )


# -- attachments and messages --------------------------------------------------------------


def _content_types_of(limits: Limits) -> list[str]:
    """The allowed types an :class:`Attachment` can carry, in a stable order."""
    return sorted(kind for kind in limits.content_types if "/" in kind and ";" not in kind)


@st.composite
def _attachments(
    draw: st.DrawFn,
    *,
    limits: T,
    content_type: T,
    min_size: int,
    max_size: int | None,
) -> Attachment:
    bounds = Limits() if limits is None else draw(_strategy(limits))
    if content_type is None:
        allowed = _content_types_of(bounds)
        if not allowed:
            raise _bad_argument(f"attachments: {bounds!r} accept no content type")
        kind = draw(st.sampled_from(allowed))
    else:
        kind = draw(_strategy(content_type))
    upper = bounds.attachment_max_size if max_size is None else max_size
    if limits is not None:
        upper = min(upper, bounds.attachment_max_size)
    if upper < min_size:
        raise _bad_argument(f"attachments: min_size={min_size} is above the limit {upper}")
    extension = _EXTENSIONS.get(kind.lower(), "bin")
    return Attachment(
        filename=f"{draw(st.sampled_from(_STEMS))}.{extension}",
        content_type=kind,
        size=draw(st.integers(min_size, upper)),
        sha256=draw(st.binary(min_size=32, max_size=32)).hex(),
    )


@_checked
def attachments(
    *,
    limits: T = None,
    content_type: T = None,
    min_size: int = 1,
    max_size: int | None = None,
) -> st.SearchStrategy[Attachment]:
    """Attachment metadata that ``limits`` (default: ``Limits()``) accept.

    ``min_size`` and ``max_size`` bound the file's size in bytes (at most the limits'
    ``attachment_max_size``); ``content_type`` pins the type (default: one the limits
    allow). The file name's extension matches the type.
    """
    _check_sizes("attachments", min_size, max_size, least=1)
    return _attachments(
        limits=limits, content_type=content_type, min_size=min_size, max_size=max_size
    )


@functools.lru_cache(maxsize=1)
def _ticket_ids() -> st.SearchStrategy[str]:
    return st.from_regex(r"T-[0-9]{1,6}", fullmatch=True)


@st.composite
def _messages(
    draw: st.DrawFn,
    *,
    author: T,
    internal: T,
    at: T,
    max_attachments: int,
    limits: T,
) -> Message:
    bounds = Limits() if limits is None else draw(_strategy(limits))
    note: bool | None = None if internal is None else draw(_strategy(internal))
    if author is not None:
        who: Actor = draw(_strategy(author))
    else:
        who = draw(actors(role=Role.AGENT, ids=st.sampled_from(_AGENT_IDS)) if note else actors())
    if note is None:
        note = who.role is Role.AGENT and draw(st.booleans())
    if note and who.role is Role.REQUESTER:
        raise _bad_argument("messages: requesters never write internal notes")
    files: list[Attachment] = []
    if _content_types_of(bounds):
        most = min(max_attachments, bounds.attachments_per_message)
        files = draw(st.lists(attachments(limits=bounds), max_size=most))
    return Message(
        id=f"{draw(_ticket_ids())}.{draw(st.integers(1, 999))}",
        author=who,
        body=draw(bodies(max_size=min(500, bounds.body_max_length))),
        at=draw(datetimes() if at is None else _strategy(at)),
        internal=note,
        attachments=tuple(files),
    )


@_checked
def messages(
    *,
    author: T = None,
    internal: T = None,
    at: T = None,
    max_attachments: int = 2,
    limits: T = None,
) -> st.SearchStrategy[Message]:
    """Messages as ticket operations build them.

    Internal notes are written by agents (by default only agents may write them);
    ``author``, ``internal`` and ``at`` pin what they name. Bodies and attachments fit
    ``limits`` (default: ``Limits()``).
    """
    _check_sizes("messages", 0, max_attachments)
    return _messages(
        author=author, internal=internal, at=at, max_attachments=max_attachments, limits=limits
    )


@_checked
def datetimes(
    *,
    min_value: datetime = _EPOCH,
    max_value: datetime | None = None,
    timezones: T = None,
) -> st.SearchStrategy[datetime]:
    """Aware datetimes between ``min_value`` and ``max_value`` (ten years on).

    In UTC unless ``timezones`` (a ``tzinfo`` or a strategy of them, such as
    :func:`time_zones`) says otherwise.
    """
    if max_value is None:
        latest = datetime.max.replace(tzinfo=UTC)
        ten_years = timedelta(days=3650)
        max_value = min_value + ten_years if latest - min_value > ten_years else latest
    try:
        instants = _instants(min_value, max_value)
    except OverflowError:  # an instant whose UTC time is before year 1 or after 9999
        raise _bad_argument("datetimes: the bounds must be instants of years 1-9999 UTC") from None
    if timezones is None:
        return instants
    # the same instant, seen from another zone
    return st.tuples(instants, _strategy(timezones)).map(lambda pair: pair[0].astimezone(pair[1]))


@functools.lru_cache(maxsize=64)
def _instants(min_value: datetime, max_value: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=_naive_utc(min_value),
        max_value=_naive_utc(max_value),
        timezones=st.just(UTC),
    )


def _naive_utc(value: datetime) -> datetime:
    """The UTC wall time of ``value``; a naive value is taken to be UTC already."""
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


# -- operations and tickets ----------------------------------------------------------------


_OPERATION_NAMES = frozenset(
    {
        "reply",
        "add_note",
        "attach",
        "change_status",
        "close",
        "assign",
        "change_priority",
        "change_category",
    }
)


def _operation_name(value: object) -> None:
    name = _check.text(value, "name")
    if name not in _OPERATION_NAMES:
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"{name[:40]!r} is not an operation of a ticket",
            field="name",
            params={"value": name[:40], "valid": ", ".join(sorted(_OPERATION_NAMES))},
        )


def _operation_kwargs(kwargs: object) -> None:
    for pair in _check.instance(kwargs, tuple, "kwargs"):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):  # noqa: PLR2004
            raise _bad_argument(
                f"kwargs holds {_short(pair, 40)}, not a (name, value) pair", "kwargs"
            )


@attrs.frozen
class Operation:
    """One thing an actor tries to do to a ticket, ``delay`` after its last change."""

    name: str = attrs.field(validator=lambda _, __, name: _operation_name(name))
    actor: Actor = attrs.field(
        validator=lambda _, __, actor: _check.instance(actor, Actor, "actor")
    )
    delay: timedelta = attrs.field(validator=lambda _, __, delay: _check.duration(delay, "delay"))
    args: tuple[Any, ...] = attrs.field(
        default=(), validator=lambda _, __, args: _check.instance(args, tuple, "args")
    )
    kwargs: tuple[tuple[str, Any], ...] = attrs.field(
        default=(), validator=lambda _, __, kwargs: _operation_kwargs(kwargs)
    )

    def apply(self, ticket: Ticket, workflow: Workflow | None = None) -> Change:
        """Try the operation on ``ticket``; raises what the ticket raises."""
        _check.instance(ticket, Ticket, "ticket")
        method = getattr(ticket, self.name)
        try:
            at = ticket.updated_at + self.delay
        except OverflowError:
            raise out_of_range("delay", self.delay, "a delay before the year 10000") from None
        change: Change = method(
            self.actor,
            *self.args,
            at=at,
            workflow=workflow,
            **dict(self.kwargs),
        )
        return change

    def try_apply(
        self, ticket: Ticket, workflow: Workflow | None = None
    ) -> Change | TicketcoreError:
        """Like :meth:`apply`, but returns a refusal instead of raising it."""
        try:
            return self.apply(ticket, workflow)
        except TicketcoreError as error:
            return error


@_checked
def operations(
    *, actors: T = None, requester_ids: Sequence[str] = ("sara", "reza")
) -> st.SearchStrategy[Operation]:
    """Operations of every kind, by any actor, allowed or not (the workflow decides)."""
    if actors is None:
        return _operations_by_anyone(tuple(requester_ids))
    return _operations(_strategy(actors))


@functools.lru_cache(maxsize=64)
def _operations_by_anyone(requester_ids: tuple[str, ...]) -> st.SearchStrategy[Operation]:
    return _operations(
        st.one_of(
            st.builds(Actor.requester, st.sampled_from(requester_ids)),
            st.builds(Actor.agent, st.sampled_from(_AGENT_IDS)),
            st.just(Actor.system()),
        )
    )


def _operations(who: st.SearchStrategy[Actor]) -> st.SearchStrategy[Operation]:
    delays = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))

    def op(
        name: str, *args: st.SearchStrategy[Any], **kwargs: st.SearchStrategy[Any]
    ) -> st.SearchStrategy[Operation]:
        return st.builds(
            Operation,
            st.just(name),
            who,
            delays,
            st.tuples(*args),
            st.fixed_dictionaries(kwargs).map(lambda d: tuple(sorted(d.items()))),
        )

    return st.one_of(
        op("change_status", statuses()),
        op("reply", bodies(max_size=80), internal=st.booleans()),
        op("add_note", bodies(max_size=80)),
        op("attach", st.lists(attachments(), min_size=1, max_size=2)),
        op("change_priority", priorities()),
        op("change_category", categories()),
        op("assign", st.sampled_from([*_AGENT_IDS, None])),
        op("close"),
    )


def _opener(workflow: Workflow, requester_id: str) -> Actor:
    """Who opens the ticket: its requester, else whoever the workflow lets open one."""
    for actor in (Actor.requester(requester_id), Actor.agent(_AGENT_IDS[0]), Actor.system()):
        if workflow.permits(Action.OPEN, actor):
            return actor
    raise _bad_argument(f"{workflow!r} lets nobody open a ticket")


def _open(
    draw: st.DrawFn,
    workflow: Workflow,
    *,
    requester_id: T,
    category: T,
    priority: T,
) -> Ticket:
    requester = draw(_strategy(requester_id))
    limits = workflow.limits
    return Ticket.open(
        _opener(workflow, requester),
        id=draw(_ticket_ids()),
        subject=draw(subjects(max_size=min(60, limits.subject_max_length))),
        body=draw(bodies(max_size=min(120, limits.body_max_length))),
        at=draw(datetimes()),
        category=draw(categories() if category is None else _strategy(category)),
        priority=draw(priorities() if priority is None else _strategy(priority)),
        requester_id=requester,
        workflow=workflow,
    ).ticket


def _reachable(workflow: Workflow) -> dict[Status, frozenset[Status]]:
    """Per status, the statuses its table moves lead to (itself included)."""
    moves: dict[Status, set[Status]] = {status: set() for status in Status}
    for transition in workflow.transitions():
        moves[transition.from_status].add(transition.to_status)
    reach: dict[Status, frozenset[Status]] = {}
    for start in Status:
        seen = {start}
        frontier = [start]
        while frontier:
            for target in moves[frontier.pop()]:
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        reach[start] = frozenset(seen)
    return reach


@st.composite
def _tickets(
    draw: st.DrawFn,
    *,
    status: T,
    priority: T,
    category: T,
    requester_id: T,
    max_operations: int,
    workflow: T,
) -> Ticket:
    flow = Workflow.default() if workflow is None else draw(_strategy(workflow))
    ticket = _open(draw, flow, requester_id=requester_id, category=category, priority=priority)
    wanted = None if status is None else Status(draw(_strategy(status)))
    reach = _reachable(flow)
    steps = draw(
        st.lists(operations(requester_ids=(ticket.requester_id, "reza")), max_size=max_operations)
    )
    pinned = {
        name
        for name, value in (("change_priority", priority), ("change_category", category))
        if value is not None
    }
    for step in steps:
        if step.name in pinned:
            continue
        outcome = step.try_apply(ticket, flow)
        if isinstance(outcome, Change):
            if wanted is not None and wanted not in reach[outcome.ticket.status]:
                continue  # keep the ticket where it can still reach ``wanted``
            ticket = outcome.ticket
    if wanted is not None:
        ticket = _steer(ticket, wanted, flow)
    return ticket


def _steer(ticket: Ticket, wanted: Status, workflow: Workflow) -> Ticket:
    """Walk ``ticket`` to ``wanted`` along allowed moves (breadth-first)."""
    if ticket.status is wanted:
        return ticket
    actors_by_role = {
        Role.REQUESTER: Actor.requester(ticket.requester_id),
        Role.AGENT: Actor.agent(_AGENT_IDS[0]),
        Role.SYSTEM: Actor.system(),
    }
    paths: dict[Status, list[tuple[Status, Actor]]] = {ticket.status: []}
    frontier = [ticket.status]
    while frontier and wanted not in paths:
        current = frontier.pop(0)
        for role, actor in actors_by_role.items():
            for target in workflow.targets(current, role):
                if target not in paths:
                    paths[target] = [*paths[current], (target, actor)]
                    frontier.append(target)
    for target, actor in paths[wanted]:  # _tickets keeps ``wanted`` reachable
        ticket = ticket.change_status(
            actor, target, at=ticket.updated_at + timedelta(minutes=5), workflow=workflow
        ).ticket
    return ticket


@_checked
def tickets(
    *,
    status: T = None,
    priority: T = None,
    category: T = None,
    requester_id: T = "sara",
    max_operations: int = 8,
    workflow: T = None,
) -> st.SearchStrategy[Ticket]:
    """Valid tickets with realistic histories: opened, then random operations applied.

    ``status``, ``priority``, ``category`` and ``requester_id`` (values or strategies)
    pin the result; a ticket is steered to ``status`` along moves the workflow allows.
    ``workflow`` (a :class:`Workflow` or a strategy such as :func:`workflows`) decides
    every operation, and its limits bound the text.
    """
    _check_sizes("tickets", 0, max_operations)
    return _tickets(
        status=status,
        priority=priority,
        category=category,
        requester_id=requester_id,
        max_operations=max_operations,
        workflow=workflow,
    )


# -- histories and events ------------------------------------------------------------------


def _padding(ticket: Ticket, workflow: Workflow) -> list[Operation]:
    """Operations that add one event to an open ticket, in the order to try them."""
    agent = Actor.agent(_AGENT_IDS[0])
    requester = Actor.requester(ticket.requester_id)
    no_time = timedelta(0)
    text = "Checked the logs."[: workflow.limits.body_max_length]
    other = _AGENT_IDS[1] if ticket.assignee_id == _AGENT_IDS[0] else _AGENT_IDS[0]
    return [
        Operation("add_note", agent, no_time, (text,)),
        Operation("reply", agent, no_time, (text,)),
        Operation("reply", Actor.system(), no_time, (text,)),
        Operation("assign", agent, no_time, (other,)),
        Operation("assign", Actor.system(), no_time, (other,)),
        Operation("reply", requester, no_time, (text,)),
    ]


@st.composite
def _histories(
    draw: st.DrawFn,
    *,
    min_size: int,
    max_size: int,
    workflow: T,
    requester_id: T,
) -> tuple[Event, ...]:
    flow = Workflow.default() if workflow is None else draw(_strategy(workflow))
    ticket = _open(draw, flow, requester_id=requester_id, category=None, priority=None)
    steps = draw(
        st.lists(
            operations(requester_ids=(ticket.requester_id, "reza")),
            max_size=max_size - 1,
        )
    )
    for step in steps:
        outcome = step.try_apply(ticket, flow)
        if not isinstance(outcome, Change):
            continue
        size = len(outcome.ticket.history)
        if size > max_size or (outcome.ticket.status is Status.CLOSED and size < min_size):
            continue  # too long, or closed before it is long enough
        ticket = outcome.ticket
    while len(ticket.history) < min_size:
        for step in _padding(ticket, flow):
            outcome = step.try_apply(ticket, flow)
            if isinstance(outcome, Change) and len(outcome.ticket.history) <= max_size:
                ticket = outcome.ticket
                break
        else:
            reject()  # this workflow lets nobody add to the ticket: try another
    return tuple(ticket.history)


@_checked
def histories(
    *,
    min_size: int = 1,
    max_size: int = 20,
    workflow: T = None,
    requester_id: T = "sara",
) -> st.SearchStrategy[tuple[Event, ...]]:
    """Event histories of one ticket, ``min_size`` to ``max_size`` events long.

    Every history is valid: ``Ticket.replay(history)`` rebuilds its ticket.
    """
    _check_sizes("histories", min_size, max_size, least=1)
    return _histories(
        min_size=min_size, max_size=max_size, workflow=workflow, requester_id=requester_id
    )


_EVENT_TYPES: tuple[type[Event], ...] = (
    TicketOpened,
    MessageAdded,
    StatusChanged,
    PriorityChanged,
    CategoryChanged,
    AssigneeChanged,
)


def _forcing(ticket: Ticket, workflow: Workflow) -> list[Operation]:
    """Operations that add each kind of event to an open ticket, to try in turn."""
    no_time = timedelta(0)
    found: list[Operation] = []
    other_priority = next(p for p in Priority if p is not ticket.priority)
    other_category = next(c for c in Category if c is not ticket.category)
    other_agent = _AGENT_IDS[1] if ticket.assignee_id == _AGENT_IDS[0] else _AGENT_IDS[0]
    text = "We are on it."[: workflow.limits.body_max_length]
    for actor in (Actor.agent(_AGENT_IDS[0]), Actor.system(), Actor.requester(ticket.requester_id)):
        found.extend(
            Operation("change_status", actor, no_time, (target,))
            for target in workflow.targets(ticket.status, actor)
        )
        found.extend(
            (
                Operation("reply", actor, no_time, (text,)),
                Operation("change_priority", actor, no_time, (other_priority,)),
                Operation("change_category", actor, no_time, (other_category,)),
                Operation("assign", actor, no_time, (other_agent,)),
            )
        )
    return found


@st.composite
def _events(draw: st.DrawFn, *, types: tuple[type[Event], ...], workflow: T) -> Event:
    flow = Workflow.default() if workflow is None else draw(_strategy(workflow))
    history = draw(histories(max_size=12, workflow=flow))
    matching = [event for event in history if isinstance(event, types)]
    if not matching:
        # Rare kinds (a priority change) may be missing: add one to the ticket as it was
        # before it closed, if it ever did.
        closed = [
            event.version
            for event in history
            if isinstance(event, StatusChanged) and event.to_status is Status.CLOSED
        ]
        ticket = Ticket.replay(
            [event for event in history if not closed or event.version < closed[0]]
        )
        for step in _forcing(ticket, flow):
            outcome = step.try_apply(ticket, flow)
            if isinstance(outcome, Change):
                matching = [event for event in outcome.events if isinstance(event, types)]
                if matching:
                    break
        assume(bool(matching))  # this workflow lets nobody cause such an event
    return draw(st.sampled_from(matching))


@_checked
def events(*, types: T = None, workflow: T = None) -> st.SearchStrategy[Event]:
    """Single events, as they occur in valid histories.

    ``types`` (an event class or a tuple of them, such as ``tc.StatusChanged``) limits
    the kinds; ``workflow`` decides what could happen.
    """
    if types is None:
        kinds = _EVENT_TYPES
    else:
        kinds = tuple(types) if isinstance(types, Iterable) else (types,)
        for kind in kinds:
            if not (isinstance(kind, type) and issubclass(kind, Event)):
                raise _bad_argument(f"events: {_short(kind)} is not an event class")
    return _events(types=kinds, workflow=workflow)


# -- workflows and limits ------------------------------------------------------------------


@_checked
def limits() -> st.SearchStrategy[Limits]:
    """Any valid :class:`Limits`, from tiny (one-character subjects) to generous.

    The content types are drawn from the default ones plus two the default refuses;
    they may be empty (no attachment allowed).
    """
    kinds = st.sampled_from([*sorted(DEFAULT_CONTENT_TYPES), "image/svg+xml", "text/html"])
    return st.builds(
        Limits,
        subject_max_length=st.integers(1, 300),
        body_max_length=st.integers(1, 60_000),
        reason_max_length=st.integers(1, 600),
        attachment_max_size=st.integers(1, 20 * _MIB),
        attachments_per_message=st.integers(1, 12),
        content_types=st.one_of(st.just(DEFAULT_CONTENT_TYPES), st.frozensets(kinds)),
        references_max=st.integers(1, 25),
        reference_value_max_length=st.integers(1, 300),
    )


_ROLE_SETS = st.frozensets(st.sampled_from(Role), min_size=1)


@st.composite
def _custom_workflows(draw: st.DrawFn, *, limits: Limits) -> Workflow:
    # A random tree from ``open`` makes every status reachable; then random extra moves.
    table: dict[tuple[Status, Status], frozenset[Role]] = {}
    reached = [Status.OPEN]
    for target in draw(st.permutations([s for s in Status if s is not Status.OPEN])):
        source = draw(st.sampled_from([s for s in reached if s is not Status.CLOSED]))
        table[source, target] = draw(_ROLE_SETS)
        reached.append(target)
    extra = st.tuples(st.sampled_from(_NOT_CLOSED), st.sampled_from(Status))
    for source, target in draw(st.lists(extra, max_size=8)):
        if source is not target and (source, target) not in table:
            table[source, target] = draw(_ROLE_SETS)
    permissions = {  # each action keeps its default roles or, one time in three, others
        action: draw(st.frozensets(st.sampled_from(Role)))
        for action in Action
        if draw(st.integers(0, 2)) == 2  # noqa: PLR2004 - shrinks towards the default
    }
    if not permissions.get(Action.OPEN, True):
        del permissions[Action.OPEN]  # somebody must be able to open a ticket
    for staff_only in _STAFF_ONLY:
        if staff_only in permissions:  # requesters never read notes, export or import
            permissions[staff_only] -= {Role.REQUESTER}
    # the ownership rule stays the default one (staff act on any ticket, requesters on
    # their own), and the lists that span requesters are for roles that may see them all
    permissions.pop(Action.ACT_ON_ANY_TICKET, None)
    defaults = Workflow.default()
    any_ticket = defaults.roles_for(Action.ACT_ON_ANY_TICKET)
    for listing in (Action.VIEW_QUEUE, Action.VIEW_AT_RISK):
        permissions[listing] = permissions.get(listing, defaults.roles_for(listing)) & any_ticket
    moves = draw(
        st.none() | st.dictionaries(st.sampled_from(_NOT_CLOSED), st.sampled_from(_NOT_CLOSED))
    )
    return Workflow(
        [Transition(source, target, roles) for (source, target), roles in table.items()],
        permissions=dict(permissions),
        on_requester_reply=None
        if moves is None
        else {  # a reply moves a ticket only where the table lets the system do it
            a: b
            for a, b in moves.items()
            if table.get((a, b), frozenset()) & {Role.REQUESTER, Role.SYSTEM}
        },
        limits=limits,
    )


@st.composite
def _workflows(draw: st.DrawFn, *, limits: T) -> Workflow:
    bounds = Limits() if limits is None else draw(_strategy(limits))
    if draw(st.integers(0, 3)) == 0:  # the default lifecycle too, and shrink towards it
        return Workflow.default(limits=bounds)
    return draw(_custom_workflows(limits=bounds))


@_checked
def workflows(*, limits: T = None) -> st.SearchStrategy[Workflow]:
    """Valid workflows: the default one and random custom ones.

    Custom ones have a random transition table (every status reachable from ``open``),
    random permissions (at least one role may open a ticket; requesters never write
    or read internal notes, export or import; the ownership rule is the default one) and
    random reply moves the table lets the system make. ``limits`` (a :class:`Limits` or a strategy
    such as :func:`limits`) defaults to ``Limits()``.
    """
    return _workflows(limits=limits)


@_checked
def transitions(*, workflow: T = None) -> st.SearchStrategy[Transition]:
    """Transitions of a workflow (default: drawn from :func:`workflows`)."""
    return (workflows() if workflow is None else _strategy(workflow)).flatmap(
        lambda flow: st.sampled_from(flow.transitions())
    )


# -- calendars, policies and reports -------------------------------------------------------


@_checked
def time_zones() -> st.SearchStrategy[ZoneInfo]:
    """Real IANA time zones from :data:`TIME_ZONES`, DST oddities included."""
    return st.sampled_from(TIME_ZONES).map(ZoneInfo)


_POINTS = st.one_of(
    st.integers(0, 24).map(lambda hour: hour * 60),  # on the hour
    st.integers(0, 96).map(lambda quarter: quarter * 15),
    st.integers(0, _MINUTES_PER_DAY),  # any minute
)


@st.composite
def _day_hours(
    draw: st.DrawFn, *, min_intervals: int, max_intervals: int
) -> list[tuple[str | time, str | time]]:
    count = draw(st.integers(min_intervals, max_intervals))
    points = sorted(draw(st.lists(_POINTS, min_size=2 * count, max_size=2 * count, unique=True)))

    def clock(minutes: int) -> str | time:
        spellings: list[str | time]
        if minutes == _MINUTES_PER_DAY:  # the next midnight, in either spelling
            spellings = ["24:00", time(0)]
        else:
            hour, minute = divmod(minutes, 60)
            spellings = [f"{hour:02d}:{minute:02d}", time(hour, minute)]
        return draw(st.sampled_from(spellings))

    return [(clock(points[i]), clock(points[i + 1])) for i in range(0, len(points), 2)]


@st.composite
def _calendars(
    draw: st.DrawFn,
    *,
    tz: T,
    min_intervals: int,
    max_intervals: int,
    max_holidays: int,
    max_overrides: int,
) -> BusinessCalendar:
    zone = draw(time_zones() if tz is None else _strategy(tz))
    working_day = draw(st.integers(0, 6))  # one weekday always works: never a closed week
    hours = {
        day: draw(
            _day_hours(
                min_intervals=max(min_intervals, 1 if day == working_day else 0),
                max_intervals=max_intervals,
            )
        )
        for day in range(7)
    }
    days = st.dates(_FIRST_DAY, _LAST_DAY)
    overrides = draw(
        st.dictionaries(
            days, _day_hours(min_intervals=0, max_intervals=max_intervals), max_size=max_overrides
        )
    )
    return BusinessCalendar.weekly(
        hours,
        tz=zone,
        holidays=draw(st.lists(days, max_size=max_holidays)),
        overrides=overrides,
    )


@_checked
def calendars(
    *,
    tz: T = None,
    min_intervals: int = 0,
    max_intervals: int = 3,
    max_holidays: int = 5,
    max_overrides: int = 3,
) -> st.SearchStrategy[BusinessCalendar]:
    """Valid business calendars, never without working time.

    Each weekday has ``min_intervals`` to ``max_intervals`` working intervals (at least
    one weekday has one), on the hour, the quarter or any minute, with ends at 24:00
    spelled ``"24:00"`` or ``time(0)``; ``tz`` (default: :func:`time_zones`) is the zone.
    Up to ``max_holidays`` holidays and ``max_overrides`` overrides (some closing their
    day) fall in 2020-2030, the years :func:`datetimes` draws from.
    """
    _check_sizes("calendars", min_intervals, max_intervals)
    if max_intervals < 1:
        raise _bad_argument("calendars: max_intervals must be at least 1")
    _check_sizes("calendars", 0, max_holidays)
    _check_sizes("calendars", 0, max_overrides)
    return _calendars(
        tz=tz,
        min_intervals=min_intervals,
        max_intervals=max_intervals,
        max_holidays=max_holidays,
        max_overrides=max_overrides,
    )


_TARGETS = st.integers(1, 60 * 24 * 30).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def _policies(
    draw: st.DrawFn, *, calendar: T, pause_statuses: T, warning_threshold: T
) -> SLAPolicy:
    targets: dict[Metric | str, Mapping[Priority | str, timedelta] | timedelta] = {}
    drawn = {metric: draw(st.dictionaries(priorities(), _TARGETS)) for metric in Metric}
    first, resolution = drawn[Metric.FIRST_RESPONSE], drawn[Metric.RESOLUTION]
    for priority in set(first) & set(resolution):  # a first response never outlasts resolution
        first[priority], resolution[priority] = sorted((first[priority], resolution[priority]))
    for metric, chosen in drawn.items():
        if chosen:  # a metric left out has no target at all
            targets[metric] = dict(chosen.items())
    per_priority: dict[Priority | str, BusinessCalendar] = {}
    if calendar is None:
        default = draw(st.just(BusinessCalendar.always()) | calendars())
        per_priority.update(draw(st.dictionaries(priorities(), calendars(), max_size=2)))
    else:
        default = draw(_strategy(calendar))
    pauses = draw(
        st.one_of(
            st.just(frozenset({Status.WAITING_FOR_USER})),
            st.frozensets(
                st.sampled_from([Status.OPEN, Status.IN_PROGRESS, Status.WAITING_FOR_USER])
            ),
        )
        if pause_statuses is None
        else _strategy(pause_statuses)
    )
    threshold = draw(
        st.one_of(st.just(Fraction(3, 4)), st.integers(1, 100).map(lambda n: Fraction(n, 100)))
        if warning_threshold is None
        else _strategy(warning_threshold)
    )
    return SLAPolicy(
        targets,
        calendar=default,
        calendars=per_priority,
        pause_statuses=pauses,
        warning_threshold=threshold,
    )


@_checked
def policies(
    *,
    calendar: T = None,
    pause_statuses: T = None,
    warning_threshold: T = None,
) -> st.SearchStrategy[SLAPolicy]:
    """Valid SLA policies: random targets per metric and priority, some left out.

    A priority's first response target is never longer than its resolution target.
    ``calendar`` pins the one calendar every priority counts on (default: 24/7 or
    :func:`calendars`, sometimes with other calendars for some priorities);
    ``pause_statuses`` and ``warning_threshold`` pin what they name.
    """
    return _policies(
        calendar=calendar, pause_statuses=pause_statuses, warning_threshold=warning_threshold
    )


@st.composite
def _reports(draw: st.DrawFn, *, policy: T, ticket: T, at: T) -> SLAReport:
    rules: SLAPolicy = draw(policies() if policy is None else _strategy(policy))
    item: Ticket = draw(tickets() if ticket is None else _strategy(ticket))
    if at is None:
        when = item.updated_at + draw(st.timedeltas(timedelta(0), timedelta(days=30)))
    else:
        when = draw(_strategy(at))
    return rules.evaluate(item, when)


@_checked
def reports(*, policy: T = None, ticket: T = None, at: T = None) -> st.SearchStrategy[SLAReport]:
    """SLA reports: ``policy`` evaluated on ``ticket`` at ``at`` (default: up to 30 days
    after the ticket's last change), each drawn when not given."""
    return _reports(policy=policy, ticket=ticket, at=at)
