import pytest

from ticketcore.storage.sqlite import SQLiteRepository
from ticketcore.testing.contract import TicketRepositoryContract


class TestSQLiteRepository(TicketRepositoryContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path
        self.count = 0

    def create_repository(self):
        self.count += 1
        return SQLiteRepository(self.folder / f"tickets-{self.count}.sqlite3")
