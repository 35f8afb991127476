"""What an SLA evaluation costs, for services that evaluate many tickets.

Run by hand: .venv/bin/python benchmarks/bench_sla.py [--messages 1 1000 3000]

A ticket with a realistic history (opened, picked up, a question, the answer, a reply,
a priority change: 8 events) evaluated with the default 24/7 policy and with an office
calendar (Mon-Fri 09:00-17:00, America/New_York). Prints the median per call.

Then growth: a conversation of N messages (an agent reply, waiting for the user, the
requester's reply: about 2N events), evaluated from the clocks it carries and, side by
side in the same run, by replaying its whole history (the old way, kept as the oracle).
"""

from __future__ import annotations

import argparse
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


def conversation(messages: int, policy: tc.SLAPolicy) -> tc.Ticket:
    """A ticket of ``messages`` messages that carries its clocks (evaluated as it grew)."""
    sara, ali = tc.Actor.requester("sara"), tc.Actor.agent("ali")
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    t = tc.Ticket.open(sara, id="T-1", subject="s", body="b", at=at, priority="high").ticket
    policy.next_deadline(t)
    while len(t.messages) < messages:
        at += timedelta(minutes=20)
        t = t.reply(ali, "Which order?", at=at).ticket
        t = t.change_status(ali, "waiting_for_user", at=at).ticket
        policy.next_deadline(t)
        if len(t.messages) < messages:
            t = t.reply(sara, "A-1009", at=at + timedelta(minutes=5)).ticket
            policy.next_deadline(t)
    return t


def growth(sizes: list[int], policy: tc.SLAPolicy) -> None:
    print(f"\ngrowth, office hours, 3 metrics; median µs per call (rounds={ROUNDS})")
    print(f"{'messages':>8} {'events':>7} {'evaluate':>9} {'next_deadline':>14} {'replay':>9}")
    for messages in sizes:
        t = conversation(messages, policy)
        now = t.updated_at + timedelta(hours=1)
        calls = max(20, CALLS // max(1, messages // 10))
        evaluate = median_us(lambda t=t, n=now: policy.evaluate(t, n), calls=CALLS, rounds=ROUNDS)
        deadline = median_us(lambda t=t: policy.next_deadline(t), calls=CALLS, rounds=ROUNDS)
        replay = median_us(
            lambda t=t, now=now: policy._replay(t, now),  # noqa: SLF001 - the oracle, for scale
            calls=calls,
            rounds=ROUNDS,
        )
        print(f"{messages:8} {len(t.history):7} {evaluate:9.1f} {deadline:14.1f} {replay:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="*", default=[1, 1000, 3000])
    sizes = parser.parse_args().messages
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
    growth(sizes, policies["office hours, 3 metrics"])


if __name__ == "__main__":
    main()
