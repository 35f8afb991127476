"""The contract suite: prove that a storage adapter keeps the protocols' promises.

Subclass a contract in your own tests and implement its one hook; pytest collects your
subclass (name it ``Test...``) and runs every check against your adapter::

    from ticketcore.testing.contract import TicketRepositoryContract

    class TestMyRepository(TicketRepositoryContract):
        def create_repository(self):
            return MyRepository(...)  # a new, empty repository for each test

The contracts themselves are not collected (their names do not start with ``Test``).
Each check is a small method named for the guarantee it checks; none needs a pytest
fixture, so the checks also run by calling them. Each test gets a fresh adapter from the
hook; adapters with a ``close()`` method are closed after the test.

This module's path, ``ticketcore.testing.contract``, and its class and hook names are
stable API. It needs pytest (the ``ticketcore[testing]`` extra).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from ticketcore.enums import Category, Priority, Status
from ticketcore.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from ticketcore.events import Event
from ticketcore.model import Actor, Attachment
from ticketcore.ports import (
    AttachmentStore,
    Eraser,
    Order,
    Page,
    StateWriter,
    StoredEvent,
    ThreadReader,
    TicketQuery,
    TicketRepository,
    TicketSearch,
)
from ticketcore.ticket import Ticket

__all__ = ["AttachmentStoreContract", "TicketRepositoryContract"]

_Item = TypeVar("_Item")

T0 = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
SARA = Actor.requester("sara")
REZA = Actor.requester("reza")
ALI = Actor.agent("ali")
MINA = Actor.agent("mina")


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _opened(
    ticket_id: str,
    *,
    requester: Actor = SARA,
    minutes: float = 0,
    category: Category = Category.GENERAL,
    priority: Priority = Priority.MEDIUM,
) -> Ticket:
    return Ticket.open(
        requester,
        id=ticket_id,
        subject=f"Ticket {ticket_id}",
        body="Something is wrong.",
        at=_at(minutes),
        category=category,
        priority=priority,
    ).ticket


def _said(ticket_id: str, body: str, *, requester: Actor = SARA) -> Ticket:
    """A ticket whose first message is ``body``."""
    return Ticket.open(
        requester, id=ticket_id, subject=f"Ticket {ticket_id}", body=body, at=_at(0)
    ).ticket


def _noted(ticket: Ticket, *, minutes: float = 1) -> Ticket:
    """``ticket`` one version on: an agent's internal note."""
    return ticket.add_note(
        ALI, "Looking.", at=ticket.updated_at + timedelta(minutes=minutes)
    ).ticket


def _close(repository: object) -> None:
    close = getattr(repository, "close", None)
    if callable(close):
        close()


class _Fresh:
    """Keeps the adapters a test made, to close them afterwards."""

    _made: list[object]

    def _keep(self, made: object) -> None:
        if not hasattr(self, "_made"):
            self._made = []
        self._made.append(made)

    def teardown_method(self, _method: object = None) -> None:
        """Close what the test made (pytest calls this after each test)."""
        for made in reversed(getattr(self, "_made", [])):
            _close(made)
        self._made = []


class TicketRepositoryContract(_Fresh):
    """What every :class:`~ticketcore.ports.TicketRepository` must do.

    Implement :meth:`create_repository`.
    """

    def create_repository(self) -> TicketRepository:
        """A new, empty repository (called once or more per test)."""
        raise NotImplementedError

    def _repository(self) -> TicketRepository:
        repository = self.create_repository()
        self._keep(repository)
        return repository

    # -- reading and adding ----------------------------------------------------------------

    def test_is_a_ticket_repository(self) -> None:
        _true(isinstance(self._repository(), TicketRepository), "not a TicketRepository")

    def test_get_missing_raises_not_found(self) -> None:
        repository = self._repository()
        with pytest.raises(NotFoundError) as caught:
            repository.get("T-404")
        _same(caught.value.code, ErrorCode.NOT_FOUND)

    def test_add_then_get_returns_an_equal_ticket(self) -> None:
        repository = self._repository()
        ticket = _rich_ticket()
        repository.add(ticket)
        _same(repository.get(ticket.id), ticket)

    def test_add_duplicate_id_conflicts(self) -> None:
        repository = self._repository()
        first = _opened("T-1")
        repository.add(first)
        with pytest.raises(ConflictError) as caught:
            repository.add(_opened("T-1", requester=REZA, minutes=5))
        _same(caught.value.code, ErrorCode.ALREADY_EXISTS)
        _same(repository.get("T-1"), first)
        _same(len(repository.events_after(0)), 1)

    def test_add_logs_the_whole_history(self) -> None:
        repository = self._repository()
        ticket = _rich_ticket()
        repository.add(ticket)
        _same([record.event for record in repository.events_after(0)], list(ticket.history))

    # -- saving ----------------------------------------------------------------------------

    def test_save_then_get_returns_the_saved_ticket(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket)
        changed = _noted(ticket)
        repository.save(changed, expected_version=ticket.version)
        _same(repository.get("T-1"), changed)

    def test_save_of_several_operations_is_one_save(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket)
        changed = _noted(_noted(_noted(ticket)))
        repository.save(changed, expected_version=1)
        _same(repository.get("T-1"), changed)
        _same([record.event for record in repository.events_after(1)], list(changed.history[1:]))

    def test_save_from_stale_version_conflicts(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket)
        repository.save(_noted(ticket), expected_version=1)
        with pytest.raises(ConflictError) as caught:
            repository.save(_noted(ticket, minutes=2), expected_version=1)
        _same(caught.value.code, ErrorCode.CONFLICT)

    def test_failed_save_writes_nothing(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket, next_deadline=_at(60))
        saved = _noted(ticket)
        repository.save(saved, expected_version=1, next_deadline=_at(120))
        log = repository.events_after(0)
        with pytest.raises(ConflictError):
            repository.save(
                _noted(_noted(ticket, minutes=3)), expected_version=1, next_deadline=_at(1)
            )
        _same(repository.get("T-1"), saved)
        _same(repository.events_after(0), log)
        due = repository.query(TicketQuery(due_before=_at(100)))
        _same(due.items, ())

    def test_save_from_a_version_ahead_of_the_store_conflicts(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket)
        twice = _noted(_noted(ticket))
        with pytest.raises(ConflictError):
            repository.save(twice, expected_version=2)
        _same(repository.get("T-1"), ticket)

    def test_save_missing_ticket_raises_not_found(self) -> None:
        repository = self._repository()
        with pytest.raises(NotFoundError):
            repository.save(_noted(_opened("T-1")), expected_version=1)
        _same(repository.events_after(0), ())

    def test_save_without_a_change_is_refused(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket)
        with pytest.raises(ValidationError):
            repository.save(ticket, expected_version=1)
        _same(len(repository.events_after(0)), 1)

    def test_save_replaces_the_stored_deadline(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket, next_deadline=_at(60))
        _same(_ids(repository.query(TicketQuery(due_before=_at(61))).items), ["T-1"])
        repository.save(_noted(ticket), expected_version=1, next_deadline=None)
        _same(repository.query(TicketQuery(due_before=_at(61))).items, ())
        _same(_ids(repository.query(TicketQuery(order=Order.DUE)).items), ["T-1"])

    # -- the event log ---------------------------------------------------------------------

    def test_events_after_returns_every_event_once_in_order(self) -> None:
        repository = self._repository()
        expected: list[Event] = []
        tickets = {}
        for number in range(3):
            ticket = _opened(f"T-{number}", minutes=number)
            repository.add(ticket)
            expected.extend(ticket.history)
            tickets[ticket.id] = ticket
        for ticket_id in ("T-1", "T-0", "T-1"):
            current = tickets[ticket_id]
            changed = _noted(current)
            repository.save(changed, expected_version=current.version)
            expected.extend(changed.history[len(current.history) :])
            tickets[ticket_id] = changed
        records = repository.events_after(0, limit=100)
        _same([record.event for record in records], expected)
        positions = [record.position for record in records]
        _same(positions, sorted(set(positions)))
        _true(all(position > 0 for position in positions), f"positions {positions} not positive")
        _true(all(isinstance(r, StoredEvent) for r in records), "records are not StoredEvent")

    def test_events_after_pages_by_position(self) -> None:
        repository = self._repository()
        for number in range(5):
            repository.add(_opened(f"T-{number}"))
        everything = repository.events_after(0)
        paged: list[StoredEvent] = []
        position = 0
        limit = 2
        while page := repository.events_after(position, limit=limit):
            _true(len(page) <= limit, f"{len(page)} records for limit {limit}")
            paged.extend(page)
            position = page[-1].position
        _same(paged, list(everything))
        _same(repository.events_after(everything[2].position), everything[3:])
        _same(repository.events_after(everything[-1].position), ())

    def test_both_events_of_one_version_are_logged(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        waiting = ticket.change_status(ALI, Status.WAITING_FOR_USER, at=_at(1)).ticket
        repository.add(waiting)
        answered = waiting.reply(SARA, "Here it is.", at=_at(2)).ticket
        _same(len(answered.history), len(waiting.history) + 2)
        repository.save(answered, expected_version=waiting.version)
        kinds = [record.event.kind for record in repository.events_after(0)]
        _same(kinds, ["ticket_opened", "status_changed", "message_added", "status_changed"])

    def test_events_after_refuses_a_bad_limit(self) -> None:
        repository = self._repository()
        with pytest.raises(ValidationError):
            repository.events_after(0, limit=0)

    # -- queries ---------------------------------------------------------------------------

    def test_query_without_filters_returns_every_ticket(self) -> None:
        repository = self._repository()
        for number in range(3):
            repository.add(_opened(f"T-{number}", minutes=number))
        page = repository.query()
        _same(_ids(page.items), ["T-0", "T-1", "T-2"])
        _same(page.next_cursor, None)

    def test_query_filters_by_requester(self) -> None:
        repository = self._repository()
        repository.add(_opened("T-1", requester=SARA))
        repository.add(_opened("T-2", requester=REZA, minutes=1))
        repository.add(_opened("T-3", requester=SARA, minutes=2))
        _same(_ids(repository.query(TicketQuery(requester_id="sara")).items), ["T-1", "T-3"])
        _same(repository.query(TicketQuery(requester_id="nobody")).items, ())

    def test_query_filters_by_assignee_and_unassigned(self) -> None:
        repository = self._repository()
        for number, assignee in enumerate(["ali", None, "mina", "ali"]):
            ticket = _opened(f"T-{number}", minutes=number)
            if assignee is not None:
                ticket = ticket.assign(ALI, assignee, at=_at(10)).ticket
            repository.add(ticket)
        _same(_ids(repository.query(TicketQuery(assignee_id="ali")).items), ["T-0", "T-3"])
        _same(_ids(repository.query(TicketQuery(unassigned=True)).items), ["T-1"])

    def test_query_filters_by_status_category_and_priority(self) -> None:
        repository = self._repository()
        repository.add(_opened("T-1", category=Category.FINANCIAL, priority=Priority.HIGH))
        repository.add(_opened("T-2", minutes=1, category=Category.TECHNICAL))
        started = _opened("T-3", minutes=2, category=Category.FINANCIAL, priority=Priority.LOW)
        repository.add(started.change_status(ALI, Status.IN_PROGRESS, at=_at(5)).ticket)

        def ids(query: TicketQuery) -> list[str]:
            return _ids(repository.query(query).items)

        _same(ids(TicketQuery(statuses=[Status.OPEN])), ["T-1", "T-2"])
        _same(ids(TicketQuery(statuses=["in_progress", "resolved"])), ["T-3"])
        _same(ids(TicketQuery(categories=[Category.FINANCIAL])), ["T-1", "T-3"])
        _same(ids(TicketQuery(priorities=[Priority.HIGH, Priority.LOW])), ["T-1", "T-3"])
        _same(ids(TicketQuery(categories=["financial"], statuses=["open"])), ["T-1"])
        _same(ids(TicketQuery(statuses=[])), [])

    def test_query_filters_by_created_range(self) -> None:
        repository = self._repository()
        for minutes in range(5):
            repository.add(_opened(f"T-{minutes}", minutes=minutes))
        query = TicketQuery(created_from=_at(1), created_before=_at(3))
        _same(_ids(repository.query(query).items), ["T-1", "T-2"])

    def test_query_due_before_uses_the_stored_deadline(self) -> None:
        repository = self._repository()
        # The deadlines are whatever the caller stores, not computed from the ticket.
        repository.add(_opened("T-1"), next_deadline=_at(30))
        repository.add(_opened("T-2"), next_deadline=_at(10))
        repository.add(_opened("T-3"), next_deadline=None)
        repository.add(_opened("T-4"), next_deadline=_at(20) + timedelta(microseconds=1))
        query = TicketQuery(due_before=_at(20) + timedelta(microseconds=1), order=Order.DUE)
        _same(_ids(repository.query(query).items), ["T-2"])
        query = TicketQuery(due_before=_at(60), order=Order.DUE)
        _same(_ids(repository.query(query).items), ["T-2", "T-4", "T-1"])

    def test_query_orders_by_created_updated_and_due(self) -> None:
        repository = self._repository()
        rows = [  # id, created minute, updated minute, deadline minute
            ("T-a", 3, 3, 50),
            ("T-b", 1, 9, None),
            ("T-c", 1, 4, 20),
            ("T-d", 2, 2, 20),
        ]
        for ticket_id, created, updated, due in rows:
            ticket = _opened(ticket_id, minutes=created)
            if updated != created:
                ticket = _noted(ticket, minutes=updated - created)
            repository.add(ticket, next_deadline=None if due is None else _at(due))

        def ids(order: Order, *, descending: bool = False) -> list[str]:
            query = TicketQuery(order=order, descending=descending)
            return _ids(repository.query(query).items)

        _same(ids(Order.CREATED), ["T-b", "T-c", "T-d", "T-a"])
        _same(ids(Order.CREATED, descending=True), ["T-a", "T-d", "T-c", "T-b"])
        _same(ids(Order.UPDATED), ["T-d", "T-a", "T-c", "T-b"])
        _same(ids(Order.DUE), ["T-c", "T-d", "T-a", "T-b"])
        _same(ids(Order.DUE, descending=True), ["T-b", "T-a", "T-d", "T-c"])

    def test_query_pages_never_repeat_or_skip(self) -> None:
        repository = self._repository()
        count = 11
        for number in range(count):
            # Several tickets share a creation time and a deadline: ties need the id.
            ticket = _opened(f"T-{number:02d}", minutes=number // 3)
            repository.add(ticket, next_deadline=None if number % 4 == 0 else _at(number % 3))
        for order in Order:
            for descending in (False, True):
                query = TicketQuery(order=order, descending=descending)
                everything = _ids(repository.query(query, limit=100).items)
                _same(len(everything), count)
                for limit in (1, 2, 3, 4, count):
                    _same(_ids(_all_pages(repository, query, limit)), everything)

    def test_query_pages_a_filtered_query(self) -> None:
        repository = self._repository()
        for number in range(9):
            requester = SARA if number % 3 else REZA
            repository.add(_opened(f"T-{number}", requester=requester, minutes=number))
        query = TicketQuery(requester_id="sara", descending=True)
        first = repository.query(query, limit=4)
        _same(_ids(first.items), ["T-8", "T-7", "T-5", "T-4"])
        _true(first.next_cursor is not None, "the first page has no next cursor")
        second = repository.query(query, limit=4, cursor=first.next_cursor)
        _same(_ids(second.items), ["T-2", "T-1"])
        _same(second.next_cursor, None)

    def test_query_sees_saved_changes(self) -> None:
        repository = self._repository()
        ticket = _opened("T-1")
        repository.add(ticket)
        repository.save(
            ticket.change_status(ALI, Status.RESOLVED, at=_at(5)).ticket, expected_version=1
        )
        _same(repository.query(TicketQuery(statuses=[Status.OPEN])).items, ())
        _same(_ids(repository.query(TicketQuery(statuses=[Status.RESOLVED])).items), ["T-1"])

    def test_query_refuses_a_cursor_of_another_order(self) -> None:
        repository = self._repository()
        for number in range(3):
            repository.add(_opened(f"T-{number}", minutes=number))
        cursor = repository.query(TicketQuery(order=Order.CREATED), limit=1).next_cursor
        _true(cursor is not None, "the first page has no next cursor")
        with pytest.raises(ValidationError):
            repository.query(TicketQuery(order=Order.UPDATED), limit=1, cursor=cursor)
        with pytest.raises(ValidationError):
            repository.query(TicketQuery(), limit=1, cursor="not a cursor")

    def test_query_refuses_a_bad_limit(self) -> None:
        repository = self._repository()
        with pytest.raises(ValidationError):
            repository.query(limit=0)

    # -- reading the thread by page (ThreadReader, optional) ------------------------------

    def _reader(self) -> ThreadReader:
        repository = self._repository()
        if not isinstance(repository, ThreadReader):
            pytest.skip("the repository does not read threads by page (ThreadReader)")
        return repository

    def _stored_thread(self) -> tuple[ThreadReader, Ticket]:
        reader = self._reader()
        ticket = _rich_ticket()
        reader.add(ticket)  # type: ignore[attr-defined]  # a repository that reads pages
        return reader, ticket

    def test_message_pages_walk_the_thread_both_ways(self) -> None:
        reader, ticket = self._stored_thread()
        for limit in (1, 2, 50):
            oldest = _thread_pages(reader.message_page, ticket.id, limit=limit)
            _same(oldest, list(ticket.messages))
            newest = _thread_pages(reader.message_page, ticket.id, limit=limit, newest_first=True)
            _same(newest, list(reversed(ticket.messages)))

    def test_event_pages_walk_the_history_both_ways(self) -> None:
        reader, ticket = self._stored_thread()
        for limit in (1, 3, 50):
            _same(_thread_pages(reader.event_page, ticket.id, limit=limit), list(ticket.history))
            newest = _thread_pages(reader.event_page, ticket.id, limit=limit, newest_first=True)
            _same(newest, list(reversed(ticket.history)))

    def test_a_public_page_leaves_out_notes_and_the_events_that_added_them(self) -> None:
        reader, ticket = self._stored_thread()
        public = [message for message in ticket.messages if not message.internal]
        _true(len(public) < len(ticket.messages), "the ticket has no note to leave out")
        for limit in (1, 50):
            _same(_thread_pages(reader.message_page, ticket.id, limit=limit, public=True), public)
            events = _thread_pages(reader.event_page, ticket.id, limit=limit, public=True)
            _same(events, [event for event in ticket.history if not _adds_note(event)])

    def test_a_page_sees_what_a_save_appended(self) -> None:
        reader, ticket = self._stored_thread()
        later = ticket.reply(SARA, "Any news?", at=ticket.updated_at + timedelta(minutes=5)).ticket
        reader.save(later, expected_version=ticket.version)  # type: ignore[attr-defined]
        _same(reader.message_page(ticket.id, newest_first=True, limit=1).items, later.messages[-1:])
        _same(_thread_pages(reader.event_page, ticket.id, limit=4), list(later.history))

    def test_a_thread_page_of_a_missing_ticket_is_not_found(self) -> None:
        reader = self._reader()
        for page in (reader.message_page, reader.event_page):
            with pytest.raises(NotFoundError):
                page("T-404")

    def test_a_thread_cursor_of_the_other_direction_or_garbage_is_refused(self) -> None:
        reader, ticket = self._stored_thread()
        cursor = reader.message_page(ticket.id, limit=1).next_cursor
        _true(cursor is not None, "a first page of one message has no next cursor")
        for bad, newest_first in ((cursor, True), ("not a cursor", False)):
            with pytest.raises(ValidationError) as caught:
                reader.message_page(ticket.id, limit=1, cursor=bad, newest_first=newest_first)
            _same(caught.value.code, ErrorCode.INVALID_CURSOR)
        with pytest.raises(ValidationError):
            reader.event_page(ticket.id, limit=0)

    # -- full-text search (TicketSearch, optional) ----------------------------------------

    def _searcher(self) -> TicketSearch:
        repository = self._repository()
        if not isinstance(repository, TicketSearch):
            pytest.skip("the repository does not search (TicketSearch)")
        return repository

    def _searched(self) -> TicketSearch:
        """A repository holding the few tickets the search checks look for."""
        searcher = self._searcher()
        add = searcher.add  # type: ignore[attr-defined]  # a repository that searches
        add(_rich_ticket())  # T-1001: Persian subject and body, a note about a gateway log
        add(_said("T-1", "Where is my cargo? The cargo left Qom.", requester=SARA))
        add(_said("T-2", "Cargo tracking stopped.", requester=REZA))
        add(_said("T-3", "می‌خواهم سفارش ۱۲۳ را پیگیری کنم", requester=REZA))
        return searcher

    def test_search_finds_words_of_subjects_and_messages(self) -> None:
        searcher = self._searched()
        _same(_ids(searcher.search("tracking").items), ["T-2"])
        _same(_ids(searcher.search("Ticket T-2").items), ["T-2"])  # the subject
        _same(_ids(searcher.search("سفارش A-1009").items), ["T-1001"])
        _same(_ids(searcher.search("nothing like this").items), [])
        _same(_ids(searcher.search("  ،!  ").items), [])  # no words: nothing

    def test_search_matches_every_word_as_a_prefix_best_first(self) -> None:
        searcher = self._searched()
        _same(_ids(searcher.search("CARGO").items), ["T-1", "T-2"])  # twice, then once
        _same(_ids(searcher.search("car trac").items), ["T-2"])

    def test_search_folds_persian_spellings(self) -> None:
        searcher = self._searched()
        for spelling in (
            "ميخواهم",  # Arabic Yeh, no ZWNJ
            "می خواهم",  # a space for the ZWNJ
            "می\u200dخواهم",  # ZWJ, a look-alike
            "سفارش 123",  # ASCII digits
            "سفارش ١٢٣",  # Arabic-Indic digits
            "پيگيري كنم",  # Arabic Yeh and Kaf
            "پیـگیری",  # kashida
            "سِفارش ۱۲۳",  # a diacritic
        ):
            _same((spelling, _ids(searcher.search(spelling).items)), (spelling, ["T-3"]))

    def test_search_reads_notes_only_when_asked(self) -> None:
        searcher = self._searched()
        _same(_ids(searcher.search("gateway timeout").items), [])
        _same(_ids(searcher.search("gateway timeout", notes=True).items), ["T-1001"])

    def test_search_keeps_to_one_requester_when_asked(self) -> None:
        searcher = self._searched()
        _same(_ids(searcher.search("cargo", requester_id="reza").items), ["T-2"])
        _same(_ids(searcher.search("cargo", requester_id="nobody").items), [])

    def test_search_pages_never_repeat_or_skip(self) -> None:
        searcher = self._searcher()
        add = searcher.add  # type: ignore[attr-defined]
        for number in range(7):
            add(_said(f"T-{number}", "cargo " * (number + 1)))
        found: list[str] = []
        cursor: str | None = None
        for _ in range(10):
            page = searcher.search("cargo", limit=3, cursor=cursor)
            _true(len(page.items) <= 3, f"{len(page.items)} results for limit 3")  # noqa: PLR2004
            found.extend(_ids(page.items))
            cursor = page.next_cursor
            if cursor is None:
                break
        _same(found, [f"T-{number}" for number in reversed(range(7))])

    def test_search_sees_what_a_save_appended(self) -> None:
        searcher = self._searched()
        ticket = searcher.get("T-2")  # type: ignore[attr-defined]
        later = ticket.reply(ALI, "The parcel is in Isfahan.", at=_at(30)).ticket
        searcher.save(later, expected_version=ticket.version)  # type: ignore[attr-defined]
        _same(_ids(searcher.search("isfahan").items), ["T-2"])

    def test_search_refuses_bad_arguments(self) -> None:
        searcher = self._searcher()
        for arguments in (
            {"text": 5},
            {"text": "x", "limit": 0},
            {"text": "x", "notes": "yes"},
            {"text": "x", "cursor": "not a cursor"},
        ):
            with pytest.raises(ValidationError):
                searcher.search(**arguments)

    # -- restating and rewriting (StateWriter, Eraser: optional) --------------------------

    def test_restate_replaces_the_deadline_while_the_version_holds(self) -> None:
        repository = self._repository()
        if not isinstance(repository, StateWriter):
            pytest.skip("the repository does not restate (StateWriter)")
        ticket = _opened("T-1")
        repository.add(ticket, next_deadline=_at(60))
        before = repository.events_after(0)
        _true(repository.restate(ticket, next_deadline=_at(5)), "restate wrote nothing")
        _same(_ids(repository.query(TicketQuery(due_before=_at(6))).items), ["T-1"])
        _same(repository.events_after(0), before)  # no event, no new version
        _same(repository.get("T-1").version, ticket.version)
        later = _noted(ticket)
        repository.save(later, expected_version=ticket.version, next_deadline=_at(60))
        moved_on = repository.restate(ticket, next_deadline=_at(1))
        _true(not moved_on, "restate wrote a ticket that was saved since")
        _same(_ids(repository.query(TicketQuery(due_before=_at(6))).items), [])
        _true(not repository.restate(_opened("T-404")), "restate wrote a missing ticket")

    def test_rewrite_replaces_the_logged_payloads_and_appends(self) -> None:
        repository = self._repository()
        if not isinstance(repository, Eraser):
            pytest.skip("the repository does not rewrite (Eraser)")
        ticket = _noted(_rich_ticket())
        repository.add(ticket)
        erased = ticket.erase_requester(
            Actor.system(), at=ticket.updated_at, pseudonym="erased-1"
        ).ticket
        repository.rewrite(erased, expected_version=ticket.version)
        repository.purge()
        _same(repository.get(ticket.id), erased)
        _same([r.event for r in repository.events_after(0, limit=100)], list(erased.history))
        _same([r.position for r in repository.events_after(0, limit=100)][:-1],
              [r.position for r in _logged(ticket)])  # fmt: skip
        with pytest.raises(ConflictError):
            repository.rewrite(erased, expected_version=ticket.version)
        if isinstance(repository, TicketSearch):
            _same(repository.search("A-1009").items, ())


class AttachmentStoreContract(_Fresh):
    """What every :class:`~ticketcore.ports.AttachmentStore` must do.

    Implement :meth:`create_store`.
    """

    def create_store(self) -> AttachmentStore:
        """A new, empty store (called once or more per test)."""
        raise NotImplementedError

    def _store(self) -> AttachmentStore:
        store = self.create_store()
        self._keep(store)
        return store

    def test_is_an_attachment_store(self) -> None:
        _true(isinstance(self._store(), AttachmentStore), "not an AttachmentStore")

    def test_put_then_open_returns_the_same_bytes(self) -> None:
        store = self._store()
        content = bytes(range(256)) * 1000 + b"tail"  # several chunks, not a multiple
        stored = store.put(io.BytesIO(content), max_size=len(content))
        _same(_read(store, stored.sha256), content)

    def test_put_returns_the_sha256_and_size(self) -> None:
        store = self._store()
        stored = store.put(io.BytesIO("رسید".encode()), max_size=1024)
        _same(stored.sha256, hashlib.sha256("رسید".encode()).hexdigest())
        _same(stored.size, len("رسید".encode()))

    def test_put_same_content_twice_stores_it_once(self) -> None:
        store = self._store()
        first = store.put(io.BytesIO(b"same"), max_size=10)
        second = store.put(io.BytesIO(b"same"), max_size=10)
        _same(first, second)
        _same((first.created, second.created), (True, False))
        store.delete(first.sha256)
        with pytest.raises(NotFoundError):
            store.open(first.sha256)

    def test_discard_removes_what_a_failed_call_created(self) -> None:
        store = self._store()
        created = store.put(io.BytesIO(b"orphan"), max_size=10)
        store.discard(created)
        with pytest.raises(NotFoundError):
            store.open(created.sha256)

    def test_discard_keeps_content_that_was_already_there(self) -> None:
        store = self._store()
        first = store.put(io.BytesIO(b"shared"), max_size=10)
        again = store.put(io.BytesIO(b"shared"), max_size=10)
        store.discard(again)  # the failed call did not create it: another ticket uses it
        _same(_read(store, first.sha256), b"shared")

    def test_discard_keeps_content_stored_again_since(self) -> None:
        store = self._store()
        created = store.put(io.BytesIO(b"raced"), max_size=10)
        store.put(io.BytesIO(b"raced"), max_size=10)  # a concurrent writer's put
        store.discard(created)
        _same(_read(store, created.sha256), b"raced")

    def test_sweep_removes_only_old_unreferenced_content(self) -> None:
        store = self._store()
        kept = store.put(io.BytesIO(b"referenced"), max_size=20)
        orphan = store.put(io.BytesIO(b"orphan"), max_size=20)
        _same(store.sweep({kept.sha256}, older_than=timedelta(hours=1)), 0)  # too recent
        _same(_read(store, orphan.sha256), b"orphan")
        _same(store.sweep({kept.sha256}, older_than=timedelta(0)), 1)
        with pytest.raises(NotFoundError):
            store.open(orphan.sha256)
        _same(_read(store, kept.sha256), b"referenced")

    def test_put_over_the_limit_raises_and_keeps_nothing(self) -> None:
        store = self._store()
        content = b"x" * 1001
        with pytest.raises(ValidationError) as caught:
            store.put(io.BytesIO(content), max_size=1000)
        _same(caught.value.code, ErrorCode.ATTACHMENT_TOO_LARGE)
        with pytest.raises(NotFoundError):
            store.open(hashlib.sha256(content).hexdigest())
        with pytest.raises(NotFoundError):
            store.open(hashlib.sha256(content[:1000]).hexdigest())

    def test_put_exactly_at_the_limit_is_accepted(self) -> None:
        store = self._store()
        limit = 1000
        stored = store.put(io.BytesIO(b"y" * limit), max_size=limit)
        _same(stored.size, limit)

    def test_put_stops_reading_soon_after_the_limit(self) -> None:
        store = self._store()
        endless = _EndlessStream()
        limit = 100_000
        with pytest.raises(ValidationError):
            store.put(endless, max_size=limit)
        _true(
            endless.served <= limit + _EndlessStream.LARGEST_READ,
            f"read {endless.served} bytes for a limit of {limit}",
        )

    def test_open_missing_raises_not_found(self) -> None:
        store = self._store()
        with pytest.raises(NotFoundError):
            store.open("a" * 64)

    def test_a_malformed_digest_is_refused(self) -> None:
        store = self._store()
        for key in ("../../etc/passwd", "a" * 63, "g" * 64, "/" + "a" * 63, ""):
            with pytest.raises(ValidationError):
                store.open(key)
            with pytest.raises(ValidationError):
                store.delete(key)

    def test_delete_removes_the_content(self) -> None:
        store = self._store()
        kept = store.put(io.BytesIO(b"kept"), max_size=10)
        gone = store.put(io.BytesIO(b"gone"), max_size=10)
        store.delete(gone.sha256)
        with pytest.raises(NotFoundError):
            store.open(gone.sha256)
        _same(_read(store, kept.sha256), b"kept")

    def test_delete_missing_content_does_nothing(self) -> None:
        store = self._store()
        store.delete("b" * 64)
        store.delete("b" * 64)


# -- helpers ---------------------------------------------------------------------------------
# Checks raise AssertionError themselves rather than use ``assert``: pytest does not
# rewrite asserts in an installed library, and ``python -O`` would remove them.


def _same(actual: object, expected: object) -> None:
    if actual != expected:
        msg = f"expected {expected!r}, got {actual!r}"
        raise AssertionError(msg)


def _true(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _ids(tickets: Iterable[Ticket]) -> list[str]:
    return [ticket.id for ticket in tickets]


def _all_pages(repository: TicketRepository, query: TicketQuery, limit: int) -> list[Ticket]:
    found: list[Ticket] = []
    cursor: str | None = None
    for _ in range(1000):
        page = repository.query(query, limit=limit, cursor=cursor)
        _true(len(page.items) <= limit, f"{len(page.items)} items for limit {limit}")
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor
    msg = "the pages never ended"
    raise AssertionError(msg)


def _logged(ticket: Ticket) -> list[StoredEvent]:
    """The log positions a store that held only ``ticket`` gave its events: 1, 2, ..."""
    return [StoredEvent(n, event) for n, event in enumerate(ticket.history, start=1)]


def _thread_pages(
    page: Callable[..., Page[_Item]], ticket_id: str, *, limit: int, **options: bool
) -> list[_Item]:
    """Every page of a thread, walked by cursor."""
    found: list[_Item] = []
    cursor: str | None = None
    for _ in range(1000):
        got = page(ticket_id, limit=limit, cursor=cursor, **options)
        _true(len(got.items) <= limit, f"{len(got.items)} items for limit {limit}")
        found.extend(got.items)
        if got.next_cursor is None:
            return found
        cursor = got.next_cursor
    msg = "the pages never ended"
    raise AssertionError(msg)


def _adds_note(event: Event) -> bool:
    message = getattr(event, "message", None)
    return message is not None and bool(message.internal)


def _read(store: AttachmentStore, sha256: str) -> bytes:
    with store.open(sha256) as stream:
        return stream.read()


def _rich_ticket() -> Ticket:
    """A ticket using every part of the model: files, references, notes, two-event
    versions, Persian text with ZWNJ, a time zone other than UTC."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - only this helper needs it

    tehran = ZoneInfo("Asia/Tehran")
    at = datetime(2026, 3, 21, 12, 30, tzinfo=tehran)
    receipt = Attachment("رسید پرداخت.pdf", "application/pdf", 2048, "ab" * 32)
    steps: list[Callable[[Ticket, datetime], Ticket]] = [
        lambda t, at: t.add_note(ALI, "Gateway log shows a timeout.", at=at).ticket,
        lambda t, at: t.assign(ALI, "ali", at=at).ticket,
        lambda t, at: t.reply(ALI, "Could you send the reference?", at=at).ticket,
        lambda t, at: t.change_status(ALI, Status.WAITING_FOR_USER, at=at).ticket,
        lambda t, at: t.attach(SARA, [receipt], at=at, body="Attached.").ticket,
        lambda t, at: t.change_priority(MINA, Priority.URGENT, at=at).ticket,
        lambda t, at: t.change_category(MINA, Category.ACCOUNT, at=at).ticket,
    ]
    ticket = Ticket.open(
        SARA,
        id="T-1001",
        subject="پرداخت ناموفق برای سفارش A-1009",
        body="مبلغ از حساب\u200cکاربری من کم شد.\nخط دوم",
        at=at,
        category=Category.FINANCIAL,
        priority=Priority.HIGH,
        attachments=[receipt],
        references={"order": "A-1009", "shipment_id": "SHP-12"},
    ).ticket
    for minutes, step in enumerate(steps, start=1):
        ticket = step(ticket, at + timedelta(minutes=minutes, microseconds=minutes))
    return ticket


class _EndlessStream:
    """Zero bytes forever; refuses to be read all at once, or far past any limit."""

    LARGEST_READ = 4 * 1024 * 1024  # the largest chunk a streaming store may ask for

    def __init__(self) -> None:
        self.served = 0

    def read(self, size: int = -1, /) -> bytes:
        if size < 0 or size > self.LARGEST_READ:
            msg = f"an attachment store read {size} bytes at once from an upload"
            raise AssertionError(msg)
        if self.served > 4 * self.LARGEST_READ:
            msg = "an attachment store kept reading far past its limit"
            raise AssertionError(msg)
        self.served += size
        return bytes(size)
