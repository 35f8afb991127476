"""The ticket entity and its operations.

A :class:`Ticket` is an immutable value. Every operation checks its input and the
actor's permission through a :class:`~ticketcore.Workflow`, then returns a
:class:`Change`: the new ticket and the domain events the operation caused. Nothing is
changed when an operation raises.

>>> from datetime import datetime, timezone
>>> import ticketcore as tc
>>> sara, ali = tc.Actor.requester("sara"), tc.Actor.agent("ali")
>>> at = datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc)
>>> ticket, events = tc.Ticket.open(
...     sara, id="T-1", subject="Payment failed", body="My card was charged twice.", at=at,
...     category="financial", priority="high", references={"order": "A-1009"},
... )
>>> ticket.status, ticket.version, [event.kind for event in events]
(<Status.OPEN: 'open'>, 1, ['ticket_opened'])
>>> ticket, events = ticket.change_status(ali, "in_progress", at=at)
>>> ticket.status, ticket.version
(<Status.IN_PROGRESS: 'in_progress'>, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple, TypedDict, TypeVar

import attrs

from ticketcore._frozenmap import FrozenMap
from ticketcore._time import require_aware
from ticketcore._validate import (
    check_attachments,
    clean_body,
    clean_identifier,
    clean_line,
    clean_references,
)
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import (
    ErrorCode,
    PermissionDeniedError,
    TransitionError,
    ValidationError,
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
from ticketcore.model import Actor, Attachment, Message
from ticketcore.workflow import Action, Workflow

__all__ = ["Change", "Ticket"]

#: The reason recorded on a status change made by a requester's reply.
REQUESTER_REPLIED = "requester_replied"


class _Stamp(TypedDict):
    ticket_id: str
    version: int
    at: datetime
    actor: Actor


class Change(NamedTuple):
    """What an operation returns: the new ticket and the events it caused."""

    ticket: Ticket
    events: tuple[Event, ...]


def _change(ticket: Ticket, events: tuple[Event, ...]) -> Change:
    # NamedTuple's own __new__ is a Python function; this is the same, one call cheaper
    # on the hottest path (a status change).
    return tuple.__new__(Change, (ticket, events))


def _frozen_map(value: Mapping[str, str] | None) -> FrozenMap:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@attrs.frozen(kw_only=True)
class Ticket:
    """A support ticket: its fields, its messages and its history of events.

    Build tickets with :meth:`Ticket.open`; the constructor does not validate, so that
    storage adapters can restore stored tickets cheaply.
    """

    id: str
    requester_id: str
    subject: str
    category: Category
    priority: Priority
    status: Status
    assignee_id: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1
    messages: tuple[Message, ...] = ()
    history: tuple[Event, ...] = ()
    references: FrozenMap = attrs.field(factory=FrozenMap, converter=_frozen_map)

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        actor: Actor,
        *,
        id: str,  # noqa: A002 - the field's name
        subject: str,
        body: str,
        at: datetime,
        category: Category | str = Category.GENERAL,
        priority: Priority | str = Priority.MEDIUM,
        requester_id: str | None = None,
        attachments: Iterable[Attachment] = (),
        references: Mapping[str, str] | None = None,
        message_id: str | None = None,
        workflow: Workflow | None = None,
    ) -> Change:
        """Open a ticket with its first message.

        A requester opens tickets for themselves; an agent or the system may open one on
        a user's behalf by naming ``requester_id``. ``category`` defaults to
        ``general`` and ``priority`` to ``medium``.
        """
        workflow = workflow or Workflow.default()
        actor = _require_actor(actor)
        at = require_aware(at, "at")
        workflow.check_action(Action.OPEN, actor)
        if actor.role is Role.REQUESTER:
            if requester_id is not None and requester_id != actor.id:
                raise _not_yours(actor)
            requester_id = actor.id
        elif requester_id is None:
            raise ValidationError(
                ErrorCode.REQUESTER_REQUIRED,
                "an agent or the system opening a ticket must name its requester_id",
                field="requester_id",
            )
        ticket_id = clean_identifier(id, "id")
        requester_id = clean_identifier(requester_id, "requester_id")
        limits = workflow.limits
        subject = clean_line(subject, "subject", max_length=limits.subject_max_length)
        body = clean_body(body, "body", max_length=limits.body_max_length)
        category = Category(category)
        priority = Priority(priority)
        files = check_attachments(attachments, limits)
        refs = clean_references(references, limits)
        message = Message(
            id=f"{ticket_id}.1"
            if message_id is None
            else clean_identifier(message_id, "message_id"),
            author=actor,
            body=body,
            at=at,
            internal=False,
            attachments=files,
        )
        event = TicketOpened(
            ticket_id=ticket_id,
            version=1,
            at=at,
            actor=actor,
            requester_id=requester_id,
            subject=subject,
            category=category,
            priority=priority,
            message=message,
            references=refs,
        )
        return Change(_opened(event), (event,))

    # -- messages ----------------------------------------------------------------------

    def reply(
        self,
        actor: Actor,
        body: str,
        *,
        at: datetime,
        internal: bool = False,
        attachments: Iterable[Attachment] = (),
        message_id: str | None = None,
        workflow: Workflow | None = None,
    ) -> Change:
        """Add a message. ``internal=True`` makes it an agent-only note.

        A requester's public reply on a ``waiting_for_user`` ticket moves it to
        ``in_progress``, and on a ``resolved`` ticket reopens it (as the workflow's
        ``on_requester_reply`` says); that move is its own ``StatusChanged`` event, by
        the system, under the same version.
        """
        workflow = workflow or Workflow.default()
        actor, at = self._begin(actor, at, Action.ADD_NOTE if internal else Action.REPLY, workflow)
        limits = workflow.limits
        text = clean_body(body, "body", max_length=limits.body_max_length)
        files = check_attachments(attachments, limits)
        return self._add_message(
            actor,
            body=text,
            at=at,
            internal=internal,
            files=files,
            message_id=message_id,
            workflow=workflow,
        )

    def add_note(
        self,
        actor: Actor,
        body: str,
        *,
        at: datetime,
        attachments: Iterable[Attachment] = (),
        message_id: str | None = None,
        workflow: Workflow | None = None,
    ) -> Change:
        """Add an internal note that requesters never see (agents only, by default)."""
        return self.reply(
            actor,
            body,
            at=at,
            internal=True,
            attachments=attachments,
            message_id=message_id,
            workflow=workflow,
        )

    def attach(
        self,
        actor: Actor,
        attachments: Iterable[Attachment],
        *,
        at: datetime,
        body: str = "",
        internal: bool = False,
        message_id: str | None = None,
        workflow: Workflow | None = None,
    ) -> Change:
        """Attach files, with an optional short note, as a message of their own."""
        workflow = workflow or Workflow.default()
        actor, at = self._begin(actor, at, Action.ATTACH, workflow)
        if internal:
            workflow.check_action(Action.ADD_NOTE, actor)
        limits = workflow.limits
        files = check_attachments(attachments, limits)
        if not files:
            raise ValidationError(
                ErrorCode.ATTACHMENTS_REQUIRED,
                "attach needs at least one attachment",
                field="attachments",
            )
        text = clean_body(body, "body", max_length=limits.body_max_length, required=False)
        return self._add_message(
            actor,
            body=text,
            at=at,
            internal=internal,
            files=files,
            message_id=message_id,
            workflow=workflow,
        )

    def _add_message(
        self,
        actor: Actor,
        *,
        body: str,
        at: datetime,
        internal: bool,
        files: tuple[Attachment, ...],
        message_id: str | None,
        workflow: Workflow,
    ) -> Change:
        version = self.version + 1
        message = Message(
            id=(
                f"{self.id}.{len(self.messages) + 1}"
                if message_id is None
                else clean_identifier(message_id, "message_id")
            ),
            author=actor,
            body=body,
            at=at,
            internal=internal,
            attachments=files,
        )
        events: list[Event] = [
            MessageAdded(ticket_id=self.id, version=version, at=at, actor=actor, message=message)
        ]
        if actor.role is Role.REQUESTER and not internal:
            target = workflow.reply_moves(self.status)
            if target is not None:
                events.append(
                    StatusChanged(
                        ticket_id=self.id,
                        version=version,
                        at=at,
                        actor=Actor.system(),
                        from_status=self.status,
                        to_status=target,
                        reason=REQUESTER_REPLIED,
                    )
                )
        return self._commit(tuple(events))

    # -- status ------------------------------------------------------------------------

    def change_status(
        self,
        actor: Actor,
        to: Status | str,
        *,
        at: datetime,
        reason: str | None = None,
        workflow: Workflow | None = None,
    ) -> Change:
        """Move the ticket to status ``to``, if the workflow lets ``actor`` do so."""
        workflow = workflow or Workflow.default()
        actor, at = self._begin(actor, at, None, workflow)
        target = to if type(to) is Status else Status(to)
        workflow.check_transition(self.status, target, actor)
        if reason is not None:
            reason = clean_line(
                reason,
                "reason",
                max_length=workflow.limits.reason_max_length,
                required_code=ErrorCode.TEXT_TOO_LONG,
                too_long_code=ErrorCode.TEXT_TOO_LONG,
            )
        event = StatusChanged(
            ticket_id=self.id,
            version=self.version + 1,
            at=at,
            actor=actor,
            from_status=self.status,
            to_status=target,
            reason=reason,
        )
        return _change(_apply_status(self, event), (event,))

    def close(
        self,
        actor: Actor,
        *,
        at: datetime,
        reason: str | None = None,
        workflow: Workflow | None = None,
    ) -> Change:
        """Close the ticket: ``change_status(actor, "closed", ...)``."""
        return self.change_status(actor, Status.CLOSED, at=at, reason=reason, workflow=workflow)

    # -- triage ------------------------------------------------------------------------

    def change_priority(
        self,
        actor: Actor,
        priority: Priority | str,
        *,
        at: datetime,
        workflow: Workflow | None = None,
    ) -> Change:
        """Set the priority (agents only, by default). The same priority changes nothing."""
        workflow = workflow or Workflow.default()
        actor, at = self._begin(actor, at, Action.CHANGE_PRIORITY, workflow)
        new = Priority(priority)
        if new is self.priority:
            return Change(self, ())
        return self._commit(
            (
                PriorityChanged(
                    **self._stamp(actor, at), from_priority=self.priority, to_priority=new
                ),
            )
        )

    def change_category(
        self,
        actor: Actor,
        category: Category | str,
        *,
        at: datetime,
        workflow: Workflow | None = None,
    ) -> Change:
        """Set the category (agents only, by default). The same category changes nothing."""
        workflow = workflow or Workflow.default()
        actor, at = self._begin(actor, at, Action.CHANGE_CATEGORY, workflow)
        new = Category(category)
        if new is self.category:
            return Change(self, ())
        return self._commit(
            (
                CategoryChanged(
                    **self._stamp(actor, at), from_category=self.category, to_category=new
                ),
            )
        )

    def assign(
        self,
        actor: Actor,
        assignee_id: str | None,
        *,
        at: datetime,
        workflow: Workflow | None = None,
    ) -> Change:
        """Assign the ticket to an agent's id, or unassign it with ``None``."""
        workflow = workflow or Workflow.default()
        actor, at = self._begin(actor, at, Action.ASSIGN, workflow)
        new = None if assignee_id is None else clean_identifier(assignee_id, "assignee_id")
        if new == self.assignee_id:
            return Change(self, ())
        return self._commit(
            (
                AssigneeChanged(
                    **self._stamp(actor, at), from_assignee=self.assignee_id, to_assignee=new
                ),
            )
        )

    # -- reading -----------------------------------------------------------------------

    def visible_to(self, actor: Actor, *, workflow: Workflow | None = None) -> Ticket:
        """The ticket as ``actor`` may see it.

        Agents and the system see everything. The requester sees their own ticket
        without internal notes (and without the events that added them); anyone else's
        ticket is a :class:`PermissionDeniedError`, never an empty result.
        """
        workflow = workflow or Workflow.default()
        actor = _require_actor(actor)
        if actor.role is Role.REQUESTER and actor.id != self.requester_id:
            raise _not_yours(actor)
        workflow.check_action(Action.VIEW, actor)
        if actor.role is not Role.REQUESTER or not any(m.internal for m in self.messages):
            return self
        return attrs.evolve(
            self,
            messages=tuple(m for m in self.messages if not m.internal),
            history=tuple(e for e in self.history if not _is_internal(e)),
        )

    def can(self, actor: Actor, action: Action, *, workflow: Workflow | None = None) -> bool:
        """Whether ``actor`` may perform ``action`` on this ticket now."""
        workflow = workflow or Workflow.default()
        if actor.role is Role.REQUESTER and actor.id != self.requester_id:
            return False
        if self.status is Status.CLOSED and action is not Action.VIEW:
            return False
        return workflow.permits(action, actor)

    def targets(self, actor: Actor, *, workflow: Workflow | None = None) -> tuple[Status, ...]:
        """The statuses ``actor`` may move this ticket to now (for rendering buttons)."""
        if actor.role is Role.REQUESTER and actor.id != self.requester_id:
            return ()
        return (workflow or Workflow.default()).targets(self.status, actor)

    # -- history -----------------------------------------------------------------------

    @classmethod
    def replay(cls, history: Sequence[Event]) -> Ticket:
        """Rebuild a ticket from its history alone (``Ticket.replay(t.history) == t``)."""
        if not history or not isinstance(history[0], TicketOpened):
            raise _bad_history("a history starts with TicketOpened")
        ticket = _opened(history[0])
        for event in history[1:]:
            if event.ticket_id != ticket.id:
                raise _bad_history(f"event for {event.ticket_id!r} in {ticket.id!r}'s history")
            if event.version not in {ticket.version, ticket.version + 1}:
                raise _bad_history(f"version {event.version} follows {ticket.version}")
            if isinstance(event, TicketOpened):
                raise _bad_history("a ticket is opened only once")
            ticket = _APPLY[type(event)](ticket, event)
        return ticket

    # -- internals ---------------------------------------------------------------------

    def _begin(
        self, actor: Actor, at: datetime, action: Action | None, workflow: Workflow
    ) -> tuple[Actor, datetime]:
        """The checks every change makes, in order: who, when, closed, permitted."""
        actor = _require_actor(actor)
        at = require_aware(at, "at")
        if actor.role is Role.REQUESTER and actor.id != self.requester_id:
            raise _not_yours(actor)
        if self.status is Status.CLOSED:
            raise TransitionError(
                ErrorCode.TICKET_CLOSED,
                f"ticket {self.id} is closed; open a new ticket that references it",
                field="status",
                params={"ticket_id": self.id},
            )
        if at < self.updated_at:
            raise ValidationError(
                ErrorCode.TIME_WENT_BACKWARDS,
                f"{at.isoformat()} is before the ticket's last change at"
                f" {self.updated_at.isoformat()}",
                field="at",
                params={"value": at.isoformat(), "limit": self.updated_at.isoformat()},
            )
        if action is not None:
            workflow.check_action(action, actor)
        return actor, at

    def _stamp(self, actor: Actor, at: datetime) -> _Stamp:
        """What every event of the next version carries."""
        return {"ticket_id": self.id, "version": self.version + 1, "at": at, "actor": actor}

    def _commit(self, events: tuple[Event, ...]) -> Change:
        ticket = self
        for event in events:
            ticket = _APPLY[type(event)](ticket, event)
        return _change(ticket, events)


# -- applying events ---------------------------------------------------------------------
# One function per event type, shared by the operations and by replay, so that a ticket
# and its history can never disagree.

_KEEP: object = object()
_T = TypeVar("_T")


def _pick(value: object, current: _T) -> _T:
    return current if value is _KEEP else value  # type: ignore[return-value]


def _evolve(
    ticket: Ticket,
    event: Event,
    *,
    status: Status | None = None,
    priority: Priority | None = None,
    category: Category | None = None,
    assignee_id: object = _KEEP,
    message: Message | None = None,
) -> Ticket:
    return Ticket(
        id=ticket.id,
        requester_id=ticket.requester_id,
        subject=ticket.subject,
        category=category or ticket.category,
        priority=priority or ticket.priority,
        status=status or ticket.status,
        assignee_id=_pick(assignee_id, ticket.assignee_id),
        created_at=ticket.created_at,
        updated_at=event.at,
        version=event.version,
        messages=ticket.messages if message is None else (*ticket.messages, message),
        history=(*ticket.history, event),
        references=ticket.references,
    )


def _opened(event: TicketOpened) -> Ticket:
    return Ticket(
        id=event.ticket_id,
        requester_id=event.requester_id,
        subject=event.subject,
        category=event.category,
        priority=event.priority,
        status=Status.OPEN,
        created_at=event.at,
        updated_at=event.at,
        version=event.version,
        messages=(event.message,),
        history=(event,),
        references=event.references,
    )


def _apply_status(ticket: Ticket, event: StatusChanged) -> Ticket:
    return _evolve(ticket, event, status=event.to_status)


def _apply_message(ticket: Ticket, event: MessageAdded) -> Ticket:
    return _evolve(ticket, event, message=event.message)


def _apply_priority(ticket: Ticket, event: PriorityChanged) -> Ticket:
    return _evolve(ticket, event, priority=event.to_priority)


def _apply_category(ticket: Ticket, event: CategoryChanged) -> Ticket:
    return _evolve(ticket, event, category=event.to_category)


def _apply_assignee(ticket: Ticket, event: AssigneeChanged) -> Ticket:
    return _evolve(ticket, event, assignee_id=event.to_assignee)


_APPLY: dict[type[Event], Callable[[Ticket, object], Ticket]] = {
    StatusChanged: _apply_status,  # type: ignore[dict-item]
    MessageAdded: _apply_message,  # type: ignore[dict-item]
    PriorityChanged: _apply_priority,  # type: ignore[dict-item]
    CategoryChanged: _apply_category,  # type: ignore[dict-item]
    AssigneeChanged: _apply_assignee,  # type: ignore[dict-item]
}


def _is_internal(event: Event) -> bool:
    return isinstance(event, MessageAdded) and event.message.internal


def _require_actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise ValidationError(
            ErrorCode.INVALID_TYPE,
            f"actor must be an Actor, not {type(actor).__name__}",
            field="actor",
            params={"expected": "Actor", "type": type(actor).__name__},
        )
    return actor


def _not_yours(actor: Actor) -> PermissionDeniedError:
    return PermissionDeniedError(
        ErrorCode.NOT_YOUR_TICKET,
        f"requester {actor.id!r} may act only on their own tickets",
        field="requester_id",
        params={"value": actor.id},
    )


def _bad_history(problem: str) -> ValidationError:
    return ValidationError(
        ErrorCode.HISTORY_INVALID,
        f"invalid history: {problem}",
        field="history",
        params={"problem": problem},
    )
