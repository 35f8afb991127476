import io
import threading
from datetime import datetime, timedelta

import pytest

import ticketcore as tc
from helpers import ALI, T0, later, opened
from ticketcore.ports import AttachmentStore, TicketQuery, TicketRepository
from ticketcore.storage import InMemoryAttachmentStore, InMemoryRepository


def test_the_adapters_satisfy_the_protocols():
    assert isinstance(InMemoryRepository(), TicketRepository)
    assert isinstance(InMemoryAttachmentStore(), AttachmentStore)


def test_threads_saving_the_same_ticket_never_lose_an_update():
    repository = InMemoryRepository()
    repository.add(opened())
    threads, rounds = 4, 50
    landed = []
    conflicts = []
    start = threading.Barrier(threads)

    def work(name):
        start.wait()
        for number in range(rounds):
            ticket = repository.get("T-1")
            changed = ticket.add_note(ALI, f"{name} {number}", at=ticket.updated_at).ticket
            try:
                repository.save(changed, expected_version=ticket.version)
            except tc.ConflictError:
                conflicts.append(name)
            else:
                landed.append(changed.version)

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    final = repository.get("T-1")
    assert len(landed) + len(conflicts) == threads * rounds
    assert sorted(landed) == list(range(2, final.version + 1))
    assert tc.Ticket.replay(final.history) == final
    assert [record.event for record in repository.events_after(0, limit=1000)] == list(
        final.history
    )


def test_only_tickets_are_stored():
    with pytest.raises(tc.ValidationError) as caught:
        InMemoryRepository().add({"id": "T-1"})
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE


def test_a_naive_deadline_is_refused_and_nothing_is_stored():
    repository = InMemoryRepository()
    with pytest.raises(tc.ValidationError):
        repository.add(opened(), next_deadline=datetime(2026, 3, 21, 9))  # noqa: DTZ001
    with pytest.raises(tc.NotFoundError):
        repository.get("T-1")


@pytest.mark.parametrize("position", [-1, "0", 1.5, True])
def test_events_after_refuses_a_bad_position(position):
    with pytest.raises(tc.ValidationError):
        InMemoryRepository().events_after(position)


@pytest.mark.parametrize("expected_version", [0, -1, "1", None, True])
def test_save_refuses_a_bad_expected_version(expected_version):
    repository = InMemoryRepository()
    ticket = opened()
    repository.add(ticket)
    changed = ticket.add_note(ALI, "note", at=later(ticket)).ticket
    with pytest.raises(tc.ValidationError):
        repository.save(changed, expected_version=expected_version)
    assert repository.get("T-1") == ticket


def test_query_returns_a_page_of_immutable_items():
    repository = InMemoryRepository()
    for number in range(3):
        repository.add(opened(id=f"T-{number}", at=T0 + timedelta(minutes=number)))
    page = repository.query(TicketQuery(), limit=2)
    assert isinstance(page.items, tuple)
    assert len(page.items) == 2
    assert page.next_cursor is not None


def test_reprs_say_how_much_is_stored():
    repository = InMemoryRepository()
    repository.add(opened())
    assert repr(repository) == "InMemoryRepository(1 tickets, 1 events)"
    store = InMemoryAttachmentStore()
    store.put(io.BytesIO(b"x"), max_size=1)
    assert repr(store) == "InMemoryAttachmentStore(1 files)"


def test_the_attachment_store_keeps_a_copy_of_the_bytes():
    store = InMemoryAttachmentStore()
    buffer = io.BytesIO(b"original")
    stored = store.put(buffer, max_size=100)
    buffer.seek(0)
    buffer.write(b"CHANGED!")
    with store.open(stored.sha256) as stream:
        assert stream.read() == b"original"
    assert len(store) == 1


def test_the_attachment_store_refuses_a_stream_of_text():
    with pytest.raises(tc.ValidationError) as caught:
        InMemoryAttachmentStore().put(io.StringIO("text"), max_size=100)
    assert caught.value.field == "stream"


@pytest.mark.parametrize("max_size", [-1, "10", None, 1.5])
def test_the_attachment_store_refuses_a_bad_max_size(max_size):
    with pytest.raises(tc.ValidationError):
        InMemoryAttachmentStore().put(io.BytesIO(b"x"), max_size=max_size)
