"""Model-based testing of a ticket repository with hypothesis.

:class:`RepositoryMachine` drives a repository with random adds, saves, stale saves,
saves raced by a rival writer, queries and event-log reads, and checks every answer
against a plain dict model. Subclass it with the one hook, or build one with
:func:`repository_machine`::

    from ticketcore.testing.stateful import repository_machine

    TestMyRepository = repository_machine(MyRepository).TestCase

A repository with a ``close()`` method is closed when each run ends. Override
:meth:`RepositoryMachine.rival_save` to let the rival write from elsewhere (another
connection, another process). Needs hypothesis (the ``ticketcore[testing]`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ticketcore.enums import Category, Priority, Status
from ticketcore.errors import ConflictError, ErrorCode, NotFoundError, wrong_type
from ticketcore.events import Event
from ticketcore.model import Actor
from ticketcore.ports import Order, TicketQuery, TicketRepository
from ticketcore.testing.strategies import operations
from ticketcore.ticket import Change, Ticket

__all__ = ["RepositoryMachine", "repository_machine", "rival_note"]

T0 = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
TICKET_IDS = ("T-1", "T-2", "T-3", "T-4", "T-5")
REQUESTERS = ("sara", "reza")
AGENTS = ("ali", "mina")
RIVAL = Actor.agent("rival")

_deadlines = st.none() | st.integers(0, 20_000).map(lambda minutes: T0 + timedelta(minutes=minutes))


def rival_note(
    repository: TicketRepository, ticket_id: str, next_deadline: datetime | None
) -> Ticket:
    """Load ``ticket_id``, add an agent's note and save it: a rival writer's whole turn.

    A plain function, so that another process can run it on its own repository.
    """
    if not isinstance(repository, TicketRepository):
        raise wrong_type("repository", "TicketRepository", repository)
    ticket = repository.get(ticket_id)
    changed = ticket.add_note(RIVAL, "A rival was here.", at=ticket.updated_at).ticket
    repository.save(changed, expected_version=ticket.version, next_deadline=next_deadline)
    return changed


def _new_ticket(
    ticket_id: str,
    requester: str,
    minutes: int,
    category: Category = Category.GENERAL,
    priority: Priority = Priority.MEDIUM,
) -> Ticket:
    return Ticket.open(
        Actor.requester(requester),
        id=ticket_id,
        subject=f"About {ticket_id}",
        body="Please help.",
        at=T0 + timedelta(minutes=minutes),
        category=category,
        priority=priority,
    ).ticket


def _changes(ticket: Ticket) -> st.SearchStrategy[Change]:
    """Changes the workflow allows on an open ``ticket``, one or two operations deep."""
    agent = Actor.agent("ali")
    requester = Actor.requester(ticket.requester_id)
    at = ticket.updated_at + timedelta(minutes=1)
    one = st.one_of(
        st.just(ticket.add_note(agent, "Checked the logs.", at=at)),
        st.just(ticket.reply(requester, "Any news?", at=at)),
        st.sampled_from([*AGENTS, None]).map(lambda who: ticket.assign(agent, who, at=at)),
        st.sampled_from(Priority).map(lambda p: ticket.change_priority(agent, p, at=at)),
        st.sampled_from(Category).map(lambda c: ticket.change_category(agent, c, at=at)),
        st.sampled_from(ticket.targets(agent)).map(
            lambda target: ticket.change_status(agent, target, at=at)
        ),
        operations(requester_ids=(ticket.requester_id, "reza"))
        .map(lambda operation: operation.try_apply(ticket))
        .filter(lambda outcome: isinstance(outcome, Change)),
    )

    def maybe_more(change: Change) -> st.SearchStrategy[Change]:
        # Sometimes a second operation before saving: one save of two versions.
        if change.ticket.status is Status.CLOSED or not change.events:
            return st.just(change)
        after = change.ticket
        note = after.add_note(agent, "And another thing.", at=after.updated_at)
        merged = Change(note.ticket, change.events + note.events)
        return st.sampled_from([change, merged])

    return one.flatmap(maybe_more)


def _expected_key(
    order: Order, ticket: Ticket, deadline: datetime | None
) -> tuple[bool, datetime, str]:
    # The model's own notion of the order, written independently of TicketQuery.
    if order is Order.CREATED:
        return (False, ticket.created_at, ticket.id)
    if order is Order.UPDATED:
        return (False, ticket.updated_at, ticket.id)
    return (deadline is None, deadline or T0, ticket.id)


class RepositoryMachine(RuleBasedStateMachine):
    """A repository against a dict model. Implement :meth:`create_repository`."""

    def __init__(self) -> None:
        super().__init__()
        self.repository = self.create_repository()
        self.model: dict[str, tuple[Ticket, datetime | None]] = {}
        self.older: dict[str, Ticket] = {}  # a version each ticket has moved past
        self.log: list[Event] = []

    def create_repository(self) -> TicketRepository:
        """A new, empty repository for one run."""
        raise NotImplementedError

    def rival_save(self, ticket_id: str, next_deadline: datetime | None) -> Ticket:
        """Change and save ``ticket_id`` as another writer would; returns what it saved.

        By default the rival uses this same repository; override to write through
        another connection or process (see :func:`rival_note`).
        """
        return rival_note(self.repository, ticket_id, next_deadline)

    def teardown(self) -> None:
        close = getattr(self.repository, "close", None)
        if callable(close):
            close()

    # -- changes ---------------------------------------------------------------------------

    @initialize(
        requesters=st.lists(st.sampled_from(REQUESTERS), min_size=3, max_size=3),
        deadlines=st.lists(_deadlines, min_size=3, max_size=3),
    )
    def start_with_tickets(self, requesters: list[str], deadlines: list[datetime | None]) -> None:
        # Every run starts with tickets to change, so that saves and races happen early.
        for number, (requester, deadline) in enumerate(zip(requesters, deadlines, strict=True)):
            ticket = _new_ticket(TICKET_IDS[number], requester, minutes=number)
            self.repository.add(ticket, next_deadline=deadline)
            self.model[ticket.id] = (ticket, deadline)
            self.log.extend(ticket.history)

    @rule(
        ticket_id=st.sampled_from(TICKET_IDS),
        requester=st.sampled_from(REQUESTERS),
        minutes=st.integers(0, 10_000),
        category=st.sampled_from(Category),
        priority=st.sampled_from(Priority),
        deadline=_deadlines,
    )
    def add(
        self,
        *,
        ticket_id: str,
        requester: str,
        minutes: int,
        category: Category,
        priority: Priority,
        deadline: datetime | None,
    ) -> None:
        ticket = _new_ticket(ticket_id, requester, minutes, category, priority)
        if ticket_id in self.model:
            try:
                self.repository.add(ticket, next_deadline=deadline)
            except ConflictError as error:
                _check(error.code is ErrorCode.ALREADY_EXISTS, f"code {error.code}")
            else:
                _fail(f"adding {ticket_id} twice did not conflict")
            return
        self.repository.add(ticket, next_deadline=deadline)
        self.model[ticket_id] = (ticket, deadline)
        self.log.extend(ticket.history)

    @precondition(lambda self: bool(self._open_ids()))
    @rule(data=st.data(), deadline=_deadlines)
    def save(self, data: st.DataObject, deadline: datetime | None) -> None:
        ticket_id = data.draw(st.sampled_from(self._open_ids()), label="ticket_id")
        loaded = self.repository.get(ticket_id)
        _same(loaded, self.model[ticket_id][0])
        change = data.draw(_changes(loaded), label="change")
        if not change.events:  # the value it already had
            return
        self.repository.save(change.ticket, expected_version=loaded.version, next_deadline=deadline)
        self._saved(loaded, change.ticket, deadline)

    @precondition(lambda self: bool(self.older))
    @rule(data=st.data(), deadline=_deadlines)
    def save_from_a_stale_version(self, data: st.DataObject, deadline: datetime | None) -> None:
        ticket_id = data.draw(st.sampled_from(sorted(self.older)), label="ticket_id")
        stale = self.older[ticket_id]
        changed = stale.add_note(Actor.agent("ali"), "Stale.", at=stale.updated_at).ticket
        try:
            self.repository.save(changed, expected_version=stale.version, next_deadline=deadline)
        except ConflictError as error:
            _check(error.code is ErrorCode.CONFLICT, f"code {error.code}")
        else:
            _fail(f"a save of {ticket_id} from stale version {stale.version} succeeded")

    @precondition(lambda self: bool(self._open_ids()))
    @rule(data=st.data(), deadline=_deadlines)
    def save_raced_by_a_rival(self, data: st.DataObject, deadline: datetime | None) -> None:
        ticket_id = data.draw(st.sampled_from(self._open_ids()), label="ticket_id")
        mine = self.repository.get(ticket_id)
        theirs = self.rival_save(ticket_id, deadline)
        self._saved(mine, theirs, deadline)
        changed = mine.add_note(Actor.agent("ali"), "Mine.", at=theirs.updated_at).ticket
        try:
            self.repository.save(changed, expected_version=mine.version, next_deadline=None)
        except ConflictError as error:
            _check(error.code is ErrorCode.CONFLICT, f"code {error.code}")
        else:
            _fail(f"a save of {ticket_id} raced by a rival did not conflict (lost update)")

    def _open_ids(self) -> list[str]:
        return sorted(i for i, (t, _) in self.model.items() if t.status is not Status.CLOSED)

    def _saved(self, before: Ticket, after: Ticket, deadline: datetime | None) -> None:
        self.model[after.id] = (after, deadline)
        self.older[after.id] = before
        self.log.extend(event for event in after.history if event.version > before.version)

    # -- reads -----------------------------------------------------------------------------

    @rule(
        requester_id=st.none() | st.sampled_from(REQUESTERS),
        assignee=st.sampled_from([None, "ali", "mina", "unassigned"]),
        statuses=st.none() | st.sets(st.sampled_from(Status)),
        due_before=st.none() | _deadlines,
        order=st.sampled_from(Order),
        descending=st.booleans(),
        limit=st.integers(1, 4),
    )
    def query(
        self,
        *,
        requester_id: str | None,
        assignee: str | None,
        statuses: set[Status] | None,
        due_before: datetime | None,
        order: Order,
        descending: bool,
        limit: int,
    ) -> None:
        query = TicketQuery(
            requester_id=requester_id,
            assignee_id=None if assignee in {None, "unassigned"} else assignee,
            unassigned=assignee == "unassigned",
            statuses=statuses,
            due_before=due_before,
            order=order,
            descending=descending,
        )
        expected = [
            ticket.id
            for ticket, deadline in sorted(
                self.model.values(),
                key=lambda row: _expected_key(order, *row),
                reverse=descending,
            )
            if (requester_id is None or ticket.requester_id == requester_id)
            and (
                assignee is None
                or ticket.assignee_id == (None if assignee == "unassigned" else assignee)
            )
            and (statuses is None or ticket.status in statuses)
            and (due_before is None or (deadline is not None and deadline < due_before))
        ]
        found: list[str] = []
        cursor = None
        for _ in range(len(self.model) + 2):
            page = self.repository.query(query, limit=limit, cursor=cursor)
            _check(len(page.items) <= limit, f"{len(page.items)} items for limit {limit}")
            found.extend(ticket.id for ticket in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        _same(found, expected)

    @rule(data=st.data(), limit=st.integers(1, 5))
    def read_the_log(self, data: st.DataObject, limit: int) -> None:
        records = self.repository.events_after(0, limit=1000)
        start = data.draw(st.integers(0, len(records)), label="start")
        position = records[start - 1].position if start else 0
        _same(
            list(self.repository.events_after(position, limit=limit)),
            list(records[start : start + limit]),
        )

    @rule(ticket_id=st.sampled_from(TICKET_IDS))
    def get(self, ticket_id: str) -> None:
        if ticket_id in self.model:
            _same(self.repository.get(ticket_id), self.model[ticket_id][0])
            return
        try:
            self.repository.get(ticket_id)
        except NotFoundError:
            return
        _fail(f"{ticket_id} was never added, yet found")

    # -- always ----------------------------------------------------------------------------

    @invariant()
    def every_ticket_is_as_last_saved(self) -> None:
        for ticket_id, (ticket, _deadline) in self.model.items():
            _same(self.repository.get(ticket_id), ticket)

    @invariant()
    def the_log_holds_every_event_once_in_order(self) -> None:
        records = self.repository.events_after(0, limit=1000)
        _same([record.event for record in records], self.log)
        positions = [record.position for record in records]
        _check(positions == sorted(set(positions)), f"positions {positions}")


def repository_machine(
    create_repository: Callable[[], TicketRepository],
) -> type[RepositoryMachine]:
    """A :class:`RepositoryMachine` whose repositories come from ``create_repository``."""
    if not callable(create_repository):
        raise wrong_type("create_repository", "callable", create_repository)
    name = getattr(create_repository, "__qualname__", None)
    if not isinstance(name, str):
        name = type(create_repository).__qualname__

    class Machine(RepositoryMachine):
        def create_repository(self) -> TicketRepository:
            return create_repository()

    Machine.__name__ = Machine.__qualname__ = f"RepositoryMachine[{name}]"
    return Machine


# Checks raise AssertionError themselves: pytest does not rewrite asserts in an installed
# library, and ``python -O`` would remove them.


def _same(actual: object, expected: object) -> None:
    if actual != expected:
        msg = f"expected {expected!r}, got {actual!r}"
        raise AssertionError(msg)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _fail(message: str) -> None:
    raise AssertionError(message)
