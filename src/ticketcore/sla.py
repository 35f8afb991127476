"""SLA policies: response and resolution targets, evaluated from a ticket's history.

An :class:`SLAPolicy` holds targets per :class:`Metric` and priority, the business
calendar their time is counted on, the statuses that pause the clocks and a warning
threshold. :meth:`SLAPolicy.evaluate` is a pure function of the ticket's history, the
policy and ``now``: replaying history means a priority or policy change recomputes
everything, deterministically.

>>> from datetime import datetime, timedelta, timezone
>>> import ticketcore as tc
>>> policy = tc.SLAPolicy.default()
>>> t0 = datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc)
>>> ticket = tc.Ticket.open(tc.Actor.requester("sara"), id="T-1", subject="Login",
...                         body="I cannot sign in.", at=t0, priority="urgent").ticket
>>> report = policy.evaluate(ticket, t0 + timedelta(minutes=100))
>>> report.first_response.state, report.first_response.deadline.isoformat()
(<ClockState.WARNING: 'warning'>, '2026-03-21T11:00:00+00:00')
>>> report.first_response.remaining
datetime.timedelta(seconds=1200)

Semantics, in full:

- ``first_response`` runs from opening to the first public reply by an agent.
- ``next_response`` runs from each public requester message that follows a public agent
  reply to the next public agent reply. The report shows the latest such cycle.
- ``resolution`` runs from opening until the ticket is resolved or closed; reopening
  resumes it with the time already used; time spent resolved does not count.
- A clock counts business time (its priority's calendar) only while the ticket is in
  an active status: not in ``pause_statuses`` (default ``waiting_for_user``), not
  ``resolved`` and not ``closed``.
- A clock still running uses the current priority's target, from its own start; a
  clock that stopped keeps the verdict it had when it stopped (met stays met).
- A clock is breached once its business time exceeds the target; ``breached_at`` is
  the instant the target ran out. Stopping exactly on the deadline is met.
- Closing a ticket ends the response clocks: not applicable unless already breached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from ticketcore import _check, _clocks
from ticketcore._clocks import Reading
from ticketcore._frozenmap import FrozenMap
from ticketcore._time import require_aware
from ticketcore.enums import Priority, Role, Status, _WireEnum
from ticketcore.errors import ErrorCode, ValidationError, _short, wrong_type
from ticketcore.events import MessageAdded, PriorityChanged, StatusChanged, TicketOpened

if TYPE_CHECKING:
    from ticketcore.calendar import BusinessCalendar
    from ticketcore.ticket import Ticket

__all__ = ["ClockState", "Metric", "MetricStatus", "SLAEvent", "SLAPolicy", "SLAReport"]

_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)
_STOPPED = _clocks.STOPPED


class Metric(_WireEnum):
    """What an SLA measures."""

    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class ClockState(_WireEnum):
    """Where one SLA clock stands."""

    RUNNING = "running"
    PAUSED = "paused"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"


@attrs.frozen
class MetricStatus:
    """One metric's clock at an instant.

    ``deadline`` is when the target runs out (for a paused clock: if it resumed now);
    ``elapsed`` and ``remaining`` are business time (``remaining`` is negative once
    breached); ``stopped_at`` is when the clock stopped (the reply, the resolution).
    """

    metric: Metric
    state: ClockState
    target: timedelta | None = None
    started_at: datetime | None = None
    deadline: datetime | None = None
    elapsed: timedelta = _ZERO
    remaining: timedelta | None = None
    stopped_at: datetime | None = None
    breached_at: datetime | None = None

    @property
    def is_pending(self) -> bool:
        """Whether the clock is still counting (running, warning, or breached and open)."""
        return self.state in {ClockState.RUNNING, ClockState.WARNING} or (
            self.state is ClockState.BREACHED and self.stopped_at is None
        )


_NO_NEXT_RESPONSE = MetricStatus(Metric.NEXT_RESPONSE, ClockState.NOT_APPLICABLE)


@attrs.frozen
class SLAReport:
    """Every metric of one ticket at ``at``. Iterating yields the three statuses."""

    ticket_id: str
    at: datetime
    first_response: MetricStatus
    next_response: MetricStatus
    resolution: MetricStatus

    def __iter__(self) -> Iterator[MetricStatus]:
        return iter((self.first_response, self.next_response, self.resolution))

    def __getitem__(self, metric: Metric | str) -> MetricStatus:
        return {status.metric: status for status in self}[Metric(metric)]

    @property
    def breached(self) -> bool:
        """Whether any metric is breached."""
        return any(status.state is ClockState.BREACHED for status in self)


@attrs.frozen
class SLAEvent:
    """A warning threshold reached or a target breached, for notifications."""

    ticket_id: str
    metric: Metric
    kind: str  # "warning" or "breached"
    at: datetime


# -- reading a history ---------------------------------------------------------------------


@attrs.frozen
class _Timeline:
    """What the clocks need from a history, up to an instant."""

    ticket_id: str
    opened_at: datetime
    statuses: tuple[tuple[datetime, Status], ...]  # (since, status), oldest first
    priorities: tuple[tuple[datetime, Priority], ...]
    replies: tuple[tuple[datetime, Role], ...]  # public messages after the opening one


def _timeline(ticket: Ticket, now: datetime) -> _Timeline:
    history = ticket.history
    opened = history[0]
    if not isinstance(opened, TicketOpened):  # pragma: no cover - Ticket guarantees it
        raise ValidationError(
            ErrorCode.HISTORY_INVALID, "history must start with TicketOpened", field="history"
        )
    statuses = [(opened.at, Status.OPEN)]
    priorities = [(opened.at, opened.priority)]
    replies: list[tuple[datetime, Role]] = []
    for event in history[1:]:
        if event.at > now:
            break  # a clock never sees what has not happened yet
        if isinstance(event, StatusChanged):
            statuses.append((event.at, event.to_status))
        elif isinstance(event, PriorityChanged):
            priorities.append((event.at, event.to_priority))
        elif isinstance(event, MessageAdded) and not event.message.internal:
            replies.append((event.at, event.actor.role))
    return _Timeline(ticket.id, opened.at, tuple(statuses), tuple(priorities), tuple(replies))


@attrs.frozen
class _Cycle:
    """One run of a clock: from ``start`` until ``stop`` (``None``: still going)."""

    metric: Metric
    start: datetime
    stop: datetime | None
    # how the clock stopped: "met" (reply, resolution) or "ended" (closed unanswered)
    outcome: str | None


def _cycles(line: _Timeline) -> list[_Cycle]:
    cycles: list[_Cycle] = []
    closed_at = next((at for at, status in line.statuses if status is Status.CLOSED), None)

    def stop_or_close(metric: Metric, start: datetime, stop: datetime | None) -> _Cycle:
        if stop is not None:
            return _Cycle(metric, start, stop, "met")
        if closed_at is not None:
            return _Cycle(metric, start, closed_at, "ended")
        return _Cycle(metric, start, None, None)

    first_agent = next((at for at, role in line.replies if role is Role.AGENT), None)
    cycles.append(stop_or_close(Metric.FIRST_RESPONSE, line.opened_at, first_agent))

    waiting_since: datetime | None = None
    agent_replied = False
    for at, role in line.replies:
        if role is Role.AGENT:
            if waiting_since is not None:
                cycles.append(_Cycle(Metric.NEXT_RESPONSE, waiting_since, at, "met"))
                waiting_since = None
            agent_replied = True
        elif role is Role.REQUESTER and agent_replied and waiting_since is None:
            waiting_since = at
    if waiting_since is not None:
        cycles.append(stop_or_close(Metric.NEXT_RESPONSE, waiting_since, None))

    last_status = line.statuses[-1]
    resolved_at = last_status[0] if last_status[1] in _STOPPED else None
    cycles.append(
        _Cycle(
            Metric.RESOLUTION,
            line.opened_at,
            resolved_at,
            None if resolved_at is None else "met",
        )
    )
    return cycles


def _value_at(changes: tuple[tuple[datetime, Priority], ...], at: datetime) -> Priority:
    value = changes[0][1]
    for since, priority in changes:
        if since > at:
            break
        value = priority
    return value


# -- the policy ----------------------------------------------------------------------------

TargetsInput = Mapping[Metric | str, Mapping[Priority | str, timedelta] | timedelta]
_TargetTable = FrozenMap[Metric, FrozenMap[Priority, timedelta]]


def _metric(value: object, field: str = "targets") -> Metric:
    return value if type(value) is Metric else Metric(_check.text(value, field))


def _priority(value: object, field: str) -> Priority:
    return value if type(value) is Priority else Priority(_check.text(value, field))


def _check_targets(value: object) -> _TargetTable:
    result: dict[Metric, FrozenMap[Priority, timedelta]] = {}
    for metric_name, per_priority in _check.mapping(value, "targets").items():
        metric = _metric(metric_name)
        given: Mapping[object, object]
        if isinstance(per_priority, timedelta):
            given = dict.fromkeys(Priority, per_priority)
        elif isinstance(per_priority, Mapping):
            given = per_priority
        else:
            raise wrong_type(
                f"targets.{metric}", "a timedelta or a mapping of priority to one", per_priority
            )
        targets: dict[Priority, timedelta] = {}
        for priority_name, target in given.items():
            priority = _priority(priority_name, f"targets.{metric}")
            if not isinstance(target, timedelta):
                raise wrong_type(f"targets.{metric}.{priority}", "timedelta", target)
            if target <= _ZERO:
                raise _bad_policy(
                    f"the {metric} target for {priority} must be a positive timedelta,"
                    f" not {target}",
                    "targets",
                )
            targets[priority] = target
        result[metric] = FrozenMap(targets)
    first = result.get(Metric.FIRST_RESPONSE, FrozenMap())
    resolution = result.get(Metric.RESOLUTION, FrozenMap())
    for priority in Priority:
        if priority in first and priority in resolution and first[priority] > resolution[priority]:
            raise _bad_policy(
                f"the first response target for {priority} ({first[priority]}) is"
                f" longer than the resolution target ({resolution[priority]})",
                "targets",
            )
    return FrozenMap(result)


def _check_calendar(value: object) -> BusinessCalendar:
    from ticketcore.calendar import BusinessCalendar  # noqa: PLC0415 - a cycle

    if value is None:
        return BusinessCalendar.always()
    return _check.instance(value, BusinessCalendar, "calendar")


def _check_calendars(value: object) -> FrozenMap[Priority, BusinessCalendar]:
    from ticketcore.calendar import BusinessCalendar  # noqa: PLC0415 - a cycle

    if value is None:
        return FrozenMap()
    return FrozenMap(
        {
            _priority(key, "calendars"): _check.instance(
                calendar, BusinessCalendar, f"calendars.{key}"
            )
            for key, calendar in _check.mapping(value, "calendars").items()
        }
    )


def _check_pauses(value: object) -> frozenset[Status]:
    pauses = frozenset(
        status if type(status) is Status else Status(_check.text(status, "pause_statuses"))
        for status in _check.items(value, "pause_statuses", limit=len(Status) * 4)
    )
    if pauses & _STOPPED:
        raise _bad_policy(
            "resolved and closed already stop the clocks; they cannot pause", "pause_statuses"
        )
    return pauses


def _check_threshold(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction | str):
        raise wrong_type("warning_threshold", "a number or its text", value)
    try:
        threshold = value if isinstance(value, Fraction) else Fraction(str(value))
    except (ValueError, ZeroDivisionError) as error:
        raise _bad_policy(
            f"warning_threshold {_short(value)} is not a number", "warning_threshold"
        ) from error
    if not 0 < threshold <= 1:
        raise _bad_policy(
            f"warning_threshold must be in (0, 1], not {_short(value)}", "warning_threshold"
        )
    return threshold


def _bad_policy(problem: str, field: str) -> ValidationError:
    return ValidationError(
        ErrorCode.POLICY_INVALID,
        f"invalid SLA policy: {problem}",
        field=field,
        params={"problem": problem},
    )


def _check_ticket(value: object) -> Ticket:
    from ticketcore.ticket import Ticket  # noqa: PLC0415 - a cycle

    return _check.instance(value, Ticket, "ticket")


@attrs.frozen(repr=False)
class SLAPolicy:
    """Targets per metric and priority, on a business calendar.

    ``targets`` maps each :class:`Metric` (or its name) to a mapping of priority to a
    positive ``timedelta``, or to one ``timedelta`` for every priority; a metric or
    priority left out has no target (``not_applicable``). ``calendar`` counts the time
    (default: 24/7 UTC); ``calendars`` overrides it per priority (urgent tickets 24/7,
    the rest on business hours, is common). ``pause_statuses`` stop the clocks while a
    ticket is in them; ``warning_threshold`` (a number or its text, in (0, 1]) is the
    share of a target after which a running clock is in ``warning``. Bad configuration
    raises a :class:`~ticketcore.ValidationError` naming the field.

    >>> from datetime import timedelta
    >>> SLAPolicy({"first_response": timedelta(hours=8), "resolution": timedelta(hours=4)})
    Traceback (most recent call last):
    ...
    ticketcore.errors.ValidationError: invalid SLA policy: the first response target
    for urgent (8:00:00) is longer than the resolution target (4:00:00)
    """

    _targets: _TargetTable = attrs.field(alias="targets", converter=_check_targets)
    calendar: BusinessCalendar = attrs.field(default=None, converter=_check_calendar, kw_only=True)
    calendars: FrozenMap[Priority, BusinessCalendar] = attrs.field(
        default=None, converter=_check_calendars, kw_only=True
    )
    pause_statuses: frozenset[Status] = attrs.field(
        default=(Status.WAITING_FOR_USER,), converter=_check_pauses, kw_only=True
    )
    warning_threshold: Fraction = attrs.field(
        default=Fraction(3, 4), converter=_check_threshold, kw_only=True
    )
    # what the folded clocks need of the policy, worked out once; not part of the value
    _setup: _clocks.Setup = attrs.field(
        init=False,
        eq=False,
        hash=False,
        repr=False,
        default=attrs.Factory(lambda self: self._make_setup(), takes_self=True),
    )
    _fingerprint: str = attrs.field(
        init=False,
        eq=False,
        hash=False,
        repr=False,
        default=attrs.Factory(lambda self: self._make_fingerprint(), takes_self=True),
    )

    def __repr__(self) -> str:
        targets = {
            metric.value: {p.value: str(t) for p, t in per.items()}
            for metric, per in self._targets.items()
        }
        return f"SLAPolicy({targets}, calendar={self.calendar!r})"

    @classmethod
    def default(cls) -> SLAPolicy:
        """The product's promise: 24/7 support, first and next response within 2h
        (urgent), 6h (high) and 24h (medium, low); no resolution target."""
        responses: dict[Priority | str, timedelta] = {
            Priority.URGENT: timedelta(hours=2),
            Priority.HIGH: timedelta(hours=6),
            Priority.MEDIUM: timedelta(hours=24),
            Priority.LOW: timedelta(hours=24),
        }
        targets: dict[Metric | str, Mapping[Priority | str, timedelta] | timedelta] = {
            Metric.FIRST_RESPONSE: responses,
            Metric.NEXT_RESPONSE: responses,
        }
        return cls(targets)

    def target(self, metric: Metric | str, priority: Priority | str) -> timedelta | None:
        """The target for ``metric`` at ``priority``, or ``None`` if there is none."""
        per_priority = self._targets.get(_metric(metric, "metric"))
        return None if per_priority is None else per_priority.get(_priority(priority, "priority"))

    def calendar_for(self, priority: Priority | str) -> BusinessCalendar:
        """The calendar that counts time for tickets of ``priority``."""
        return self.calendars.get(_priority(priority, "priority"), self.calendar)

    # -- evaluation --------------------------------------------------------------------

    def evaluate(self, ticket: Ticket, now: datetime) -> SLAReport:
        """Every metric's clock for ``ticket`` at ``now`` (events after ``now`` are ignored).

        The clocks are folded from the history once and then carried from ticket to
        ticket by its operations, so evaluating a ticket costs the same at any length.
        Evaluating at an instant before the ticket's last event replays its history.
        """
        ticket = _check_ticket(ticket)
        now = require_aware(now, "now")
        if now < ticket.created_at:
            raise ValidationError(
                ErrorCode.TIME_WENT_BACKWARDS,
                f"{now.isoformat()} is before the ticket was opened"
                f" ({ticket.created_at.isoformat()})",
                field="now",
                params={"value": now.isoformat(), "limit": ticket.created_at.isoformat()},
            )
        if now < ticket.updated_at:
            return self._replay(ticket, now)
        first, waiting, resolution = self._clocks_of(ticket).readings(now)
        return SLAReport(
            ticket_id=ticket.id,
            at=now,
            first_response=self._verdict(Metric.FIRST_RESPONSE, first, now),
            next_response=_NO_NEXT_RESPONSE
            if waiting is None
            else self._verdict(Metric.NEXT_RESPONSE, waiting, now),
            resolution=self._verdict(Metric.RESOLUTION, resolution, now),
        )

    def _replay(self, ticket: Ticket, now: datetime) -> SLAReport:
        """``evaluate`` by replaying the whole history: the oracle the fold is held to."""
        line = _timeline(ticket, now)
        last_cycles = {cycle.metric: cycle for cycle in _cycles(line)}  # the latest of each
        latest = {metric: self._status(line, cycle, now) for metric, cycle in last_cycles.items()}
        return SLAReport(
            ticket_id=ticket.id,
            at=now,
            first_response=latest[Metric.FIRST_RESPONSE],
            next_response=latest.get(Metric.NEXT_RESPONSE, _NO_NEXT_RESPONSE),
            resolution=latest[Metric.RESOLUTION],
        )

    def holds_clocks(self, ticket: Ticket) -> bool:
        """Whether ``ticket`` carries SLA clocks this policy counts alike (folded by it,
        or stored under its :attr:`fingerprint`), so nothing needs recomputing."""
        ticket = _check_ticket(ticket)
        clocks = ticket._clocks  # noqa: SLF001 - the cache this module keeps on a ticket
        if isinstance(clocks, _clocks.StoredClocks):
            return clocks.fingerprint == self._fingerprint
        return isinstance(clocks, _clocks.Clocks) and (
            clocks.policy is self or clocks.policy == self
        )

    def _clocks_of(self, ticket: Ticket) -> _clocks.Clocks:
        """The ticket's clocks under this policy: carried forward, or folded once."""
        clocks = ticket._clocks  # noqa: SLF001 - the cache this module keeps on a ticket
        history = ticket.history
        if isinstance(clocks, _clocks.StoredClocks):  # as the store kept them
            clocks = (
                _clocks.from_data(self, self._setup, clocks.data)
                if clocks.fingerprint == self._fingerprint
                else None
            )
            if clocks is not None and clocks.count > len(history):
                clocks = None
        if clocks is None or not (clocks.policy is self or clocks.policy == self):
            clocks = _clocks.fold(self, self._setup, history)
        elif clocks.count < len(history):
            clocks = clocks.advance(history[clocks.count :])
        elif clocks is ticket._clocks:  # noqa: SLF001 - already this ticket's
            return clocks
        object.__setattr__(ticket, "_clocks", clocks)  # a cache: not part of the value
        return clocks

    def _make_setup(self) -> _clocks.Setup:
        calendars: list[BusinessCalendar] = []
        slot: list[int] = []
        for priority in Priority:
            calendar = self.calendar_for(priority)
            found = next((i for i, known in enumerate(calendars) if known is calendar), None)
            if found is None:
                found = len(calendars)
                calendars.append(calendar)
            slot.append(found)
        targets = {
            clock: tuple(self.target(metric, priority) for priority in Priority)
            for clock, metric in (
                (_clocks.FIRST, Metric.FIRST_RESPONSE),
                (_clocks.NEXT, Metric.NEXT_RESPONSE),
                (_clocks.RESOLUTION, Metric.RESOLUTION),
            )
        }
        return _clocks.Setup(tuple(calendars), tuple(slot), targets, self.pause_statuses)

    def _make_fingerprint(self) -> str:
        setup = self._setup
        identity = [
            {
                clock: [None if t is None else t // _MICROSECOND for t in targets]
                for clock, targets in sorted(setup.targets.items())
            },
            list(setup.slot),
            [calendar._identity() for calendar in setup.calendars],  # noqa: SLF001
            sorted(status.value for status in setup.pauses),
        ]
        text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
        return "sla1-" + hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def fingerprint(self) -> str:
        """A name for what this policy's clocks count by (targets, calendars, pauses),
        the same in every process: stored clocks are reused only under the policy with
        the fingerprint they were stored with. Two policies that count alike share it
        (the warning threshold is not part of it)."""
        return self._fingerprint

    def next_deadline(self, ticket: Ticket) -> datetime | None:
        """The earliest deadline of any clock still counting, as of the last change.

        Breached clocks that still run count (their deadline is in the past); paused
        and stopped ones do not. This is what storage indexes to find tickets at risk.
        """
        ticket = _check_ticket(ticket)
        now = ticket.updated_at
        # what evaluate(ticket, now) and _earliest decide, without building the report
        found = [
            deadline
            for reading in self._clocks_of(ticket).readings(now)
            if reading is not None and (deadline := _pending_deadline(reading, now)) is not None
        ]
        return min(found, default=None)

    @staticmethod
    def _earliest(report: SLAReport) -> datetime | None:
        deadlines = [
            status.deadline
            for status in report
            if status.deadline is not None
            and status.is_pending
            and status.state is not ClockState.PAUSED
        ]
        return min(deadlines, default=None)

    def events(self, ticket: Ticket, start: datetime, end: datetime) -> list[SLAEvent]:
        """The warnings and breaches that happen in ``[start, end)``, oldest first.

        Computed from the history as known at ``end``: call it with ``end`` at or before
        now for facts, later for a forecast assuming nothing changes.
        """
        ticket = _check_ticket(ticket)
        start = require_aware(start, "start")
        end = require_aware(end, "end")
        line = _timeline(ticket, end)
        found: list[SLAEvent] = []
        for cycle in _cycles(line):
            status = self._status(line, cycle, end)
            if status.target is None or status.started_at is None:
                continue
            calendar = self.calendar_for(self._priority_for(line, cycle, end))
            segments = self._segments(line, cycle)
            for kind, amount in (
                ("warning", _scale(status.target, self.warning_threshold)),
                ("breached", status.target),
            ):
                instant = _reach(calendar, segments, amount)
                if instant is None or not start <= instant < end:
                    continue
                if kind == "breached" and cycle.stop is not None and instant >= cycle.stop:
                    continue  # stopped exactly on the deadline: met, not breached
                found.append(SLAEvent(line.ticket_id, cycle.metric, kind, instant))
        return sorted(found, key=lambda event: event.at)

    # -- internals ---------------------------------------------------------------------

    def _priority_for(self, line: _Timeline, cycle: _Cycle, now: datetime) -> Priority:
        # a stopped clock keeps the priority it stopped under; a running one, the latest
        return _value_at(line.priorities, cycle.stop or now)

    def _segments(self, line: _Timeline, cycle: _Cycle) -> list[tuple[datetime, datetime | None]]:
        """The stretches of real time in which the cycle's clock counts (``None``: on)."""
        end = cycle.stop
        segments: list[tuple[datetime, datetime | None]] = []
        statuses = line.statuses
        for index, (since, status) in enumerate(statuses):
            until = statuses[index + 1][0] if index + 1 < len(statuses) else None
            if status in self.pause_statuses or status in _STOPPED:
                continue
            low = max(since, cycle.start)
            high = until if end is None else (end if until is None else min(until, end))
            if high is not None and high <= low:
                continue
            segments.append((low, high))
        return segments

    def _status(self, line: _Timeline, cycle: _Cycle, now: datetime) -> MetricStatus:
        priority = self._priority_for(line, cycle, now)
        target = self.target(cycle.metric, priority)
        calendar = self.calendar_for(priority)
        segments = self._segments(line, cycle)
        # every closed segment ends at or before now: the timeline stops at now
        used = [calendar.between(low, now if high is None else high) for low, high in segments]
        reading = Reading(
            target,
            calendar,
            cycle.start,
            cycle.stop,
            cycle.outcome,
            elapsed=sum(used, _ZERO),
            deadline=None if target is None else _reach(calendar, segments, target, used),
            counting=bool(segments) and segments[-1][1] is None,
        )
        return self._verdict(cycle.metric, reading, now)

    def _verdict(self, metric: Metric, reading: Reading, now: datetime) -> MetricStatus:
        """A clock's status at ``now`` from what the replay or the fold read of it."""
        target, elapsed, stop = reading.target, reading.elapsed, reading.stop
        if target is None:
            return MetricStatus(
                metric,
                ClockState.NOT_APPLICABLE,
                started_at=reading.start,
                elapsed=elapsed,
                stopped_at=stop,
            )
        remaining = target - elapsed
        deadline = reading.deadline
        if deadline is None and stop is None:
            # paused (or not yet counting): the deadline if the clock resumed now
            deadline = reading.calendar.add(now, remaining)
        breached = elapsed > target
        if breached:
            state = ClockState.BREACHED
        elif reading.outcome == "met":
            state = ClockState.MET
        elif reading.outcome == "ended":
            state = ClockState.NOT_APPLICABLE
        elif not reading.counting:
            state = ClockState.PAUSED
        elif elapsed >= _scale(target, self.warning_threshold):
            state = ClockState.WARNING
        else:
            state = ClockState.RUNNING
        return MetricStatus(
            metric,
            state,
            target=target,
            started_at=reading.start,
            deadline=deadline,
            elapsed=elapsed,
            remaining=remaining,
            stopped_at=stop,
            breached_at=deadline if breached else None,
        )


def _pending_deadline(reading: Reading, now: datetime) -> datetime | None:
    """The deadline of a clock that is still counting (as :meth:`SLAPolicy._verdict` and
    :attr:`MetricStatus.is_pending` decide it), else ``None``: the next-deadline fast path."""
    target = reading.target
    if target is None or reading.stop is not None:
        return None  # no target, or stopped: met, ended, or breached and stopped
    if reading.elapsed <= target and (reading.outcome is not None or not reading.counting):
        return None  # met or ended (with no stop), or paused
    if reading.deadline is not None:
        return reading.deadline
    return reading.calendar.add(now, target - reading.elapsed)


def _scale(amount: timedelta, share: Fraction) -> timedelta:
    micro = amount // timedelta(microseconds=1)
    return timedelta(microseconds=micro * share.numerator // share.denominator)


def _reach(
    calendar: BusinessCalendar,
    segments: list[tuple[datetime, datetime | None]],
    amount: timedelta,
    used: list[timedelta] | None = None,
) -> datetime | None:
    """The instant the clock, counting over ``segments``, has used ``amount``.

    ``used`` may hold each closed segment's business time, already computed.
    """
    left = amount
    for index, (low, high) in enumerate(segments):
        if high is None:
            return calendar.add(low, left)
        spent = calendar.between(low, high) if used is None else used[index]
        if spent >= left:
            return calendar.add(low, left)
        left -= spent
    return None
