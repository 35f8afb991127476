"""What stays flat as tickets grow longer and more numerous, against bare SQL, with budgets.

Run by hand (about 12 minutes with the defaults on a 2-core machine):

    .venv/bin/python benchmarks/bench_growth.py [--messages 1 1000 3000]
        [--tickets 1000000] [--pg-tickets 100000] [--build 3000] [--build-seconds 120]
        [--skip-postgres] [--dsn DSN]

Figures that are compared are measured side by side in one run: the cases take turns,
round by round, and each figure is the median over the rounds.

1. ``Helpdesk.reply`` on SQLite, on a ticket of N messages for each ``--messages`` (a
   conversation of an agent's reply, waiting_for_user and the requester's reply: about 2N
   events, built in memory with Ticket operations and added once), replies alternating
   between the agent and the requester. Each reply of the smallest size goes to a fresh
   ticket, so that it stays that size. Against bare :mod:`sqlite3` doing the same writes
   on the same file: one event INSERT and one UPDATE of a state row in one ``BEGIN
   IMMEDIATE`` transaction, with the adapter's settings (WAL; synchronous at its default,
   FULL). Bytes per reply: how much the WAL file grows, from a checkpoint on.
2. The same on PostgreSQL, through a ``psycopg_pool.ConnectionPool`` set up as the
   adapter's documentation says (autocommit, ``check_connection``; and once without the
   check), against bare psycopg on one connection: one INSERT into a copy of the events
   table and one UPDATE of a state row in one transaction, sent statement by statement
   and pipelined. Bytes per reply: WAL bytes (``pg_current_wal_lsn``). The server is
   ``--dsn``, else ``TICKETCORE_TEST_POSTGRES``, else a throw-away one the script starts
   (fsync off) and stops.
3. ``SLAPolicy.evaluate`` and ``next_deadline`` on tickets of each size read back from
   SQLite after a Helpdesk reply: the first call on a ticket just loaded (what a host
   does per request: load, then evaluate; the call alone is timed), and calls repeated on
   one object.
4. One ticket of ``--build`` messages built through the Helpdesk on SQLite, each message
   one call (the agent's reply; change_status to waiting_for_user; the requester's
   reply): the total time. It stops after ``--build-seconds``.
5. ``--tickets`` one-message tickets (four in five assigned, a third resolved) into
   SQLite with ``add_many``, 1,000 a call; bytes on disk per ticket after a checkpoint,
   indexes included. At that size, pages of 50 (tickets at risk, a requester's, an
   agent's queue) through the Helpdesk and ``repository.query``, against the bare SELECT
   of the same columns (data included) on the same index. Then the first ``--pg-tickets``
   of the same tickets into PostgreSQL, and the same pages there.

The end prints every budget with its verdict. Bounded: the slow parts stop at their
limits; files go to a temporary directory that is removed at the end, and the PostgreSQL
schemas made here (``bench_growth``, ``bench_growth_raw``, ``bench_growth_fill``) are
dropped.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ticketcore as tc
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import ACTIVE_STATUSES
from ticketcore.ports import Order, TicketQuery
from ticketcore.serialization import event_to_json, ticket_state_to_json, utc_microseconds
from ticketcore.storage.memory import InMemoryAttachmentStore
from ticketcore.storage.sqlite import SQLiteRepository

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
SARA, ALI = tc.Actor.requester("sara"), tc.Actor.agent("ali")
AGENT_BODY = "We are checking with the carrier and will write again as soon as we hear back."
REQUESTER_BODY = "Thanks. The tracking page still shows no update since Monday."
POLICY = tc.SLAPolicy.default()

REPLY_CALLS, REPLY_ROUNDS = 10, 11  # per round and case, after a warm-up round
BYTES_CALLS = 20  # replies whose WAL is measured, per case
SLA_SAMPLES, SLA_CALLS, SLA_ROUNDS = 200, 500, 15
PAGE, PAGE_CALLS, PAGE_ROUNDS = 50, 10, 21
BATCH = 1_000
REQUESTERS, AGENTS = 5_000, 25
FILL_DAYS = 30
PRIORITIES = [tc.Priority.LOW, tc.Priority.MEDIUM, tc.Priority.MEDIUM, tc.Priority.HIGH]
SCHEMA = "bench_growth"  # and bench_growth_raw, bench_growth_fill

_UPDATE_STATE = (
    "UPDATE {tickets} SET version = {p}, requester_id = {p}, assignee_id = {p}, status = {p},"
    " category = {p}, priority = {p}, created_us = {p}, updated_us = {p}, due_us = {p},"
    " data = {p}{cast} WHERE id = {p} AND version = {p}"
)


class Budgets:
    """Every budget's figure and verdict, printed at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, bool | None]] = []

    def check(self, name: str, value: float, limit: float, unit: str, *, most: bool = True):
        passed = value <= limit if most else value >= limit
        bound = "≤" if most else "≥"
        self.rows.append((name, f"{value:,.2f}{unit}", f"{bound} {limit:,g}{unit}", passed))

    def note(self, name: str, value: str, limit: str, *, passed: bool | None) -> None:
        self.rows.append((name, value, limit, passed))

    def print(self) -> None:
        print("\n== budgets ((info): the same limit, for comparison only)\n")
        print("| budget | measured | limit | verdict |")
        print("|---|---:|---:|---|")
        for name, value, limit, passed in self.rows:
            verdict = {True: "pass", False: "FAIL", None: "-"}[passed]
            print(f"| {name} | {value} | {limit} | {verdict} |")


# -- shared helpers ----------------------------------------------------------------------------


def side_by_side(
    steps: dict[str, Callable[[], object]], *, calls: int, rounds: int
) -> dict[str, float]:
    """The median µs per call of each step; the steps take turns, ``calls`` calls a round,
    after one warm-up round."""
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for number in range(rounds + 1):
        for name, step in steps.items():
            start = time.perf_counter_ns()
            for _ in range(calls):
                step()
            if number:
                samples[name].append((time.perf_counter_ns() - start) / calls / 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def conversation(messages: int, ticket_id: str) -> tc.Ticket:
    """A ticket of ``messages`` messages (an agent's reply, waiting_for_user, the
    requester's reply), built in memory, with its SLA clocks folded."""
    at = START
    ticket = tc.Ticket.open(
        SARA, id=ticket_id, subject="Shipment is late", body=REQUESTER_BODY, at=at, priority="high"
    ).ticket
    while len(ticket.messages) < messages:
        at += timedelta(minutes=20)
        ticket = ticket.reply(ALI, AGENT_BODY, at=at).ticket
        ticket = ticket.change_status(ALI, "waiting_for_user", at=at).ticket
        if len(ticket.messages) < messages:
            ticket = ticket.reply(SARA, REQUESTER_BODY, at=at + timedelta(minutes=5)).ticket
    POLICY.next_deadline(ticket)
    return ticket


def grown_tickets(repository, sizes: list[int], prefix: str = "") -> dict[str, list[str]]:
    """Per case, the tickets its replies go to: one ticket of N messages for each size
    but the first, and for the first a fresh ticket for every reply (a ticket replied to
    over and over would not stay that short)."""
    calls = (REPLY_ROUNDS + 1) * REPLY_CALLS + BYTES_CALLS
    fresh = [conversation(sizes[0], f"{prefix}S-{number}") for number in range(calls)]
    repository.add_many((ticket, POLICY.next_deadline(ticket)) for ticket in fresh)
    cases = {f"N={sizes[0]:,}": [ticket.id for ticket in fresh]}
    for messages in sizes[1:]:
        ticket = conversation(messages, f"{prefix}G-{messages}")
        repository.add(ticket, next_deadline=POLICY.next_deadline(ticket))
        cases[f"N={messages:,}"] = [ticket.id]
    return cases


def replier(helpdesk: tc.Helpdesk, tickets: Iterator[str]) -> Callable[[], object]:
    """One Helpdesk.reply per call, on the next of ``tickets``, the agent and the requester
    taking turns."""
    turns = itertools.count()

    def reply() -> object:
        ticket_id = next(tickets)
        if next(turns) % 2:
            return helpdesk.reply(SARA, ticket_id, REQUESTER_BODY)
        return helpdesk.reply(ALI, ticket_id, AGENT_BODY)

    return reply


def helpdesk_on(repository, clock: FixedClock) -> tc.Helpdesk:
    return tc.Helpdesk(
        repository=repository,
        attachments=InMemoryAttachmentStore(),
        clock=clock,
        ids=SequentialIds(prefix="H-"),
        workflow=tc.Workflow.default(),
        policy=POLICY,
    )


class StateWrite:
    """What one reply writes, as bare SQL sees it: a reply event's JSON and the state row
    of the ticket after it (the sizes the adapter writes at one message)."""

    def __init__(self, ticket: tc.Ticket) -> None:
        change = ticket.reply(ALI, AGENT_BODY, at=ticket.updated_at + timedelta(minutes=1))
        POLICY.next_deadline(change.ticket)
        self.ticket_id = ticket.id
        self.version = ticket.version
        self.event = event_to_json(change.events[0])
        self.state = ticket_state_to_json(change.ticket)
        self.created_us = utc_microseconds(ticket.created_at)
        self.updated_us = utc_microseconds(ticket.updated_at)

    def next(self) -> tuple[tuple[object, ...], tuple[object, ...]]:
        """The event row and the UPDATE's parameters of the next write."""
        self.version += 1
        self.updated_us += 1_000_000
        event = (self.ticket_id, self.version, "message_added", 1, self.event)
        update = (
            self.version,
            SARA.id,
            None,
            "in_progress",
            "general",
            "high",
            self.created_us,
            self.updated_us,
            self.updated_us + 4 * 3_600_000_000,
            self.state,
            self.ticket_id,
            self.version - 1,
        )
        return event, update


def ratio_budgets(
    budgets: Budgets, store: str, times: dict[str, float], sizes: list[int], bare: str
) -> None:
    base = times[f"N={sizes[0]:,}"]
    for messages in sizes[1:]:
        budgets.check(
            f"{store}: reply at N={messages:,} / N={sizes[0]:,}",
            times[f"N={messages:,}"] / base,
            1.5,
            "x",
        )
    budgets.check(f"{store}: reply at N={sizes[0]:,} / {bare}", base / times[bare], 2.5, "x")


def print_times(times, sizes, written, ends, unit: str) -> None:
    base = times[f"N={sizes[0]:,}"]
    print(
        f"{'case':>32} {'µs per reply':>13} {'vs N=' + f'{sizes[0]:,}':>9} {unit:>16}"
        f" {'messages at the end':>20}"
    )
    for name, micros in times.items():
        extra = f"{written[name]:16,.0f}" if name in written else f"{'-':>16}"
        end = f"{ends[name]:20,}" if name in ends else f"{'-':>20}"
        print(f"{name:>32} {micros:13,.0f} {micros / base:9.2f} {extra} {end}")


# -- 1. replies on SQLite ----------------------------------------------------------------------


def sqlite_replies(folder: Path, sizes: list[int], budgets: Budgets):
    path = folder / "growth.sqlite3"
    repository = SQLiteRepository(path)
    cases = grown_tickets(repository, sizes)
    bare_ticket = conversation(1, "R-1")
    repository.add(bare_ticket, next_deadline=POLICY.next_deadline(bare_ticket))
    helpdesk = helpdesk_on(
        repository, FixedClock(START + timedelta(days=120), step=timedelta(seconds=1))
    )

    bare = sqlite3.connect(path, isolation_level=None)
    bare.execute("PRAGMA journal_mode = WAL")
    write = StateWrite(bare_ticket)
    insert = "INSERT INTO events (ticket_id, version, kind, flags, data) VALUES (?, ?, ?, ?, ?)"
    update = _UPDATE_STATE.format(tickets="tickets", p="?", cast="")

    def bare_write() -> None:
        event, parameters = write.next()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute(insert, event)
        bare.execute(update, parameters)
        bare.execute("COMMIT")

    steps: dict[str, Callable[[], object]] = {"bare sqlite3": bare_write}
    steps.update({name: replier(helpdesk, itertools.cycle(ids)) for name, ids in cases.items()})
    times = side_by_side(steps, calls=REPLY_CALLS, rounds=REPLY_ROUNDS)

    wal = Path(f"{path}-wal")
    written = {}
    for name, step in steps.items():
        busy = bare.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        before = wal.stat().st_size if wal.exists() else 0
        for _ in range(BYTES_CALLS):
            step()
        if not busy:
            written[name] = (wal.stat().st_size - before) / BYTES_CALLS
    state = {
        name: len(bare.execute("SELECT data FROM tickets WHERE id = ?", (ids[-1],)).fetchone()[0])
        for name, ids in cases.items()
    }
    bare.close()
    ends = {name: len(repository.get(ids[-1]).messages) for name, ids in cases.items()}
    print(f"\n== 1. Helpdesk.reply on SQLite {sqlite3.sqlite_version}")
    print(f"   median of {REPLY_ROUNDS} rounds of {REPLY_CALLS} calls; WAL, synchronous FULL")
    print("   state row, bytes: " + ", ".join(f"{n}: {b:,}" for n, b in state.items()))
    print_times(times, sizes, written, ends, "WAL bytes/reply")
    ratio_budgets(budgets, "SQLite", times, sizes, "bare sqlite3")
    return repository, helpdesk


# -- 2. replies on PostgreSQL ------------------------------------------------------------------


class BarePostgres:
    """One INSERT into a copy of the events table and one UPDATE of a state row, in one
    transaction, on one connection: statement by statement, or pipelined."""

    def __init__(self, connection, raw_repository) -> None:
        ticket = conversation(1, "R-1")
        raw_repository.add(ticket, next_deadline=POLICY.next_deadline(ticket))
        self.connection = connection
        self.write = StateWrite(ticket)
        self.positions = itertools.count(10)
        schema = raw_repository.schema
        self.insert = (
            f"INSERT INTO {schema}.events (position, ticket_id, version, kind, flags, data)"  # noqa: S608 - our own name
            " VALUES (%s, %s, %s, %s, %s, %s::jsonb)"
        )
        self.update = _UPDATE_STATE.format(tickets=f"{schema}.tickets", p="%s", cast="::jsonb")

    def _statements(self) -> None:
        event, parameters = self.write.next()
        self.connection.execute(self.insert, (next(self.positions), *event))
        self.connection.execute(self.update, parameters)

    def plain(self) -> None:
        with self.connection.transaction():
            self._statements()

    def pipelined(self) -> None:
        with self.connection.pipeline(), self.connection.transaction():
            self._statements()


def pool(dsn: str, *, check: bool = True):
    from psycopg_pool import ConnectionPool

    return ConnectionPool(
        dsn,
        min_size=1,
        max_size=1,
        kwargs={"autocommit": True},
        open=True,
        check=ConnectionPool.check_connection if check else None,
    )


def postgres_replies(dsn: str, sizes: list[int], budgets: Budgets) -> None:
    import psycopg

    from ticketcore.storage.postgres import PostgresRepository

    checked, unchecked = pool(dsn), pool(dsn, check=False)
    connection = psycopg.connect(dsn, autocommit=True)
    try:
        repository = PostgresRepository(checked, schema=SCHEMA)
        repository.migrate()
        cases = grown_tickets(repository, sizes)
        alone = f"N={sizes[0]:,}, pool without check"
        cases[alone] = grown_tickets(repository, sizes[:1], prefix="U")[f"N={sizes[0]:,}"]
        raw = PostgresRepository(unchecked, schema=f"{SCHEMA}_raw")
        raw.migrate()
        bare = BarePostgres(connection, raw)
        clock = FixedClock(START + timedelta(days=120), step=timedelta(seconds=1))
        helpdesks = {
            name: helpdesk_on(
                PostgresRepository(unchecked, schema=SCHEMA) if name == alone else repository,
                clock,
            )
            for name in cases
        }
        steps: dict[str, Callable[[], object]] = {
            "bare psycopg": bare.plain,
            "bare psycopg, pipelined": bare.pipelined,
        }
        for name, ids in cases.items():
            steps[name] = replier(helpdesks[name], itertools.cycle(ids))
        times = side_by_side(steps, calls=REPLY_CALLS, rounds=REPLY_ROUNDS)

        written = {}
        for name, step in steps.items():
            before = connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            for _ in range(BYTES_CALLS):
                step()
            after = connection.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (before,)
            ).fetchone()[0]
            written[name] = after / BYTES_CALLS
        ends = {name: len(repository.get(ids[-1]).messages) for name, ids in cases.items()}
        settings = [
            f"{name} {connection.execute(f'SHOW {name}').fetchone()[0]}"
            for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes")
        ]
    finally:
        connection.close()
        checked.close()
        unchecked.close()
    print(f"\n== 2. Helpdesk.reply on PostgreSQL ({', '.join(settings)})")
    print(f"   median of {REPLY_ROUNDS} rounds of {REPLY_CALLS} calls; the pool holds 1 connection")
    print_times(times, sizes, written, ends, "WAL bytes/reply")
    ratio_budgets(budgets, "PostgreSQL", times, sizes, "bare psycopg")
    budgets.check(
        f"PostgreSQL: reply at N={sizes[0]:,} / bare psycopg, pipelined (info)",
        times[f"N={sizes[0]:,}"] / times["bare psycopg, pipelined"],
        2.5,
        "x",
    )


# -- 3. SLA on stored tickets ------------------------------------------------------------------


def first_calls(repository, ids: dict[int, str], calls: dict[str, Callable]) -> dict:
    """Median µs of get, and of each call on the ticket get just returned."""
    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(SLA_SAMPLES):
        for messages, ticket_id in ids.items():
            for name, call in calls.items():
                start = time.perf_counter_ns()
                ticket = repository.get(ticket_id)
                loaded = time.perf_counter_ns()
                call(ticket)
                done = time.perf_counter_ns()
                samples.setdefault((name, messages), []).append((done - loaded) / 1e3)
                samples.setdefault(("get", messages), []).append((loaded - start) / 1e3)
    return {key: statistics.median(values) for key, values in samples.items()}


def sla_on_loaded(repository, helpdesk: tc.Helpdesk, sizes: list[int], budgets: Budgets) -> None:
    ids = {}
    for messages in sizes:  # stored as the helpdesk leaves them: after a reply
        ticket = conversation(messages, f"L-{messages}")
        repository.add(ticket, next_deadline=POLICY.next_deadline(ticket))
        ids[messages] = helpdesk.reply(ALI, ticket.id, AGENT_BODY).id
    now = helpdesk.clock.now() + timedelta(hours=1)
    calls = {
        "evaluate": lambda ticket: POLICY.evaluate(ticket, now),
        "next_deadline": POLICY.next_deadline,
    }
    first = first_calls(repository, ids, calls)
    results: dict[tuple[str, str], dict[int, float]] = {}
    for name, call in calls.items():
        results[name, "first call after get"] = {n: first[name, n] for n in sizes}
        tickets = {n: repository.get(ids[n]) for n in sizes}
        steps = {str(n): (lambda t=tickets[n], c=call: c(t)) for n in sizes}
        repeated = side_by_side(steps, calls=SLA_CALLS, rounds=SLA_ROUNDS)
        results[name, "repeated"] = {n: repeated[str(n)] for n in sizes}
    print("\n== 3. SLA on tickets read back from SQLite, SLAPolicy.default()")
    print(
        f"   median µs; first call after get: {SLA_SAMPLES} loads; repeated on one object:"
        f" {SLA_ROUNDS} rounds of {SLA_CALLS} calls"
    )
    print(
        f"{'messages':>8} {'get':>8} {'evaluate first':>15} {'repeated':>9}"
        f" {'next_deadline first':>20} {'repeated':>9}"
    )
    for messages in sizes:
        row = [results[key][messages] for key in results]
        stored = len(repository.get(ids[messages]).messages)
        print(
            f"{stored:8,} {first['get', messages]:8.0f} {row[0]:15.1f} {row[1]:9.1f}"
            f" {row[2]:20.1f} {row[3]:9.1f}"
        )
    for (name, how), values in results.items():
        budgets.check(f"SLA {name}, {how}: slowest N", max(values.values()), 20, " µs")
        ratio = max(value / values[sizes[0]] for value in values.values())
        budgets.check(f"SLA {name}, {how}: worst N / N={sizes[0]:,}", ratio, 1.5, "x")


# -- 4. one long ticket through the Helpdesk ---------------------------------------------------


def build_through_helpdesk(folder: Path, target: int, limit: float, budgets: Budgets) -> None:
    with SQLiteRepository(folder / "build.sqlite3") as repository:
        helpdesk = helpdesk_on(repository, FixedClock(START, step=timedelta(minutes=1)))
        ticket_id = helpdesk.open_ticket(
            SARA, subject="Shipment is late", body=REQUESTER_BODY, priority="high"
        ).id
        messages, operations, marks = 1, 1, [(1, 1, 0.0)]
        mark = max(1, target // 6)
        start = time.perf_counter()
        elapsed = 0.0
        while messages < target and elapsed < limit:
            helpdesk.reply(ALI, ticket_id, AGENT_BODY)
            helpdesk.change_status(ALI, ticket_id, "waiting_for_user")
            messages, operations = messages + 1, operations + 2
            if messages < target:
                helpdesk.reply(SARA, ticket_id, REQUESTER_BODY)
                messages, operations = messages + 1, operations + 1
            elapsed = time.perf_counter() - start
            if messages // mark >= len(marks) or messages >= target or elapsed >= limit:
                marks.append((messages, operations, elapsed))
        stored = helpdesk.get(ALI, ticket_id)
    print(f"\n== 4. one ticket of {target:,} messages through the Helpdesk on SQLite")
    print(f"{'messages':>8} {'calls':>6} {'seconds':>8} {'ms per call since the last line':>32}")
    for before, (messages, operations, seconds) in itertools.pairwise(marks):
        per_call = (seconds - before[2]) / max(1, operations - before[1]) * 1e3
        print(f"{messages:8,} {operations:6,} {seconds:8.1f} {per_call:32.2f}")
    print(f"   stored: {len(stored.messages):,} messages, {len(stored.history):,} events")
    name = f"building a {target:,}-message ticket through the Helpdesk"
    if messages < target:
        budgets.note(
            name, f"stopped at {messages:,} messages after {elapsed:.0f} s", "< 30 s", passed=False
        )
    else:
        budgets.check(name, elapsed, 30, " s")


# -- 5. many tickets ---------------------------------------------------------------------------


def fill_rows(count: int) -> Iterator[list[tuple[tc.Ticket, datetime | None]]]:
    """Batches of one-message tickets spread over 30 days: four in five assigned, a third
    resolved, each with its next deadline."""
    step = timedelta(days=FILL_DAYS) / count
    batch: list[tuple[tc.Ticket, datetime | None]] = []
    for number in range(count):
        at = START + step * number
        ticket = tc.Ticket.open(
            tc.Actor.requester(f"user-{number % REQUESTERS}"),
            id=f"T-{number}",
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
        if number % 3 == 0:
            ticket = ticket.change_status(
                agent, tc.Status.RESOLVED, at=at + timedelta(hours=1)
            ).ticket
        batch.append((ticket, POLICY.next_deadline(ticket)))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class Fill:
    """A store being filled, and the seconds its add_many calls took."""

    def __init__(self, name: str, repository, count: int) -> None:
        self.name, self.repository, self.count = name, repository, count
        self.added, self.seconds = 0, 0.0

    def take(self, batch: list[tuple[tc.Ticket, datetime | None]]) -> None:
        wanted = batch[: self.count - self.added]
        if wanted:
            start = time.perf_counter()
            self.added += self.repository.add_many(wanted)
            self.seconds += time.perf_counter() - start


def fill(stores: list[Fill], budgets: Budgets) -> None:
    """Fill every store with its count of the same tickets, built once."""
    total = max(store.count for store in stores)
    building, done, start = 0.0, 0, time.perf_counter()
    for batch in fill_rows(total):
        building += time.perf_counter() - start
        for store in stores:
            store.take(batch)
        done += len(batch)
        if done % 100_000 == 0:
            print(f"   ... {done:,} tickets", file=sys.stderr, flush=True)
        start = time.perf_counter()
    print(f"building the tickets and their deadlines: {total / building:,.0f} tickets/s")
    for store in stores:
        rate = store.added / store.seconds
        with_building = store.added / (store.seconds + building * store.added / total)
        print(
            f"{store.name}: {store.added:,} tickets with add_many ({BATCH:,} a call) in"
            f" {store.seconds:,.0f} s: {rate:,.0f} tickets/s ({with_building:,.0f} tickets/s"
            " with building them)"
        )
        info = "" if store.name == "SQLite" else " (info)"
        budgets.check(f"{store.name}: add_many tickets/s{info}", rate, 20_000, "/s", most=False)


def page_queries(now: datetime) -> list[tuple[str, Callable, TicketQuery, str, tuple]]:
    """(title, helpdesk call, query, bare SQL, parameters) for each page; the SQL has
    ``{text}`` (a cast of data), ``{tickets}`` (the table) and ``{p}`` (a placeholder)."""
    soon = now + timedelta(hours=2)
    requester, agent = "user-42", "agent-7"
    active = tuple(sorted(status.value for status in ACTIVE_STATUSES))
    return [
        (
            "at risk (due within 2 h, soonest first)",
            lambda helpdesk: helpdesk.at_risk(ALI, within=timedelta(hours=2), limit=PAGE),
            TicketQuery(due_before=soon, order=Order.DUE),
            (
                "SELECT due_us, id, data{text} FROM {tickets} WHERE due_us < {p}"
                " ORDER BY due_us ASC, id ASC LIMIT {p}"
            ),
            (utc_microseconds(soon), PAGE + 1),
        ),
        (
            "a requester's page (newest first)",
            lambda helpdesk: helpdesk.list_tickets(tc.Actor.requester(requester), limit=PAGE),
            TicketQuery(requester_id=requester, descending=True),
            (
                "SELECT created_us, id, data{text} FROM {tickets} WHERE requester_id = {p}"
                " ORDER BY created_us DESC, id DESC LIMIT {p}"
            ),
            (requester, PAGE + 1),
        ),
        (
            "an agent's queue (active, oldest first)",
            lambda helpdesk: helpdesk.queue(tc.Actor.agent(agent), limit=PAGE),
            TicketQuery(assignee_id=agent, statuses=ACTIVE_STATUSES),
            (
                "SELECT created_us, id, data{text} FROM {tickets} WHERE assignee_id = {p}"
                " AND status IN ({p}, {p}, {p}) ORDER BY created_us ASC, id ASC LIMIT {p}"
            ),
            (agent, *active, PAGE + 1),
        ),
    ]


def time_pages(store: Fill, *, fetch: Callable, plan: Callable, budgets: Budgets) -> None:
    """Each page through the Helpdesk, through repository.query and with ``fetch`` (bare SQL)."""
    repository = store.repository
    helpdesk = helpdesk_on(repository, FixedClock(START + timedelta(days=FILL_DAYS)))
    print(
        f"{'page of ' + str(PAGE):>40} {'bare SQL':>9} {'query':>7} {'Helpdesk':>9}"
        f" {'query/bare':>11} {'Helpdesk/bare':>14}  (median ms, {PAGE_ROUNDS} rounds)"
    )
    info = "" if store.name == "SQLite" else " (info)"
    for title, call, query, statement, parameters in page_queries(helpdesk.clock.now()):
        rows = fetch(statement, parameters)
        page = call(helpdesk)
        same = [row[1] for row in rows[:PAGE]] == [ticket.id for ticket in page.items]
        times = side_by_side(
            {
                "bare": lambda s=statement, p=parameters: fetch(s, p),
                "query": lambda q=query: repository.query(q, limit=PAGE),
                "helpdesk": lambda c=call: c(helpdesk),
            },
            calls=PAGE_CALLS,
            rounds=PAGE_ROUNDS,
        )
        bare, query_ms, desk = (times[key] / 1e3 for key in ("bare", "query", "helpdesk"))
        print(
            f"{title:>40} {bare:9.3f} {query_ms:7.3f} {desk:9.3f} {query_ms / bare:11.2f}"
            f" {desk / bare:14.2f}  {len(page.items)} tickets"
            + ("" if same else ", NOT the rows of the bare SQL")
        )
        bare_plan, query_plan = plan(query, statement, parameters)
        print(f"{'':>40} plan, bare:  {bare_plan}\n{'':>40} plan, query: {query_plan}")
        budgets.check(f"{store.name}: {title}, Helpdesk{info}", desk, 1, " ms")
        budgets.check(f"{store.name}: {title}, Helpdesk / bare SQL{info}", desk / bare, 3, "x")
        budgets.check(f"{store.name}: {title}, query / bare SQL{info}", query_ms / bare, 3, "x")


def sqlite_pages(store: Fill, budgets: Budgets) -> None:
    path = store.repository.path
    bare = sqlite3.connect(path, isolation_level=None)
    try:
        bare.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size + Path(f"{path}-wal").stat().st_size
        count = store.added
        events, event_bytes = bare.execute(
            "SELECT count(*), avg(length(data)) FROM events"
        ).fetchone()
        state_bytes = bare.execute("SELECT avg(length(data)) FROM tickets").fetchone()[0]
        print(
            f"SQLite file after a checkpoint: {size / 1e6:,.0f} MB, {size / count:,.0f} bytes"
            f" per ticket; {events / count:.2f} events per ticket; JSON: state row"
            f" {state_bytes:,.0f} bytes, event {event_bytes:,.0f} bytes on average"
        )
        try:
            parts = bare.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
            print("   bytes per ticket: " + ", ".join(f"{n} {b / count:,.0f}" for n, b in parts))
        except sqlite3.OperationalError:  # built without the dbstat table
            pass
        budgets.check("SQLite: bytes on disk per one-message ticket", size / count, 1500, " B")

        def fetch(statement: str, parameters: tuple) -> list:
            sql = statement.format(text="", tickets="tickets", p="?")
            return bare.execute(sql, parameters).fetchall()

        def plan(query: TicketQuery, statement: str, parameters: tuple) -> tuple[str, str]:
            sql = "EXPLAIN QUERY PLAN " + statement.format(text="", tickets="tickets", p="?")
            mine = "; ".join(row[3] for row in bare.execute(sql, parameters))
            return mine, "; ".join(store.repository.query_plan(query, limit=PAGE))

        time_pages(store, fetch=fetch, plan=plan, budgets=budgets)
    finally:
        bare.close()


def postgres_pages(dsn: str, store: Fill, budgets: Budgets) -> None:
    import psycopg

    tickets = f"{store.repository.schema}.tickets"
    events = f"{store.repository.schema}.events"
    bare = psycopg.connect(dsn, autocommit=True)
    try:
        bare.execute(f"ANALYZE {tickets}")
        bare.execute(f"ANALYZE {events}")
        sizes = bare.execute(
            "SELECT pg_total_relation_size(%s), pg_total_relation_size(%s)", (tickets, events)
        ).fetchone()
        count = store.added
        print(
            f"PostgreSQL tables with their indexes, after ANALYZE: {sum(sizes) / 1e6:,.0f} MB,"
            f" {sum(sizes) / count:,.0f} bytes per ticket (tickets {sizes[0] / count:,.0f},"
            f" events {sizes[1] / count:,.0f})"
        )

        def fetch(statement: str, parameters: tuple) -> list:
            sql = statement.format(text="::text", tickets=tickets, p="%s")
            return bare.execute(sql, parameters).fetchall()

        def plan(query: TicketQuery, statement: str, parameters: tuple) -> tuple[str, str]:
            sql = "EXPLAIN (COSTS OFF) " + statement.format(text="::text", tickets=tickets, p="%s")
            mine = " ".join(row[0].strip() for row in bare.execute(sql, parameters))
            theirs = " ".join(line.strip() for line in store.repository.query_plan(query))
            return mine, theirs

        time_pages(store, fetch=fetch, plan=plan, budgets=budgets)
    finally:
        bare.close()


def many_tickets(folder: Path, arguments, dsn: str | None, budgets: Budgets) -> None:
    stores = []
    if arguments.tickets:
        repository = SQLiteRepository(folder / "tickets.sqlite3")
        stores.append(Fill("SQLite", repository, arguments.tickets))
    pg_pool = None
    if dsn and arguments.pg_tickets:
        from ticketcore.storage.postgres import PostgresRepository

        pg_pool = pool(dsn)
        repository = PostgresRepository(pg_pool, schema=f"{SCHEMA}_fill")
        repository.migrate()
        stores.append(Fill("PostgreSQL", repository, arguments.pg_tickets))
    if not stores:
        return
    try:
        print("\n== 5. many one-message tickets")
        fill(stores, budgets)
        for store in stores:
            print(f"\n{store.name} at {store.added:,} tickets")
            if store.name == "SQLite":
                sqlite_pages(store, budgets)
            else:
                postgres_pages(dsn, store, budgets)
    finally:
        for store in stores:
            if store.name == "SQLite":
                store.repository.close()
        if pg_pool is not None:
            pg_pool.close()


# -- running -----------------------------------------------------------------------------------


def drop_schemas(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        for suffix in ("", "_raw", "_fill"):
            connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA}{suffix} CASCADE")


def run(arguments, dsn: str | None, budgets: Budgets) -> None:
    with tempfile.TemporaryDirectory(prefix="ticketcore-growth-") as name:
        folder = Path(name)
        sizes = arguments.messages
        repository, helpdesk = sqlite_replies(folder, sizes, budgets)
        sla_on_loaded(repository, helpdesk, sizes, budgets)
        repository.close()
        if dsn:
            postgres_replies(dsn, sizes, budgets)
        if arguments.build:
            build_through_helpdesk(folder, arguments.build, arguments.build_seconds, budgets)
        many_tickets(folder, arguments, dsn, budgets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[1, 1000, 3000])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="into SQLite; 0: none")
    parser.add_argument("--pg-tickets", type=int, default=100_000, help="into PostgreSQL")
    parser.add_argument("--build", type=int, default=3000, help="messages; 0 skips part 4")
    parser.add_argument("--build-seconds", type=float, default=60.0)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--dsn", default=os.environ.get("TICKETCORE_TEST_POSTGRES"))
    arguments = parser.parse_args()
    budgets = Budgets()
    server, dsn = None, None
    try:
        if not arguments.skip_postgres:
            dsn = arguments.dsn
            if not dsn:
                sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
                import pgserver  # the throw-away server helper the tests use

                server = pgserver.Server.start()
                dsn = server.dsn
            drop_schemas(dsn)
        run(arguments, dsn, budgets)
    finally:
        if dsn:
            drop_schemas(dsn)
        if server is not None:
            server.stop()
    budgets.print()


if __name__ == "__main__":
    main()
