import json
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

import ticketcore as tc
from helpers import ALI, REZA, SARA, T0, later, opened
from ticketcore.ports import NO_DEADLINE, TicketQuery
from ticketcore.serialization import utc_microseconds
from ticketcore.storage import sqlite as sqlite_adapter
from ticketcore.storage.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteRepository, migrate


@pytest.fixture
def path(tmp_path):
    return tmp_path / "tickets.sqlite3"


@pytest.fixture
def repository(path):
    with SQLiteRepository(path) as repository:
        yield repository


def _raw(path):
    return sqlite3.connect(path, isolation_level=None)


def _dump(path):
    connection = _raw(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _noted(ticket, body="note"):
    return ticket.add_note(ALI, body, at=later(ticket)).ticket


# -- importing ---------------------------------------------------------------------------


def test_sqlite3_is_imported_only_with_the_sqlite_adapter():
    code = (
        "import sys, ticketcore, ticketcore.storage, ticketcore.helpdesk;"
        "before = 'sqlite3' in sys.modules;"
        "from ticketcore.storage import SQLiteRepository;"
        "print(before, 'sqlite3' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


# -- the file ------------------------------------------------------------------------------


def test_a_new_file_gets_the_current_schema_in_wal_mode(repository, path):
    connection = _raw(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    assert {"tickets", "events", "tickets_by_requester", "tickets_by_due"} <= tables


def test_a_file_of_an_older_schema_is_migrated_forward_keeping_its_tickets(path):
    ticket = opened()
    connection = _raw(path)
    assert migrate(connection, target=1) == 1
    # A ticket written by a release that knew only the first step.
    connection.execute(
        "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "T-1",
            1,
            "sara",
            None,
            "open",
            "general",
            "medium",
            utc_microseconds(T0),
            utc_microseconds(T0),
            NO_DEADLINE,
            tc.serialization.ticket_to_json(ticket),
        ),
    )
    indexes = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    assert "tickets_by_requester" not in {row[0] for row in indexes}
    connection.close()
    with SQLiteRepository(path) as repository:
        assert repository.get("T-1") == ticket
        assert [t.id for t in repository.query(TicketQuery(requester_id="sara")).items] == ["T-1"]
        plan = repository.query_plan(TicketQuery(requester_id="sara"))
    connection = _raw(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        connection.close()
    assert any("tickets_by_requester" in line for line in plan)


def test_migrating_twice_changes_nothing(path):
    connection = _raw(path)
    try:
        assert migrate(connection) == SCHEMA_VERSION
        before = list(connection.iterdump())
        assert migrate(connection) == SCHEMA_VERSION
        assert list(connection.iterdump()) == before
    finally:
        connection.close()


def test_a_file_from_a_newer_release_is_refused(path):
    connection = _raw(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(tc.StorageError) as caught:
        SQLiteRepository(path)
    assert "upgrade ticketcore" in str(caught.value)
    # retrying never helps: not "unavailable"
    assert not isinstance(caught.value, tc.StorageUnavailableError)
    assert caught.value.code is tc.ErrorCode.STORAGE_INVALID


def test_a_file_that_is_not_a_database_is_refused_for_good(path):
    path.write_bytes(b"this is not a database, just text " * 100)
    with pytest.raises(tc.StorageError) as caught:
        SQLiteRepository(path)
    assert not isinstance(caught.value, tc.StorageUnavailableError)
    assert caught.value.code is tc.ErrorCode.STORAGE_INVALID
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_a_folder_given_as_the_database_is_refused_for_good(tmp_path):
    with pytest.raises(tc.StorageError) as caught:
        SQLiteRepository(tmp_path)
    assert not isinstance(caught.value, tc.StorageUnavailableError)
    assert caught.value.code is tc.ErrorCode.STORAGE_INVALID


@pytest.mark.parametrize("where", [":memory:", "", "file:x?mode=memory"])
def test_memory_databases_are_refused(where):
    with pytest.raises(tc.ValidationError, match="InMemoryRepository") as caught:
        SQLiteRepository(where)
    assert (caught.value.code, caught.value.field) == (tc.ErrorCode.OUT_OF_RANGE, "path")


def test_a_closed_repository_is_unavailable(path):
    repository = SQLiteRepository(path)
    repository.close()
    with pytest.raises(tc.StorageUnavailableError):
        repository.get("T-1")


# -- storage layout ------------------------------------------------------------------------


def test_a_ticket_row_is_its_state_and_its_thread_is_the_event_log(repository, path):
    from zoneinfo import ZoneInfo

    at = T0.astimezone(ZoneInfo("Asia/Tehran"))
    ticket = opened(at=at)
    repository.add(ticket, next_deadline=T0 + timedelta(hours=6))
    connection = _raw(path)
    try:
        row = connection.execute(
            "SELECT created_us, updated_us, due_us, data FROM tickets WHERE id = 'T-1'"
        ).fetchone()
        events = connection.execute("SELECT ticket_id, version, kind, flags FROM events").fetchall()
    finally:
        connection.close()
    assert row[0] == row[1] == utc_microseconds(T0)
    assert row[2] == utc_microseconds(T0 + timedelta(hours=6))
    state = json.loads(row[3])
    assert (state["format"], state["kind"], state["messages"], state["events"]) == (
        1,
        "ticket_state",
        1,
        1,
    )
    assert ticket.messages[0].body not in row[3]  # the body lives in the log only
    assert tc.serialization.ticket_state_from_json(row[3], repository) == ticket
    assert events == [("T-1", 1, "ticket_opened", 1)]


def test_a_ticket_read_before_close_still_reads_its_thread(path):
    with SQLiteRepository(path) as repository:
        first = opened()
        ticket = first.reply(SARA, "second", at=later(first)).ticket
        repository.add(ticket)
        stored = repository.get("T-1")
        assert not stored.messages.loaded  # nothing read yet
    assert [m.body for m in stored.messages] == [m.body for m in ticket.messages]
    assert stored.history == ticket.history
    assert path.exists()


def test_a_thread_whose_file_is_gone_is_a_typed_error(path):
    with SQLiteRepository(path) as repository:
        repository.add(opened())
        stored = repository.get("T-1")
    path.unlink()
    with pytest.raises(tc.StorageUnavailableError):
        tuple(stored.messages)
    assert not path.exists()  # reading did not create an empty file


def test_a_stored_ticket_pickles_as_its_items(repository):
    import pickle

    first = opened()
    repository.add(first.reply(SARA, "second", at=later(first)).ticket)
    stored = repository.get("T-1")
    copy = pickle.loads(pickle.dumps(stored))
    assert copy == stored
    assert isinstance(copy.messages, tuple)
    assert stored.detached().messages == copy.messages


def test_a_ticket_without_deadline_sorts_last_by_due(repository):
    repository.add(opened(id="T-1"), next_deadline=None)
    repository.add(opened(id="T-2"), next_deadline=T0)
    page = repository.query(TicketQuery(order="due"))
    assert [t.id for t in page.items] == ["T-2", "T-1"]


def test_values_are_bound_never_spliced_into_sql(repository):
    hostile = "sara'--"
    repository.add(opened(id="T-1", actor=tc.Actor.requester(hostile)))
    repository.add(opened(id="T-2"))
    assert [t.id for t in repository.query(TicketQuery(requester_id=hostile)).items] == ["T-1"]
    assert repository.query(TicketQuery(requester_id="x' OR '1'='1")).items == ()
    with pytest.raises(tc.NotFoundError):
        repository.get("T-1' OR '1'='1")


# -- indexes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (TicketQuery(requester_id="sara", descending=True), "tickets_by_requester"),
        (TicketQuery(requester_id="sara", statuses=["open", "resolved"]), "tickets_by_requester"),
        (
            TicketQuery(assignee_id="ali", statuses=["open", "in_progress", "waiting_for_user"]),
            "tickets_by_assignee",
        ),
        (TicketQuery(unassigned=True, statuses=["open"]), "tickets_by_assignee"),
        (TicketQuery(due_before=T0, order="due"), "tickets_by_due"),
    ],
)
def test_common_queries_search_an_index(repository, query, index):
    for number in range(30):
        repository.add(
            opened(id=f"T-{number}", actor=SARA if number % 2 else REZA),
            next_deadline=T0 + timedelta(minutes=number),
        )
    cursor = repository.query(query, limit=1).next_cursor
    for plan in (repository.query_plan(query), repository.query_plan(query, cursor=cursor)):
        assert any(line.startswith("SEARCH tickets USING") and index in line for line in plan), plan
        assert not any(line.startswith("SCAN tickets") for line in plan), plan
        assert not any("TEMP B-TREE" in line for line in plan), plan


# -- error translation ---------------------------------------------------------------------


def test_a_locked_database_is_unavailable_after_the_busy_timeout(path):
    repository = SQLiteRepository(path, timeout=0.05)
    blocker = _raw(path)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(tc.StorageUnavailableError) as caught:
            repository.add(opened())
        assert caught.value.code is tc.ErrorCode.STORAGE_UNAVAILABLE
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert "locked" in str(caught.value.__cause__)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    repository.add(opened())  # works once the lock is gone
    assert repository.get("T-1") == opened()
    repository.close()


def test_a_duplicate_id_is_a_conflict_translated_from_the_integrity_error(repository):
    repository.add(opened())
    with pytest.raises(tc.ConflictError) as caught:
        repository.add(opened())
    assert caught.value.code is tc.ErrorCode.ALREADY_EXISTS
    assert caught.value.params["ticket_id"] == "T-1"
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)


def test_a_file_in_a_missing_folder_is_refused_for_good(tmp_path):
    with pytest.raises(tc.StorageError) as caught:
        SQLiteRepository(tmp_path / "missing-folder" / "tickets.sqlite3")
    assert not isinstance(caught.value, tc.StorageUnavailableError)
    assert caught.value.code is tc.ErrorCode.STORAGE_INVALID
    assert "does not exist" in str(caught.value)


# -- faults ----------------------------------------------------------------------------------


class SimulatedCrashError(Exception):
    pass


def _crash_after_first_event(monkeypatch):
    original = SQLiteRepository._append_events

    def half(self, connection, rows):
        original(self, connection, rows[:1])
        raise SimulatedCrashError

    monkeypatch.setattr(SQLiteRepository, "_append_events", half)


def test_a_save_that_fails_midway_leaves_the_database_as_before(repository, path, monkeypatch):
    ticket = opened()
    repository.add(ticket, next_deadline=T0 + timedelta(hours=1))
    waiting = ticket.change_status(ALI, "waiting_for_user", at=later(ticket)).ticket
    repository.save(waiting, expected_version=1, next_deadline=None)
    answered = waiting.reply(SARA, "Here you are.", at=later(waiting)).ticket
    assert len(answered.history) - len(waiting.history) == 2  # two events, one version
    before = _dump(path)
    _crash_after_first_event(monkeypatch)
    with pytest.raises(SimulatedCrashError):
        repository.save(answered, expected_version=2, next_deadline=T0)
    assert _dump(path) == before
    monkeypatch.undo()
    assert repository.get("T-1") == waiting
    assert len(repository.events_after(0)) == 2
    repository.save(answered, expected_version=2)  # the connection is usable again
    assert repository.get("T-1") == answered


def test_an_add_that_fails_midway_leaves_the_database_as_before(repository, path, monkeypatch):
    repository.add(opened(id="T-0"))
    ticket = _noted(opened())
    before = _dump(path)
    _crash_after_first_event(monkeypatch)
    with pytest.raises(SimulatedCrashError):
        repository.add(ticket)
    assert _dump(path) == before


def test_add_many_is_all_or_nothing(repository, path):
    repository.add(opened(id="T-3"))
    before = _dump(path)
    batch = [(opened(id=f"T-{number}"), None) for number in range(5)]
    with pytest.raises(tc.ConflictError) as caught:
        repository.add_many(batch)
    assert caught.value.params["ticket_id"] == "T-3"
    assert _dump(path) == before
    assert repository.add_many(batch[:3]) == 3
    assert [t.id for t in repository.query().items] == ["T-0", "T-1", "T-2", "T-3"]


# -- concurrency -----------------------------------------------------------------------------


def test_threads_sharing_one_repository_never_lose_an_update(repository):
    repository.add(opened())
    threads, rounds = 4, 15
    landed, conflicts = [], []

    def work(name):
        for number in range(rounds):
            ticket = repository.get("T-1")
            changed = _noted(ticket, f"{name}-{number}")
            try:
                repository.save(changed, expected_version=ticket.version)
            except tc.ConflictError:
                conflicts.append(name)
            else:
                landed.append(f"{name}-{number}")

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    _check_no_lost_update(repository, landed, len(landed) + len(conflicts), threads * rounds)


def _check_no_lost_update(repository, landed, attempts, expected_attempts):
    final = repository.get("T-1")
    assert attempts == expected_attempts
    assert final.version == 1 + len(landed)
    assert sorted(m.body for m in final.messages[1:]) == sorted(landed)
    assert tc.Ticket.replay(final.history) == final
    log = repository.events_after(0, limit=1000)
    assert [record.event for record in log] == list(final.history)


def _hammer(path, name, rounds, barrier, results):
    """A worker process: load, note and save the same ticket ``rounds`` times."""
    landed, conflicts = [], 0
    with SQLiteRepository(path, timeout=30) as repository:
        barrier.wait(timeout=60)
        for number in range(rounds):
            ticket = repository.get("T-1")
            changed = ticket.add_note(
                tc.Actor.agent(name), f"{name}-{number}", at=ticket.updated_at
            ).ticket
            try:
                repository.save(changed, expected_version=ticket.version)
            except tc.ConflictError:
                conflicts += 1
            else:
                landed.append(f"{name}-{number}")
    results.put((landed, conflicts))


def test_two_processes_writing_one_file_never_lose_an_update(repository, path):
    repository.add(opened())
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    rounds = 25
    workers = [
        context.Process(target=_hammer, args=(str(path), name, rounds, barrier, results))
        for name in ("p1", "p2")
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    landed = [body for bodies, _ in outcomes for body in bodies]
    conflicts = sum(count for _, count in outcomes)
    _check_no_lost_update(repository, landed, len(landed) + conflicts, 2 * rounds)


def test_each_thread_gets_its_own_connection(repository):
    here = repository._connection()
    seen = []
    thread = threading.Thread(target=lambda: seen.append(repository._connection()))
    thread.start()
    thread.join()
    assert seen[0] is not here
    assert repository._connection() is here


def test_the_adapter_module_lists_its_migrations_in_order():
    assert sqlite_adapter.SCHEMA_VERSION == len(sqlite_adapter.MIGRATIONS) >= 2
    assert all(description and statements for description, statements in MIGRATIONS)


def test_a_lone_surrogate_in_a_query_is_a_validation_error_not_unavailable(path):
    repository = SQLiteRepository(path)
    with pytest.raises(tc.ValidationError) as caught:
        repository.query(tc.TicketQuery(requester_id="\ud800"))
    assert caught.value.code is tc.ErrorCode.CONTROL_CHARACTER
    with pytest.raises(tc.NotFoundError):
        repository.get("T-\ud800")
    with pytest.raises(tc.InvalidTypeError):
        repository.get(2**64)


def test_saving_a_loaded_ticket_reads_none_of_its_stored_thread(path):
    """A save's new events come from what the operation added: the cost of a save does
    not grow with the ticket (before, new_events read the whole stored history)."""
    from ticketcore.ports import new_events

    with SQLiteRepository(path) as repository:
        ticket = opened()
        for minutes in range(1, 6):
            ticket = ticket.reply(ALI, f"note {minutes}", at=later(ticket, minutes)).ticket
        repository.add(ticket)
        loaded = repository.get(ticket.id)
        changed = loaded.reply(SARA, "Any news?", at=later(loaded, 10)).ticket
        changed = changed.change_priority(ALI, "high", at=later(loaded, 11)).ticket
        assert [e.kind for e in new_events(changed, expected_version=loaded.version)] == [
            "message_added",
            "priority_changed",
        ]
        assert not changed.history.loaded
        repository.save(changed, expected_version=loaded.version)
        assert not changed.history.loaded
        assert repository.get(ticket.id) == changed


def test_stored_clocks_are_decoded_once_per_loaded_ticket(path):
    from ticketcore import _clocks

    policy = tc.SLAPolicy.default()
    with SQLiteRepository(path) as repository:
        ticket = opened()
        repository.add(ticket, next_deadline=policy.next_deadline(ticket))
        loaded = repository.get(ticket.id)
        assert isinstance(loaded._clocks, _clocks.StoredClocks)
        deadline = policy.next_deadline(loaded)
        assert isinstance(loaded._clocks, _clocks.Clocks)  # kept: the next call reuses it
        assert policy.next_deadline(loaded) == deadline == policy.next_deadline(ticket)
