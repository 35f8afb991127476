"""The contract suite and the model-based machine against PostgreSQL, unchanged.

Each repository gets a schema of its own on the session's server (see ``pgserver``);
the machine's rival writer saves through a connection of its own.
"""

import uuid

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from psycopg import sql

from pgserver import (  # noqa: F401 - fixtures: postgres_dsn, postgres_pool, new_schema
    new_schema_fixture,
    postgres_dsn_fixture,
    postgres_pool_fixture,
)
from ticketcore.storage.postgres import PostgresRepository
from ticketcore.testing.contract import TicketRepositoryContract
from ticketcore.testing.stateful import RepositoryMachine, rival_note


class TestPostgres(TicketRepositoryContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_pool, new_schema):
        self.pool = postgres_pool
        self.new_schema = new_schema

    def create_repository(self):
        repository = PostgresRepository(self.pool, schema=self.new_schema())
        repository.migrate()
        return repository


class PostgresMachine(RepositoryMachine):
    """One schema per run; the rival saves through a connection of its own."""

    pool = None
    dsn = None

    def create_repository(self):
        self.schema = f"machine_{uuid.uuid4().hex[:16]}"
        repository = PostgresRepository(self.pool, schema=self.schema)
        repository.migrate()
        return repository

    def rival_save(self, ticket_id, next_deadline):
        rival = PostgresRepository(lambda: psycopg.connect(self.dsn), schema=self.schema)
        return rival_note(rival, ticket_id, next_deadline)

    def teardown(self):
        super().teardown()
        self._drop()

    def _drop(self):
        with self.pool.connection() as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )


def test_the_repository_machine_on_postgres(postgres_pool, postgres_dsn):
    PostgresMachine.pool = postgres_pool
    PostgresMachine.dsn = postgres_dsn
    run_state_machine_as_test(
        PostgresMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
