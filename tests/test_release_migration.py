"""Files and schemas written by release 0.1.0.dev0 open with this one, migrate in place
and read back identically (fixtures made by ``tests/fixtures/make_release_fixtures.py``)."""

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

from psycopg import sql
from psycopg.types.json import Jsonb

from pgserver import (  # noqa: F401 - fixtures: postgres_dsn, postgres_pool, new_schema
    new_schema_fixture,
    postgres_dsn_fixture,
    postgres_pool_fixture,
)
from ticketcore.ports import TicketQuery
from ticketcore.serialization import event_from_dict, ticket_from_dict, ticket_to_json
from ticketcore.sla import SLAPolicy
from ticketcore.storage import postgres, sqlite
from ticketcore.storage.postgres import PostgresRepository
from ticketcore.storage.sqlite import SQLiteRepository

FIXTURES = Path(__file__).parent / "fixtures"
OLD = [
    ticket_from_dict(item)
    for item in json.loads((FIXTURES / "release-0.1-tickets.json").read_text("utf-8"))
]


def _reads_back_identically(repository):
    for old in OLD:
        ticket = repository.get(old.id)
        assert ticket == old
        assert ticket_to_json(ticket) == ticket_to_json(old)
        newest = repository.message_page(old.id, newest_first=True, limit=1).items
        assert newest == (old.messages[-1],)
        public = repository.message_page(old.id, public=True).items
        assert public == tuple(m for m in old.messages if not m.internal)
        assert repository.event_page(old.id, limit=1000).items == old.history
        # the migrated clocks are the ones the fold computes from the history
        policy = SLAPolicy.default()
        assert policy.next_deadline(ticket) == policy.next_deadline(old)
    mine = repository.query(TicketQuery(requester_id="sara")).items
    assert [t.id for t in mine] == ["T-1", "T-3"]

    # what the release wrote is in the search index: subjects, messages, notes
    def found(text, **options):
        return [t.id for t in repository.search(text, **options).items]

    assert found("پرداخت ناموفق") == ["T-1"]  # a subject
    assert found("شماره پیگیری 7741") == ["T-1"]  # a message, digits folded
    assert found("qom") == ["T-2"]
    assert found("refund") == []
    assert found("refund", notes=True) == ["T-1"]  # a note, for those who may read it


def _old_log(rows):
    """The event log the release wrote: ``(position, event)`` in position order."""
    return [(position, event_from_dict(data)) for position, data in sorted(rows)]


def _log(repository):
    return [(stored.position, stored.event) for stored in repository.events_after(0, limit=1000)]


def test_a_sqlite_file_of_the_last_release_migrates_in_place(tmp_path):
    path = tmp_path / "tickets.sqlite3"
    shutil.copy(FIXTURES / "release-0.1-sqlite.sqlite3", path)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        old_version = connection.execute("PRAGMA user_version").fetchone()[0]
        rows = connection.execute("SELECT position, data FROM events").fetchall()
    old_log = _old_log((position, json.loads(data)) for position, data in rows)
    assert old_version < sqlite.SCHEMA_VERSION
    with SQLiteRepository(path) as repository:
        _reads_back_identically(repository)
        assert _log(repository) == old_log
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == sqlite.SCHEMA_VERSION
    with SQLiteRepository(path) as repository:  # opening it again changes nothing
        _reads_back_identically(repository)
        assert _log(repository) == old_log


def test_a_postgres_schema_of_the_last_release_migrates_in_place(postgres_pool, new_schema):
    dump = json.loads((FIXTURES / "release-0.1-postgres.json").read_text("utf-8"))
    tables = dump["tables"]
    repository = PostgresRepository(postgres_pool, schema=new_schema())
    assert repository.migrate(target=dump["schema_version"]) == dump["schema_version"]
    with postgres_pool.connection() as connection:
        connection.execute(
            sql.SQL("DELETE FROM {}.event_counter").format(sql.Identifier(repository.schema))
        )
        for table, content in tables.items():
            columns = content["columns"]
            statement = sql.SQL("INSERT INTO {}.{} ({}) VALUES ({})").format(
                sql.Identifier(repository.schema),
                sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(sql.Placeholder() * len(columns)),
            )
            for row in content["rows"]:
                connection.execute(statement, [Jsonb(v) if isinstance(v, dict) else v for v in row])
    old_log = _old_log((row[0], row[4]) for row in tables["events"]["rows"])
    assert repository.migrate() == postgres.SCHEMA_VERSION > dump["schema_version"]
    _reads_back_identically(repository)
    assert _log(repository) == old_log
    assert repository.migrate() == postgres.SCHEMA_VERSION  # a second run changes nothing
    _reads_back_identically(repository)
    # The consumer group goes on where it was: the event it acknowledged is not claimed
    # again, the two whose lease ran out come back as second attempts.
    claimed = repository.claim_events("mail", limit=1000)
    assert [c.position for c in claimed] == [position for position, _ in old_log][1:]
    assert [c.attempt for c in claimed[:3]] == [2, 2, 1]
