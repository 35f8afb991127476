"""Tickets in SQLite at size: how fast they go in, how fast the common queries come out.

Run by hand: .venv/bin/python benchmarks/bench_storage.py [--tickets 100000]

1. Opens ``--tickets`` tickets (default 100,000) into a new SQLite file with the batch
   API ``SQLiteRepository.add_many`` (one transaction per 1,000 tickets), and, for
   comparison, 2,000 with ``add`` (one transaction each, as the helpdesk does).
   Deadlines come from ``SLAPolicy.default()``; the rate includes building, deadline
   and serialization.
2. At that size, times the at-risk query (tickets due within 2 hours, soonest first,
   page of 50), a requester's first page (newest first, 20) and an agent's queue
   (active tickets assigned to them, oldest first, 20): the median of 200 runs each,
   with SQLite's ``EXPLAIN QUERY PLAN``.

Bounded: a few seconds at 100,000 tickets on a laptop; the file goes to a temporary
directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ticketcore as tc
from ticketcore.helpdesk import ACTIVE_STATUSES
from ticketcore.ports import Order, TicketQuery
from ticketcore.sla import SLAPolicy
from ticketcore.storage.sqlite import SQLiteRepository

START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = START + timedelta(days=30)
REQUESTERS = 5_000
AGENTS = 25
BATCH = 1_000
SINGLE_ADDS = 2_000
QUERY_RUNS = 200
PRIORITIES = [tc.Priority.LOW, tc.Priority.MEDIUM, tc.Priority.MEDIUM, tc.Priority.HIGH]


def tickets(
    count: int, policy: SLAPolicy, *, prefix: str = "T-"
) -> Iterator[tuple[tc.Ticket, datetime | None]]:
    """Realistic tickets: spread over 30 days, most assigned, a third resolved."""
    step = timedelta(days=30) / count
    for number in range(count):
        at = START + step * number
        ticket = tc.Ticket.open(
            tc.Actor.requester(f"user-{number % REQUESTERS}"),
            id=f"{prefix}{number}",
            subject=f"Shipment SHP-{number} is late",
            body="It was due yesterday. The tracking page shows no update since Monday.",
            at=at,
            category=tc.Category.TECHNICAL if number % 3 else tc.Category.FINANCIAL,
            priority=tc.Priority.URGENT if number % 50 == 0 else PRIORITIES[number % 4],
            references={"shipment_id": f"SHP-{number}"},
        ).ticket
        agent = tc.Actor.agent(f"agent-{number % AGENTS}")
        if number % 5:
            ticket = ticket.assign(agent, agent.id, at=at + timedelta(minutes=5)).ticket
            ticket = ticket.reply(
                agent, "We are checking with the carrier.", at=at + timedelta(minutes=6)
            ).ticket
        if number % 3 == 0:
            ticket = ticket.change_status(
                agent, tc.Status.RESOLVED, at=at + timedelta(hours=1)
            ).ticket
        yield ticket, policy.next_deadline(ticket)


def batches(
    rows: Iterator[tuple[tc.Ticket, datetime | None]],
) -> Iterator[list[tuple[tc.Ticket, datetime | None]]]:
    batch: list[tuple[tc.Ticket, datetime | None]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def median_ms(run: Callable[[], object]) -> float:
    run()  # warm the page cache and the statement cache
    samples = []
    for _ in range(QUERY_RUNS):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    count = parser.parse_args().tickets
    policy = SLAPolicy.default()
    with tempfile.TemporaryDirectory(prefix="ticketcore-bench-") as folder:
        path = Path(folder) / "tickets.sqlite3"
        with SQLiteRepository(path) as repository:
            start = time.perf_counter()
            added, storing = 0, 0.0
            for batch in batches(tickets(count, policy)):
                begin = time.perf_counter()
                added += repository.add_many(batch)
                storing += time.perf_counter() - begin
            seconds = time.perf_counter() - start
            print(
                f"opened {added:,} tickets with add_many (batches of {BATCH:,}):"
                f" {seconds:.1f} s, {added / seconds:,.0f} tickets/s"
            )
            print(
                f"   of which add_many itself (JSON + SQLite): {storing:.1f} s,"
                f" {added / storing:,.0f} tickets/s; the rest builds tickets and deadlines"
            )

            start = time.perf_counter()
            for ticket, deadline in tickets(SINGLE_ADDS, policy, prefix="S-"):
                repository.add(ticket, next_deadline=deadline)
            seconds = time.perf_counter() - start
            print(
                f"opened {SINGLE_ADDS:,} more with add (one transaction each):"
                f" {seconds:.1f} s, {SINGLE_ADDS / seconds:,.0f} tickets/s"
            )
            size = path.stat().st_size + Path(f"{path}-wal").stat().st_size
            print(f"file size: {size / 1e6:,.0f} MB for {added + SINGLE_ADDS:,} tickets")

            queries = [
                (
                    "at risk (due within 2 h, soonest first)",
                    TicketQuery(due_before=NOW + timedelta(hours=2), order=Order.DUE),
                    50,
                ),
                (
                    "a requester's first page (newest first)",
                    TicketQuery(requester_id="user-42", descending=True),
                    20,
                ),
                (
                    "an agent's queue (active, oldest first)",
                    TicketQuery(assignee_id="agent-7", statuses=ACTIVE_STATUSES),
                    20,
                ),
            ]
            for title, query, limit in queries:
                page = repository.query(query, limit=limit)
                milliseconds = median_ms(lambda q=query, n=limit: repository.query(q, limit=n))
                print(
                    f"\n{title}: {len(page.items)} tickets, median {milliseconds:.2f} ms"
                    f" over {QUERY_RUNS} runs"
                )
                for line in repository.query_plan(query, limit=limit):
                    print(f"   plan  {line}")
                if page.next_cursor is not None:
                    later = repository.query_plan(query, limit=limit, cursor=page.next_cursor)
                    milliseconds = median_ms(
                        lambda q=query, n=limit, c=page.next_cursor: repository.query(
                            q, limit=n, cursor=c
                        )
                    )
                    print(f"   next page: median {milliseconds:.2f} ms")
                    for line in later:
                        print(f"   plan  {line}")


if __name__ == "__main__":
    main()
