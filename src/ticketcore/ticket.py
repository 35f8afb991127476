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
from typing import TYPE_CHECKING, ClassVar, NamedTuple, TypedDict, TypeVar

import attrs

from ticketcore import _check
from ticketcore._frozenmap import FrozenMap
from ticketcore._thread import Thread, appended
from ticketcore._time import require_aware
from ticketcore._validate import (
    clean_body,
    clean_identifier,
    clean_line,
    clean_references,
)
from ticketcore.enums import Category, Priority, Status
from ticketcore.errors import ErrorCode, TransitionError, ValidationError, wrong_type
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    RequesterErased,
    StatusChanged,
    TicketOpened,
)
from ticketcore.model import Actor, Attachment, Message, check_attachments, require_actor
from ticketcore.workflow import Action, Workflow

if TYPE_CHECKING:
    from ticketcore._clocks import Clocks, StoredClocks

__all__ = ["Change", "Summary", "Ticket"]

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


def _frozen_map(value: Mapping[str, str] | None) -> FrozenMap[str, str]:
    if isinstance(value, FrozenMap):
        return value
    if value is not None and not isinstance(value, Mapping):
        raise wrong_type("references", "mapping", value)
    return FrozenMap(value)


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
    messages: Sequence[Message] = ()
    history: Sequence[Event] = ()
    references: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=_frozen_map)
    # what numbering a message and showing the ticket to a requester need to know of
    # the thread, worked out once and then carried from ticket to ticket by the
    # operations (and stored with the ticket), so they cost the same at any length;
    # not part of the value
    _summary: Summary | None = attrs.field(
        init=False, default=None, eq=False, hash=False, repr=False
    )
    # the SLA clocks an SLAPolicy folded from the history, carried forward the same
    # way (the policy brings them up to date with the events added since); not part
    # of the value
    _clocks: Clocks | StoredClocks | None = attrs.field(
        init=False, default=None, eq=False, hash=False, repr=False
    )

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
        workflow = _workflow(workflow)
        actor = require_actor(actor)
        at = require_aware(at, "at")
        workflow.check_action(Action.OPEN, actor)
        if requester_id is None:
            if workflow.permits(Action.ACT_ON_ANY_TICKET, actor):
                raise ValidationError(
                    ErrorCode.REQUESTER_REQUIRED,
                    "an agent or the system opening a ticket must name its requester_id",
                    field="requester_id",
                )
            requester_id = actor.id
        requester_id = clean_identifier(requester_id, "requester_id")
        workflow.check_access(actor, requester_id=requester_id)
        ticket_id = clean_identifier(id, "id")
        limits = workflow.limits
        subject = clean_line(subject, "subject", max_length=limits.subject_max_length)
        body = clean_body(body, "body", max_length=limits.body_max_length)
        category = _category(category)
        priority = _priority(priority)
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
        workflow = _workflow(workflow)
        internal = _check.boolean(internal, "internal")
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
        workflow = _workflow(workflow)
        internal = _check.boolean(internal, "internal")
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
                self._next_message_id(internal=internal)
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
        target = workflow.move_on_reply(actor, self.status, internal=internal)
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
                    reason_public=True,
                )
            )
        return self._commit(tuple(events))

    def _next_message_id(self, *, internal: bool) -> str:
        # Public messages and internal notes are numbered apart (T-1.1, T-1.2 and
        # T-1.n1), so the ids a requester sees have no gaps that tell of notes.
        # Each is the highest number of its kind plus one; a ticket stored before the
        # split (notes numbered with the rest) goes on from its highest number, so no id
        # is ever given twice.
        summary = self.summary()
        if internal:
            return f"{self.id}.n{summary.note_number + 1}"
        return f"{self.id}.{summary.public_number + 1}"

    def detached(self) -> Ticket:
        """This ticket with its messages and history read now, so that it no longer
        needs the repository it came from (which may then be closed)."""
        if isinstance(self.messages, tuple) and isinstance(self.history, tuple):
            return self
        return rethreaded(self, tuple(self.messages), tuple(self.history))

    def summary(self) -> Summary:
        """What the ticket's thread adds up to (carried, or worked out once)."""
        if self._summary is None:
            summary = Summary.of(self)
            object.__setattr__(self, "_summary", summary)
            return summary
        return self._summary

    # -- status ------------------------------------------------------------------------

    def change_status(
        self,
        actor: Actor,
        to: Status | str,
        *,
        at: datetime,
        reason: str | None = None,
        reason_public: bool = False,
        workflow: Workflow | None = None,
    ) -> Change:
        """Move the ticket to status ``to``, if the workflow lets ``actor`` do so.

        ``reason`` is for the team: the requester sees it only with ``reason_public=True``.
        """
        workflow = _workflow(workflow)
        reason_public = _check.boolean(reason_public, "reason_public")
        actor, at = self._begin(actor, at, None, workflow)
        target = _status(to)
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
            reason_public=reason_public and reason is not None,
        )
        return _change(_apply_status(self, event), (event,))

    def close(
        self,
        actor: Actor,
        *,
        at: datetime,
        reason: str | None = None,
        reason_public: bool = False,
        workflow: Workflow | None = None,
    ) -> Change:
        """Close the ticket: ``change_status(actor, "closed", ...)``."""
        return self.change_status(
            actor,
            Status.CLOSED,
            at=at,
            reason=reason,
            reason_public=reason_public,
            workflow=workflow,
        )

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
        workflow = _workflow(workflow)
        actor, at = self._begin(actor, at, Action.CHANGE_PRIORITY, workflow)
        new = _priority(priority)
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
        workflow = _workflow(workflow)
        actor, at = self._begin(actor, at, Action.CHANGE_CATEGORY, workflow)
        new = _category(category)
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
        workflow = _workflow(workflow)
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

    # -- erasure ----------------------------------------------------------------------

    def erase_requester(
        self,
        actor: Actor,
        *,
        at: datetime,
        pseudonym: str,
        workflow: Workflow | None = None,
    ) -> Change:
        """Erase the requester's personal data from the whole ticket (the right to be
        forgotten), closed or not: the subject, every message's body and files, the
        references and the status reasons are removed from every event of the history,
        and the requester (as ``requester_id`` and as the author of their messages and
        moves) becomes ``pseudonym``. Ids, times, statuses, priorities, categories,
        assignees, notes' existence and so the SLA facts stay. The new
        :class:`~ticketcore.RequesterErased` event records it (action ``erase``).

        Unlike every other operation this rewrites the history, so the returned ticket
        is stored with a repository's ``rewrite`` (:class:`~ticketcore.ports.Eraser`),
        not ``save``.
        """
        workflow = _workflow(workflow)
        actor = require_actor(actor)
        at = require_aware(at, "at")
        workflow.check_access(actor, requester_id=self.requester_id, ticket_id=self.id)
        workflow.check_action(Action.ERASE, actor)
        pseudonym = clean_identifier(pseudonym, "pseudonym")
        self._not_before_last_change(at)
        person = self.requester_id
        history = [_erased(event, person, pseudonym) for event in self.history]
        erased = RequesterErased(**self._stamp(actor, at), requester_id=pseudonym)
        return Change(Ticket.replay([*history, erased]), (erased,))

    # -- reading -----------------------------------------------------------------------

    def visible_to(self, actor: Actor, *, workflow: Workflow | None = None) -> Ticket:
        """The ticket as ``actor`` may see it.

        Those the workflow lets read notes (agents and the system) see everything.
        Anyone else sees the ticket without internal notes, the events that added them,
        or the reasons of status changes not made public, and with ``updated_at`` the
        time of the last change they can see. ``version`` still counts every change (it
        is what a save is checked against), so it tells that something happened, not
        what. Someone the ownership rule keeps out gets what a missing ticket gets
        (see :meth:`Workflow.check_access`), never an empty result.
        """
        workflow = _workflow(workflow)
        actor = require_actor(actor)
        workflow.check_access(actor, requester_id=self.requester_id, ticket_id=self.id)
        workflow.check_action(Action.VIEW, actor)
        if workflow.permits(Action.VIEW_NOTES, actor):
            return self
        summary = self.summary()
        if not summary.notes and not summary.private_reasons:
            return self  # nothing to leave out: the common case
        view = Ticket(
            id=self.id,
            requester_id=self.requester_id,
            subject=self.subject,
            category=self.category,
            priority=self.priority,
            status=self.status,
            assignee_id=self.assignee_id,
            created_at=self.created_at,
            updated_at=summary.public_updated_at or self.updated_at,
            version=self.version,
            messages=_public_part(self.messages, _is_public_message, None),
            history=_public_part(self.history, _is_public_event, public_event),
            references=self.references,
        )
        object.__setattr__(view, "_summary", summary.public())
        return view

    def can(self, actor: Actor, action: Action, *, workflow: Workflow | None = None) -> bool:
        """Whether ``actor`` may perform ``action`` on this ticket now."""
        workflow = _workflow(workflow)
        require_actor(actor)
        if self.status is Status.CLOSED and Action(action) is not Action.VIEW:
            return False
        return workflow.permits(action, actor, requester_id=self.requester_id)

    def targets(self, actor: Actor, *, workflow: Workflow | None = None) -> tuple[Status, ...]:
        """The statuses ``actor`` may move this ticket to now (for rendering buttons)."""
        workflow = _workflow(workflow)
        if not workflow.may_act_on(actor, self.requester_id):
            return ()
        return workflow.targets(self.status, actor)

    # -- history -----------------------------------------------------------------------

    @classmethod
    def replay(cls, history: Sequence[Event]) -> Ticket:
        """Rebuild a ticket from its history alone (``Ticket.replay(t.history) == t``)."""
        events = _check.items(history, "history")
        if not events or not isinstance(events[0], TicketOpened):
            raise _bad_history("a history starts with TicketOpened")
        ticket = _opened(events[0])
        for event in events[1:]:
            if type(event) not in _APPLY:
                raise _bad_history(f"{type(event).__name__} is not an event of a ticket")
            assert isinstance(event, Event)  # noqa: S101 - _APPLY holds event types only
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
        actor = require_actor(actor)
        at = require_aware(at, "at")
        workflow.check_access(actor, requester_id=self.requester_id, ticket_id=self.id)
        if self.status is Status.CLOSED:
            raise TransitionError(
                ErrorCode.TICKET_CLOSED,
                f"ticket {self.id} is closed; open a new ticket that references it",
                field="status",
                params={"ticket_id": self.id},
            )
        self._not_before_last_change(at)
        if action is not None:
            workflow.check_action(action, actor)
        return actor, at

    def _not_before_last_change(self, at: datetime) -> None:
        if at < self.updated_at:
            raise ValidationError(
                ErrorCode.TIME_WENT_BACKWARDS,
                f"{at.isoformat()} is before the ticket's last change at"
                f" {self.updated_at.isoformat()}",
                field="at",
                params={"value": at.isoformat(), "limit": self.updated_at.isoformat()},
            )

    def _stamp(self, actor: Actor, at: datetime) -> _Stamp:
        """What every event of the next version carries."""
        return {"ticket_id": self.id, "version": self.version + 1, "at": at, "actor": actor}

    def _commit(self, events: tuple[Event, ...]) -> Change:
        ticket = self
        for event in events:
            ticket = _APPLY[type(event)](ticket, event)
        return _change(ticket, events)


def rethreaded(ticket: Ticket, messages: Sequence[Message], history: Sequence[Event]) -> Ticket:
    """``ticket`` with its thread read from somewhere else (a store's rows), keeping
    what it carries (its summary and SLA clocks): for storage adapters."""
    moved = Ticket(
        id=ticket.id,
        requester_id=ticket.requester_id,
        subject=ticket.subject,
        category=ticket.category,
        priority=ticket.priority,
        status=ticket.status,
        assignee_id=ticket.assignee_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        version=ticket.version,
        messages=messages,
        history=history,
        references=ticket.references,
    )
    object.__setattr__(moved, "_summary", ticket.summary())
    object.__setattr__(moved, "_clocks", ticket._clocks)  # noqa: SLF001 - the same class
    return moved


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
    evolved = Ticket(
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
        messages=ticket.messages if message is None else appended(ticket.messages, message),
        history=appended(ticket.history, event),
        references=ticket.references,
    )
    summary = ticket._summary  # noqa: SLF001 - the same class, carried forward
    if summary is not None:
        object.__setattr__(evolved, "_summary", summary.after(event))
    if ticket._clocks is not None:  # noqa: SLF001 - the same class, carried forward
        object.__setattr__(evolved, "_clocks", ticket._clocks)  # noqa: SLF001
    return evolved


@attrs.frozen
class Summary:
    """What a ticket's thread adds up to: all a ticket needs to know of it to number
    its next message and to show itself to a requester, without reading it.

    Adapters store it with the ticket's state (see :mod:`ticketcore.serialization`).
    """

    public_number: int  # the highest public message number (T-1.<n>)
    note_number: int  # the highest internal note number (T-1.n<n>)
    notes: int  # how many internal notes (each one message and one event)
    private_reasons: int  # status changes whose reason the requester does not see
    public_updated_at: datetime | None  # the last change a requester sees

    OPENED: ClassVar[Summary]

    @classmethod
    def of(cls, ticket: Ticket) -> Summary:
        """Worked out from the whole thread (the once-only fallback)."""
        _check.instance(ticket, Ticket, "ticket")
        numbers = (0, 0)
        for message in ticket.messages:
            numbers = _counted(numbers, message.id)
        notes = private = 0
        public_updated: datetime | None = None
        for event in ticket.history:
            if _is_internal(event):
                notes += 1
            else:
                public_updated = event.at
                private += _is_private_reason(event)
        return cls(numbers[0], numbers[1], notes, private, public_updated)

    def after(self, event: Event) -> Summary:
        """The summary once ``event`` is added."""
        _check.instance(event, Event, "event")
        message = getattr(event, "message", None)
        public, notes = self.public_number, self.note_number
        if message is not None:
            public, notes = _counted((public, notes), message.id)
        if _is_internal(event):
            return Summary(
                public, notes, self.notes + 1, self.private_reasons, self.public_updated_at
            )
        return Summary(
            public,
            notes,
            self.notes,
            self.private_reasons + _is_private_reason(event),
            event.at,
        )

    def public(self) -> Summary:
        """The summary of the ticket as a requester sees it."""
        return Summary(self.public_number, 0, 0, 0, self.public_updated_at)


Summary.OPENED = Summary(0, 0, 0, 0, None)


def _counted(numbers: tuple[int, int], message_id: str) -> tuple[int, int]:
    """``numbers`` (highest public, highest note) after the message ``message_id``."""
    public, notes = numbers
    suffix = message_id.rpartition(".")[2]
    if suffix.isascii() and suffix.isdigit():
        return max(public, int(suffix)), notes
    if suffix[:1] == "n" and suffix[1:].isascii() and suffix[1:].isdigit():
        return public, max(notes, int(suffix[1:]))
    return numbers


def _opened(event: TicketOpened) -> Ticket:
    opened = Ticket(
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
    object.__setattr__(opened, "_summary", Summary.OPENED.after(event))
    return opened


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


def _apply_erased(ticket: Ticket, event: RequesterErased) -> Ticket:
    return _evolve(ticket, event)


def _erased(event: Event, person: str, pseudonym: str) -> Event:
    """``event`` without ``person``'s personal data, ``person`` called ``pseudonym``."""

    def who(actor: Actor) -> Actor:
        return Actor.requester(pseudonym) if actor.id == person else actor

    def message(found: Message) -> Message:
        return attrs.evolve(found, author=who(found.author), body="", attachments=())

    if isinstance(event, TicketOpened):
        return attrs.evolve(
            event,
            actor=who(event.actor),
            requester_id=pseudonym,
            subject="",
            message=message(event.message),
            references=FrozenMap(),
        )
    if isinstance(event, MessageAdded):
        return attrs.evolve(event, actor=who(event.actor), message=message(event.message))
    if isinstance(event, StatusChanged):
        return attrs.evolve(event, actor=who(event.actor), reason=None, reason_public=False)
    if isinstance(event, AssigneeChanged):
        return attrs.evolve(
            event,
            actor=who(event.actor),
            from_assignee=pseudonym if event.from_assignee == person else event.from_assignee,
            to_assignee=pseudonym if event.to_assignee == person else event.to_assignee,
        )
    return attrs.evolve(event, actor=who(event.actor))


_APPLY: dict[type[Event], Callable[[Ticket, object], Ticket]] = {
    StatusChanged: _apply_status,  # type: ignore[dict-item]
    MessageAdded: _apply_message,  # type: ignore[dict-item]
    PriorityChanged: _apply_priority,  # type: ignore[dict-item]
    CategoryChanged: _apply_category,  # type: ignore[dict-item]
    AssigneeChanged: _apply_assignee,  # type: ignore[dict-item]
    RequesterErased: _apply_erased,  # type: ignore[dict-item]
}


def _is_internal(event: Event) -> bool:
    return isinstance(event, MessageAdded) and event.message.internal


def _is_public_event(event: Event) -> bool:
    return not _is_internal(event)


def _is_public_message(message: Message) -> bool:
    return not message.internal


def _is_private_reason(event: Event) -> bool:
    return type(event) is StatusChanged and event.reason is not None and not event.reason_public


def _public_part(
    items: Sequence[_T], keep: Callable[[_T], bool], show: Callable[[_T], _T] | None
) -> Sequence[_T]:
    if isinstance(items, Thread):
        return items.public_view(keep, show)
    return tuple(item if show is None else show(item) for item in items if keep(item))


def public_event(event: Event) -> Event:
    """``event`` as someone who may not read notes sees it: a status change's reason
    only when the agent made it public."""
    if isinstance(event, StatusChanged) and event.reason is not None and not event.reason_public:
        return attrs.evolve(event, reason=None)
    return event


def _workflow(workflow: object) -> Workflow:
    if workflow is None:
        return Workflow.default()
    if not isinstance(workflow, Workflow):
        raise wrong_type("workflow", "Workflow", workflow)
    return workflow


def _status(value: object) -> Status:
    return value if type(value) is Status else Status(_check.text(value, "status"))


def _priority(value: object) -> Priority:
    return value if type(value) is Priority else Priority(_check.text(value, "priority"))


def _category(value: object) -> Category:
    return value if type(value) is Category else Category(_check.text(value, "category"))


def _bad_history(problem: str) -> ValidationError:
    return ValidationError(
        ErrorCode.HISTORY_INVALID,
        f"invalid history: {problem}",
        field="history",
        params={"problem": problem},
    )
