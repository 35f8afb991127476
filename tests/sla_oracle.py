"""An obviously-correct SLA oracle, minute by minute, sharing no code with ticketcore.sla.

It only works for histories whose events fall on whole minutes, calendars in UTC with
whole-hour working intervals, and targets in whole minutes: then "is the clock counting
during minute m" is a fixed yes or no, and the clock is a simple count of such minutes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

MINUTE = timedelta(minutes=1)


@dataclass
class Expected:
    state: str
    elapsed: timedelta
    deadline: datetime | None


def open_at(hours, instant: datetime) -> bool:
    """hours: {weekday: [(start_hour, end_hour)]} in UTC; None means always open."""
    if hours is None:
        return True
    day = hours.get(instant.weekday(), [])
    return any(start <= instant.hour < end for start, end in day)


def step(hours, m: datetime) -> datetime:
    """The next minute to look at: closed hours cannot count, so skip them whole."""
    if open_at(hours, m):
        return m + MINUTE
    return m.replace(minute=0) + timedelta(hours=1)


def oracle(  # noqa: C901, PLR0912, PLR0915 - an oracle is one plain walk, on purpose
    ticket, now, *, targets, hours, paused=("waiting_for_user",), threshold=(3, 4)
):
    """targets: {metric: {priority: minutes}}; returns {metric: Expected} (latest cycle)."""
    events = [e for e in ticket.history if e.at <= now]
    opened = events[0]
    statuses = [(opened.at, "open")]
    priorities = [(opened.at, opened.priority.value)]
    replies = []
    for e in events[1:]:
        if e.kind == "status_changed":
            statuses.append((e.at, e.to_status.value))
        elif e.kind == "priority_changed":
            priorities.append((e.at, e.to_priority.value))
        elif e.kind == "message_added" and not e.message.internal:
            replies.append((e.at, e.actor.role.value))

    def status_at(m):
        current = "open"
        for since, status in statuses:
            if since <= m:
                current = status
        return current

    def priority_at(m):
        current = priorities[0][1]
        for since, priority in priorities:
            if since <= m:
                current = priority
        return current

    def active(status):
        return status not in paused and status not in ("resolved", "closed")

    closed_at = next((at for at, s in statuses if s == "closed"), None)
    cycles = []  # (metric, start, stop, how)
    first_agent = next((at for at, role in replies if role == "agent"), None)
    if first_agent is not None:
        cycles.append(("first_response", opened.at, first_agent, "met"))
    elif closed_at is not None:
        cycles.append(("first_response", opened.at, closed_at, "ended"))
    else:
        cycles.append(("first_response", opened.at, None, None))
    waiting, agent_replied = None, False
    for at, role in replies:
        if role == "agent":
            if waiting is not None:
                cycles.append(("next_response", waiting, at, "met"))
                waiting = None
            agent_replied = True
        elif role == "requester" and agent_replied and waiting is None:
            waiting = at
    if waiting is not None:
        how = "ended" if closed_at is not None else None
        cycles.append(("next_response", waiting, closed_at, how))
    last_since, last_status = statuses[-1]
    if last_status in ("resolved", "closed"):
        cycles.append(("resolution", opened.at, last_since, "met"))
    else:
        cycles.append(("resolution", opened.at, None, None))

    result = {}
    for metric, start, stop, how in cycles:
        priority = priority_at(stop or now)
        target_minutes = targets.get(metric, {}).get(priority)

        def counts(m, start=start, stop=stop):
            if m < start or (stop is not None and m >= stop):
                return False
            status = status_at(m) if m < now else statuses[-1][1]
            return active(status) and open_at(hours, m)

        elapsed = 0
        m = start
        while m < now:
            elapsed += counts(m)
            m = step(hours, m)
        if target_minutes is None:
            result[metric] = Expected("not_applicable", elapsed * MINUTE, None)
            continue
        # the deadline: walk from the start until the clock has counted the target
        deadline = None
        count = 0
        m = start
        while m < (stop if stop is not None else now):
            if counts(m):
                count += 1
                if count == target_minutes:
                    deadline = m + MINUTE
                    break
            m = step(hours, m)
        counting_now = stop is None and active(statuses[-1][1])
        if deadline is None and stop is None:
            # still going: running on from now (or, if paused, as if resumed now)
            left = target_minutes - count
            m = now
            while left > 0:
                if open_at(hours, m):
                    left -= 1
                m = step(hours, m)
            deadline = m
        if elapsed > target_minutes:
            state = "breached"
        elif how == "met":
            state = "met"
        elif how == "ended":
            state = "not_applicable"
        elif not counting_now:
            state = "paused"
        elif elapsed * threshold[1] >= target_minutes * threshold[0]:
            state = "warning"
        else:
            state = "running"
        result[metric] = Expected(state, elapsed * MINUTE, deadline)
    if not any(c[0] == "next_response" for c in cycles):
        result["next_response"] = Expected("not_applicable", timedelta(0), None)
    return result
