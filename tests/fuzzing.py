"""A fuzzer for ticketcore's whole public surface, finding its entry points by itself.

Every callable reachable from ``ticketcore.__all__`` and the ``__all__`` of every public
module (no part of its dotted name starts with ``_``) is an entry point: functions,
constructors, and the public methods a public class defines. Each is called with
arguments drawn half from plausible values and half from hostile ones (wrong types,
``None``, NaN, huge ints, 1 MB strings, lone surrogates, bidi controls, naive datetimes,
the years 1 and 9999, ``timedelta.max``, deeply nested data...). The rule it checks:
an entry point either returns or raises a :class:`ticketcore.TicketcoreError`.

A new public callable is covered the day it lands: its arguments come from the table of
plausible values by parameter name and annotation (and from hostile values alone when
neither is known), and an instance of a new class comes from ``st.from_type`` or its
no-argument constructor. When none of these works, :func:`instance_factory` raises, and
the fuzz test fails until the class is given a factory in :data:`FACTORIES`.

Run as a script for a report (escapes per entry point) instead of a test::

    .venv/bin/python tests/fuzzing.py --examples 200
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import importlib
import inspect
import io
import os
import pkgutil
import sys
import tempfile
import typing
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path, PurePath
from typing import Any

from hypothesis import strategies as st

import ticketcore as tc

# -- discovery -----------------------------------------------------------------------------


def public_modules() -> list[Any]:
    """``ticketcore`` and every submodule whose dotted name has no private part."""
    names = ["ticketcore"] + [
        info.name
        for info in pkgutil.walk_packages(tc.__path__, "ticketcore.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    return [importlib.import_module(name) for name in names]


@dataclasses.dataclass(frozen=True)
class EntryPoint:
    """One public callable: a function, a constructor, or a method of a public class."""

    name: str  # "ticketcore.Helpdesk.reply"
    owner: type | None  # the class, for constructors and methods
    attribute: str | None  # the method's name; None for functions and constructors
    function: Callable[..., Any]  # what signature() is read from
    bound: bool  # a method that needs an instance of owner

    def __str__(self) -> str:
        return self.name


def _is_fixture(value: object) -> bool:
    fixture_type = type(value).__name__ == "FixtureFunctionDefinition"
    return hasattr(value, "_pytestfixturefunction") or fixture_type


def _skipped_class(cls: type) -> str | None:
    """Why a public class has no entry points of its own, or ``None``."""
    if getattr(cls, "_is_protocol", False):
        return "a Protocol: a structural type, nothing of its own to call"
    if any(name.startswith("test_") for name in dir(cls)):
        return "a contract test case: pytest runs its tests"
    with contextlib.suppress(ImportError):
        from hypothesis.stateful import RuleBasedStateMachine

        if issubclass(cls, RuleBasedStateMachine):
            return "a hypothesis state machine: hypothesis drives its rules"
    return None


def _own_methods(cls: type) -> Iterator[tuple[str, Any, bool]]:
    """(name, function, bound) for each public method a ticketcore class defines."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("ticketcore"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(value, staticmethod | classmethod):
                yield name, getattr(cls, name), False
            elif inspect.isfunction(value):
                yield name, value, True


def entry_points() -> list[EntryPoint]:
    """Every public entry point, each once, under the first public name it has."""
    found: list[EntryPoint] = []
    seen: set[int] = set()
    for module in public_modules():
        exported = getattr(module, "__all__", None)
        if exported is None:
            msg = f"public module {module.__name__} has no __all__"
            raise AssertionError(msg)
        for name in exported:
            value = getattr(module, name)
            if id(value) in seen or _is_fixture(value):
                continue
            seen.add(id(value))
            qualified = f"{module.__name__}.{name}"
            if inspect.isclass(value):
                if _skipped_class(value) is not None:
                    continue
                found.append(EntryPoint(qualified, value, None, value, bound=False))
                for attribute, function, bound in _own_methods(value):
                    found.append(
                        EntryPoint(f"{qualified}.{attribute}", value, attribute, function, bound)
                    )
            elif inspect.isfunction(value):
                found.append(EntryPoint(qualified, None, None, value, bound=False))
    return found


def parameters(entry: EntryPoint) -> list[inspect.Parameter]:
    """The parameters a caller passes (``self`` and ``cls`` left out).

    An enum is called with one value: its other parameters are the functional API for
    making new enums, not a lookup.
    """
    if entry.attribute is None and entry.owner is not None and issubclass(entry.owner, enum.Enum):
        return [inspect.Parameter("value", inspect.Parameter.POSITIONAL_ONLY)]
    try:
        signature = inspect.signature(entry.function)
    except (TypeError, ValueError):
        return []
    found = list(signature.parameters.values())
    if entry.bound and found:
        found = found[1:]
    return [p for p in found if p.kind not in {p.VAR_POSITIONAL, p.VAR_KEYWORD}]


# -- hostile values ------------------------------------------------------------------------


class _Unreadable:
    """An object with attributes of every kind of name: none of them what is wanted."""

    def __repr__(self) -> str:
        return "<unreadable>"


class _BigInt(int):
    """An int too long for str() (Python refuses over 4,300 digits), with a short repr."""

    def __repr__(self) -> str:
        return "10**5000"


class _DeepList(list):  # type: ignore[type-arg]
    def __repr__(self) -> str:
        return "[[[...10,000 deep...]]]"


class _DeepDict(dict):  # type: ignore[type-arg]
    def __repr__(self) -> str:
        return "{'a': {'a': ...10,000 deep...}}"


class _ReprBomb(list):  # type: ignore[type-arg]
    """A list whose repr fails, as a real list nested 100,000 deep does: code that puts
    a value's repr in a message must not let that escape."""

    def __repr__(self) -> str:
        msg = "maximum recursion depth exceeded while getting the repr of an object"
        raise RecursionError(msg)


def describe(value: object, limit: int = 300) -> str:
    """A repr for reports that never fails."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a hostile value's repr may fail: that is its point
        text = f"<{type(value).__name__} whose repr fails>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _LongText(str):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"'x' * {len(self)}"


def _nested(depth: int, leaf: object) -> object:
    value: object = leaf
    for _ in range(depth):
        value = [value]
    return _DeepList([value])


def _nested_dict(depth: int) -> object:
    value: object = {}
    for _ in range(depth):
        value = {"a": value}
    return _DeepDict({"a": value})


_T0 = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)

HOSTILE: tuple[object, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**63,
    2**64,
    -(2**63) - 1,
    _BigInt(10**5000),
    0.5,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e300,
    Decimal("NaN"),
    Fraction(1, 3),
    "",
    " ",
    "\x00",
    "a\u202eb",
    "\ud800",
    "\u2066x\u2069",
    _LongText("x" * 1_000_000),
    "ي ك ۱٢3",
    "\r\n",
    "{value}",
    "%s",
    b"bytes",
    bytearray(b"x"),
    [],
    {},
    (),
    set(),
    frozenset({"open"}),
    object(),
    _Unreadable(),
    _nested(10_000, "x"),
    _ReprBomb([["x"]]),
    _nested_dict(10_000),
    datetime(2026, 3, 21, 9, 0),  # noqa: DTZ001 - naive, on purpose
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-12))),
    date(2026, 3, 21),
    time(9, 0),
    timedelta.max,
    timedelta.min,
    timedelta(0),
    -timedelta(hours=1),
    tc.Status.OPEN,
    tc.Role.AGENT,
    tc.Priority.URGENT,
    print,
    Path("/"),
    io.BytesIO(b""),
)


def hostile() -> st.SearchStrategy[Any]:
    """One hostile value, or a container of them, or text full of forbidden characters."""
    plain = st.integers(0, len(HOSTILE) - 1).map(HOSTILE.__getitem__)
    containers = st.one_of(
        st.lists(plain, max_size=3),
        st.dictionaries(st.sampled_from(["a", "open", "agent", "", 0]), plain, max_size=3),
        st.tuples(plain, plain),
    )
    texts = st.text(
        st.characters(codec=None, categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Lo", "Nd")),
        max_size=30,
    )
    return st.one_of(plain, containers, texts, st.integers(), st.floats())


# -- plausible values ----------------------------------------------------------------------

SARA = tc.Actor.requester("sara")
REZA = tc.Actor.requester("reza")
ALI = tc.Actor.agent("ali")
SYSTEM = tc.Actor.system()
PDF_BYTES = b"%PDF-1.4 receipt"


def _moments() -> st.SearchStrategy[datetime]:
    return st.integers(0, 60 * 24 * 30).map(lambda minutes: _T0 + timedelta(minutes=minutes))


def _uploads() -> st.SearchStrategy[Any]:
    upload = st.builds(
        lambda name, kind, data: (name, kind, io.BytesIO(data)),
        st.sampled_from(["receipt.pdf", "شکایت.txt", "a.png"]),
        st.sampled_from(
            ["application/pdf", "text/plain", "image/png", "text/plain; charset=utf-8"]
        ),
        st.sampled_from([PDF_BYTES, b"hello", b"x" * 100]),
    )
    return st.lists(upload, max_size=2)


def _tickets() -> st.SearchStrategy[Any]:
    from ticketcore.testing import strategies as tcst

    return tcst.tickets()


def _json_texts() -> st.SearchStrategy[Any]:
    from ticketcore import serialization

    def mutate(ticket: tc.Ticket, key: str, value: object) -> dict[str, Any]:
        data = serialization.ticket_to_dict(ticket)
        if key in data:
            data[key] = value
        return data

    return st.builds(
        mutate, _tickets(), st.sampled_from(["id", "history", "messages", "x"]), hostile()
    )


def _by_name() -> dict[str, Callable[[], st.SearchStrategy[Any]]]:
    from ticketcore.testing import strategies as tcst

    ids = st.sampled_from(["T-1", "T-2", "T-404"])
    return {
        "actor": lambda: st.sampled_from([SARA, REZA, ALI, SYSTEM]),
        "id": lambda: ids,
        "ticket_id": lambda: ids,
        "requester_id": lambda: st.sampled_from([None, "sara", "reza"]),
        "assignee_id": lambda: st.sampled_from([None, "ali", "mina"]),
        "message_id": lambda: st.sampled_from([None, "M-1"]),
        "subject": lambda: tcst.subjects(max_size=40),
        "body": lambda: tcst.bodies(max_size=40),
        "reason": lambda: st.sampled_from([None, "duplicate", "دلیل"]),
        "text": lambda: st.text(max_size=20),
        "at": _moments,
        "now": _moments,
        "start": _moments,
        "end": _moments,
        "moment": _moments,
        "dt": _moments,
        "deadline": _moments,
        "next_deadline": lambda: st.none() | _moments(),
        "created_from": _moments,
        "created_before": _moments,
        "due_before": _moments,
        "within": lambda: st.integers(1, 600).map(lambda m: timedelta(minutes=m)),
        "duration": lambda: st.integers(0, 600).map(lambda m: timedelta(minutes=m)),
        "td": lambda: st.integers(0, 600).map(lambda m: timedelta(minutes=m)),
        "delta": lambda: st.integers(0, 600).map(lambda m: timedelta(minutes=m)),
        "step": lambda: st.integers(0, 600).map(lambda m: timedelta(minutes=m)),
        "lease": lambda: st.integers(1, 600).map(lambda s: timedelta(seconds=s)),
        "internal": st.booleans,
        "unassigned": st.booleans,
        "descending": st.booleans,
        "latin_digits": st.booleans,
        "clean_zwnj": st.booleans,
        "limit": lambda: st.integers(1, 50),
        "max_size": lambda: st.integers(0, 1000),
        "chunk_size": lambda: st.integers(1, 1000),
        "size": lambda: st.integers(1, 1000),
        "position": lambda: st.integers(0, 10),
        "expected_version": lambda: st.integers(1, 5),
        "stored_version": lambda: st.integers(1, 5),
        "version": lambda: st.integers(1, 5),
        "attempts": lambda: st.integers(1, 3),
        "timeout": lambda: st.floats(0.1, 5),
        "cursor": st.none,
        "order": lambda: st.sampled_from(["created", "updated", "due"]),
        "to": tcst.statuses,
        "status": tcst.statuses,
        "from_status": tcst.statuses,
        "to_status": tcst.statuses,
        "priority": tcst.priorities,
        "category": tcst.categories,
        "role": tcst.roles,
        "statuses": lambda: st.none() | st.lists(tcst.statuses(), max_size=2),
        "priorities": lambda: st.none() | st.lists(tcst.priorities(), max_size=2),
        "categories": lambda: st.none() | st.lists(tcst.categories(), max_size=2),
        "action": lambda: st.sampled_from(tc.Action),
        "metric": lambda: st.sampled_from(tc.Metric),
        "member": lambda: st.sampled_from([*tc.Status, *tc.Priority, *tc.Metric]),
        "locale": lambda: st.sampled_from(["en", "fa", "fa_IR", "en_US"]),
        "field": lambda: st.sampled_from(["subject", "content_type", "references.order"]),
        "tz": lambda: st.sampled_from(["UTC", "Asia/Tehran", "Europe/London", None]),
        "sha256": lambda: st.sampled_from(
            ["0" * 64, __import__("hashlib").sha256(PDF_BYTES).hexdigest()]
        ),
        "filename": lambda: st.sampled_from(["receipt.pdf", "رسید.png"]),
        "content_type": lambda: st.sampled_from(["application/pdf", "image/png"]),
        "uploads": _uploads,
        "attachments": lambda: st.lists(tcst.attachments(), max_size=2),
        "references": lambda: st.none() | st.just({"order": "A-1009"}),
        "ticket": _tickets,
        "history": lambda: tcst.histories(max_size=5),
        "workflow": lambda: st.none() | tcst.workflows(),
        "limits": lambda: st.none() | tcst.limits(),
        "calendar": lambda: st.none() | tcst.calendars(),
        "policy": tcst.policies,
        "stream": lambda: st.sampled_from([PDF_BYTES, b"", b"x" * 2000]).map(io.BytesIO),
        "write": lambda: st.just(io.BytesIO().write),
        "data": _json_texts,
        "year": lambda: st.integers(1300, 1500),
        "month": lambda: st.integers(1, 12),
        "day": lambda: st.integers(1, 31),
        "number": lambda: st.integers(-(10**6), 10**6),
        "hours": lambda: st.just({0: [("09:00", "17:00")]}),
        "digits": lambda: st.sampled_from(["keep", "ascii", "persian"]),
        "format": lambda: st.sampled_from(["short", "medium", "long", "full"]),
        "prefix": lambda: st.sampled_from(["", "T-"]),
        "group": lambda: st.sampled_from(["mail", "sms"]),
        "positions": lambda: st.lists(st.integers(1, 5), max_size=3),
        "clock": lambda: st.builds(_fixed_clock),
        "ids": lambda: st.builds(_sequential_ids),
        "repository": lambda: st.builds(_memory_repository, st.none()),
        "attachments_store": lambda: st.builds(_memory_store, st.none()),
        "out": lambda: st.builds(io.StringIO),
        "path": lambda: st.sampled_from(["/nonexistent/catalogs", "."]),
        "error": lambda: st.sampled_from(
            [
                tc.ValidationError(tc.ErrorCode.SUBJECT_REQUIRED, "subject is required"),
                tc.NotFoundError(tc.ErrorCode.NOT_FOUND, "no ticket", params={"ticket_id": "T"}),
            ]
        ),
        "code": lambda: st.sampled_from(tc.ErrorCode),
        "message": lambda: st.just("a message"),
        "params": lambda: st.none() | st.just({"limit": 3}),
        "key": lambda: st.tuples(st.integers(0, 10**12), st.sampled_from(["T-1"])),
        "rows": lambda: st.lists(st.tuples(_tickets(), st.none()), max_size=2),
        "found": lambda: st.just([]),
        "query": lambda: st.none() | st.just(tc.TicketQuery()),
        "tickets": lambda: st.lists(st.tuples(_tickets(), st.none()), max_size=2),
        "value": lambda: st.integers(0, 10**15),
        "targets": lambda: st.just({"first_response": timedelta(hours=2)}),
        "transitions": lambda: st.just(tc.Workflow.default().transitions()),
        "db": st.none,
    }


@functools.cache
def _name_table() -> dict[str, Callable[[], st.SearchStrategy[Any]]]:
    return _by_name()


def _fixed_clock() -> object:
    from ticketcore.clock import FixedClock

    return FixedClock(_T0)


def _sequential_ids() -> object:
    from ticketcore.clock import SequentialIds

    return SequentialIds(prefix="T-")


def _hints(entry: EntryPoint) -> dict[str, Any]:
    try:
        return typing.get_type_hints(entry.function)
    except Exception:  # noqa: BLE001 - names only importable under TYPE_CHECKING
        return {}


def plausible(entry: EntryPoint, parameter: inspect.Parameter) -> st.SearchStrategy[Any] | None:
    """A strategy of values a caller would pass, or ``None`` if nothing is known."""
    overrides = OVERRIDES.get((entry.name, parameter.name))
    if overrides is not None:
        return overrides()
    table = _name_table()
    if parameter.name in table:
        return table[parameter.name]()
    hint = _hints(entry).get(parameter.name)
    if hint is not None and not _mentions_protocol(hint):
        with contextlib.suppress(Exception):
            strategy = st.from_type(hint)
            strategy.validate()
            return strategy
    if parameter.default is not inspect.Parameter.empty:
        return st.just(parameter.default)
    return None


def _mentions_protocol(hint: object) -> bool:
    """Whether hypothesis cannot build ``hint`` alone: a Protocol, or a foreign class."""
    if getattr(hint, "_is_protocol", False):
        return True
    if isinstance(hint, type) and hint.__module__.split(".")[0] not in {
        "builtins",
        "datetime",
        "decimal",
        "fractions",
        "ticketcore",
        "zoneinfo",
    }:
        return True
    return any(_mentions_protocol(arg) for arg in typing.get_args(hint))


def _serialization_text() -> st.SearchStrategy[Any]:
    import json

    def dumps(data: object) -> str:
        try:
            return json.dumps(data, default=str)
        except (RecursionError, ValueError):  # nesting or an int json cannot write
            return "[" * 100_000 + "1" + "]" * 100_000  # as hostile, in text

    return _json_texts().map(dumps)


OVERRIDES: dict[tuple[str, str], Callable[[], st.SearchStrategy[Any]]] = {
    ("ticketcore.Helpdesk", "attachments"): lambda: st.builds(_memory_store, st.none()),
    ("ticketcore.serialization.ticket_from_json", "text"): _serialization_text,
    ("ticketcore.serialization.event_from_json", "text"): _serialization_text,
    ("ticketcore.normalize_persian", "text"): lambda: st.text(max_size=20),
    ("ticketcore.cli.main", "argv"): lambda: st.lists(
        st.sampled_from(
            [
                "list",
                "show",
                "new",
                "--subject",
                "x",
                "--body",
                "y",
                "--within",
                "1e300",
                "--cursor",
                "abc",
                "--as",
                "agent:ali",
                "--locale",
                "fa",
                "T-1",
                "sla",
                "--limit",
                "0",
                "import",
                "/nonexistent",
                "--tz",
                "Mars/Base",
            ]
        ),
        max_size=6,
    ),
}


# -- instances -----------------------------------------------------------------------------


@dataclasses.dataclass
class Resources:
    """What factories may use: a scratch folder, and a PostgreSQL server if there is one."""

    folder: Path
    postgres_dsn: str | None = None
    _counter: int = 0

    def path(self, name: str) -> Path:
        self._counter += 1
        return self.folder / f"{self._counter}-{name}"


def _seeded(helpdesk: tc.Helpdesk) -> tc.Helpdesk:
    """Two tickets (sara's with a PDF and a note, reza's), as every fuzzed call sees them."""
    first = helpdesk.open_ticket(
        SARA,
        subject="Payment failed",
        body="Charged twice.",
        uploads=[("receipt.pdf", "application/pdf", io.BytesIO(PDF_BYTES))],
    )
    helpdesk.add_note(ALI, first.id, "Gateway log shows a timeout.")
    helpdesk.open_ticket(REZA, subject="Late", body="Where is it?")
    return helpdesk


def _memory_helpdesk(_resources: Resources) -> tc.Helpdesk:
    from ticketcore.clock import FixedClock, SequentialIds

    clock = FixedClock(_T0, step=timedelta(seconds=1))
    return _seeded(tc.Helpdesk.in_memory(clock=clock, ids=SequentialIds(prefix="T-")))


def sqlite_helpdesk(resources: Resources) -> tc.Helpdesk:
    from ticketcore.clock import FixedClock, SequentialIds
    from ticketcore.storage import FileAttachmentStore, SQLiteRepository

    return _seeded(
        tc.Helpdesk(
            repository=SQLiteRepository(resources.path("tickets.sqlite3")),
            attachments=FileAttachmentStore(resources.path("files")),
            clock=FixedClock(_T0, step=timedelta(seconds=1)),
            ids=SequentialIds(prefix="T-"),
            workflow=tc.Workflow.default(),
            policy=tc.SLAPolicy.default(),
        )
    )


def _sqlite_repository(resources: Resources) -> object:
    return sqlite_helpdesk(resources).repository


def _postgres_repository(resources: Resources) -> object:
    if resources.postgres_dsn is None:
        raise _NoInstance("no PostgreSQL server (set TICKETCORE_TEST_POSTGRES)")
    import psycopg

    from ticketcore.storage import PostgresRepository

    resources._counter += 1
    schema = f"fuzz_{os.getpid()}_{resources._counter}"
    repository = PostgresRepository(
        lambda: psycopg.connect(resources.postgres_dsn, autocommit=True), schema=schema
    )
    repository.migrate()
    _seed_repository(repository)
    return repository


def _seed_repository(repository: Any) -> None:
    ticket = tc.Ticket.open(SARA, id="T-1", subject="Late", body="Where is it?", at=_T0).ticket
    repository.add(ticket)


def _memory_repository(_resources: Resources) -> object:
    from ticketcore.storage import InMemoryRepository

    repository = InMemoryRepository()
    _seed_repository(repository)
    return repository


def _file_store(resources: Resources) -> object:
    from ticketcore.storage import FileAttachmentStore

    store = FileAttachmentStore(resources.path("files"))
    store.put(io.BytesIO(PDF_BYTES), max_size=1000)
    return store


def _memory_store(_resources: Resources) -> object:
    from ticketcore.storage import InMemoryAttachmentStore

    store = InMemoryAttachmentStore()
    store.put(io.BytesIO(PDF_BYTES), max_size=1000)
    return store


class _NoInstance(Exception):  # noqa: N818 - a signal, not an error
    """This run cannot build an instance (a server is missing): skip the entry point."""


def _ticket(_resources: Resources) -> object:
    return tc.Ticket.open(SARA, id="T-1", subject="Late", body="Where is it?", at=_T0).ticket


FACTORIES: dict[str, Callable[[Resources], object]] = {
    "Helpdesk": _memory_helpdesk,
    "SQLiteRepository": _sqlite_repository,
    "PostgresRepository": _postgres_repository,
    "InMemoryRepository": _memory_repository,
    "FileAttachmentStore": _file_store,
    "InMemoryAttachmentStore": _memory_store,
    "Ticket": _ticket,
    "SLAPolicy": lambda _r: tc.SLAPolicy.default(),
    "Workflow": lambda _r: tc.Workflow.default(),
    "BusinessCalendar": lambda _r: tc.BusinessCalendar.weekly(
        {day: [("09:00", "17:00")] for day in range(5)}, tz="Europe/London"
    ),
    "TicketQuery": lambda _r: tc.TicketQuery(),
    "StoredContent": lambda _r: tc.StoredContent("0" * 64, 10),
    "Operation": lambda _r: _operation(),
    "FixedClock": lambda _r: __import__("ticketcore.clock").clock.FixedClock(_T0),
}


def _operation() -> object:
    from ticketcore.testing.strategies import Operation

    return Operation("reply", SARA, timedelta(minutes=5), args=("Any news?",))


def instance_factory(cls: type) -> Callable[[Resources], object]:
    """How to build an instance of ``cls`` for its methods to be fuzzed."""
    factory = FACTORIES.get(cls.__name__)
    if factory is not None:
        return factory
    if issubclass(cls, enum.Enum):
        member = next(iter(cls))  # type: ignore[var-annotated]
        return lambda _r: member
    try:
        strategy = st.from_type(cls)
        strategy.validate()
    except Exception:  # noqa: BLE001, S110 - fall through to the constructor
        pass
    else:
        from hypothesis import find

        with contextlib.suppress(Exception):
            example = find(strategy, lambda _value: True)
            return lambda _r: example
    try:
        cls()
    except Exception as error:
        msg = (
            f"no way to build a {cls.__module__}.{cls.__qualname__} to fuzz its methods:"
            " add a factory to tests/fuzzing.py FACTORIES"
        )
        raise AssertionError(msg) from error
    return lambda _r: cls()


# -- calling -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Escape:
    """An exception other than a TicketcoreError, and the call that raised it."""

    entry: str
    error: BaseException
    arguments: dict[str, Any]

    @property
    def kind(self) -> str:
        return type(self.error).__name__


def arguments_strategy(entry: EntryPoint) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments for one call: each parameter plausible or hostile (optional ones may be
    left out)."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for parameter in parameters(entry):
        good = plausible(entry, parameter)
        value = hostile() if good is None else st.one_of(good, hostile())
        if parameter.default is inspect.Parameter.empty:
            fields[parameter.name] = value
        else:
            optional[parameter.name] = value
    return st.fixed_dictionaries(fields, optional=optional)


def _consume(result: object) -> None:
    """Finish lazy work a call returned: enter context managers, read iterators."""
    if isinstance(result, PurePath):  # a path's __enter__ is deprecated, and a no-op
        return
    if hasattr(result, "__enter__") and hasattr(result, "__exit__"):
        with result:  # type: ignore[attr-defined]
            pass
    elif isinstance(result, Iterator):
        for _, _item in zip(range(5), result, strict=False):
            pass
    from hypothesis.strategies import SearchStrategy

    if isinstance(result, SearchStrategy):
        result.validate()


def call(entry: EntryPoint, instance: object | None, arguments: dict[str, Any]) -> Escape | None:
    """Call ``entry``; the escape if it raised anything but a ticketcore error."""
    error = invoke(entry, instance, arguments)
    if error is None or isinstance(error, tc.TicketcoreError):
        return None
    if isinstance(error, SystemExit) and isinstance(error.code, int):
        return None  # argparse's usage errors: the CLI's own exit codes
    return Escape(entry.name, error, arguments)


def invoke(
    entry: EntryPoint, instance: object | None, arguments: dict[str, Any]
) -> BaseException | None:
    """Call ``entry`` with ``arguments``; what it raised, or ``None``."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for parameter in parameters(entry):
        if parameter.name not in arguments:
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional.append(arguments[parameter.name])
        else:
            keywords[parameter.name] = arguments[parameter.name]
    target = getattr(instance, entry.attribute) if entry.bound else _unbound(entry)
    try:
        with _quiet(entry):
            _consume(target(*positional, **keywords))
    except (Exception, SystemExit) as error:  # noqa: BLE001 - what the fuzzer looks for
        return error
    return None


def _unbound(entry: EntryPoint) -> Callable[..., Any]:
    if entry.attribute is None:
        return entry.function
    return getattr(entry.owner, entry.attribute)  # type: ignore[no-any-return]


@contextlib.contextmanager
def _quiet(entry: EntryPoint) -> Iterator[None]:
    """The CLI and demo write to stdout and stderr; keep the test output readable."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        if "catalog" in entry.name:  # a fuzzed add_catalog_dir must not leak into others
            from ticketcore.i18n import _catalog

            _catalog._reset()


# -- the state a Helpdesk call must leave alone when it fails -------------------------------


def snapshot(helpdesk: tc.Helpdesk) -> tuple[object, ...]:
    """Everything a Helpdesk stores: tickets, the event log, attachment content."""
    repository = helpdesk.repository
    tickets = []
    cursor = None
    while True:
        page = repository.query(tc.TicketQuery(), limit=1000, cursor=cursor)
        tickets.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    log = repository.events_after(0, limit=1000)
    store = helpdesk.attachments
    content: object
    if hasattr(store, "_content"):
        content = dict(store._content)
    elif hasattr(store, "root"):
        content = sorted(
            (str(path.relative_to(store.root)), path.read_bytes())
            for path in Path(store.root).rglob("*")
            if path.is_file()
        )
    else:
        content = None
    return (tuple(tickets), tuple(log), content)


# -- the report ------------------------------------------------------------------------------


def _bind(
    record: Callable[[EntryPoint, object, dict[str, Any]], None],
    entry: EntryPoint,
    instance: object,
) -> Callable[[dict[str, Any]], None]:
    def fuzz(arguments: dict[str, Any]) -> None:
        record(entry, instance, arguments)

    return fuzz


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def report(examples: int, only: str = "") -> int:
    """Fuzz every entry point ``examples`` times; print the escapes; return how many.

    ``only`` keeps the entry points whose name contains it. The calls run in a scratch
    folder, so a fuzzed relative path never lands in the working tree.
    """
    with tempfile.TemporaryDirectory() as folder:
        resources = Resources(Path(folder), os.environ.get("TICKETCORE_TEST_POSTGRES"))
        points = [entry for entry in entry_points() if only in entry.name]
        scratch = Path(folder) / "cwd"
        scratch.mkdir()
        with contextlib.chdir(scratch):
            return _report(points, resources, examples)


def _report(  # noqa: C901 - a loop of small steps, clearer in one place
    points: list[EntryPoint], resources: Resources, examples: int
) -> int:
    from hypothesis import HealthCheck, given, settings

    escapes: dict[str, dict[tuple[str, str], Escape]] = {}
    calls = 0
    for entry in points:
        instance: object | None = None
        if entry.bound:
            assert entry.owner is not None
            try:
                instance = instance_factory(entry.owner)(resources)
            except _NoInstance:
                continue

        def record(entry: EntryPoint, instance: object, arguments: dict[str, Any]) -> None:
            nonlocal calls
            calls += 1
            escape = call(entry, instance, arguments)
            if escape is not None:
                key = (escape.kind, str(escape.error)[:60])
                escapes.setdefault(entry.name, {}).setdefault(key, escape)

        run = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(given(arguments_strategy(entry))(_bind(record, entry, instance)))
        try:
            run()
        except Exception as error:  # noqa: BLE001 - a fuzzer problem, not an escape
            _say(f"  fuzzer could not run {entry.name}: {type(error).__name__}: {error}"[:300])
    total = sum(len(found) for found in escapes.values())
    kinds: dict[str, int] = {}
    for found in escapes.values():
        for kind, _message in found:
            kinds[kind] = kinds.get(kind, 0) + 1
    _say(f"{len(points)} entry points, {calls} calls, {total} distinct escapes")
    _say("by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda i: -i[1])))
    for name, found in sorted(escapes.items(), key=lambda item: -len(item[1])):
        _say(f"  {len(found):4d}  {name}")
        for (kind, message), _escape in list(found.items())[:3]:
            _say(f"          {kind}: {message}")
    return total


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--only", default="", help="entry points whose name contains this")
    options = parser.parse_args()
    sys.exit(0 if report(options.examples, options.only) == 0 else 1)
