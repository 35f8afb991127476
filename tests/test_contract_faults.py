"""The contract suite and the machine fail for adapters that break a promise.

Each broken adapter below keeps every promise but one; the check named for that promise
must fail, and the rest of the suite must still pass (so the failure is that check's).
"""

import io
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from ticketcore.ports import Page, StoredContent, StoredEvent, copy_content
from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository
from ticketcore.testing.contract import AttachmentStoreContract, TicketRepositoryContract
from ticketcore.testing.stateful import repository_machine

FAILED = (Exception, pytest.fail.Exception)


class BlindToVersions(InMemoryRepository):
    """Saves whatever it is given: the lost update."""

    def save(self, ticket, *, expected_version, next_deadline=None):
        del expected_version  # the fault
        self.get(ticket.id)
        with self._lock:
            self._tickets[ticket.id] = (ticket, next_deadline)
            self._append(ticket.history[-1:])


class SkipsAtPageBreaks(InMemoryRepository):
    """Makes the next cursor from one item too far: skips one item per page."""

    def query(self, query=None, *, limit=50, cursor=None):
        page = super().query(query, limit=limit, cursor=cursor)
        if page.next_cursor is None or len(page.items) < 2:
            return page
        shorter = super().query(query, limit=limit - 1 or 1, cursor=cursor)
        return Page(shorter.items, page.next_cursor)


class ForgetsSavedEvents(InMemoryRepository):
    """Logs the events of add, not those of save."""

    def save(self, ticket, *, expected_version, next_deadline=None):
        log = list(self._log)
        super().save(ticket, expected_version=expected_version, next_deadline=next_deadline)
        self._log[:] = log


class ReordersTheLog(InMemoryRepository):
    def events_after(self, position=0, *, limit=100):
        records = super().events_after(position, limit=limit)
        return tuple(
            StoredEvent(record.position, other.event)
            for record, other in zip(records, reversed(records), strict=True)
        )


class KeepsPartialContent(InMemoryAttachmentStore):
    """Stores what it read before it noticed the content was too large."""

    def put(self, stream, *, max_size):
        kept = io.BytesIO()
        try:
            copy_content(stream, kept.write, max_size=max_size, chunk_size=500)
        finally:
            if kept.getvalue():
                stored = super().put(io.BytesIO(kept.getvalue()), max_size=len(kept.getvalue()))
        return stored


class ReadsEverythingFirst(InMemoryAttachmentStore):
    def put(self, stream, *, max_size):
        return super().put(io.BytesIO(stream.read()), max_size=max_size)


class DeletesLoudly(InMemoryAttachmentStore):
    def delete(self, sha256):
        self.open(sha256)  # NotFoundError for content that is not there
        super().delete(sha256)


class DiscardsWhatOthersUse(InMemoryAttachmentStore):
    """Discards content whether or not the failed call created it."""

    def discard(self, content):
        self.delete(content.sha256)


class SweepsTooEagerly(InMemoryAttachmentStore):
    """Sweeps unreferenced content however recently it was stored (racing writers)."""

    def sweep(self, referenced, *, older_than):  # noqa: ARG002 - ignored: the fault
        return super().sweep(referenced, older_than=timedelta(0))


def _repository_suite(adapter):
    class Suite(TicketRepositoryContract):
        def create_repository(self):
            return adapter()

    return Suite()


def _store_suite(adapter):
    class Suite(AttachmentStoreContract):
        def create_store(self):
            return adapter()

    return Suite()


def _outcomes(suite):
    failed = set()
    for name in sorted(n for n in dir(suite) if n.startswith("test_")):
        try:
            getattr(suite, name)()
        except FAILED:
            failed.add(name)
        finally:
            suite.teardown_method()
    return failed


@pytest.mark.parametrize(
    ("adapter", "broken"),
    [
        (
            BlindToVersions,
            {
                "test_save_from_stale_version_conflicts",
                "test_failed_save_writes_nothing",
                "test_save_from_a_version_ahead_of_the_store_conflicts",
            },
        ),
        (SkipsAtPageBreaks, {"test_query_pages_never_repeat_or_skip"}),
        (
            ForgetsSavedEvents,
            {
                "test_events_after_returns_every_event_once_in_order",
                "test_save_of_several_operations_is_one_save",
                "test_both_events_of_one_version_are_logged",
            },
        ),
        (
            ReordersTheLog,
            {
                "test_add_logs_the_whole_history",
                "test_events_after_returns_every_event_once_in_order",
                "test_events_after_pages_by_position",
                "test_both_events_of_one_version_are_logged",
            },
        ),
    ],
)
def test_the_repository_contract_catches_a_broken_promise(adapter, broken):
    assert _outcomes(_repository_suite(adapter)) >= broken
    assert _outcomes(_repository_suite(InMemoryRepository)) == set()


@pytest.mark.parametrize(
    ("adapter", "broken"),
    [
        (KeepsPartialContent, {"test_put_over_the_limit_raises_and_keeps_nothing"}),
        (ReadsEverythingFirst, {"test_put_stops_reading_soon_after_the_limit"}),
        (DeletesLoudly, {"test_delete_missing_content_does_nothing"}),
        (
            DiscardsWhatOthersUse,
            {
                "test_discard_keeps_content_that_was_already_there",
                "test_discard_keeps_content_stored_again_since",
            },
        ),
        (SweepsTooEagerly, {"test_sweep_removes_only_old_unreferenced_content"}),
    ],
)
def test_the_store_contract_catches_a_broken_promise(adapter, broken):
    assert _outcomes(_store_suite(adapter)) == broken
    assert _outcomes(_store_suite(InMemoryAttachmentStore)) == set()


@pytest.mark.parametrize("adapter", [BlindToVersions, SkipsAtPageBreaks, ForgetsSavedEvents])
def test_the_machine_catches_a_broken_repository(adapter):
    machine = repository_machine(adapter)
    quick = settings(
        max_examples=300,  # a skipped item needs a page break at the right place
        stateful_step_count=20,
        phases=[Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    with pytest.raises(FAILED):
        run_state_machine_as_test(machine, settings=quick)


def test_the_machine_passes_a_correct_repository():
    quick = settings(max_examples=10, stateful_step_count=20, deadline=None, database=None)
    run_state_machine_as_test(repository_machine(InMemoryRepository), settings=quick)


def test_copy_content_is_what_stores_share():
    sink = io.BytesIO()
    assert copy_content(io.BytesIO(b"abc"), sink.write, max_size=3) == StoredContent(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3
    )
    assert sink.getvalue() == b"abc"
