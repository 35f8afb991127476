"""What an SLA evaluation costs, for services that evaluate many tickets.

Run by hand: .venv/bin/python benchmarks/bench_sla.py

A ticket with a realistic history (opened, picked up, a question, the answer, a reply,
a priority change: 8 events) evaluated with the default 24/7 policy and with an office
calendar (Mon-Fri 09:00-17:00, America/New_York). Prints the median per call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _timing import median_us

import ticketcore as tc

ROUNDS = 15
CALLS = 500


def ticket() -> tc.Ticket:
    sara, ali = tc.Actor.requester("sara"), tc.Actor.agent("ali")
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    t = tc.Ticket.open(sara, id="T-1", subject="s", body="b", at=at, priority="high").ticket
    steps = [
        lambda t, at: t.change_status(ali, "in_progress", at=at),
        lambda t, at: t.reply(ali, "Which order?", at=at),
        lambda t, at: t.change_status(ali, "waiting_for_user", at=at),
        lambda t, at: t.reply(sara, "A-1009", at=at),
        lambda t, at: t.change_priority(ali, "urgent", at=at),
        lambda t, at: t.reply(ali, "Looking", at=at),
        lambda t, at: t.reply(sara, "Thanks", at=at),
    ]
    for number, step in enumerate(steps, start=1):
        t = step(t, at + timedelta(minutes=37 * number)).ticket
    return t


def main() -> None:
    t = ticket()
    now = t.updated_at + timedelta(hours=1)
    office = tc.BusinessCalendar.weekly(
        {day: [("09:00", "17:00")] for day in range(5)}, tz="America/New_York"
    )
    targets = {
        "first_response": timedelta(hours=4),
        "next_response": timedelta(hours=4),
        "resolution": timedelta(hours=40),
    }
    policies = {
        "default (24/7)": tc.SLAPolicy.default(),
        "office hours, 3 metrics": tc.SLAPolicy(targets, calendar=office),
    }
    print(f"ticket with {len(t.history)} events; median µs per call")
    for name, policy in policies.items():
        evaluate = median_us(
            lambda policy=policy: policy.evaluate(t, now), calls=CALLS, rounds=ROUNDS
        )
        deadline = median_us(
            lambda policy=policy: policy.next_deadline(t), calls=CALLS, rounds=ROUNDS
        )
        print(f"{name:28} evaluate {evaluate:7.1f}   next_deadline {deadline:7.1f}")


if __name__ == "__main__":
    main()
