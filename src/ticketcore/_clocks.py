"""SLA clocks as folded state: what an evaluation needs, brought up to date event by event.

Replaying a ticket's whole history on every evaluation costs time in proportion to its
length. :class:`Clocks` instead holds, for each of the three clocks, only what its
verdict depends on: when it started and stopped, the business time it used in the
stretches already closed (per calendar), the instant its target ran out in them (per
priority, since a priority change swaps the target of a running clock), and the start
of the stretch it is counting in now. :func:`fold` builds it from a history, and
:meth:`Clocks.advance` brings it up to date with the events that followed, at a cost
that does not depend on how long the ticket is.

The fold mirrors the replaying evaluation in :mod:`ticketcore.sla` step for step (it
closes a stretch at every status change, as the replay splits its segments there), so
the two agree exactly; a property test holds them to it. This module knows nothing of
reports: :mod:`ticketcore.sla` turns a :class:`Reading` into a ``MetricStatus``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ticketcore.enums import Priority, Role, Status
from ticketcore.events import Event, MessageAdded, PriorityChanged, StatusChanged, TicketOpened

if TYPE_CHECKING:
    from ticketcore.calendar import BusinessCalendar

_ZERO = timedelta(0)
STOPPED = frozenset({Status.RESOLVED, Status.CLOSED})  # the statuses that end resolution
_PRIORITIES = tuple(Priority)
_INDEX = {priority: index for index, priority in enumerate(_PRIORITIES)}
FIRST, NEXT, RESOLUTION = "first", "next", "resolution"


@attrs.frozen
class Setup:
    """What a policy tells the fold: calendars, targets and the statuses that pause."""

    calendars: tuple[BusinessCalendar, ...]  # distinct calendars
    slot: tuple[int, ...]  # per priority (in ``Priority`` order): its calendar's index
    targets: dict[str, tuple[timedelta | None, ...]]  # per clock, per priority
    pauses: frozenset[Status]

    def counts(self, status: Status) -> bool:
        return status not in self.pauses and status not in STOPPED


@attrs.frozen
class Reading:
    """One clock at an instant, before it becomes a verdict."""

    target: timedelta | None
    calendar: BusinessCalendar
    start: datetime
    stop: datetime | None
    outcome: str | None  # "met", "ended" (closed unanswered) or None (still going)
    elapsed: timedelta
    deadline: datetime | None  # where the target runs out, if the clock reaches it
    counting: bool


class _Run:
    """One clock's run, mutable only while a fold or an advance builds it."""

    __slots__ = ("crossed", "due", "outcome", "since", "start", "stop", "stop_priority", "used")

    def __init__(self, start: datetime, setup: Setup, counting: bool) -> None:
        self.start = start
        self.stop: datetime | None = None
        self.outcome: str | None = None
        self.since: datetime | None = start if counting else None  # the open stretch
        self.stop_priority: Priority | None = None
        self.used = [_ZERO] * len(setup.calendars)  # per calendar, over closed stretches
        self.crossed: list[datetime | None] = [None] * len(_PRIORITIES)  # per priority
        # per priority, (since, used, deadline) last worked out for the open stretch: a
        # memo that holds for as long as since and used are what it was worked out from
        self.due: dict[int, tuple[datetime, timedelta, datetime]] = {}

    def copy(self) -> _Run:
        run = _Run.__new__(_Run)
        run.start, run.stop, run.outcome = self.start, self.stop, self.outcome
        run.since, run.stop_priority = self.since, self.stop_priority
        run.used, run.crossed, run.due = list(self.used), list(self.crossed), dict(self.due)
        return run

    def close(self, at: datetime, setup: Setup, targets: tuple[timedelta | None, ...]) -> None:
        """End the stretch counting since ``since`` at ``at`` (empty stretches count nothing)."""
        low, self.since = self.since, None
        if low is None or at <= low:
            return
        for index, calendar in enumerate(setup.calendars):
            spent = calendar.between(low, at)
            before = self.used[index]
            for priority, slot in enumerate(setup.slot):
                target = targets[priority]
                if (
                    slot == index
                    and target is not None
                    and self.crossed[priority] is None
                    and before + spent >= target
                ):
                    self.crossed[priority] = calendar.add(low, target - before)
            self.used[index] = before + spent

    def end(self, at: datetime, outcome: str, priority: Priority) -> None:
        self.stop, self.outcome, self.stop_priority = at, outcome, priority

    def reading(
        self,
        now: datetime,
        setup: Setup,
        targets: tuple[timedelta | None, ...],
        current: Priority,
        spent: dict[tuple[int, datetime], timedelta],
    ) -> Reading:
        """This clock at ``now``; ``spent`` memoizes the open stretches' business time
        for the clocks read at the same instant (they often count since the same one)."""
        priority = _INDEX[current if self.stop is None else self.stop_priority or current]
        slot = setup.slot[priority]
        calendar = setup.calendars[slot]
        target = targets[priority]
        used = self.used[slot]
        since = self.since
        elapsed = used
        deadline = self.crossed[priority]
        if since is not None:
            key = (slot, since)
            if key not in spent:
                spent[key] = calendar.between(since, now)
            elapsed = used + spent[key]
            if deadline is None and target is not None:
                deadline = self._due(priority, since, used, calendar, target)
        counting = since is not None
        return Reading(
            target, calendar, self.start, self.stop, self.outcome, elapsed, deadline, counting
        )

    def _due(
        self,
        priority: int,
        since: datetime,
        used: timedelta,
        calendar: BusinessCalendar,
        target: timedelta,
    ) -> datetime:
        """Where the target runs out if the open stretch goes on (it does not depend on
        the instant the clock is read at, so it is worked out once per stretch)."""
        memo = self.due.get(priority)
        if memo is not None and memo[0] == since and memo[1] == used:
            return memo[2]
        deadline = calendar.add(since, target - used)
        self.due[priority] = (since, used, deadline)
        return deadline


@attrs.frozen(eq=False)
class Clocks:
    """The three clocks of one ticket under one policy, after its first ``count`` events."""

    policy: object  # the SLAPolicy it was folded for; compared, never called
    setup: Setup
    count: int
    last_at: datetime
    status: Status
    priority: Priority
    agent_replied: bool
    _runs: dict[str, _Run]

    def advance(self, events: Sequence[Event]) -> Clocks:
        """The clocks after ``events``, which follow the ones already folded."""
        if not events:
            return self
        state = _Folding(self)
        for event in events:
            state.apply(event)
        return state.freeze(self.policy, self.count + len(events))

    def readings(self, now: datetime) -> tuple[Reading, Reading | None, Reading]:
        """The first-response, next-response (``None`` until one starts) and resolution
        clocks at ``now``, which is at or after ``last_at``."""
        setup, runs = self.setup, self._runs
        spent: dict[tuple[int, datetime], timedelta] = {}
        waiting = runs.get(NEXT)
        return (
            runs[FIRST].reading(now, setup, setup.targets[FIRST], self.priority, spent),
            None
            if waiting is None
            else waiting.reading(now, setup, setup.targets[NEXT], self.priority, spent),
            runs[RESOLUTION].reading(now, setup, setup.targets[RESOLUTION], self.priority, spent),
        )


# -- stored clocks ------------------------------------------------------------------------
# A ticket's clocks are stored with its state as plain data (instants as microseconds
# since 1970 UTC), under the fingerprint of the policy that folded them; a policy with
# that fingerprint takes them up again instead of folding the history.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_STATUSES = {status.value: status for status in Status}
_BY_NAME = {priority.value: priority for priority in Priority}


@attrs.frozen
class StoredClocks:
    """Clocks as a store keeps them, not yet taken up by a policy."""

    fingerprint: str
    data: dict[str, Any]


def us_of(moment: datetime) -> int:
    """``moment`` as stored clocks keep instants: microseconds since 1970 UTC."""
    return (moment - _EPOCH) // _US


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - _EPOCH) // _US


def _moment(value: object) -> datetime | None:
    return None if value is None else _EPOCH + _span(value)


def _instant(value: object) -> datetime:
    return _EPOCH + _span(value)


def _span(value: object) -> timedelta:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(value)
    return value * _US


def to_data(clocks: Clocks) -> dict[str, Any]:
    """``clocks`` as JSON-ready data (the memo of deadlines is not kept)."""
    runs = {
        name: _trimmed(
            [
                _us(run.start),
                _us(run.stop),
                run.outcome,
                _us(run.since),
                None if run.stop_priority is None else run.stop_priority.value,
                [used // _US for used in run.used],
                [_us(crossed) for crossed in run.crossed],
            ]
        )
        for name, run in clocks._runs.items()  # noqa: SLF001 - this module's own class
    }
    return {
        "count": clocks.count,
        "last_at": _us(clocks.last_at),
        "status": clocks.status.value,
        "priority": clocks.priority.value,
        "agent_replied": clocks.agent_replied,
        "runs": runs,
    }


def _trimmed(fields: list[Any]) -> list[Any]:
    """A run's fields without the trailing ones that hold nothing (no time used, no
    threshold crossed, no stop): most stored runs, so a state row stays small."""
    while len(fields) > 1 and _empty(fields[-1]):
        fields.pop()
    return fields


def _empty(value: object) -> bool:
    if isinstance(value, list):
        return all(item is None or item == 0 for item in value)
    return value is None


def from_data(policy: object, setup: Setup, data: dict[str, Any]) -> Clocks | None:
    """The clocks :func:`to_data` wrote, taken up by ``policy``; ``None`` if the data does
    not fit its setup (then the policy folds the history again)."""
    try:
        runs: dict[str, _Run] = {}
        empty = [None, None, None, None, [0] * len(setup.calendars), [None] * len(_PRIORITIES)]
        for name, stored in data["runs"].items():
            if not isinstance(stored, list) or not 1 <= len(stored) <= len(empty) + 1:
                return None
            fields = [*stored, *empty[len(stored) - 1 :]]
            start, stop, outcome, since, stop_priority, used, crossed = fields
            if (
                name not in setup.targets
                or len(used) != len(setup.calendars)
                or len(crossed) != len(_PRIORITIES)
                or outcome not in {None, "met", "ended"}
            ):
                return None
            run = _Run.__new__(_Run)
            run.start = _instant(start)
            run.stop, run.outcome, run.since = _moment(stop), outcome, _moment(since)
            run.stop_priority = None if stop_priority is None else _BY_NAME[stop_priority]
            run.used = [_span(value) for value in used]
            run.crossed = [_moment(value) for value in crossed]
            run.due = {}
            runs[name] = run
        if FIRST not in runs or RESOLUTION not in runs:
            return None
        count, agent_replied = data["count"], data["agent_replied"]
        if not isinstance(count, int) or not isinstance(agent_replied, bool):
            return None
        return Clocks(
            policy,
            setup,
            count,
            _instant(data["last_at"]),
            _STATUSES[data["status"]],
            _BY_NAME[data["priority"]],
            agent_replied,
            runs,
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None  # not ours to trust: fold again


def fold(policy: object, setup: Setup, history: Sequence[Event]) -> Clocks:
    """The clocks of a whole history (it starts with ``TicketOpened``)."""
    opened = history[0]
    assert isinstance(opened, TicketOpened)  # noqa: S101 - a Ticket's history starts so
    counting = setup.counts(Status.OPEN)
    runs = {
        FIRST: _Run(opened.at, setup, counting),
        RESOLUTION: _Run(opened.at, setup, counting),
    }
    start = Clocks(
        policy, setup, 1, opened.at, Status.OPEN, opened.priority, agent_replied=False, runs=runs
    )
    return start.advance(history[1:])


class _Folding:
    """A working copy of :class:`Clocks` that events change in place."""

    def __init__(self, clocks: Clocks) -> None:
        self.setup = clocks.setup
        self.last_at = clocks.last_at
        self.status = clocks.status
        self.priority = clocks.priority
        self.agent_replied = clocks.agent_replied
        self.runs = {name: run.copy() for name, run in clocks._runs.items()}  # noqa: SLF001

    def freeze(self, policy: object, count: int) -> Clocks:
        return Clocks(
            policy,
            self.setup,
            count,
            self.last_at,
            self.status,
            self.priority,
            self.agent_replied,
            self.runs,
        )

    def apply(self, event: Event) -> None:
        at = self.last_at = event.at
        kind = type(event)
        if kind is StatusChanged:
            assert isinstance(event, StatusChanged)  # noqa: S101 - narrowed by the type test
            self._status(event.to_status, at)
        elif kind is PriorityChanged:
            assert isinstance(event, PriorityChanged)  # noqa: S101 - narrowed by the type test
            self.priority = event.to_priority
            for run in self.runs.values():
                if run.stop == at:  # a stopped clock keeps the priority at its stop instant
                    run.stop_priority = event.to_priority
        elif kind is MessageAdded:
            assert isinstance(event, MessageAdded)  # noqa: S101 - narrowed by the type test
            if not event.message.internal:
                self._reply(event.actor.role, at)

    def _status(self, status: Status, at: datetime) -> None:
        setup = self.setup
        counting = setup.counts(status)
        for name, run in self.runs.items():
            if run.stop is None:  # a stretch ends at every status change, as replay splits
                run.close(at, setup, setup.targets[name])
                if counting:
                    run.since = at
        resolution = self.runs[RESOLUTION]
        if status in STOPPED:
            resolution.end(at, "met", self.priority)  # resolved, or closed after it
        elif resolution.stop is not None:  # reopened: the clock resumes with time used
            resolution.stop = resolution.outcome = resolution.stop_priority = None
            resolution.since = at if counting else None
        if status is Status.CLOSED:
            for name in (FIRST, NEXT):
                unanswered = self.runs.get(name)
                if unanswered is not None and unanswered.stop is None:
                    unanswered.end(at, "ended", self.priority)
        self.status = status

    def _reply(self, role: Role, at: datetime) -> None:
        setup = self.setup
        if role is Role.AGENT:
            for name in (FIRST, NEXT):
                run = self.runs.get(name)
                if run is not None and run.stop is None:
                    run.close(at, setup, setup.targets[name])
                    run.end(at, "met", self.priority)
            self.agent_replied = True
        elif role is Role.REQUESTER and self.agent_replied:
            waiting = self.runs.get(NEXT)
            if waiting is None or waiting.stop is not None:
                self.runs[NEXT] = _Run(at, setup, setup.counts(self.status))
