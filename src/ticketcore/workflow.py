"""The status state machine and the permission rules around it.

A :class:`Workflow` decides every status change and who may do what. The default one is
the product's lifecycle:

>>> import ticketcore as tc
>>> workflow = tc.Workflow.default()
>>> workflow.targets(tc.Status.OPEN, tc.Actor.agent("ali"))
(<Status.IN_PROGRESS: 'in_progress'>, <Status.WAITING_FOR_USER: 'waiting_for_user'>,
 <Status.RESOLVED: 'resolved'>, <Status.CLOSED: 'closed'>)
>>> workflow.targets(tc.Status.RESOLVED, tc.Role.REQUESTER)
(<Status.OPEN: 'open'>, <Status.CLOSED: 'closed'>)

Hosts build their own from another transition table; the constructor validates it.

Every right is decided here, and nowhere else: who may make each move, who may take each
:class:`Action` (viewing the queue and exporting included), and the ownership rule (a
requester acts only on their own tickets unless :attr:`Action.ACT_ON_ANY_TICKET` says
otherwise for their role). A requester asking about another user's ticket gets exactly
the answer a missing ticket gets (:class:`~ticketcore.NotFoundError`, ``not_found``),
so ticket ids cannot be probed, unless the workflow has ``reveal_foreign_tickets=True``:
then it is a :class:`~ticketcore.PermissionDeniedError` (``not_your_ticket``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from ticketcore import _check
from ticketcore._frozenmap import FrozenMap
from ticketcore.enums import Role, Status, _WireEnum
from ticketcore.errors import (
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationError,
    _short,
    wrong_type,
)
from ticketcore.limits import Limits
from ticketcore.model import Actor

__all__ = ["Action", "Transition", "Workflow"]


class Action(_WireEnum):
    """What an actor can do, apart from changing a ticket's status."""

    OPEN = "open"
    VIEW = "view"
    REPLY = "reply"
    ADD_NOTE = "add_note"
    ATTACH = "attach"
    CHANGE_PRIORITY = "change_priority"
    CHANGE_CATEGORY = "change_category"
    ASSIGN = "assign"
    VIEW_NOTES = "view_notes"
    """Read internal notes (and the reasons of status changes not made public)."""
    VIEW_QUEUE = "view_queue"
    """List the team's queue: active tickets by assignee."""
    VIEW_AT_RISK = "view_at_risk"
    """List the tickets whose SLA deadline is near."""
    EXPORT = "export"
    """Write whole tickets out, internal notes included."""
    IMPORT = "import"
    """Read whole tickets in, for any requester."""
    ACT_ON_ANY_TICKET = "act_on_any_ticket"
    """Act on tickets of other requesters (the ownership rule: roles not listed act only
    on tickets whose ``requester_id`` is their own id)."""
    ERASE = "erase"
    """Erase a requester's personal data from all their tickets (the system only, by
    default: a host grants it to the agents who handle such requests)."""


# How the log messages name an action ("a requester may not add internal notes"); users
# read the catalog's phrases instead (context ``action``).
_ACTION_PHRASES: Mapping[Action, str] = {
    Action.OPEN: "open tickets",
    Action.VIEW: "view tickets",
    Action.REPLY: "reply",
    Action.ADD_NOTE: "add internal notes",
    Action.ATTACH: "attach files",
    Action.CHANGE_PRIORITY: "change the priority",
    Action.CHANGE_CATEGORY: "change the category",
    Action.ASSIGN: "assign tickets",
    Action.VIEW_NOTES: "read internal notes",
    Action.VIEW_QUEUE: "view the queue",
    Action.VIEW_AT_RISK: "view the at-risk list",
    Action.EXPORT: "export tickets",
    Action.IMPORT: "import tickets",
    Action.ERASE: "erase a requester's personal data",
    Action.ACT_ON_ANY_TICKET: "act on other requesters' tickets",
}


def _roles(roles: object, field: str = "roles") -> frozenset[Role]:
    if isinstance(roles, str):  # one role ("agent"), not the letters of its name
        return frozenset({Role(roles)})
    return frozenset(
        role if type(role) is Role else Role(_check.text(role, field))
        for role in _check.items(roles, field)
    )


@attrs.frozen
class Transition:
    """One allowed status change and the roles that may make it."""

    from_status: Status = attrs.field(converter=Status)
    to_status: Status = attrs.field(converter=Status)
    roles: frozenset[Role] = attrs.field(converter=_roles)


_DEFAULT_TABLE: tuple[tuple[tuple[Status, ...], Status, tuple[Role, ...]], ...] = (
    ((Status.OPEN,), Status.IN_PROGRESS, (Role.AGENT,)),
    ((Status.OPEN, Status.IN_PROGRESS), Status.WAITING_FOR_USER, (Role.AGENT,)),
    ((Status.WAITING_FOR_USER,), Status.IN_PROGRESS, (Role.AGENT, Role.SYSTEM)),
    (
        (Status.OPEN, Status.IN_PROGRESS, Status.WAITING_FOR_USER),
        Status.RESOLVED,
        (Role.AGENT,),
    ),
    ((Status.RESOLVED,), Status.OPEN, (Role.REQUESTER,)),
    ((Status.RESOLVED,), Status.IN_PROGRESS, (Role.AGENT,)),
    ((Status.RESOLVED,), Status.CLOSED, (Role.REQUESTER, Role.AGENT, Role.SYSTEM)),
    (
        (Status.OPEN, Status.IN_PROGRESS, Status.WAITING_FOR_USER),
        Status.CLOSED,
        (Role.REQUESTER, Role.AGENT),
    ),
)

_STAFF = frozenset({Role.AGENT, Role.SYSTEM})
_EVERYONE = frozenset(Role)
_DEFAULT_PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.OPEN: _EVERYONE,
    Action.VIEW: _EVERYONE,
    Action.REPLY: _EVERYONE,
    Action.ADD_NOTE: frozenset({Role.AGENT}),
    Action.ATTACH: frozenset({Role.REQUESTER, Role.AGENT}),
    Action.CHANGE_PRIORITY: frozenset({Role.AGENT}),
    Action.CHANGE_CATEGORY: frozenset({Role.AGENT}),
    Action.ASSIGN: frozenset({Role.AGENT}),
    Action.VIEW_NOTES: _STAFF,
    Action.VIEW_QUEUE: _STAFF,
    Action.VIEW_AT_RISK: _STAFF,
    Action.EXPORT: _STAFF,
    Action.IMPORT: _STAFF,
    Action.ACT_ON_ANY_TICKET: _STAFF,
    Action.ERASE: frozenset({Role.SYSTEM}),
}

#: Actions that would show a requester what is not theirs to read: internal notes, or
#: other requesters' tickets. A workflow that grants them to requesters is refused.
_NEVER_FOR_REQUESTERS = (
    Action.ADD_NOTE,
    Action.VIEW_NOTES,
    Action.EXPORT,
    Action.IMPORT,
    Action.ERASE,
)
#: Lists across requesters: only for roles that may act on any ticket.
_ACROSS_REQUESTERS = (Action.VIEW_QUEUE, Action.VIEW_AT_RISK)

_DEFAULT_ON_REQUESTER_REPLY: Mapping[Status, Status] = {
    Status.WAITING_FOR_USER: Status.IN_PROGRESS,
    Status.RESOLVED: Status.OPEN,
}

_ORDER = {status: index for index, status in enumerate(Status)}


def _invalid(problem: str, **params: object) -> ValidationError:
    return ValidationError(
        ErrorCode.WORKFLOW_INVALID,
        f"invalid workflow: {problem}",
        field="workflow",
        params={"problem": problem, **params},
    )


def _role_of(actor: object) -> Role:
    if isinstance(actor, Actor):
        return actor.role
    if isinstance(actor, Role):
        return actor
    raise wrong_type("actor", "Actor or Role", actor)


def _actor(actor: object) -> Actor:
    return _check.instance(actor, Actor, "actor")


def _status(value: object, field: str) -> Status:
    if type(value) is Status:
        return value
    return Status(_check.text(value, field))


def _action(value: object) -> Action:
    if type(value) is Action:
        return value
    return Action(_check.text(value, "action"))


# -- checking what the constructor is given ------------------------------------------------


def _check_table(transitions: object) -> FrozenMap[tuple[Status, Status], frozenset[Role]]:
    if isinstance(transitions, Mapping):
        items: tuple[object, ...] = tuple(
            _transition_from_pair(key, roles) for key, roles in transitions.items()
        )
    else:
        items = _check.items(transitions, "transitions")
    allowed: dict[tuple[Status, Status], frozenset[Role]] = {}
    for item in items:
        if not isinstance(item, Transition):
            raise _invalid(f"{type(item).__name__} is not a Transition")
        key = (item.from_status, item.to_status)
        if key in allowed:
            raise _invalid(f"{item.from_status} -> {item.to_status} is listed twice")
        if item.from_status is item.to_status:
            raise _invalid(f"{item.from_status} -> {item.to_status} goes nowhere")
        if item.from_status is Status.CLOSED:
            raise _invalid("closed is terminal: no move may leave it")
        if not item.roles:
            raise _invalid(f"{item.from_status} -> {item.to_status} names no role")
        allowed[key] = item.roles
    unreachable = _unreachable(allowed)
    if unreachable:
        names = ", ".join(status.value for status in unreachable)
        raise _invalid(f"{names} cannot be reached from open", statuses=names)
    return FrozenMap(allowed)


def _transition_from_pair(key: object, roles: object) -> Transition:
    if not isinstance(key, tuple) or len(key) != 2:  # noqa: PLR2004 - a pair
        raise _invalid(f"a table key must be a (from_status, to_status) pair, not {_short(key)}")
    return Transition(key[0], key[1], roles)


def _check_permissions(permissions: object) -> FrozenMap[Action, frozenset[Role]]:
    merged = dict(_DEFAULT_PERMISSIONS)
    if permissions is not None:
        for action, roles in _check.mapping(permissions, "permissions").items():
            merged[_action(action)] = _roles(roles, f"permissions.{action}")
    for action in _NEVER_FOR_REQUESTERS:
        if Role.REQUESTER in merged[action]:
            raise _invalid(f"requesters may not be given {action}: it shows internal notes")
    for action in _ACROSS_REQUESTERS:
        if not merged[action] <= merged[Action.ACT_ON_ANY_TICKET]:
            raise _invalid(
                f"{action} lists other requesters' tickets: only roles that may"
                f" {Action.ACT_ON_ANY_TICKET} may have it"
            )
    return FrozenMap(merged)


def _check_reply_moves(moves: object) -> FrozenMap[Status, Status] | None:
    if moves is None:  # the defaults the table allows, chosen in __attrs_post_init__
        return None
    checked = {
        _status(a, "on_requester_reply"): _status(b, "on_requester_reply")
        for a, b in _check.mapping(moves, "on_requester_reply").items()
    }
    for source, target in checked.items():
        if source is target or Status.CLOSED in (source, target):
            raise _invalid(f"a reply cannot move a ticket from {source} to {target}")
    return FrozenMap(checked)


def _check_limits(limits: object) -> Limits:
    return Limits() if limits is None else _check.instance(limits, Limits, "limits")


def _unreachable(allowed: Mapping[tuple[Status, Status], frozenset[Role]]) -> list[Status]:
    seen = {Status.OPEN}
    frontier = [Status.OPEN]
    while frontier:
        status = frontier.pop()
        for a, b in allowed:
            if a is status and b not in seen:
                seen.add(b)
                frontier.append(b)
    return [status for status in Status if status not in seen]


# -- the workflow --------------------------------------------------------------------------


@attrs.frozen(repr=False)
class Workflow:
    """A validated status transition table plus who may do what.

    ``transitions`` is an iterable of :class:`Transition` or a mapping from
    ``(from_status, to_status)`` to roles. ``permissions`` overrides, per
    :class:`Action`, which roles may act (defaults: everyone views, opens and replies;
    requesters and agents attach; only agents write internal notes or change priority,
    category or assignee; agents and the system read notes, see the queue and the
    at-risk list, export, import and act on any requester's ticket).
    ``on_requester_reply`` maps a status to the status a public reply by the requester
    moves the ticket to (default: ``waiting_for_user`` to ``in_progress``, ``resolved``
    to ``open``, each where the table lets the requester or the system make it); those
    moves are made by the system. ``reveal_foreign_tickets`` makes a
    requester's request for another's ticket a permission error instead of not found.

    The table must be sensible: statuses and roles known, at least one role per move, no
    move from a status to itself, no move out of ``closed`` (closed is terminal: a
    follow-up is a new ticket), and every status reachable from ``open``. A reply move
    must be one the table lets the requester or the system make. No requester may read
    internal notes, export or import, and only roles that act on any ticket may list
    the queue or the at-risk tickets.

    >>> import ticketcore as tc
    >>> strict = tc.Workflow({
    ...     ("open", "in_progress"): ["agent"],
    ...     ("in_progress", "waiting_for_user"): ["agent"],
    ...     ("waiting_for_user", "in_progress"): ["agent", "system"],
    ...     ("in_progress", "resolved"): ["agent"],
    ...     ("resolved", "closed"): ["requester", "agent", "system"],
    ... }, on_requester_reply={"waiting_for_user": "in_progress"})
    >>> strict.allows(tc.Status.OPEN, tc.Status.CLOSED, tc.Role.REQUESTER)
    False
    >>> tc.Workflow({("open", "closed"): ["agent"]})
    Traceback (most recent call last):
    ...
    ticketcore.errors.ValidationError: invalid workflow:
    in_progress, waiting_for_user, resolved cannot be reached from open
    """

    _allowed: FrozenMap[tuple[Status, Status], frozenset[Role]] = attrs.field(
        alias="transitions", converter=_check_table
    )
    _permissions: FrozenMap[Action, frozenset[Role]] = attrs.field(
        alias="permissions", default=None, converter=_check_permissions, kw_only=True
    )
    _on_requester_reply: FrozenMap[Status, Status] | None = attrs.field(
        alias="on_requester_reply", default=None, converter=_check_reply_moves, kw_only=True
    )
    limits: Limits = attrs.field(default=None, converter=_check_limits, kw_only=True)
    reveal_foreign_tickets: bool = attrs.field(default=False, kw_only=True)
    _targets: dict[tuple[Status, Role], tuple[Status, ...]] = attrs.field(
        init=False, eq=False, hash=False
    )

    def _default_reply_moves(self) -> FrozenMap[Status, Status]:
        """The default reply moves this table lets the requester or the system make."""
        return FrozenMap(
            {
                source: target
                for source, target in _DEFAULT_ON_REQUESTER_REPLY.items()
                if self._allowed.get((source, target), frozenset()) & {Role.REQUESTER, Role.SYSTEM}
            }
        )

    @property
    def _reply_moves(self) -> FrozenMap[Status, Status]:
        moves = self._on_requester_reply
        return FrozenMap() if moves is None else moves  # None only inside __init__

    def __attrs_post_init__(self) -> None:
        _check.boolean(self.reveal_foreign_tickets, "reveal_foreign_tickets")
        if self._on_requester_reply is None:
            object.__setattr__(self, "_on_requester_reply", self._default_reply_moves())
        for source, target in self._reply_moves.items():
            roles = self._allowed.get((source, target), frozenset())
            if not roles & {Role.REQUESTER, Role.SYSTEM}:
                raise _invalid(
                    f"a requester's reply moves {source} to {target}, a move the table"
                    " lets neither the requester nor the system make"
                )
        targets = {
            (status, role): tuple(
                sorted(
                    (b for (a, b), roles in self._allowed.items() if a is status and role in roles),
                    key=_ORDER.__getitem__,
                )
            )
            for status in Status
            for role in Role
        }
        object.__setattr__(self, "_targets", targets)

    @classmethod
    def default(
        cls,
        *,
        limits: Limits | None = None,
        permissions: Mapping[Action | str, Iterable[Role | str]] | None = None,
        reveal_foreign_tickets: bool = False,
    ) -> Workflow:
        """The product's lifecycle (see the table in ``docs/concepts.md``), optionally
        with other limits, permissions or ``reveal_foreign_tickets``."""
        if limits is None and permissions is None and reveal_foreign_tickets is False:
            return _DEFAULT
        return cls(
            _DEFAULT.transitions(),
            limits=limits,
            permissions=permissions,
            reveal_foreign_tickets=reveal_foreign_tickets,
        )

    # -- the table -------------------------------------------------------------------

    def transitions(self) -> tuple[Transition, ...]:
        """Every allowed move, in status order."""
        return tuple(
            Transition(a, b, roles)
            for (a, b), roles in sorted(
                self._allowed.items(), key=lambda item: (_ORDER[item[0][0]], _ORDER[item[0][1]])
            )
        )

    def allows(self, from_status: Status, to_status: Status, role: Role) -> bool:
        """Whether ``role`` may move a ticket from ``from_status`` to ``to_status``."""
        key = (_status(from_status, "from_status"), _status(to_status, "to_status"))
        roles = self._allowed.get(key)
        return roles is not None and _role_of(role) in roles

    def targets(self, status: Status, actor: Actor | Role) -> tuple[Status, ...]:
        """The statuses ``actor`` may move a ticket in ``status`` to (for buttons)."""
        return self._targets[_status(status, "status"), _role_of(actor)]

    def reply_moves(self, status: Status) -> Status | None:
        """Where a requester's public reply moves a ticket in ``status``, if anywhere."""
        return self._reply_moves.get(_status(status, "status"))

    def move_on_reply(self, actor: Actor, status: Status, *, internal: bool) -> Status | None:
        """Where ``actor``'s message moves a ticket in ``status``: only a requester's
        public reply moves it (see ``on_requester_reply``)."""
        if _actor(actor).role is not Role.REQUESTER or internal:
            return None
        return self.reply_moves(status)

    def check_transition(self, from_status: Status, to_status: Status, actor: Actor) -> None:
        """Raise :class:`TransitionError` unless ``actor`` may make this move."""
        from_status = _status(from_status, "from_status")
        to_status = _status(to_status, "to_status")
        role = _actor(actor).role
        roles = self._allowed.get((from_status, to_status))
        if roles is not None and role in roles:
            return
        if from_status is to_status:
            raise TransitionError(
                ErrorCode.NO_CHANGE,
                f"the ticket is already {to_status}",
                field="status",
                params={"from_status": from_status.value, "to_status": to_status.value},
            )
        who = "nobody" if roles is None else f"only {', '.join(sorted(roles))}"
        raise TransitionError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            f"{role} may not move a ticket from {from_status} to {to_status} ({who} may)",
            field="status",
            params={
                "from_status": from_status.value,
                "to_status": to_status.value,
                "role": role.value,
            },
        )

    # -- actions and ownership -------------------------------------------------------

    def permits(
        self, action: Action, actor: Actor | Role, *, requester_id: str | None = None
    ) -> bool:
        """Whether the actor may perform ``action`` (on a ticket of ``requester_id``,
        when given: the ownership rule applies too)."""
        action = _action(action)
        if requester_id is not None and not self.may_act_on(_actor(actor), requester_id):
            return False
        return _role_of(actor) in self._permissions[action]

    def may_act_on(self, actor: Actor, requester_id: str) -> bool:
        """The ownership rule: whether ``actor`` may act on a ticket of ``requester_id``."""
        actor = _actor(actor)
        _check.text(requester_id, "requester_id")
        return actor.id == requester_id or actor.role in self._permissions[Action.ACT_ON_ANY_TICKET]

    def roles_for(self, action: Action) -> frozenset[Role]:
        """The roles that may perform ``action``."""
        return self._permissions[_action(action)]

    def check_action(
        self,
        action: Action,
        actor: Actor,
        *,
        requester_id: str | None = None,
        ticket_id: str | None = None,
    ) -> None:
        """Raise unless ``actor`` may do ``action``, on the ticket ``ticket_id`` of
        ``requester_id`` when they are given.

        Ownership comes first: another requester's ticket is :class:`NotFoundError`
        (``not_found``), exactly as a missing one, or with ``reveal_foreign_tickets``
        :class:`PermissionDeniedError` (``not_your_ticket``); then a role without the
        right is :class:`PermissionDeniedError` (``action_not_allowed``).
        """
        action = _action(action)
        actor = _actor(actor)
        if requester_id is not None:
            self.check_access(actor, requester_id=requester_id, ticket_id=ticket_id)
        if actor.role not in self._permissions[action]:
            raise PermissionDeniedError(
                ErrorCode.ACTION_NOT_ALLOWED,
                f"a {actor.role} may not {_ACTION_PHRASES[action]}",
                field=action.value,
                params={"action": action.value, "role": actor.role.value},
            )

    def check_access(
        self, actor: Actor, *, requester_id: str, ticket_id: str | None = None
    ) -> None:
        """Raise unless the ownership rule lets ``actor`` at a ticket of ``requester_id``."""
        if self.may_act_on(actor, requester_id):
            return
        if self.reveal_foreign_tickets or ticket_id is None:
            raise PermissionDeniedError(
                ErrorCode.NOT_YOUR_TICKET,
                f"requester {actor.id!r} may act only on their own tickets",
                field="requester_id",
                params={"value": actor.id},
            )
        raise NotFoundError(
            ErrorCode.NOT_FOUND,
            f"no ticket {ticket_id!r}",
            field="ticket_id",
            params={"ticket_id": ticket_id},
        )

    def to_mermaid(self) -> str:
        """The lifecycle as a Mermaid state diagram, each arrow labelled with its roles.

        >>> print(Workflow.default().to_mermaid())  # doctest: +ELLIPSIS
        stateDiagram-v2
            [*] --> open
            open --> in_progress: agent
            ...
            closed --> [*]
        """
        lines = ["stateDiagram-v2", "    [*] --> open"]
        role_order = {role: index for index, role in enumerate(Role)}
        for transition in self.transitions():
            roles = ", ".join(r.value for r in sorted(transition.roles, key=role_order.__getitem__))
            lines.append(f"    {transition.from_status} --> {transition.to_status}: {roles}")
        lines.append("    closed --> [*]")
        return "\n".join(lines)

    def __repr__(self) -> str:
        if self == _DEFAULT:
            return "Workflow.default()"
        custom = [
            name
            for name, differs in (
                ("custom permissions", self._permissions != _DEFAULT._permissions),
                ("custom reply moves", self._reply_moves != self._default_reply_moves()),
                ("custom limits", self.limits != Limits()),
                ("foreign tickets revealed", self.reveal_foreign_tickets),
            )
            if differs
        ]
        return f"Workflow({', '.join([f'{len(self._allowed)} transitions', *custom])})"


_DEFAULT = Workflow(
    Transition(source, target, roles)
    for sources, target, roles in _DEFAULT_TABLE
    for source in sources
)
