"""Concurrent load and faults on the PostgreSQL adapter, with SQLite side by side.

Run by hand (a few minutes; needs PostgreSQL's initdb, see CONTRIBUTING.md):

    .venv/bin/python benchmarks/bench_load.py [--seconds 30] [--processes 8] [--threads 4]
        [--tickets 50] [--scenarios postgres,restart,sqlite] [--dsn DSN]

Each scenario runs ``--processes`` processes of ``--threads`` threads for ``--seconds``
(and at most ``--operations`` operations per thread). Every thread loops: pick one of
the ``--tickets`` tickets at random, load it, apply one operation (an agent's reply, or
a status change between in_progress and waiting_for_user, 60/40), compute its next SLA
deadline and save it with the version it loaded, as the helpdesk does. Every operation
carries its own id (in the reply's body or the status change's reason).

- A ``ConflictError`` (someone saved the ticket in between) is retried by reloading, up
  to 5 attempts in all; then the operation is reported as a conflict.
- A ``StorageUnavailableError`` is retried after 0.2 s, for up to 2 minutes. The save
  may have committed before the connection broke, so the retry first looks for the
  operation's id in the ticket it reloads, and counts it as applied if it is there.

Scenarios: ``postgres`` (a throw-away server, ``fsync`` and ``synchronous_commit`` on, one
pool of ``--threads`` connections per process), ``restart`` (the same, with the server
restarted at half time with ``pg_ctl restart -m fast``) and ``sqlite`` (one file, a
``SQLiteRepository`` per process, 30 s busy timeout).

At the end of each, it checks, and prints: every ticket's version is 1 plus the number
of operations applied to it, and its history replays to it; the log groups into exactly
one group of events per (ticket, version); every applied operation's id is in the log
exactly once and no other operation's is; positions only grow (and, on PostgreSQL, have
no gap); and a relay thread that polled ``events_after(last position it saw)`` all along
saw every event, in order. It exits with status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ticketcore as tc
from ticketcore.errors import ConflictError, StorageUnavailableError
from ticketcore.events import Event, MessageAdded, StatusChanged
from ticketcore.serialization import ticket_to_json
from ticketcore.sla import SLAPolicy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import pgserver  # the throw-away server helper the tests use

AGENT = tc.Actor.agent("agent-load")
ATTEMPTS = 5
UNAVAILABLE_PAUSE = 0.2
UNAVAILABLE_GIVE_UP = 120.0
SCHEMA = "load"


# -- one worker thread -----------------------------------------------------------------------


class Tally:
    """What one thread did."""

    def __init__(self) -> None:
        self.outcomes: list[tuple[str, str, str]] = []  # (operation id, ticket id, outcome)
        self.latencies: list[float] = []
        self.finished: list[float] = []  # time.monotonic() of each applied operation
        self.conflicts = 0
        self.retries = 0
        self.unavailable = 0
        self.recovered = 0


def _operate(ticket: tc.Ticket, text: str, *, reply: bool) -> tc.Ticket:
    at = max(datetime.now(UTC), ticket.updated_at)
    if reply:
        return ticket.reply(AGENT, text, at=at).ticket
    target = (
        tc.Status.WAITING_FOR_USER
        if ticket.status is tc.Status.IN_PROGRESS
        else tc.Status.IN_PROGRESS
    )
    return ticket.change_status(AGENT, target, at=at, reason=text).ticket


def _carries(ticket: tc.Ticket, text: str) -> bool:
    return any(_operation_text(event) == text for event in reversed(ticket.history))


def _operation_text(event: Event) -> str | None:
    if isinstance(event, MessageAdded):
        return event.message.body
    if isinstance(event, StatusChanged):
        return event.reason
    return None


def _perform(repository, operation: str, ticket_id: str, *, policy: SLAPolicy, tally: Tally, rng):
    text = f"op {operation}"
    reply = rng.random() < 0.6
    conflicts = 0
    uncertain = False
    give_up = time.monotonic() + UNAVAILABLE_GIVE_UP
    while True:
        try:
            ticket = repository.get(ticket_id)
            if uncertain and _carries(ticket, text):
                tally.recovered += 1  # committed before the connection broke
                return "applied"
            changed = _operate(ticket, text, reply=reply)
            repository.save(
                changed,
                expected_version=ticket.version,
                next_deadline=policy.next_deadline(changed),
            )
        except ConflictError:
            tally.conflicts += 1
            conflicts += 1
            if conflicts >= ATTEMPTS:
                return "conflict"
            tally.retries += 1
        except StorageUnavailableError:
            tally.unavailable += 1
            uncertain = True
            if time.monotonic() > give_up:
                return "unavailable"
            time.sleep(UNAVAILABLE_PAUSE)
        else:
            return "applied"


def _work(repository, worker: str, ticket_ids, *, deadline: float, operations: int):
    rng = random.Random(worker)
    policy = SLAPolicy.default()
    tally = Tally()
    for number in range(operations):
        if time.monotonic() >= deadline:
            break
        operation = f"{worker}.{number}"
        ticket_id = rng.choice(ticket_ids)
        started = time.perf_counter()
        outcome = _perform(repository, operation, ticket_id, policy=policy, tally=tally, rng=rng)
        tally.outcomes.append((operation, ticket_id, outcome))
        if outcome == "applied":
            tally.latencies.append(time.perf_counter() - started)
            tally.finished.append(time.monotonic())
    return tally


# -- one worker process ----------------------------------------------------------------------


def _open(kind: str, target: str, connections: int):
    """A repository on ``target`` (a DSN or a file) and a function that closes it."""
    if kind == "sqlite":
        from ticketcore.storage.sqlite import SQLiteRepository

        repository = SQLiteRepository(target, timeout=30)
        return repository, repository.close
    from psycopg_pool import ConnectionPool

    from ticketcore.storage.postgres import PostgresRepository

    logging.getLogger("psycopg").setLevel(logging.CRITICAL)  # lost connections are expected
    pool = ConnectionPool(
        target,
        min_size=connections,
        max_size=connections,
        timeout=5,
        check=ConnectionPool.check_connection,
        kwargs={"autocommit": True},  # a read is one round trip, not BEGIN, SELECT, COMMIT
    )
    return PostgresRepository(pool, schema=SCHEMA), pool.close


def _process(kind, target, name, *, threads, ticket_ids, seconds, operations, barrier, results):
    repository, close = _open(kind, target, threads)
    tallies: list[Tally] = [Tally() for _ in range(threads)]
    barrier.wait(timeout=120)
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        worker = f"{name}.{index}"
        tallies[index] = _work(
            repository, worker, ticket_ids, deadline=deadline, operations=operations
        )

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    close()
    results.put([vars(tally) for tally in tallies])


# -- a scenario ------------------------------------------------------------------------------


class _Relay(threading.Thread):
    """Reads the log as a notification relay does: after the last position it saw."""

    def __init__(self, repository) -> None:
        super().__init__(daemon=True)
        self.repository = repository
        self.positions: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            finished = self.done.is_set()
            try:
                after = self.positions[-1] if self.positions else 0
                records = self.repository.events_after(after, limit=1000)
            except StorageUnavailableError:
                time.sleep(UNAVAILABLE_PAUSE)
                continue
            self.positions.extend(record.position for record in records)
            if not records:
                if finished:
                    return
                time.sleep(0.005)

    def finish(self) -> list[int]:
        self.done.set()
        self.join()
        return self.positions


def _tickets(count: int):
    opened_at = datetime.now(UTC) - timedelta(hours=1)
    for number in range(count):
        ticket = tc.Ticket.open(
            tc.Actor.requester(f"user-{number}"),
            id=f"L-{number}",
            subject=f"Shipment SHP-{number} is late",
            body="It was due yesterday.",
            at=opened_at,
        ).ticket
        yield ticket.change_status(AGENT, tc.Status.IN_PROGRESS, at=opened_at).ticket


def _all_events(repository):
    events, position = [], 0
    while page := repository.events_after(position, limit=1000):
        events.extend(page)
        position = page[-1].position
    return events


def _verify(repository, ticket_ids, outcomes, *, gap_free: bool) -> list[str]:
    """The end-of-run checks: a list of problems, empty when all hold."""
    tickets = {ticket_id: repository.get(ticket_id) for ticket_id in ticket_ids}
    events = _all_events(repository)
    return _check_tickets(tickets, events, outcomes) + _check_log(
        events, outcomes, gap_free=gap_free
    )


def _check_tickets(tickets, events, outcomes) -> list[str]:
    problems: list[str] = []
    per_ticket = Counter(ticket for _, ticket, outcome in outcomes if outcome == "applied")
    versions: dict[str, set[int]] = {}
    for record in events:
        versions.setdefault(record.event.ticket_id, set()).add(record.event.version)
    for ticket_id, ticket in tickets.items():
        expected = 2 + per_ticket[ticket_id]  # opened, moved to in_progress, then ours
        if ticket.version != expected:
            problems.append(f"{ticket_id} is at version {ticket.version}, expected {expected}")
        if tc.Ticket.replay(ticket.history) != ticket:
            problems.append(f"{ticket_id}'s history does not replay to it")
        if versions.get(ticket_id) != set(range(1, ticket.version + 1)):
            problems.append(f"{ticket_id}'s events do not cover versions 1..{ticket.version}")
    return problems


def _check_log(events, outcomes, *, gap_free: bool) -> list[str]:
    problems: list[str] = []
    positions = [record.position for record in events]
    if positions != sorted(set(positions)):
        problems.append("positions do not strictly grow")
    if gap_free and positions != list(range(1, len(positions) + 1)):
        problems.append("positions have gaps")
    applied = {operation for operation, _, outcome in outcomes if outcome == "applied"}
    logged = Counter(
        text.removeprefix("op ")
        for record in events
        if (text := _operation_text(record.event)) and text.startswith("op ")
    )
    twice = [operation for operation, count in logged.items() if count > 1]
    if twice:
        problems.append(f"{len(twice)} operations are in the log twice, e.g. {twice[:3]}")
    if set(logged) != applied:
        problems.append(
            f"log and outcomes differ: {len(set(logged) - applied)} logged but not reported"
            f" applied, {len(applied - set(logged))} reported applied but not logged"
        )
    return problems


def run_scenario(kind: str, target: str, arguments, *, restart=None) -> dict[str, object]:
    """Run one scenario and print its report; returns its figures."""
    title = {"postgres": "PostgreSQL", "restart": "PostgreSQL, restarted at half time"}
    print(
        f"\n== {title.get(kind, 'SQLite, one file')}: {arguments.processes} processes x"
        f" {arguments.threads} threads, {arguments.tickets} tickets, {arguments.seconds:g} s",
        flush=True,
    )
    store = "sqlite" if kind == "sqlite" else "postgres"
    repository, close = _open(store, target, 2)
    if store == "postgres":
        repository.migrate()
    ticket_ids = [ticket.id for ticket in _tickets(arguments.tickets)]
    repository.add_many((ticket, None) for ticket in _tickets(arguments.tickets))
    relay = _Relay(repository)
    relay.start()
    tallies, elapsed, restarted = _run_processes(store, target, ticket_ids, arguments, restart)
    relayed = relay.finish()
    figures = _figures(kind, tallies, elapsed)
    if restarted is not None:
        after = sorted(t for tally in tallies for t in tally["finished"] if t > restarted)
        first = f", the first {after[0] - restarted:.2f} s after it" if after else ""
        print(f"applied after the restart: {len(after):,}{first}")
    outcomes = [outcome for tally in tallies for outcome in tally["outcomes"]]
    problems = _verify(repository, ticket_ids, outcomes, gap_free=store == "postgres")
    everything = [record.position for record in _all_events(repository)]
    print(
        f"a relay polling events_after during the run saw {len(relayed):,} of"
        f" {len(everything):,} events, in order: {relayed == everything}"
    )
    if relayed != everything:
        problems.append(f"the relay missed {len(set(everything) - set(relayed))} events")
    sizes = [len(ticket_to_json(repository.get(ticket_id))) for ticket_id in ticket_ids]
    print(
        f"tickets at the end: {len(everything) / len(ticket_ids):,.0f} events each on average,"
        f" {statistics.mean(sizes) / 1000:,.0f} kB of JSON (loaded and saved whole each time)"
    )
    close()
    figures["problems"] = problems
    if problems:
        print("CHECKS FAILED:\n  " + "\n  ".join(problems))
    else:
        print(
            f"checks: ok ({arguments.tickets} tickets at 2 + their applied operations,"
            f" {len(everything):,} events, each applied operation once in the log, no other)"
        )
    return figures


def _run_processes(store, target, ticket_ids, arguments, restart):
    """Start the workers, restart the server at half time if asked; their tallies."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(arguments.processes + 1)
    results = context.Queue()
    processes = [
        context.Process(
            target=_process,
            args=(store, target, f"p{number}"),
            kwargs={
                "threads": arguments.threads,
                "ticket_ids": ticket_ids,
                "seconds": arguments.seconds,
                "operations": arguments.operations,
                "barrier": barrier,
                "results": results,
            },
        )
        for number in range(arguments.processes)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    started = time.monotonic()
    restarted = None
    if restart is not None:
        time.sleep(arguments.seconds / 2)
        before = time.monotonic()
        restart()
        restarted = time.monotonic()
        print(f"server restarted (pg_ctl restart -m fast) in {restarted - before:.2f} s")
    tallies = [tally for _ in processes for tally in results.get(timeout=arguments.seconds + 300)]
    elapsed = time.monotonic() - started
    for process in processes:
        process.join(timeout=60)
    return tallies, elapsed, restarted


def _figures(kind, tallies, elapsed) -> dict[str, object]:
    """Sum the tallies up, and print them."""
    outcomes = [outcome for tally in tallies for outcome in tally["outcomes"]]
    counts = Counter(outcome for _, _, outcome in outcomes)
    latencies = sorted(latency for tally in tallies for latency in tally["latencies"])
    figures = {
        "kind": kind,
        "applied": counts["applied"],
        "per_second": counts["applied"] / elapsed,
        "conflicts": sum(tally["conflicts"] for tally in tallies),
        "retries": sum(tally["retries"] for tally in tallies),
        "gave_up": counts["conflict"],
        "unavailable": sum(tally["unavailable"] for tally in tallies),
        "recovered": sum(tally["recovered"] for tally in tallies),
        "lost": counts["unavailable"],
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0.0,
    }
    print(
        f"operations: {len(outcomes):,} in {elapsed:.1f} s; applied {figures['applied']:,}"
        f" ({figures['per_second']:,.0f}/s), reported as conflicts after {ATTEMPTS} attempts"
        f" {figures['gave_up']:,}, given up while unavailable {figures['lost']:,}"
    )
    print(
        f"conflicts met: {figures['conflicts']:,}, retried: {figures['retries']:,};"
        f" unavailable errors: {figures['unavailable']:,}, of which the operation had"
        f" committed: {figures['recovered']:,}"
    )
    print(
        f"latency of an applied operation (load, apply, save, retries): median"
        f" {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms"
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=50)
    parser.add_argument("--operations", type=int, default=100_000, help="per thread, at most")
    parser.add_argument("--scenarios", default="postgres,restart,sqlite")
    parser.add_argument("--dsn", help="use this server (no restart scenario) instead of a new one")
    arguments = parser.parse_args()
    scenarios = [name.strip() for name in arguments.scenarios.split(",") if name.strip()]
    reports = []
    server = None
    try:
        if {"postgres", "restart"} & set(scenarios) and not arguments.dsn:
            server = pgserver.Server.start(durable=True)
            print(f"a throw-away PostgreSQL server (fsync on) in {server.directory}")
        dsn = arguments.dsn or (server.dsn if server else "")
        for kind in scenarios:
            if kind == "sqlite":
                with tempfile.TemporaryDirectory(prefix="ticketcore-load-") as folder:
                    target = str(Path(folder) / "tickets.sqlite3")
                    reports.append(run_scenario("sqlite", target, arguments))
                continue
            if kind == "restart" and server is None:
                print("\n== restart: skipped (--dsn given: this script can restart only its own)")
                continue
            _drop_schema(dsn)
            reports.append(
                run_scenario(
                    kind, dsn, arguments, restart=server.restart if kind == "restart" else None
                )
            )
    finally:
        if server is not None:
            server.stop()
    print(
        "\n| scenario | applied ops/s | applied | conflicts met | retries | gave up |"
        " unavailable errors | committed before the error | checks |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for report in reports:
        print(
            f"| {report['kind']} | {report['per_second']:,.0f} | {report['applied']:,} |"
            f" {report['conflicts']:,} | {report['retries']:,} | {report['gave_up']:,} |"
            f" {report['unavailable']:,} | {report['recovered']:,} |"
            f" {'ok' if not report['problems'] else 'FAILED'} |"
        )
    return 1 if any(report["problems"] for report in reports) else 0


def _drop_schema(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
