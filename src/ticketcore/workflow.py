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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from ticketcore.enums import Role, Status, _WireEnum
from ticketcore.errors import ErrorCode, PermissionDeniedError, TransitionError, ValidationError
from ticketcore.limits import Limits

if TYPE_CHECKING:
    from ticketcore.model import Actor

__all__ = ["Action", "Transition", "Workflow"]


class Action(_WireEnum):
    """What an actor can do to a ticket, apart from changing its status."""

    OPEN = "open"
    VIEW = "view"
    REPLY = "reply"
    ADD_NOTE = "add_note"
    ATTACH = "attach"
    CHANGE_PRIORITY = "change_priority"
    CHANGE_CATEGORY = "change_category"
    ASSIGN = "assign"


def _roles(roles: Iterable[Role | str] | Role | str) -> frozenset[Role]:
    if isinstance(roles, str):  # one role ("agent"), not the letters of its name
        return frozenset({Role(roles)})
    return frozenset(Role(role) for role in roles)


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

_DEFAULT_PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.OPEN: frozenset({Role.REQUESTER, Role.AGENT, Role.SYSTEM}),
    Action.VIEW: frozenset({Role.REQUESTER, Role.AGENT, Role.SYSTEM}),
    Action.REPLY: frozenset({Role.REQUESTER, Role.AGENT, Role.SYSTEM}),
    Action.ADD_NOTE: frozenset({Role.AGENT}),
    Action.ATTACH: frozenset({Role.REQUESTER, Role.AGENT}),
    Action.CHANGE_PRIORITY: frozenset({Role.AGENT}),
    Action.CHANGE_CATEGORY: frozenset({Role.AGENT}),
    Action.ASSIGN: frozenset({Role.AGENT}),
}

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


class Workflow:
    """A validated status transition table plus who may do what.

    ``transitions`` is an iterable of :class:`Transition` or a mapping from
    ``(from_status, to_status)`` to roles. ``permissions`` overrides, per
    :class:`Action`, which roles may act (defaults: everyone views, opens and replies;
    requesters and agents attach; only agents write internal notes or change priority,
    category or assignee). ``on_requester_reply`` maps a status to the status a public
    reply by the requester moves the ticket to (default: ``waiting_for_user`` to
    ``in_progress``, ``resolved`` to ``open``); those moves are made by the system.

    The table must be sensible: statuses and roles known, at least one role per move, no
    move from a status to itself, no move out of ``closed`` (closed is terminal: a
    follow-up is a new ticket), and every status reachable from ``open``.

    >>> import ticketcore as tc
    >>> strict = tc.Workflow({
    ...     ("open", "in_progress"): ["agent"],
    ...     ("in_progress", "waiting_for_user"): ["agent"],
    ...     ("waiting_for_user", "in_progress"): ["agent", "system"],
    ...     ("in_progress", "resolved"): ["agent"],
    ...     ("resolved", "closed"): ["requester", "agent", "system"],
    ... })
    >>> strict.allows(tc.Status.OPEN, tc.Status.CLOSED, tc.Role.REQUESTER)
    False
    >>> tc.Workflow({("open", "closed"): ["agent"]})
    Traceback (most recent call last):
    ...
    ticketcore.errors.ValidationError: invalid workflow:
    in_progress, waiting_for_user, resolved cannot be reached from open
    """

    __slots__ = ("_allowed", "_on_requester_reply", "_permissions", "_targets", "limits")

    _allowed: dict[tuple[Status, Status], frozenset[Role]]
    _permissions: dict[Action, frozenset[Role]]
    _on_requester_reply: dict[Status, Status]
    _targets: dict[tuple[Status, Role], tuple[Status, ...]]
    limits: Limits

    def __init__(
        self,
        transitions: Iterable[Transition]
        | Mapping[tuple[Status | str, Status | str], Iterable[Role | str]],
        *,
        permissions: Mapping[Action | str, Iterable[Role | str]] | None = None,
        on_requester_reply: Mapping[Status | str, Status | str] | None = None,
        limits: Limits | None = None,
    ) -> None:
        allowed = _check_table(transitions)
        merged = _check_permissions(permissions)
        moves = _check_reply_moves(on_requester_reply)
        object.__setattr__(self, "_allowed", allowed)
        object.__setattr__(self, "_permissions", merged)
        object.__setattr__(self, "_on_requester_reply", moves)
        object.__setattr__(
            self,
            "_targets",
            {
                (status, role): tuple(
                    sorted(
                        (b for (a, b), roles in allowed.items() if a is status and role in roles),
                        key=_ORDER.__getitem__,
                    )
                )
                for status in Status
                for role in Role
            },
        )
        object.__setattr__(self, "limits", limits or Limits())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Workflow is immutable")

    @classmethod
    def default(cls, *, limits: Limits | None = None) -> Workflow:
        """The product's lifecycle (see the table in ``docs/concepts.md``)."""
        if limits is None:
            return _DEFAULT
        return cls(_DEFAULT.transitions(), limits=limits)

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
        roles = self._allowed.get((from_status, to_status))
        return roles is not None and role in roles

    def targets(self, status: Status, actor: Actor | Role) -> tuple[Status, ...]:
        """The statuses ``actor`` may move a ticket in ``status`` to (for buttons)."""
        role = actor if isinstance(actor, Role) else actor.role
        return self._targets[Status(status), role]

    def permits(self, action: Action, actor: Actor | Role) -> bool:
        """Whether the actor's role may perform ``action`` (ownership aside)."""
        role = actor if isinstance(actor, Role) else actor.role
        return role in self._permissions[action]

    def reply_moves(self, status: Status) -> Status | None:
        """Where a requester's public reply moves a ticket in ``status``, if anywhere."""
        return self._on_requester_reply.get(status)

    def check_transition(self, from_status: Status, to_status: Status, actor: Actor) -> None:
        """Raise :class:`TransitionError` unless ``actor`` may make this move."""
        roles = self._allowed.get((from_status, to_status))
        if roles is not None and actor.role in roles:
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
            f"{actor.role} may not move a ticket from {from_status} to {to_status} ({who} may)",
            field="status",
            params={
                "from_status": from_status.value,
                "to_status": to_status.value,
                "role": actor.role.value,
            },
        )

    def check_action(self, action: Action, actor: Actor) -> None:
        """Raise :class:`PermissionDeniedError` unless the actor's role may do ``action``."""
        if actor.role not in self._permissions[action]:
            raise PermissionDeniedError(
                ErrorCode.ACTION_NOT_ALLOWED,
                f"a {actor.role} may not {action.value.replace('_', ' ')}",
                field=action.value,
                params={"action": action.value, "role": actor.role.value},
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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Workflow):
            return NotImplemented
        return (
            self._allowed == other._allowed
            and self._permissions == other._permissions
            and self._on_requester_reply == other._on_requester_reply
            and self.limits == other.limits
        )

    def __hash__(self) -> int:
        return hash((frozenset(self._allowed.items()), self.limits))

    def __repr__(self) -> str:
        if self == _DEFAULT:
            return "Workflow.default()"
        custom = "" if self.limits == Limits() else ", custom limits"
        return f"Workflow({len(self._allowed)} transitions{custom})"


def _check_table(
    transitions: Iterable[Transition]
    | Mapping[tuple[Status | str, Status | str], Iterable[Role | str]],
) -> dict[tuple[Status, Status], frozenset[Role]]:
    items = (
        [Transition(a, b, roles) for (a, b), roles in transitions.items()]
        if isinstance(transitions, Mapping)
        else list(transitions)
    )
    allowed: dict[tuple[Status, Status], frozenset[Role]] = {}
    for item in items:
        if not isinstance(item, Transition):
            raise _invalid(f"{item!r} is not a Transition")
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
    return allowed


def _check_permissions(
    permissions: Mapping[Action | str, Iterable[Role | str]] | None,
) -> dict[Action, frozenset[Role]]:
    merged = dict(_DEFAULT_PERMISSIONS)
    for action, roles in (permissions or {}).items():
        merged[Action(action)] = _roles(roles)
    if Role.REQUESTER in merged[Action.ADD_NOTE]:
        raise _invalid("requesters cannot write internal notes they may not read")
    return merged


def _check_reply_moves(moves: Mapping[Status | str, Status | str] | None) -> dict[Status, Status]:
    checked = {
        Status(a): Status(b)
        for a, b in (_DEFAULT_ON_REQUESTER_REPLY if moves is None else moves).items()
    }
    for source, target in checked.items():
        if source is target or Status.CLOSED in (source, target):
            raise _invalid(f"a reply cannot move a ticket from {source} to {target}")
    return checked


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


_DEFAULT = Workflow(
    Transition(source, target, roles)
    for sources, target, roles in _DEFAULT_TABLE
    for source in sources
)
