"""Erasure: a requester's personal data leaves every table and file of each adapter,
while ids, times, statuses and SLA facts stay."""

import io
import json
import sqlite3
from datetime import timedelta

import pytest
from psycopg import sql

import ticketcore as tc
from helpers import T0
from pgserver import (  # noqa: F401 - fixtures: postgres_dsn, postgres_pool, new_schema
    new_schema_fixture,
    postgres_dsn_fixture,
    postgres_pool_fixture,
)
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import Helpdesk
from ticketcore.serialization import event_to_json
from ticketcore.storage.files import FileAttachmentStore
from ticketcore.storage.memory import InMemoryRepository
from ticketcore.storage.sqlite import SQLiteRepository

PERSON = "zohreh-7731"
SECRETS = (
    PERSON,
    "Mehrangiz",  # a name in a message
    "mehrangiz",  # as the search index folds it
    "مهرانگیز",  # in Persian
    "09121234567",  # a phone number in the references
    "PASSPORT-K8841",  # in a status reason
    "receipt-of-zohreh.pdf",  # a file name
    "ZOHREH PRIVATE BYTES",  # a file's content
    "نشانی خیابان گلستان",  # an address in the subject
)
ZOHREH, REZA = tc.Actor.requester(PERSON), tc.Actor.requester("reza")
ALI, SYSTEM = tc.Actor.agent("ali"), tc.Actor.system()


def _helpdesk(repository, root):
    return Helpdesk(
        repository=repository,
        attachments=FileAttachmentStore(root),
        clock=FixedClock(T0, step=timedelta(minutes=5)),
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(),
        policy=tc.SLAPolicy.default(),
    )


def _desk(helpdesk):
    """Zohreh's two tickets, full of her data, and Reza's, which must not change."""
    first = helpdesk.open_ticket(
        ZOHREH,
        subject="نشانی خیابان گلستان عوض شده",
        body="سلام، من مهرانگیز هستم. My name is Mehrangiz.",
        references={"phone": "09121234567"},
        uploads=[("receipt-of-zohreh.pdf", "application/pdf", io.BytesIO(b"ZOHREH PRIVATE BYTES"))],
    ).id
    helpdesk.reply(ALI, first, "Thank you Mehrangiz, checking.")
    helpdesk.add_note(ALI, first, "Mehrangiz called twice.")
    helpdesk.change_status(ALI, first, "waiting_for_user", reason="PASSPORT-K8841 needed")
    helpdesk.reply(ZOHREH, first, "مهرانگیز: here it is")
    second = helpdesk.open_ticket(ZOHREH, subject="Mehrangiz again", body="Another one.").id
    helpdesk.close(ZOHREH, second)
    other = helpdesk.open_ticket(REZA, subject="Cargo late", body="Where is SHP-12?").id
    return first, second, other


def _no_secret_in(text, where):
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} is still in {where}"


def _no_secret_in_bytes(data, where):
    for secret in SECRETS:
        for encoded in {secret.encode("utf-8"), secret.encode("utf-16-le")}:
            assert encoded not in data, f"{secret!r} is still in {where}"


def _erase_and_check(helpdesk, repository):
    first, second, other = _desk(helpdesk)
    now = T0 + timedelta(days=2)
    policy = helpdesk.policy
    before = {i: helpdesk.get(SYSTEM, i) for i in (first, second, other)}
    reports = {i: policy.evaluate(before[i], now) for i in before}
    other_log = [event_to_json(r.event) for r in repository.events_after(0, limit=1000)
                 if r.event.ticket_id == other]  # fmt: skip
    assert sorted(t.id for t in helpdesk.search(ALI, "mehrangiz").items) == [first, second]

    report = helpdesk.erase_requester(SYSTEM, PERSON)

    assert sorted(report.tickets) == [first, second]
    assert report.files == 1
    assert report.pseudonym.startswith("erased-")
    for ticket_id in (first, second):
        old, new = before[ticket_id], helpdesk.get(SYSTEM, ticket_id)
        assert new.requester_id == report.pseudonym
        assert (new.id, new.status, new.created_at, new.priority) == (
            old.id, old.status, old.created_at, old.priority,
        )  # fmt: skip
        assert [e.at for e in new.history[:-1]] == [e.at for e in old.history]
        assert isinstance(new.history[-1], tc.RequesterErased)
        assert policy.evaluate(new, now) == reports[ticket_id]  # the SLA facts stay
        _no_secret_in(
            json.dumps(tc.serialization.ticket_to_dict(new), ensure_ascii=False), ticket_id
        )
    assert helpdesk.get(SYSTEM, other) == before[other]
    assert [event_to_json(r.event) for r in repository.events_after(0, limit=1000)
            if r.event.ticket_id == other] == other_log  # fmt: skip
    for word in ("mehrangiz", "مهرانگیز", "گلستان", "passport"):
        assert helpdesk.search(ALI, word).items == ()
    assert [t.id for t in helpdesk.search(ALI, "cargo").items] == [other]
    outbox = "\n".join(event_to_json(r.event) for r in repository.events_after(0, limit=1000))
    _no_secret_in(outbox, "the event log")
    assert outbox.count('"kind":"requester_erased"') == 2
    again = helpdesk.erase_requester(SYSTEM, PERSON)  # nothing left to erase
    assert (again.tickets, again.files) == ((), 0)
    return first


def _walk_files(root):
    for path in root.rglob("*"):
        if path.is_file():
            _no_secret_in_bytes(path.read_bytes(), path)


def test_erasure_leaves_nothing_in_memory(tmp_path):
    repository = InMemoryRepository()
    helpdesk = _helpdesk(repository, tmp_path / "files")
    first = _erase_and_check(helpdesk, repository)
    thread = (
        repository.message_page(first, limit=100).items
        + repository.event_page(first, limit=100).items
    )
    _no_secret_in(repr(thread), "the thread")
    _walk_files(tmp_path)


def test_erasure_leaves_nothing_in_any_table_or_file_of_sqlite(tmp_path):
    path = tmp_path / "tickets.sqlite3"
    with SQLiteRepository(path) as repository:
        helpdesk = _helpdesk(repository, tmp_path / "files")
        _erase_and_check(helpdesk, repository)
        connection = sqlite3.connect(path)
        try:
            tables = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]  # fmt: skip
            assert {"tickets", "events", "search_data", "search_idx"} <= set(tables)
            for table in tables:
                rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
                for row in rows:
                    for value in row:
                        data = value if isinstance(value, bytes) else str(value).encode()
                        _no_secret_in_bytes(data, f"table {table}")
        finally:
            connection.close()
    _walk_files(tmp_path)  # the database file, its WAL, and the attachments


def test_erasure_leaves_nothing_in_any_table_of_postgres(postgres_pool, new_schema, tmp_path):
    from ticketcore.storage.postgres import PostgresRepository

    repository = PostgresRepository(postgres_pool, schema=new_schema())
    repository.migrate()
    helpdesk = _helpdesk(repository, tmp_path / "files")
    _erase_and_check(helpdesk, repository)
    with postgres_pool.connection() as connection:
        found = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (repository.schema,)
        )
        tables = [row[0] for row in found]
        assert {"tickets", "events", "schema_migrations"} <= set(tables)
        for table in tables:
            rows = connection.execute(
                sql.SQL("SELECT row_to_json(t)::text FROM {}.{} AS t").format(
                    sql.Identifier(repository.schema), sql.Identifier(table)
                )
            ).fetchall()
            for (text,) in rows:
                _no_secret_in(json.loads(json.dumps(text)), f"table {table}")
                _no_secret_in(text.encode().decode("unicode_escape", "ignore"), f"table {table}")
    _walk_files(tmp_path)


def test_erasure_is_the_systems_by_default_and_typed():
    helpdesk = Helpdesk.in_memory()
    for actor in (ALI, REZA):
        with pytest.raises(tc.PermissionDeniedError):
            helpdesk.erase_requester(actor, PERSON)
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.erase_requester(SYSTEM, 42)
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE
    assert helpdesk.erase_requester(SYSTEM, "nobody").tickets == ()


def test_a_purge_that_a_reader_holds_back_is_a_typed_error_and_runs_again(tmp_path):
    path = tmp_path / "tickets.sqlite3"
    with SQLiteRepository(path) as repository:
        helpdesk = _helpdesk(repository, tmp_path / "files")
        _desk(helpdesk)
        reader = sqlite3.connect(path, isolation_level=None)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM tickets").fetchone()  # an old snapshot
            with pytest.raises(tc.StorageUnavailableError):
                helpdesk.erase_requester(SYSTEM, PERSON)
            reader.execute("COMMIT")
        finally:
            reader.close()
        again = helpdesk.erase_requester(SYSTEM, PERSON)  # nothing left but the purge
        assert again.tickets == ()
    _walk_files(tmp_path)
