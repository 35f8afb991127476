import pytest

from ticketcore.storage.files import FileAttachmentStore
from ticketcore.testing.contract import AttachmentStoreContract


class TestFileAttachmentStore(AttachmentStoreContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path
        self.count = 0

    def create_store(self):
        self.count += 1
        return FileAttachmentStore(self.folder / f"files-{self.count}")
