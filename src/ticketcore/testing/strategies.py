"""Hypothesis strategies for ticketcore's types, for host test suites and our own.

Names follow hypothesis' conventions: plural nouns, keyword-only arguments, and
strategies accepted wherever a value is.

>>> from hypothesis import given
>>> from ticketcore.testing import strategies as tcst
>>> @given(tcst.tickets())
... def test_a_ticket_is_its_history(ticket):
...     assert type(ticket).replay(ticket.history) == ticket
>>> test_a_ticket_is_its_history()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import TicketcoreError
from ticketcore.model import Actor, Attachment
from ticketcore.ticket import Change, Ticket
from ticketcore.workflow import Workflow

__all__ = [
    "Operation",
    "actors",
    "attachments",
    "bodies",
    "categories",
    "datetimes",
    "operations",
    "priorities",
    "roles",
    "statuses",
    "subjects",
    "tickets",
]

T = Any  # a value or a strategy for it

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

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


def _strategy(value: T) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def statuses() -> st.SearchStrategy[Status]:
    """Any ticket status."""
    return st.sampled_from(Status)


def priorities() -> st.SearchStrategy[Priority]:
    """Any priority."""
    return st.sampled_from(Priority)


def categories() -> st.SearchStrategy[Category]:
    """Any category."""
    return st.sampled_from(Category)


def roles() -> st.SearchStrategy[Role]:
    """Any role."""
    return st.sampled_from(Role)


def actors(*, role: T = None, ids: T = None) -> st.SearchStrategy[Actor]:
    """Actors, optionally of one ``role`` or with ids drawn from ``ids``."""
    id_strategy = _strategy(ids) if ids is not None else st.sampled_from(["sara", "reza", "ali"])
    role_strategy = roles() if role is None else _strategy(role)
    return st.builds(Actor, id_strategy, role_strategy)


def subjects(*, min_size: int = 1, max_size: int = 200) -> st.SearchStrategy[str]:
    """Valid subjects, Persian and Latin mixed."""
    words = st.one_of(_PERSIAN_WORDS, st.text(_ALPHABET, min_size=1, max_size=12))
    return (
        st.lists(words, min_size=1, max_size=8)
        .map(" ".join)
        .map(str.strip)
        .filter(lambda s: min_size <= len(s) <= max_size and s == s.strip())
    )


def bodies(*, max_size: int = 500) -> st.SearchStrategy[str]:
    """Valid message bodies (non-blank, may contain newlines and tabs)."""
    words = st.one_of(_PERSIAN_WORDS, st.text(_ALPHABET, min_size=1, max_size=20), st.just("\n"))
    return (
        st.lists(words, min_size=1, max_size=20)
        .map(" ".join)
        .filter(lambda s: bool(s.strip()) and len(s) <= max_size)
    )


def attachments() -> st.SearchStrategy[Attachment]:
    """Attachment metadata that the default limits accept."""
    return st.builds(
        Attachment,
        filename=st.sampled_from(["receipt.pdf", "screen shot.png", "رسید.jpg", "log.txt"]),
        content_type=st.sampled_from(["application/pdf", "image/png", "image/jpeg", "text/plain"]),
        size=st.integers(1, 10 * 1024 * 1024),
        sha256=st.binary(min_size=32, max_size=32).map(bytes.hex),
    )


def datetimes(
    *, min_value: datetime = _EPOCH, max_value: datetime | None = None
) -> st.SearchStrategy[datetime]:
    """Aware datetimes in UTC between ``min_value`` and ``max_value`` (ten years on)."""
    upper = max_value or min_value + timedelta(days=3650)
    return st.datetimes(
        min_value=min_value.replace(tzinfo=None),
        max_value=upper.astimezone(UTC).replace(tzinfo=None),
        timezones=st.just(UTC),
    )


@attrs.frozen
class Operation:
    """One thing an actor tries to do to a ticket, ``delay`` after its last change."""

    name: str
    actor: Actor
    delay: timedelta
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def apply(self, ticket: Ticket, workflow: Workflow | None = None) -> Change:
        """Try the operation on ``ticket``; raises what the ticket raises."""
        method = getattr(ticket, self.name)
        change: Change = method(
            self.actor,
            *self.args,
            at=ticket.updated_at + self.delay,
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


def operations(
    *, actors: T = None, requester_ids: Sequence[str] = ("sara", "reza")
) -> st.SearchStrategy[Operation]:
    """Operations of every kind, by any actor, allowed or not (the workflow decides)."""
    who = (
        _strategy(actors)
        if actors is not None
        else st.one_of(
            st.builds(Actor.requester, st.sampled_from(list(requester_ids))),
            st.builds(Actor.agent, st.sampled_from(["ali", "mina"])),
            st.just(Actor.system()),
        )
    )
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
        op("assign", st.sampled_from(["ali", "mina", None])),
        op("close"),
    )


@st.composite
def _tickets(
    draw: st.DrawFn,
    *,
    status: T,
    priority: T,
    category: T,
    requester_id: T,
    max_operations: int,
    workflow: Workflow | None,
) -> Ticket:
    requester = Actor.requester(draw(_strategy(requester_id)))
    ticket, _ = Ticket.open(
        requester,
        id=draw(st.from_regex(r"T-[0-9]{1,6}", fullmatch=True)),
        subject=draw(subjects(max_size=60)),
        body=draw(bodies(max_size=120)),
        at=draw(datetimes()),
        category=draw(categories() if category is None else _strategy(category)),
        priority=draw(priorities() if priority is None else _strategy(priority)),
        workflow=workflow,
    )
    wanted = None if status is None else Status(draw(_strategy(status)))
    steps = draw(
        st.lists(operations(requester_ids=(requester.id, "reza")), max_size=max_operations)
    )
    pinned = {
        name
        for name, value in (("change_priority", priority), ("change_category", category))
        if value is not None
    }
    for step in steps:
        if step.name in pinned:
            continue
        outcome = step.try_apply(ticket, workflow)
        if isinstance(outcome, Change):
            if outcome.ticket.status is Status.CLOSED and wanted not in {None, Status.CLOSED}:
                continue  # keep the ticket open so that it can still reach ``wanted``
            ticket = outcome.ticket
    if wanted is not None:
        ticket = _steer(ticket, wanted, workflow or Workflow.default())
    return ticket


def _steer(ticket: Ticket, wanted: Status, workflow: Workflow) -> Ticket:
    """Walk ``ticket`` to ``wanted`` along allowed moves (breadth-first), if reachable."""
    if ticket.status is wanted:
        return ticket
    actors_by_role = {
        Role.REQUESTER: Actor.requester(ticket.requester_id),
        Role.AGENT: Actor.agent("ali"),
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
    if wanted not in paths:
        return ticket
    for target, actor in paths[wanted]:
        ticket = ticket.change_status(
            actor, target, at=ticket.updated_at + timedelta(minutes=5), workflow=workflow
        ).ticket
    return ticket


def tickets(
    *,
    status: T = None,
    priority: T = None,
    category: T = None,
    requester_id: T = "sara",
    max_operations: int = 8,
    workflow: Workflow | None = None,
) -> st.SearchStrategy[Ticket]:
    """Valid tickets with realistic histories: opened, then random operations applied.

    ``status``, ``priority``, ``category`` (values or strategies) pin the result;
    a ticket is steered to ``status`` along moves the workflow allows.
    """
    return _tickets(
        status=status,
        priority=priority,
        category=category,
        requester_id=requester_id,
        max_operations=max_operations,
        workflow=workflow,
    )
