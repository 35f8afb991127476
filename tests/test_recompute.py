"""Helpdesk.recompute_deadlines: after a policy change, stored clocks and deadlines are
recomputed from the stored events, resumably and idempotently."""

import os
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ticketcore as tc
from helpers import ALI, SARA, T0, PlainRepository
from pgserver import (  # noqa: F401 - fixtures: postgres_dsn, postgres_pool, new_schema
    new_schema_fixture,
    postgres_dsn_fixture,
    postgres_pool_fixture,
)
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import Helpdesk
from ticketcore.ports import Order, StateWriter, TicketQuery
from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository
from ticketcore.storage.sqlite import SQLiteRepository

ONE_US = timedelta(microseconds=1)
PRIORITIES = ["urgent", "high", "medium", "low"]


def _policy(first_hours):
    return tc.SLAPolicy(
        {
            "first_response": {p: timedelta(hours=h) for p, h in first_hours.items()},
            "next_response": timedelta(hours=30),
        }
    )


OLD = _policy({"urgent": 2, "high": 6, "medium": 24, "low": 24})
NEW = _policy({"urgent": 1, "high": 3, "medium": 12, "low": 48})


def _helpdesk(repository, policy, clock):
    return Helpdesk(
        repository=repository,
        attachments=InMemoryAttachmentStore(),
        clock=clock,
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(),
        policy=policy,
    )


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def repository(request, tmp_path):
    if request.param == "memory":
        yield InMemoryRepository()
    elif request.param == "sqlite":
        with SQLiteRepository(tmp_path / "tickets.sqlite3") as repository:
            yield repository
    else:
        if not os.environ.get("TICKETCORE_TEST_POSTGRES"):
            pytest.skip("no PostgreSQL server (set TICKETCORE_TEST_POSTGRES)")
        pool = request.getfixturevalue("postgres_pool")
        from ticketcore.storage.postgres import PostgresRepository

        repository = PostgresRepository(pool, schema=request.getfixturevalue("new_schema")())
        repository.migrate()
        yield repository


def _desk(repository, count=5):
    clock = FixedClock(T0, step=timedelta(minutes=3))
    helpdesk = _helpdesk(repository, OLD, clock)
    for number in range(count):
        ticket = helpdesk.open_ticket(
            SARA,
            subject=f"Case {number}",
            body="Help.",
            priority=PRIORITIES[number % 4],
        )
        if number % 2:
            helpdesk.reply(ALI, ticket.id, "Looking.")
            helpdesk.change_status(ALI, ticket.id, "waiting_for_user")
            helpdesk.reply(SARA, ticket.id, "Here it is.")
    return clock


def _stored_deadline_is(repository, ticket_id, deadline):
    """The deadline the store sorts and filters on is exactly ``deadline``."""
    if deadline is None:
        due = repository.query(TicketQuery(due_before=T0 + timedelta(days=3650)), limit=100)
        return ticket_id not in {t.id for t in due.items}
    before = {t.id for t in repository.query(TicketQuery(due_before=deadline), limit=100).items}
    upto = {
        t.id for t in repository.query(TicketQuery(due_before=deadline + ONE_US), limit=100).items
    }
    return ticket_id in upto and ticket_id not in before


def _everything(repository):
    tickets = repository.query(TicketQuery(order=Order.CREATED), limit=100).items
    return [(t.id, t.version) for t in tickets], repository.events_after(0, limit=1000)


def test_a_policy_change_is_recomputed_in_resumable_batches_then_changes_nothing(repository):
    clock = _desk(repository)
    helpdesk = _helpdesk(repository, NEW, clock)
    ids = [f"T-{n}" for n in range(1, 6)]
    expected = {i: NEW.next_deadline(tc.Ticket.replay(repository.get(i).history)) for i in ids}
    assert any(not _stored_deadline_is(repository, i, expected[i]) for i in ids)  # stale
    before = _everything(repository)

    first = helpdesk.recompute_deadlines(batch=2, max_tickets=3)
    assert first.examined == 3
    assert first.next_cursor is not None
    rest = helpdesk.recompute_deadlines(batch=2, cursor=first.next_cursor)
    assert rest.examined == 2
    assert rest.next_cursor is None
    changed = dict(first.changed + rest.changed)
    assert changed == expected  # every ticket, with the deadline a replay gives
    assert first.moved_on == rest.moved_on == first.unreadable == ()
    for ticket_id in ids:
        assert _stored_deadline_is(repository, ticket_id, expected[ticket_id]), ticket_id
        assert NEW.holds_clocks(repository.get(ticket_id))
    assert _everything(repository) == before  # no version moved, no event appended

    again = helpdesk.recompute_deadlines()
    assert (again.examined, again.changed, again.next_cursor) == (5, (), None)


def test_restate_leaves_a_ticket_that_moved_on_alone(repository):
    assert isinstance(repository, StateWriter)
    clock = _desk(repository, count=1)
    stale = repository.get("T-1")
    NEW.next_deadline(stale)
    _helpdesk(repository, OLD, clock).reply(ALI, "T-1", "Another look.")
    saved = repository.get("T-1")
    assert repository.restate(stale, next_deadline=T0) is False
    assert repository.get("T-1") == saved
    assert not _stored_deadline_is(repository, "T-1", T0)
    assert repository.restate(saved, next_deadline=T0) is True
    assert _stored_deadline_is(repository, "T-1", T0)
    missing = tc.Ticket.open(SARA, id="T-404", subject="s", body="b", at=T0).ticket
    assert repository.restate(missing) is False


def test_a_repository_that_cannot_restate_is_a_typed_error():
    helpdesk = _helpdesk(PlainRepository(), NEW, FixedClock(T0))
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.recompute_deadlines()
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE
    assert caught.value.field == "repository"
    for bad in ({"batch": 0}, {"max_tickets": 0}, {"cursor": 5}, {"cursor": "garbage"}):
        with pytest.raises(tc.ValidationError):
            _helpdesk(InMemoryRepository(), NEW, FixedClock(T0)).recompute_deadlines(**bad)


hours = st.integers(1, 72)


@settings(max_examples=25, deadline=None)
@given(
    old=st.fixed_dictionaries(dict.fromkeys(("urgent", "high", "medium", "low"), hours)),
    new=st.fixed_dictionaries(dict.fromkeys(("urgent", "high", "medium", "low"), hours)),
    batch=st.integers(1, 4),
)
def test_after_any_policy_change_every_deadline_is_the_replays(old, new, batch):
    """Oracle: each stored deadline equals the new policy's replay of the ticket's history."""
    repository = InMemoryRepository()
    clock = FixedClock(T0, step=timedelta(minutes=11))
    old_desk = _helpdesk(repository, _policy(old), clock)
    for number in range(4):
        ticket = old_desk.open_ticket(SARA, subject="s", body="b", priority=PRIORITIES[number])
        if number % 2:
            old_desk.reply(ALI, ticket.id, "Looking.")
    policy = _policy(new)
    report = _helpdesk(repository, policy, clock).recompute_deadlines(batch=batch)
    assert report.next_cursor is None
    assert report.examined == 4
    for number in range(1, 5):
        ticket = repository.get(f"T-{number}")
        deadline = policy.next_deadline(tc.Ticket.replay(ticket.history))
        assert _stored_deadline_is(repository, ticket.id, deadline)
    changes = {ticket_id for ticket_id, _ in report.changed}
    assert changes == ({f"T-{n}" for n in range(1, 5)} if old != new else set())
