"""Property-check a workflow: random operations by random actors, every rule after each.

:class:`WorkflowMachine` opens a ticket, then tries every ticket operation (reply,
internal note, attach, change status to any status, close, change priority or category,
assign, let time pass) as random actors: the ticket's requester, another requester, two
agents and the system. Once the ticket is closed it tries any operation on it, then
opens a follow-up ticket and goes on. A host subclasses it with its own workflow (and
SLA policy)::

    from ticketcore.testing.workflow_machine import WorkflowMachine

    class MyWorkflow(WorkflowMachine):
        workflow = my_workflow  # class attribute
        policy = my_policy  # optional: SLAPolicy.default()

    TestMyWorkflow = MyWorkflow.TestCase

After every operation it checks that

- an operation the workflow permits succeeds, and one it forbids raises a
  :class:`~ticketcore.TicketcoreError` that leaves the ticket unchanged;
- every ``StatusChanged`` event is in the workflow's table for the acting role, or is
  the system's move on a requester's reply (``on_requester_reply``);
- the version grows by exactly one per operation that changed anything;

and after every step that

- a closed ticket stays closed, unchanged;
- the requester never sees internal notes, and another requester sees nothing;
- ``policy.evaluate(ticket, now)`` and ``policy.next_deadline(ticket)`` never raise;
- ``Ticket.replay(ticket.history)`` reproduces the ticket.

Add rules of your own with ``@invariant()`` methods on the subclass (they read
``self.ticket``, ``self.now``, ``self.workflow``, ``self.policy``), or override
:meth:`WorkflowMachine.check_change` to check each operation's change. Each example
runs :data:`STEPS` steps unless ``@settings(stateful_step_count=...)`` on the class says
otherwise. Needs hypothesis (the ``ticketcore[testing]`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidDefinition
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import NotFoundError, PermissionDeniedError, TicketcoreError
from ticketcore.events import MessageAdded, StatusChanged
from ticketcore.limits import Limits
from ticketcore.model import Actor, Attachment
from ticketcore.sla import SLAPolicy
from ticketcore.testing.strategies import Operation, _content_types_of, datetimes, operations
from ticketcore.ticket import REQUESTER_REPLIED, Change, Ticket
from ticketcore.workflow import Action, Workflow

__all__ = ["ACTORS", "STEPS", "WorkflowMachine"]

#: The ticket's requester.
REQUESTER = Actor.requester("sara")
#: Someone else's requester: refused everything on the ticket.
OTHER_REQUESTER = Actor.requester("reza")
AGENTS = (Actor.agent("ali"), Actor.agent("mina"))
SYSTEM = Actor.system()
#: Everyone who acts in the machine.
ACTORS: tuple[Actor, ...] = (REQUESTER, OTHER_REQUESTER, *AGENTS, SYSTEM)
#: Steps per example, unless the machine's settings say otherwise (hypothesis: 50).
STEPS = 25

# Texts that are already clean (NFC, stripped, no controls), so that what a ticket stores
# is what was sent; cut to the workflow's limits, they stay non-blank.
_TEXTS = ("Any news?", "سلام، پرداخت ناموفق بود.", "Checked the logs: a retry is due.", "x")
_SUBJECTS = ("Payment failed", "ورود ناموفق", "Shipment SHP-12 is late")
_REASONS = (None, "Customer confirmed.", "تکراری")
_DELAYS = st.one_of(
    st.integers(0, 180).map(lambda minutes: timedelta(minutes=minutes)),
    st.integers(1, 20).map(lambda days: timedelta(days=days)),
)
_actors = st.sampled_from(ACTORS)


def _is_open(machine: WorkflowMachine) -> bool:
    return machine.ticket.status is not Status.CLOSED


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, as the model stores it (no trailing space)."""
    return text[:limit].rstrip()


def _follows(ticket: Ticket | None, limits: Limits) -> dict[str, str] | None:
    """The reference a follow-up carries to the ticket it follows, if the limits allow it."""
    if ticket is None or len(ticket.id) > limits.reference_value_max_length:
        return None
    return {"follows": ticket.id}


def _files(count: int, limits: Limits) -> tuple[Attachment, ...]:
    """``count`` files (at most the limits allow) that ``limits`` accept."""
    kinds = _content_types_of(limits)
    if not kinds:
        return ()
    return tuple(
        Attachment(
            f"file-{index + 1}.dat",
            kinds[index % len(kinds)],
            min(1024 * (index + 1), limits.attachment_max_size),
            f"{index + 1:064x}",
        )
        for index in range(min(count, limits.attachments_per_message))
    )


class WorkflowMachine(RuleBasedStateMachine):
    """Random operations on one ticket under :attr:`workflow`, checked after each step."""

    #: The workflow under test. Subclasses set their own.
    workflow: ClassVar[Workflow] = Workflow.default()
    #: The SLA policy evaluated after every step.
    policy: ClassVar[SLAPolicy] = SLAPolicy.default()

    ticket: Ticket
    now: datetime

    def __init__(self) -> None:
        super().__init__()
        self.closed: list[Ticket] = []  # tickets closed earlier in the run
        self.refused = 0  # operations refused so far: legal, and counted for curiosity

    def __init_subclass__(cls, **kwargs: Any) -> None:  # noqa: ANN401 - passed through
        super().__init_subclass__(**kwargs)
        _modest_steps(cls)

    # -- the hook for hosts ----------------------------------------------------------------

    def check_change(self, actor: Actor, before: Ticket, change: Change) -> None:
        """Called after every operation that succeeded; raise to reject its ``change``.

        Does nothing by default. ``change.events`` is empty when nothing changed.
        """

    # -- opening ---------------------------------------------------------------------------

    @initialize(
        opener=st.sampled_from((REQUESTER, AGENTS[0], SYSTEM)),
        at=datetimes(),
        subject=st.sampled_from(_SUBJECTS),
        body=st.sampled_from(_TEXTS),
        category=st.sampled_from(Category),
        priority=st.sampled_from(Priority),
    )
    def open_ticket(
        self,
        *,
        opener: Actor,
        at: datetime,
        subject: str,
        body: str,
        category: Category,
        priority: Priority,
    ) -> None:
        self.now = at
        self._open(opener, subject, body, category, priority, follows=None)

    @precondition(lambda self: self.ticket.status is Status.CLOSED)
    @rule(
        opener=st.sampled_from((REQUESTER, AGENTS[0], SYSTEM)),
        subject=st.sampled_from(_SUBJECTS),
        body=st.sampled_from(_TEXTS),
        category=st.sampled_from(Category),
        priority=st.sampled_from(Priority),
    )
    def open_a_follow_up(
        self, *, opener: Actor, subject: str, body: str, category: Category, priority: Priority
    ) -> None:
        # A closed ticket is final; the conversation goes on in a new ticket.
        self._open(opener, subject, body, category, priority, follows=self.ticket)

    def _open(
        self,
        opener: Actor,
        subject: str,
        body: str,
        category: Category,
        priority: Priority,
        *,
        follows: Ticket | None,
    ) -> None:
        # An agent or the system may open a ticket on the requester's behalf; when the
        # drawn opener may not, whoever may does.
        permitted = [
            actor
            for actor in (opener, REQUESTER, *AGENTS, SYSTEM)
            if self.workflow.permits(Action.OPEN, actor)
        ]
        if not permitted:
            msg = f"{self.workflow!r} lets nobody open a ticket"
            raise InvalidDefinition(msg)
        limits = self.workflow.limits
        ticket, events = Ticket.open(
            permitted[0],
            id=f"T-{len(self.closed) + 1}",
            subject=_cut(subject, limits.subject_max_length),
            body=_cut(body, limits.body_max_length),
            at=self.now,
            category=category,
            priority=priority,
            requester_id=REQUESTER.id,
            references=_follows(follows, limits),
            workflow=self.workflow,
        )
        _check(ticket.status is Status.OPEN and ticket.version == 1, "a new ticket is open, v1")
        _same(ticket.history, events)
        if follows is not None:
            self.closed.append(follows)
        self.ticket = ticket

    # -- operations ------------------------------------------------------------------------

    @precondition(_is_open)
    @rule(
        actor=_actors, body=st.sampled_from(_TEXTS), internal=st.booleans(), files=st.integers(0, 2)
    )
    def reply(self, *, actor: Actor, body: str, internal: bool, files: int) -> None:
        text = _cut(body, self.workflow.limits.body_max_length)
        attached = _files(files, self.workflow.limits)
        before = self.ticket
        change = self._attempt(
            actor,
            self._may(actor, Action.ADD_NOTE if internal else Action.REPLY),
            lambda ticket: ticket.reply(
                actor,
                text,
                at=self.now,
                internal=internal,
                attachments=attached,
                workflow=self.workflow,
            ),
        )
        if change is not None:
            self._added_message(actor, before, change, text=text, internal=internal)

    @precondition(_is_open)
    @rule(actor=_actors, body=st.sampled_from(_TEXTS))
    def add_note(self, *, actor: Actor, body: str) -> None:
        text = _cut(body, self.workflow.limits.body_max_length)
        before = self.ticket
        change = self._attempt(
            actor,
            self._may(actor, Action.ADD_NOTE),
            lambda ticket: ticket.add_note(actor, text, at=self.now, workflow=self.workflow),
        )
        if change is not None:
            self._added_message(actor, before, change, text=text, internal=True)

    @precondition(lambda self: _is_open(self) and bool(_content_types_of(self.workflow.limits)))
    @rule(
        actor=_actors,
        files=st.integers(1, 2),
        body=st.sampled_from(("", *_TEXTS)),
        internal=st.booleans(),
    )
    def attach(self, *, actor: Actor, files: int, body: str, internal: bool) -> None:
        text = _cut(body, self.workflow.limits.body_max_length)
        attached = _files(files, self.workflow.limits)
        permitted = self._may(actor, Action.ATTACH) and (
            not internal or self._may(actor, Action.ADD_NOTE)
        )
        before = self.ticket
        change = self._attempt(
            actor,
            permitted,
            lambda ticket: ticket.attach(
                actor, attached, at=self.now, body=text, internal=internal, workflow=self.workflow
            ),
        )
        if change is not None:
            self._added_message(actor, before, change, text=text, internal=internal)
            _same(change.ticket.messages[len(before.messages)].attachments, attached)

    @precondition(_is_open)
    @rule(actor=_actors, to=st.sampled_from(Status), reason=st.sampled_from(_REASONS))
    def change_status(self, *, actor: Actor, to: Status, reason: str | None) -> None:
        self._move(actor, to, reason, close=False)

    @precondition(_is_open)
    @rule(actor=_actors, pick=st.integers(0, 4))
    def take_an_allowed_move(self, *, actor: Actor, pick: int) -> None:
        # Random targets are mostly refused; this walks the table so that deep statuses
        # are reached in few steps.
        targets = self.ticket.targets(actor, workflow=self.workflow)
        if targets:
            self._move(actor, targets[pick % len(targets)], None, close=False)

    @precondition(_is_open)
    @rule(actor=_actors, reason=st.sampled_from(_REASONS))
    def close(self, *, actor: Actor, reason: str | None) -> None:
        self._move(actor, Status.CLOSED, reason, close=True)

    @precondition(_is_open)
    @rule(actor=_actors, priority=st.sampled_from(Priority))
    def change_priority(self, *, actor: Actor, priority: Priority) -> None:
        change = self._attempt(
            actor,
            self._may(actor, Action.CHANGE_PRIORITY),
            lambda ticket: ticket.change_priority(
                actor, priority, at=self.now, workflow=self.workflow
            ),
        )
        if change is not None:
            _same(change.ticket.priority, priority)

    @precondition(_is_open)
    @rule(actor=_actors, category=st.sampled_from(Category))
    def change_category(self, *, actor: Actor, category: Category) -> None:
        change = self._attempt(
            actor,
            self._may(actor, Action.CHANGE_CATEGORY),
            lambda ticket: ticket.change_category(
                actor, category, at=self.now, workflow=self.workflow
            ),
        )
        if change is not None:
            _same(change.ticket.category, category)

    @precondition(_is_open)
    @rule(actor=_actors, assignee=st.sampled_from((AGENTS[0].id, AGENTS[1].id, None)))
    def assign(self, *, actor: Actor, assignee: str | None) -> None:
        change = self._attempt(
            actor,
            self._may(actor, Action.ASSIGN),
            lambda ticket: ticket.assign(actor, assignee, at=self.now, workflow=self.workflow),
        )
        if change is not None:
            _same(change.ticket.assignee_id, assignee)

    @precondition(lambda self: self.ticket.status is Status.CLOSED)
    @rule(operation=operations(actors=_actors))
    def act_on_the_closed_ticket(self, *, operation: Operation) -> None:
        before = self.ticket
        fields = attrs.astuple(before, recurse=False)
        outcome = operation.try_apply(before, self.workflow)
        _check(isinstance(outcome, TicketcoreError), f"a closed ticket changed: {outcome}")
        _same(attrs.astuple(before, recurse=False), fields)
        self.refused += 1

    @rule(by=_DELAYS)
    def let_time_pass(self, *, by: timedelta) -> None:
        self.now += by

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def closed_stays_closed(self) -> None:
        for ticket in (*self.closed, self.ticket):
            closing = [
                event
                for event in ticket.history
                if isinstance(event, StatusChanged) and event.to_status is Status.CLOSED
            ]
            if closing:
                _check(len(closing) == 1, f"{ticket.id} was closed twice")
                _check(ticket.status is Status.CLOSED, f"{ticket.id} was reopened")
                _same(ticket.version, closing[0].version)

    @invariant()
    def only_allowed_moves_happen(self) -> None:
        for event in self.ticket.history:
            if isinstance(event, StatusChanged):
                _check(
                    self.workflow.allows(event.from_status, event.to_status, event.actor.role)
                    or _is_reply_move(event, self.workflow),
                    f"{event.from_status} -> {event.to_status} by {event.actor.role}"
                    " is not in the workflow",
                )

    @invariant()
    def versions_increase_one_per_operation(self) -> None:
        versions = [event.version for event in self.ticket.history]
        _check(versions == sorted(versions), f"versions out of order: {versions}")
        _same(sorted(set(versions)), list(range(1, self.ticket.version + 1)))

    @invariant()
    def requesters_never_see_internal_notes(self) -> None:
        try:
            view = self.ticket.visible_to(REQUESTER, workflow=self.workflow)
        except PermissionDeniedError:
            _check(not self.workflow.permits(Action.VIEW, REQUESTER), "the requester was denied")
        else:
            seen = list(view.messages)
            _check(not any(m.internal for m in seen), "the requester sees an internal note")
            _same(seen, [m for m in self.ticket.messages if not m.internal])
            _check(
                not any(
                    isinstance(event, MessageAdded) and event.message.internal
                    for event in view.history
                ),
                "the requester's view holds an internal note's event",
            )
        try:
            self.ticket.visible_to(OTHER_REQUESTER, workflow=self.workflow)
        except NotFoundError:  # exactly what a missing ticket answers
            _check(not self.workflow.reveal_foreign_tickets, "a foreign ticket was hidden")
        except PermissionDeniedError:
            _check(
                self.workflow.reveal_foreign_tickets
                or not self.workflow.permits(Action.VIEW, OTHER_REQUESTER),
                "a foreign ticket was told apart from a missing one",
            )
        else:
            _fail(f"{OTHER_REQUESTER.id} saw {REQUESTER.id}'s ticket")

    @invariant()
    def sla_evaluation_never_raises(self) -> None:
        report = self.policy.evaluate(self.ticket, self.now)
        _same(report.ticket_id, self.ticket.id)
        for status in report:
            _check(status.elapsed >= timedelta(0), f"negative elapsed time: {status}")
        self.policy.next_deadline(self.ticket)

    @invariant()
    def replay_reproduces_the_ticket(self) -> None:
        _same(Ticket.replay(self.ticket.history), self.ticket)

    # -- internals -------------------------------------------------------------------------

    def _owns(self, actor: Actor) -> bool:
        return actor.role is not Role.REQUESTER or actor.id == self.ticket.requester_id

    def _may(self, actor: Actor, action: Action) -> bool:
        """The model: what the workflow permits ``actor`` to do to the ticket now."""
        return (
            self.ticket.status is not Status.CLOSED
            and self._owns(actor)
            and self.workflow.permits(action, actor)
        )

    def _move(self, actor: Actor, to: Status, reason: str | None, *, close: bool) -> None:
        if reason is not None:
            reason = _cut(reason, self.workflow.limits.reason_max_length)
        permitted = (
            self.ticket.status is not Status.CLOSED
            and self._owns(actor)
            and self.workflow.allows(self.ticket.status, to, actor.role)
        )
        change = self._attempt(
            actor,
            permitted,
            lambda ticket: (
                ticket.close(actor, at=self.now, reason=reason, workflow=self.workflow)
                if close
                else ticket.change_status(
                    actor, to, at=self.now, reason=reason, workflow=self.workflow
                )
            ),
        )
        if change is not None:
            _same(change.ticket.status, to)

    def _attempt(
        self, actor: Actor, permitted: bool, operation: Callable[[Ticket], Change]
    ) -> Change | None:
        """Run ``operation`` on the ticket; check it against ``permitted`` and the rules."""
        before = self.ticket
        fields = attrs.astuple(before, recurse=False)
        try:
            change = operation(before)
        except TicketcoreError as error:
            _same(attrs.astuple(before, recurse=False), fields)  # a refusal changes nothing
            _check(not permitted, f"{actor} was refused what the workflow permits: {error!r}")
            self.refused += 1
            return None
        _check(permitted, f"{actor} did what the workflow forbids: {change.events}")
        after, events = change
        if events:
            _check(before.status is not Status.CLOSED, "a closed ticket changed")
            _same(after.version, before.version + 1)
            _same({event.version for event in events}, {after.version})
            _same(tuple(after.history), (*before.history, *events))
            _same(after.messages[: len(before.messages)], before.messages)
            _same(after.updated_at, self.now)
            for event in events:
                if isinstance(event, StatusChanged):
                    _same(event.from_status, before.status)
                    self._check_move(actor, event)
                else:
                    _same(event.actor, actor)
        else:
            _same(after, before)
        self.check_change(actor, before, change)
        self.ticket = after
        return change

    def _check_move(self, actor: Actor, event: StatusChanged) -> None:
        """A move is in the table for the acting role, or is the system's reply move."""
        if event.actor == actor and self.workflow.allows(
            event.from_status, event.to_status, actor.role
        ):
            return
        _check(
            actor.role is Role.REQUESTER and _is_reply_move(event, self.workflow),
            f"{event.from_status} -> {event.to_status} by {event.actor.role} (for {actor})"
            " is not in the workflow",
        )

    def _added_message(
        self, actor: Actor, before: Ticket, change: Change, *, text: str, internal: bool
    ) -> None:
        after = change.ticket
        _same(len(after.messages), len(before.messages) + 1)
        message = after.messages[-1]
        _same((message.author, message.body, message.internal), (actor, text, internal))
        moved = self.workflow.reply_moves(before.status)
        if actor.role is Role.REQUESTER and not internal and moved is not None:
            _same(after.status, moved)
        else:
            _same(after.status, before.status)


def _is_reply_move(event: StatusChanged, workflow: Workflow) -> bool:
    """Whether ``event`` is the system's move on a requester's public reply."""
    return (
        event.actor.role is Role.SYSTEM
        and event.reason == REQUESTER_REPLIED
        and workflow.reply_moves(event.from_status) is event.to_status
    )


def _modest_steps(machine: type[RuleBasedStateMachine]) -> None:
    """Give ``machine.TestCase`` :data:`STEPS` steps; ``@settings`` on the class wins."""
    case = machine.TestCase
    case.settings = settings(case.settings, stateful_step_count=STEPS)


_modest_steps(WorkflowMachine)


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
