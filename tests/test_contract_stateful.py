"""The model-based machine against every reference adapter, SQLite also across processes."""

import multiprocessing
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from ticketcore.storage.memory import InMemoryRepository
from ticketcore.storage.sqlite import SQLiteRepository
from ticketcore.testing.stateful import RepositoryMachine, repository_machine, rival_note

FAST = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SLOW = settings(FAST, max_examples=15, stateful_step_count=25)


TestInMemoryRepositoryMachine = repository_machine(InMemoryRepository).TestCase
TestInMemoryRepositoryMachine.settings = FAST


class SQLiteMachine(RepositoryMachine):
    """One SQLite file per run; the rival writes through a second repository (connection)."""

    def create_repository(self):
        self.folder = Path(tempfile.mkdtemp(prefix="ticketcore-machine-"))
        self.path = self.folder / "tickets.sqlite3"
        return SQLiteRepository(self.path)

    def rival_save(self, ticket_id, next_deadline):
        with SQLiteRepository(self.path) as rival:
            return rival_note(rival, ticket_id, next_deadline)

    def teardown(self):
        super().teardown()
        shutil.rmtree(self.folder, ignore_errors=True)


TestSQLiteRepositoryMachine = SQLiteMachine.TestCase
TestSQLiteRepositoryMachine.settings = SLOW


# -- the rival in another process ------------------------------------------------------------


def _rival_process(requests, replies):
    """Serve rival saves: (path, ticket_id, next_deadline) in, the saved ticket out."""
    for path, ticket_id, next_deadline in iter(requests.get, None):
        try:
            with SQLiteRepository(path) as repository:
                replies.put(rival_note(repository, ticket_id, next_deadline))
        except Exception as error:  # noqa: BLE001 - sent back to fail the test there
            replies.put(error)


@pytest.fixture(scope="module")
def rival_process():
    context = multiprocessing.get_context("spawn")
    requests, replies = context.Queue(), context.Queue()
    process = context.Process(target=_rival_process, args=(requests, replies), daemon=True)
    process.start()
    yield requests, replies
    requests.put(None)
    process.join(timeout=30)
    assert process.exitcode == 0


class TwoProcessMachine(SQLiteMachine):
    queues = None

    def rival_save(self, ticket_id, next_deadline):
        requests, replies = self.queues
        requests.put((str(self.path), ticket_id, next_deadline))
        saved = replies.get(timeout=60)
        if isinstance(saved, Exception):
            raise saved
        return saved


def test_sqlite_with_a_rival_writer_in_another_process(rival_process):
    TwoProcessMachine.queues = rival_process
    case = TwoProcessMachine.TestCase
    case.settings = SLOW
    case("runTest").runTest()
