from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository
from ticketcore.testing.contract import AttachmentStoreContract, TicketRepositoryContract


class TestInMemoryRepository(TicketRepositoryContract):
    def create_repository(self):
        return InMemoryRepository()


class TestInMemoryAttachmentStore(AttachmentStoreContract):
    def create_store(self):
        return InMemoryAttachmentStore()
