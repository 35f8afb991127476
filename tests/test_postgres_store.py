"""The PostgreSQL adapter beyond the contract: importing, migrations, schemas, storage
layout, indexes, error translation, faults, concurrent writers and consumer groups.

The server comes from the ``pgserver`` fixtures; each test works in schemas of its own.
"""

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

import ticketcore as tc
from helpers import ALI, REZA, SARA, T0, later, opened
from pgserver import (  # noqa: F401 - fixtures: postgres_dsn, postgres_pool, new_schema
    new_schema_fixture,
    postgres_dsn_fixture,
    postgres_pool_fixture,
)
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import ACTIVE_STATUSES, Helpdesk
from ticketcore.ports import NO_DEADLINE, TicketQuery
from ticketcore.serialization import (
    event_to_json,
    ticket_state_from_json,
    ticket_to_json,
    utc_microseconds,
)
from ticketcore.storage import postgres as postgres_adapter
from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository
from ticketcore.storage.postgres import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ClaimedEvent,
    PostgresRepository,
    migrate,
    translated,
)


@pytest.fixture
def repository(postgres_pool, new_schema):
    repository = PostgresRepository(postgres_pool, schema=new_schema())
    repository.migrate()
    return repository


def _rows(pool, statement, parameters=()):
    with pool.connection() as connection:
        return connection.execute(statement, parameters).fetchall()


def _in(schema, statement):
    """``statement`` with ``{schema}`` replaced by the quoted schema name."""
    return sql.SQL(statement).format(schema=sql.Identifier(schema))


def _dump(pool, schema):
    """Everything a repository wrote, to compare before and after a failure."""
    return [
        _rows(pool, _in(schema, query))
        for query in (
            "SELECT id, version, due_us, data::text FROM {schema}.tickets ORDER BY id",
            "SELECT position, ticket_id, version, kind FROM {schema}.events ORDER BY position",
            "SELECT last_position FROM {schema}.event_counter",
            "SELECT group_name, position, attempts FROM {schema}.deliveries ORDER BY 1, 2",
        )
    ]


def _noted(ticket, body="note"):
    return ticket.add_note(ALI, body, at=later(ticket)).ticket


def _wait_for(condition, *, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- importing (no server needed) ---------------------------------------------------------


def test_psycopg_is_imported_only_with_the_postgres_adapter():
    code = (
        "import sys, ticketcore, ticketcore.storage, ticketcore.helpdesk;"
        "from ticketcore.storage import SQLiteRepository;"
        "before = 'psycopg' in sys.modules;"
        "import ticketcore.storage.postgres;"
        "print(before, 'psycopg' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize(
    "schema", ["", "Tickets", "1tickets", "pg_tickets", "tickets;drop", "a" * 64, "naïve", None]
)
def test_bad_schema_names_are_refused(schema):
    with pytest.raises(ValueError, match="schema"):
        PostgresRepository(lambda: None, schema=schema)


def test_connections_must_be_a_pool_or_a_factory():
    with pytest.raises(TypeError, match="pool or a callable"):
        PostgresRepository("postgresql://localhost/tickets")


@pytest.mark.parametrize(
    ("driver_error", "expected", "code"),
    [
        (pg_errors.SerializationFailure, tc.ConflictError, tc.ErrorCode.CONFLICT),
        (pg_errors.DeadlockDetected, tc.ConflictError, tc.ErrorCode.CONFLICT),
        (pg_errors.UniqueViolation, tc.ConflictError, tc.ErrorCode.CONFLICT),
        (pg_errors.AdminShutdown, tc.StorageUnavailableError, tc.ErrorCode.STORAGE_UNAVAILABLE),
        (psycopg.OperationalError, tc.StorageUnavailableError, tc.ErrorCode.STORAGE_UNAVAILABLE),
        (psycopg.InterfaceError, tc.StorageUnavailableError, tc.ErrorCode.STORAGE_UNAVAILABLE),
        (PoolTimeout, tc.StorageUnavailableError, tc.ErrorCode.STORAGE_UNAVAILABLE),
        (pg_errors.UndefinedTable, tc.StorageUnavailableError, tc.ErrorCode.STORAGE_UNAVAILABLE),
    ],
)
def test_driver_errors_are_translated(driver_error, expected, code):
    cause = driver_error("simulated")
    with pytest.raises(expected) as caught, translated(schema="tickets", ticket_id="T-1"):
        raise cause
    assert caught.value.code is code
    assert caught.value.__cause__ is cause


# -- migrations ----------------------------------------------------------------------------


def _catalog(pool, schema):
    return [
        _rows(
            pool,
            "SELECT table_name, column_name, data_type, collation_name"
            " FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
            (schema,),
        ),
        _rows(
            pool,
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1",
            (schema,),
        ),
        _rows(pool, _in(schema, "SELECT version, description FROM {schema}.schema_migrations")),
    ]


def test_migrate_creates_a_versioned_schema(postgres_pool, new_schema):
    repository = PostgresRepository(postgres_pool, schema=new_schema())
    assert repository.schema_version() == 0
    assert repository.migrate() == SCHEMA_VERSION
    assert repository.schema_version() == SCHEMA_VERSION
    tables, indexes, versions = _catalog(postgres_pool, repository.schema)
    assert versions == [(step + 1, MIGRATIONS[step][0]) for step in range(SCHEMA_VERSION)]
    assert {row[0] for row in tables} == {
        "tickets",
        "events",
        "event_counter",
        "consumer_groups",
        "deliveries",
        "schema_migrations",
    }
    assert ("tickets", "id", "text", "C") in tables
    assert ("tickets", "data", "jsonb", None) in tables
    assert {"tickets_by_requester", "tickets_by_assignee", "tickets_by_due"} <= {
        name for name, _ in indexes
    }


def test_operations_before_migrate_are_unavailable(postgres_pool, new_schema):
    repository = PostgresRepository(postgres_pool, schema=new_schema())
    with pytest.raises(tc.StorageUnavailableError) as caught:
        repository.get("T-1")
    assert caught.value.params["reason"] == "not migrated"
    assert "migrate()" in str(caught.value)
    assert isinstance(caught.value.__cause__, pg_errors.UndefinedTable)


def test_migrating_twice_changes_nothing(repository, postgres_pool):
    before = _catalog(postgres_pool, repository.schema)
    assert repository.migrate() == SCHEMA_VERSION
    assert _catalog(postgres_pool, repository.schema) == before


def test_concurrent_migrations_migrate_once(postgres_dsn, postgres_pool, new_schema):
    schema = new_schema()
    callers = 6
    barrier = threading.Barrier(callers)
    results, failures = [], []

    def call():
        try:
            with psycopg.connect(postgres_dsn) as connection:
                barrier.wait(timeout=30)
                results.append(migrate(connection, schema=schema))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert results == [SCHEMA_VERSION] * callers
    versions = _rows(postgres_pool, _in(schema, "SELECT version FROM {schema}.schema_migrations"))
    assert sorted(row[0] for row in versions) == list(range(1, SCHEMA_VERSION + 1))


def test_an_older_schema_is_migrated_forward_keeping_its_tickets(postgres_pool, new_schema):
    repository = PostgresRepository(postgres_pool, schema=new_schema())
    assert repository.migrate(target=1) == 1
    ticket = opened()
    # A ticket as a release that knew only the first step wrote it: the whole document.
    statements = (
        (
            (
                "INSERT INTO {schema}.tickets VALUES"
                " ('T-1', 1, 'sara', NULL, 'open', 'general', 'medium', %s, %s, %s, %s)"
            ),
            (utc_microseconds(T0), utc_microseconds(T0), NO_DEADLINE, ticket_to_json(ticket)),
        ),
        (
            "INSERT INTO {schema}.events VALUES (1, 'T-1', 1, 'ticket_opened', %s)",
            (event_to_json(ticket.history[0]),),
        ),
        ("UPDATE {schema}.event_counter SET last_position = 1", ()),
    )
    with postgres_pool.connection() as connection:
        for statement, parameters in statements:
            connection.execute(_in(repository.schema, statement), parameters)
    indexes = _rows(
        postgres_pool,
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s",
        (repository.schema,),
    )
    assert "tickets_by_requester" not in {row[0] for row in indexes}
    assert repository.migrate() == SCHEMA_VERSION
    assert repository.get("T-1") == ticket
    assert [t.id for t in repository.query(TicketQuery(requester_id="sara")).items] == ["T-1"]
    assert repository.claim_events("mail")[0].event == ticket.history[0]


def test_a_schema_from_a_newer_release_is_refused(repository, postgres_pool):
    with postgres_pool.connection() as connection:
        connection.execute(
            _in(repository.schema, "INSERT INTO {schema}.schema_migrations VALUES (%s, 'future')"),
            (SCHEMA_VERSION + 1,),
        )
    for call in (repository.migrate, repository.schema_version):
        with pytest.raises(tc.StorageError, match="upgrade ticketcore") as caught:
            call()
        assert not isinstance(caught.value, tc.StorageUnavailableError)  # retrying never helps
        assert caught.value.code is tc.ErrorCode.STORAGE_INVALID


def test_a_role_without_create_privilege_uses_and_remigrates_the_schema(
    repository, postgres_pool, postgres_dsn
):
    role = f"app_{repository.schema}"[:63]
    grants = (
        "CREATE ROLE {role} LOGIN PASSWORD 'app-secret'",
        "GRANT USAGE ON SCHEMA {schema} TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    )
    try:
        with postgres_pool.connection() as connection:
            for grant in grants:
                connection.execute(
                    sql.SQL(grant).format(
                        role=sql.Identifier(role), schema=sql.Identifier(repository.schema)
                    )
                )
    except pg_errors.InsufficientPrivilege as error:
        pytest.skip(f"the test server's role may not create roles: {error}")
    try:
        dsn = make_conninfo(postgres_dsn, user=role, password="app-secret")  # noqa: S106
        app = PostgresRepository(lambda: psycopg.connect(dsn), schema=repository.schema)
        assert app.migrate() == SCHEMA_VERSION  # nothing to do: no CREATE needed
        app.add(opened())
        assert app.get("T-1") == opened()
        assert len(app.claim_events("mail")) == 1
    finally:
        with postgres_pool.connection() as connection:
            connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_two_schemas_side_by_side_are_independent(postgres_pool, new_schema):
    first = PostgresRepository(postgres_pool, schema=new_schema())
    second = PostgresRepository(postgres_pool, schema=new_schema())
    first.migrate()
    second.migrate()
    mine, theirs = opened(subject="Mine"), opened(subject="Theirs", actor=REZA)
    first.add(mine)
    second.add(theirs)
    first.save(_noted(mine), expected_version=1)
    assert first.get("T-1") == _noted(mine)
    assert second.get("T-1") == theirs
    assert [r.position for r in first.events_after(0)] == [1, 2]
    assert [r.position for r in second.events_after(0)] == [1]
    assert second.query(TicketQuery(requester_id="sara")).items == ()
    assert len(first.claim_events("mail")) == 2
    assert len(second.claim_events("mail")) == 1
    with postgres_pool.connection() as connection:
        connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(first.schema)))
    assert second.get("T-1") == theirs
    with pytest.raises(tc.StorageUnavailableError):
        first.get("T-1")


# -- storage layout ------------------------------------------------------------------------


def test_tickets_are_jsonb_plus_utc_microsecond_columns(repository, postgres_pool):
    ticket = opened(at=T0.astimezone(ZoneInfo("Asia/Tehran")))
    repository.add(ticket, next_deadline=T0 + timedelta(hours=6))
    row = _rows(
        postgres_pool,
        _in(
            repository.schema,
            "SELECT created_us, updated_us, due_us, jsonb_typeof(data), data->>'format',"
            " data::text FROM {schema}.tickets WHERE id = 'T-1'",
        ),
    )[0]
    events = _rows(
        postgres_pool,
        _in(repository.schema, "SELECT position, ticket_id, version, kind FROM {schema}.events"),
    )
    assert row[0] == row[1] == utc_microseconds(T0)
    assert row[2] == utc_microseconds(T0 + timedelta(hours=6))
    assert row[3:5] == ("object", "1")
    assert ticket_state_from_json(row[5], repository) == ticket
    assert json.loads(row[5])["kind"] == "ticket_state"
    assert events == [(1, "T-1", 1, "ticket_opened")]


def test_a_ticket_without_deadline_is_stored_as_no_deadline_and_sorts_last(
    repository, postgres_pool
):
    repository.add(opened(id="T-1"), next_deadline=None)
    repository.add(opened(id="T-2"), next_deadline=T0)
    due = _rows(postgres_pool, _in(repository.schema, "SELECT due_us FROM {schema}.tickets"))
    assert sorted(row[0] for row in due) == [utc_microseconds(T0), NO_DEADLINE]
    assert [t.id for t in repository.query(TicketQuery(order="due")).items] == ["T-2", "T-1"]


def test_ids_sort_in_code_point_order_whatever_the_database_collation(postgres_dsn):
    """In a database whose default collation is ICU English, ``id`` still sorts as
    Python does, so ties on the instant and cursors follow the reference order."""
    database = f"collation_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
        try:
            admin.execute(
                sql.SQL(
                    "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'"
                    " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
                ).format(sql.Identifier(database))
            )
        except psycopg.Error as error:
            pytest.skip(f"this server cannot make an ICU database: {error}")
    try:
        dsn = make_conninfo(postgres_dsn, dbname=database)
        with psycopg.connect(dsn) as connection:
            english = connection.execute(
                "SELECT array_agg(id ORDER BY id) FROM unnest(%s::text[]) AS id",
                (["T-b", "T-B", "T_1", "t-a"],),
            ).fetchone()[0]
        assert english != sorted(english), "the database sorts like Python: the check is moot"
        repository = PostgresRepository(lambda: psycopg.connect(dsn), schema="tickets")
        repository.migrate()
        reference = InMemoryRepository()
        ids = ["T-b", "T-B", "T_1", "t-a", "T-10", "T-9", "Ä-1", "a-1", "Z-1", "T-ب"]
        for ticket_id in ids:
            ticket = opened(id=ticket_id)
            repository.add(ticket, next_deadline=T0)
            reference.add(ticket, next_deadline=T0)
        for query in (TicketQuery(), TicketQuery(order="due", descending=True)):
            pages, cursor = [], None
            while True:
                page = repository.query(query, limit=3, cursor=cursor)
                pages.extend(t.id for t in page.items)
                if (cursor := page.next_cursor) is None:
                    break
            assert pages == [t.id for t in reference.query(query, limit=100).items]
        assert [t.id for t in repository.query(limit=100).items] == sorted(ids)
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))


def test_values_are_bound_never_spliced_into_sql(repository):
    hostile = "sara'--"
    repository.add(opened(id="T-1", actor=tc.Actor.requester(hostile)))
    repository.add(opened(id="T-2"))
    assert [t.id for t in repository.query(TicketQuery(requester_id=hostile)).items] == ["T-1"]
    assert repository.query(TicketQuery(requester_id="x' OR '1'='1")).items == ()
    with pytest.raises(tc.NotFoundError):
        repository.get("T-1' OR '1'='1")


def test_a_connection_factory_gets_each_connection_closed(postgres_dsn, new_schema, postgres_pool):
    name = f"factory-{new_schema()}"
    opened_connections = []

    def connect():
        opened_connections.append(psycopg.connect(postgres_dsn, application_name=name))
        return opened_connections[-1]

    repository = PostgresRepository(connect, schema=new_schema())
    repository.migrate()
    repository.add(opened())
    stored = repository.get("T-1")
    assert len(opened_connections) == 3  # migrate, add, get: the state row only
    assert stored == opened()  # reads the thread: its messages, then its history
    assert len(opened_connections) == 5
    assert all(connection.closed for connection in opened_connections)

    def sessions():
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        return _rows(postgres_pool, query, (name,))[0][0]

    _wait_for(lambda: sessions() == 0)


def test_the_helpdesk_runs_on_postgres(repository):
    clock = FixedClock(T0)
    helpdesk = Helpdesk(
        repository=repository,
        attachments=InMemoryAttachmentStore(),
        clock=clock,
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(),
        policy=tc.SLAPolicy.default(),
    )
    helpdesk.open_ticket(SARA, subject="Payment failed", body="Twice.", priority="high")
    clock.advance(timedelta(minutes=5))
    assert helpdesk.add_note(ALI, "T-1", "Looking.").version == 2
    assert [t.id for t in helpdesk.at_risk(ALI, within=timedelta(hours=6)).items] == ["T-1"]
    assert helpdesk.reply(ALI, "T-1", "Refunded.").version == 3
    assert helpdesk.at_risk(ALI, within=timedelta(hours=6)).items == ()
    assert [t.id for t in helpdesk.list_tickets(SARA).items] == ["T-1"]


# -- indexes -------------------------------------------------------------------------------

_PLANNED = 3000


@pytest.fixture(scope="module")
def populated(postgres_pool):
    """A schema with enough tickets that PostgreSQL's planner prefers the indexes."""
    schema = f"plans_{uuid.uuid4().hex[:16]}"
    with postgres_pool.connection() as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )
    repository = PostgresRepository(postgres_pool, schema=schema)
    repository.migrate()

    def tickets():
        for number in range(_PLANNED):
            at = T0 + timedelta(minutes=number)
            ticket = opened(
                id=f"T-{number}", actor=tc.Actor.requester(f"user-{number % 150}"), at=at
            )
            if number % 5:
                ticket = ticket.assign(ALI, f"agent-{number % 20}", at=at).ticket
            if number % 3 == 0:
                ticket = ticket.change_status(ALI, tc.Status.RESOLVED, at=at).ticket
            yield ticket, None if number % 3 == 0 else at + timedelta(hours=4)

    repository.add_many(tickets())
    with postgres_pool.connection() as connection:
        connection.execute(_in(schema, "ANALYZE {schema}.tickets"))
    yield repository
    with postgres_pool.connection() as connection:
        connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (TicketQuery(requester_id="user-42", descending=True), "tickets_by_requester"),
        (
            TicketQuery(requester_id="user-42", statuses=["open", "resolved"]),
            "tickets_by_requester",
        ),
        (TicketQuery(assignee_id="agent-7", statuses=ACTIVE_STATUSES), "tickets_by_assignee"),
        (TicketQuery(due_before=T0 + timedelta(hours=5), order="due"), "tickets_by_due"),
        (TicketQuery(unassigned=True, statuses=["open"]), "tickets_by"),
    ],
)
def test_common_queries_scan_an_index(populated, query, index):
    cursor = populated.query(query, limit=5).next_cursor
    assert cursor is not None
    for plan in (populated.query_plan(query, limit=5), populated.query_plan(query, cursor=cursor)):
        text = "\n".join(plan)
        # matches Index Scan (Backward too), Index Only Scan and Bitmap Index Scan lines
        assert any(
            ("Index Scan" in line or "Index Only Scan" in line) and index in line for line in plan
        ), text
        assert "Seq Scan" not in text, text


# -- error translation ---------------------------------------------------------------------


def test_a_terminated_connection_is_unavailable_then_the_pool_recovers(postgres_dsn, new_schema):
    with ConnectionPool(postgres_dsn, min_size=1, max_size=1) as pool:
        repository = PostgresRepository(pool, schema=new_schema())
        repository.migrate()
        repository.add(opened())
        with pool.connection() as connection:
            pid = connection.info.backend_pid
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
            _wait_for(
                lambda: (
                    not admin.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)
                    ).fetchone()[0]
                )
            )
        with pytest.raises(tc.StorageUnavailableError) as caught:
            repository.get("T-1")
        assert caught.value.code is tc.ErrorCode.STORAGE_UNAVAILABLE
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
        assert repository.get("T-1") == opened()  # a new connection replaced the dead one
        with pool.connection() as connection:
            assert connection.info.backend_pid != pid


def test_an_unreachable_server_is_unavailable():
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dsn = f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=2"
    repository = PostgresRepository(lambda: psycopg.connect(dsn), schema="tickets")
    with pytest.raises(tc.StorageUnavailableError) as caught:
        repository.get("T-1")
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)


def test_an_exhausted_pool_is_unavailable(postgres_dsn, new_schema):
    with ConnectionPool(postgres_dsn, min_size=1, max_size=1, timeout=0.2) as pool:
        repository = PostgresRepository(pool, schema=new_schema())
        repository.migrate()
        with pool.connection(), pytest.raises(tc.StorageUnavailableError) as caught:
            repository.get("T-1")
    assert isinstance(caught.value.__cause__, PoolTimeout)


def test_a_duplicate_id_is_already_exists_translated_from_the_unique_violation(repository):
    repository.add(opened())
    with pytest.raises(tc.ConflictError) as caught:
        repository.add(opened(subject="Another"))
    assert caught.value.code is tc.ErrorCode.ALREADY_EXISTS
    assert caught.value.params["ticket_id"] == "T-1"
    assert isinstance(caught.value.__cause__, pg_errors.UniqueViolation)
    assert len(repository.events_after(0)) == 1


def test_add_many_is_all_or_nothing_and_names_the_taken_id(repository, postgres_pool):
    repository.add(opened(id="T-3"))
    before = _dump(postgres_pool, repository.schema)
    batch = [(opened(id=f"T-{number}"), None) for number in range(5)]
    with pytest.raises(tc.ConflictError) as caught:
        repository.add_many(batch)
    assert caught.value.code is tc.ErrorCode.ALREADY_EXISTS
    assert caught.value.params["ticket_id"] == "T-3"
    assert _dump(postgres_pool, repository.schema) == before
    assert repository.add_many(batch[:3]) == 3
    assert repository.add_many([]) == 0
    assert [t.id for t in repository.query().items] == ["T-0", "T-1", "T-2", "T-3"]
    assert [r.position for r in repository.events_after(0)] == [1, 2, 3, 4]


def test_a_stale_save_is_a_conflict(repository):
    ticket = opened()
    repository.add(ticket)
    repository.save(_noted(ticket), expected_version=1)
    with pytest.raises(tc.ConflictError) as caught:
        repository.save(_noted(ticket, "late"), expected_version=1)
    assert caught.value.code is tc.ErrorCode.CONFLICT
    assert caught.value.params["stored_version"] == 2


def _fail_updates_once(pool, schema, errcode):
    """A trigger that fails the next UPDATE of a ticket with ``errcode``, then lets all by."""
    statements = (
        "CREATE SEQUENCE {schema}.failures",
        """
        CREATE FUNCTION {schema}.fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF nextval('{schema}.failures') = 1 THEN
                RAISE EXCEPTION 'simulated' USING ERRCODE = '"""
        + errcode
        + """';
            END IF;
            RETURN NEW;
        END $$
        """,
        (
            "CREATE TRIGGER fail_once BEFORE UPDATE ON {schema}.tickets"
            " FOR EACH ROW EXECUTE FUNCTION {schema}.fail_once()"
        ),
    )
    with pool.connection() as connection:
        for statement in statements:
            connection.execute(_in(schema, statement))


@pytest.mark.parametrize(
    ("errcode", "driver_error"),
    [
        ("serialization_failure", pg_errors.SerializationFailure),
        ("deadlock_detected", pg_errors.DeadlockDetected),
        ("unique_violation", pg_errors.UniqueViolation),
    ],
)
def test_a_save_that_meets_another_writer_is_a_conflict(
    repository, postgres_pool, errcode, driver_error
):
    ticket = opened()
    repository.add(ticket)
    _fail_updates_once(postgres_pool, repository.schema, errcode)
    before = _dump(postgres_pool, repository.schema)
    with pytest.raises(tc.ConflictError) as caught:
        repository.save(_noted(ticket), expected_version=1)
    assert caught.value.code is tc.ErrorCode.CONFLICT
    assert caught.value.params["ticket_id"] == "T-1"
    assert isinstance(caught.value.__cause__, driver_error)
    assert _dump(postgres_pool, repository.schema) == before
    repository.save(_noted(ticket), expected_version=1)  # a retry goes through


def test_the_helpdesk_retries_a_serialization_failure(repository, postgres_pool):
    helpdesk = Helpdesk(
        repository=repository,
        attachments=InMemoryAttachmentStore(),
        clock=FixedClock(T0),
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(),
        policy=tc.SLAPolicy.default(),
    )
    helpdesk.open_ticket(SARA, subject="Late", body="Where is it?")
    _fail_updates_once(postgres_pool, repository.schema, "serialization_failure")
    assert helpdesk.reply(ALI, "T-1", "On its way.").version == 2
    assert len(repository.events_after(0)) == 2


def test_a_closed_repository_is_unavailable(repository):
    repository.close()
    with pytest.raises(tc.StorageUnavailableError):
        repository.get("T-1")


# -- faults ----------------------------------------------------------------------------------


class SimulatedCrashError(Exception):
    pass


def test_a_write_that_fails_before_its_commit_leaves_the_database_as_before(
    repository, postgres_pool, monkeypatch
):
    ticket = opened()
    repository.add(ticket, next_deadline=T0 + timedelta(hours=1))
    waiting = ticket.change_status(ALI, "waiting_for_user", at=later(ticket)).ticket
    repository.save(waiting, expected_version=1)
    answered = waiting.reply(SARA, "Here you are.", at=later(waiting)).ticket
    assert len(answered.history) - len(waiting.history) == 2  # two events, one version
    before = _dump(postgres_pool, repository.schema)
    original = PostgresRepository._execute

    def crash(self, cursor, statement, parameters):
        original(self, cursor, statement, parameters)
        raise SimulatedCrashError

    monkeypatch.setattr(PostgresRepository, "_execute", crash)
    with pytest.raises(SimulatedCrashError):
        repository.save(answered, expected_version=2, next_deadline=T0)
    with pytest.raises(SimulatedCrashError):
        repository.add(opened(id="T-2"))
    assert _dump(postgres_pool, repository.schema) == before
    monkeypatch.undo()
    repository.save(answered, expected_version=2)
    assert repository.get("T-1") == answered
    assert [r.position for r in repository.events_after(0)] == [1, 2, 3, 4]  # no gap


def test_a_connection_lost_inside_a_save_commits_nothing(repository, postgres_pool, monkeypatch):
    ticket = opened()
    repository.add(ticket)
    before = _dump(postgres_pool, repository.schema)
    original = PostgresRepository._execute

    def then_die(self, cursor, statement, parameters):
        original(self, cursor, statement, parameters)
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(PostgresRepository, "_execute", then_die)
    with pytest.raises(tc.StorageUnavailableError) as caught:
        repository.save(_noted(ticket), expected_version=1)
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    monkeypatch.undo()
    assert _dump(postgres_pool, repository.schema) == before
    repository.save(_noted(ticket), expected_version=1)
    assert repository.get("T-1").version == 2


# -- concurrent writers ----------------------------------------------------------------------


def _run_all(workers, timeout=60):
    threads = [threading.Thread(target=worker) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
        assert not thread.is_alive()


def test_threads_sharing_one_repository_never_lose_an_update(repository):
    repository.add(opened())
    threads, rounds = 4, 15
    landed, conflicts, failures = [], [], []

    def work(name):
        try:
            for number in range(rounds):
                ticket = repository.get("T-1")
                try:
                    repository.save(
                        _noted(ticket, f"{name}-{number}"), expected_version=ticket.version
                    )
                except tc.ConflictError:
                    conflicts.append(name)
                else:
                    landed.append(f"{name}-{number}")
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    _run_all([lambda n=f"w{n}": work(n) for n in range(threads)])
    assert failures == []
    assert len(landed) + len(conflicts) == threads * rounds
    final = repository.get("T-1")
    assert final.version == 1 + len(landed)
    assert sorted(m.body for m in final.messages[1:]) == sorted(landed)
    assert [r.event for r in repository.events_after(0, limit=1000)] == list(final.history)


def _slow_event_inserts(pool, schema, *, when, seconds):
    """A trigger that sleeps ``seconds`` (an SQL expression) before inserting an event
    that matches ``when``: inside the writer's transaction, after it drew its position."""
    statements = (
        """
        CREATE FUNCTION {schema}.slow_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF """
        + when
        + """ THEN
                PERFORM pg_sleep("""
        + seconds
        + """);
            END IF;
            RETURN NEW;
        END $$
        """,
        (
            "CREATE TRIGGER slow_down BEFORE INSERT ON {schema}.events"
            " FOR EACH ROW EXECUTE FUNCTION {schema}.slow_down()"
        ),
    )
    with pool.connection() as connection:
        for statement in statements:
            connection.execute(_in(schema, statement))


def _race_two_saves(repository, postgres_pool):
    """T-1's save draws its position and sleeps 3 s before committing; T-2's save starts
    meanwhile. Returns whether T-2 committed while T-1 slept, what a reader polling
    after the last position it had seen got, and every position at the end."""
    _slow_event_inserts(
        postgres_pool,
        repository.schema,
        when="NEW.ticket_id = 'T-1' AND NEW.version = 2",
        seconds="3",
    )
    one, two = repository.get("T-1"), repository.get("T-2")
    seen = [r.position for r in repository.events_after(0)]
    second_done = threading.Event()
    first = threading.Thread(target=lambda: repository.save(_noted(one), expected_version=1))
    second = threading.Thread(
        target=lambda: (repository.save(_noted(two), expected_version=1), second_done.set())
    )
    first.start()
    _wait_for(
        lambda: _rows(
            postgres_pool, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
        )[0][0]
    )
    second.start()
    second_done.wait(timeout=1.5)  # with commit-ordered positions, it is still waiting
    while_asleep = second_done.is_set()
    seen += [r.position for r in repository.events_after(seen[-1])]
    first.join(timeout=30)
    second.join(timeout=30)
    seen += [r.position for r in repository.events_after(seen[-1])]
    everything = [r.position for r in repository.events_after(0)]
    return while_asleep, seen, everything


def test_a_later_writer_commits_its_events_only_after_an_earlier_one(repository, postgres_pool):
    _add_tickets(repository, 2, start=1)
    while_asleep, seen, everything = _race_two_saves(repository, postgres_pool)
    assert not while_asleep, "the second save committed while the first held its positions"
    assert seen == everything == [1, 2, 3, 4]


def test_a_plain_sequence_would_let_a_reader_miss_an_event(repository, postgres_pool):
    """Why positions come from a locked counter: with a sequence, the reader above loses
    the first writer's event. (This checks the test, not the adapter.)"""
    _add_tickets(repository, 2, start=1)  # positions 1 and 2, as usual
    with postgres_pool.connection() as connection:
        connection.execute(_in(repository.schema, "CREATE SEQUENCE {schema}.positions START 3"))
    from_a_sequence = _in(
        repository.schema,
        """
        numbered AS (SELECT FROM changed LIMIT 1)
        INSERT INTO {schema}.events (position, ticket_id, version, kind, data)
        SELECT nextval('{schema}.positions'), event.ticket_id, event.version, event.kind,
            event.data::jsonb
        FROM numbered, unnest(
            %(event_ticket_ids)s::text[], %(event_versions)s::integer[],
            %(event_kinds)s::text[], %(event_data)s::text[]
        ) AS event (ticket_id, version, kind, data)
        """,
    )
    racing = PostgresRepository(postgres_pool, schema=repository.schema)
    racing._sql.save = sql.SQL(postgres_adapter._SAVE).format(
        schema=sql.Identifier(repository.schema), append_events=from_a_sequence
    )
    while_asleep, seen, everything = _race_two_saves(racing, postgres_pool)
    assert while_asleep
    assert everything == [1, 2, 3, 4]
    assert seen == [1, 2, 4]  # 3 was committed after the reader had moved past it


def test_a_reader_polling_during_concurrent_writes_misses_nothing(repository, postgres_pool):
    writers, saves = 6, 25
    _add_tickets(repository, writers)
    # Writers hold their positions a random while before committing, so commits queue.
    _slow_event_inserts(postgres_pool, repository.schema, when="TRUE", seconds="random() / 200")
    done = threading.Event()
    seen, failures = [], []

    def write(number):
        try:
            for _ in range(saves):
                ticket = repository.get(f"T-{number}")
                repository.save(_noted(ticket), expected_version=ticket.version)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    def read():
        position = 0
        while True:
            finished = done.is_set()
            records = repository.events_after(position, limit=7)
            seen.extend(r.position for r in records)
            if records:
                position = records[-1].position
            elif finished:
                return

    reader = threading.Thread(target=read)
    reader.start()
    _run_all([lambda n=n: write(n) for n in range(writers)])
    done.set()
    reader.join(timeout=60)
    assert failures == []
    everything = [r.position for r in repository.events_after(0, limit=1000)]
    assert len(everything) == writers * (saves + 1)
    assert seen == everything == list(range(1, len(everything) + 1))


# -- consumer groups -------------------------------------------------------------------------


def _add_tickets(repository, count, *, start=0):
    for number in range(start, start + count):
        repository.add(opened(id=f"T-{number}"))


def test_claim_then_ack_delivers_each_event_once_per_group(repository):
    _add_tickets(repository, 3)
    claimed = repository.claim_events("mail", limit=2)
    assert [c.position for c in claimed] == [1, 2]
    assert all(isinstance(c, ClaimedEvent) and c.attempt == 1 for c in claimed)
    assert [c.event for c in claimed] == [r.event for r in repository.events_after(0, limit=2)]
    assert [c.position for c in repository.claim_events("mail")] == [3]
    assert repository.claim_events("mail") == ()
    assert repository.ack("mail", [c.position for c in claimed]) == 2
    assert repository.ack("mail", [1, 2, 99]) == 0  # not pending: ignored
    assert [c.position for c in repository.claim_events("sms")] == [1, 2, 3]  # its own group
    _add_tickets(repository, 1, start=3)
    assert [c.position for c in repository.claim_events("mail")] == [4]


def test_claim_arguments_are_checked(repository):
    for bad in ({"limit": 0}, {"lease": timedelta(0)}, {"lease": 30}):
        with pytest.raises(tc.ValidationError):
            repository.claim_events("mail", **bad)
    for group in ("", "two words", "x" * 129):
        with pytest.raises(tc.ValidationError):
            repository.claim_events(group)
    with pytest.raises(tc.ValidationError):
        repository.ack("mail", [-1])
    assert repository.ack("mail", []) == 0


def test_two_consumers_never_get_the_same_event(repository):
    total, consumers = 120, 4
    _add_tickets(repository, total // 2)
    claims, failures = {}, []
    writing_done = threading.Event()

    def write():
        _add_tickets(repository, total // 2, start=total // 2)
        writing_done.set()

    def consume(name):
        mine = claims.setdefault(name, [])
        try:
            while True:
                finished = writing_done.is_set()
                batch = repository.claim_events("mail", limit=3, lease=timedelta(minutes=5))
                mine.extend(c.position for c in batch)
                repository.ack("mail", [c.position for c in batch])
                if not batch and finished:
                    return
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    _run_all([write, *(lambda n=n: consume(f"c{n}") for n in range(consumers))])
    assert failures == []
    every = [position for mine in claims.values() for position in mine]
    assert len(every) == len(set(every)), "an event went to two consumers"
    assert sorted(every) == list(range(1, total + 1))


def test_an_unacked_claim_reappears_after_its_lease(repository):
    _add_tickets(repository, 2)
    first = repository.claim_events("mail", lease=timedelta(seconds=1))
    assert [c.position for c in first] == [1, 2]
    assert repository.claim_events("mail") == ()  # still leased
    time.sleep(1.1)
    again = repository.claim_events("mail", lease=timedelta(minutes=5))
    assert [(c.position, c.attempt) for c in again] == [(1, 2), (2, 2)]
    assert repository.ack("mail", [1, 2]) == 2
    time.sleep(0.1)
    assert repository.claim_events("mail") == ()


def test_a_claim_whose_connection_dies_claims_nothing(repository, monkeypatch):
    _add_tickets(repository, 3)
    original = PostgresRepository._claim

    def die_before_commit(self, cursor, group, limit, lease):
        rows = original(self, cursor, group, limit, lease)
        assert len(rows) == 3  # claimed, not committed yet
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return rows

    monkeypatch.setattr(PostgresRepository, "_claim", die_before_commit)
    with pytest.raises(tc.StorageUnavailableError):
        repository.claim_events("mail", lease=timedelta(minutes=5))
    monkeypatch.undo()
    again = repository.claim_events("mail")
    assert [(c.position, c.attempt) for c in again] == [(1, 1), (2, 1), (3, 1)]


_CLAIM_AND_HANG = """
import sys, time
from datetime import timedelta
import psycopg
from ticketcore.storage.postgres import PostgresRepository
dsn, schema, lease = sys.argv[1], sys.argv[2], float(sys.argv[3])
repository = PostgresRepository(lambda: psycopg.connect(dsn), schema=schema)
claimed = repository.claim_events("mail", limit=2, lease=timedelta(seconds=lease))
print(" ".join(str(record.position) for record in claimed), flush=True)
time.sleep(600)
"""


def test_a_consumer_killed_before_its_ack_loses_nothing(repository, postgres_dsn):
    _add_tickets(repository, 3)
    lease = 2.5
    consumer = subprocess.Popen(
        [sys.executable, "-c", _CLAIM_AND_HANG, postgres_dsn, repository.schema, str(lease)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        claimed = consumer.stdout.readline().split()
        started = time.monotonic()  # the lease runs out by started + lease at the latest
    finally:
        consumer.kill()
        consumer.wait(timeout=30)
        consumer.stdout.close()
    assert claimed == ["1", "2"]
    assert [c.position for c in repository.claim_events("other", limit=5)] == [1, 2, 3]
    leased = repository.claim_events("mail", lease=timedelta(minutes=5))
    assert [(c.position, c.attempt) for c in leased] == [(3, 1)]
    time.sleep(max(0.0, lease + 0.2 - (time.monotonic() - started)))
    recovered = repository.claim_events("mail", lease=timedelta(minutes=5))
    assert [(c.position, c.attempt) for c in recovered] == [(1, 2), (2, 2)]


def test_the_adapter_is_exported_lazily_from_ticketcore_storage():
    code = (
        "import sys, ticketcore.storage as s; print('psycopg' in sys.modules);"
        "s.PostgresRepository; print('psycopg' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("requester_id", ["sa\x00ra", "\ud800"])
def test_values_postgres_cannot_store_are_validation_errors_not_unavailable(
    repository, requester_id
):
    with pytest.raises(tc.ValidationError) as caught:
        repository.query(tc.TicketQuery(requester_id=requester_id))
    assert not isinstance(caught.value, tc.StorageError)  # retrying would never help
    assert caught.value.code in {tc.ErrorCode.OUT_OF_RANGE, tc.ErrorCode.CONTROL_CHARACTER}


@pytest.mark.parametrize("ticket_id", ["T-\x00", "\ud800", "x" * 200])
def test_ids_no_ticket_can_have_are_not_found_on_postgres(repository, ticket_id):
    with pytest.raises(tc.NotFoundError):
        repository.get(ticket_id)


def test_a_position_past_any_bigint_is_out_of_range(repository):
    with pytest.raises(tc.ValidationError) as caught:
        repository.events_after(2**70, limit=5)
    assert caught.value.code is tc.ErrorCode.OUT_OF_RANGE
