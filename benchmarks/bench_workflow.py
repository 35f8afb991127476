"""A validated status change, side by side with two state-machine libraries.

Run by hand: .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/bench_workflow.py

Ours: `ticket.change_status(agent, target, at=...)` (permission check, transition check,
a new immutable ticket and its StatusChanged event). Peers: a bare transition on a
five-state machine, back and forth between two states, in `transitions` and
`python-statemachine`. Prints the median per call over several rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from _timing import median_us

import ticketcore as tc

ROUNDS = 25
CALLS = 2_000
STATES = ["open", "in_progress", "waiting_for_user", "resolved", "closed"]


def ours() -> Callable[[], object]:
    agent = tc.Actor.agent("ali")
    at = datetime(2026, 3, 21, 9, tzinfo=UTC)
    ticket = tc.Ticket.open(
        tc.Actor.requester("sara"), id="T-1", subject="s", body="b", at=at
    ).ticket
    ticket = ticket.change_status(agent, tc.Status.IN_PROGRESS, at=at).ticket
    target = tc.Status.WAITING_FOR_USER

    def step() -> object:
        return ticket.change_status(agent, target, at=at)

    return step


def transitions_peer() -> Callable[[], object]:
    from transitions import Machine

    class Model:
        pass

    model = Model()
    machine = Machine(model=model, states=STATES, initial="in_progress")
    machine.add_transition("ask", "in_progress", "waiting_for_user")
    machine.add_transition("answer", "waiting_for_user", "in_progress")
    flip = [model.ask, model.answer]  # type: ignore[attr-defined]
    counter = [0]

    def step() -> object:
        counter[0] ^= 1
        return flip[counter[0] ^ 1]()

    return step


def statemachine_peer() -> Callable[[], object]:
    from statemachine import State, StateMachine

    class Lifecycle(StateMachine):
        open = State(initial=True)
        in_progress = State()
        waiting_for_user = State()
        resolved = State()
        closed = State(final=True)
        start = open.to(in_progress)  # noqa: A003 - the state is called open
        ask = in_progress.to(waiting_for_user)
        answer = waiting_for_user.to(in_progress)
        solve = in_progress.to(resolved)
        close = resolved.to(closed)

    machine = Lifecycle()
    machine.send("start")
    names = ["ask", "answer"]
    counter = [0]

    def step() -> object:
        counter[0] ^= 1
        return machine.send(names[counter[0] ^ 1])

    return step


def main() -> None:
    rows = [("ticketcore change_status (validated)", median_us(ours(), calls=CALLS, rounds=ROUNDS))]
    for name, factory in (
        ("transitions 0.9 (bare transition)", transitions_peer),
        ("python-statemachine (bare transition)", statemachine_peer),
    ):
        try:
            rows.append((name, median_us(factory(), calls=CALLS, rounds=ROUNDS)))
        except ImportError as error:
            print(f"skipped {name}: {error}")
    ours_us = rows[0][1]
    print(f"{'median per call':42} {'µs':>8} {'vs ours':>9}")
    for name, value in rows:
        print(f"{name:42} {value:8.2f} {value / ours_us:8.1f}x")


if __name__ == "__main__":
    main()
