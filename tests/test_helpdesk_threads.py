"""Helpdesk.messages and Helpdesk.history: a ticket's thread by page, as the actor may see it."""

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ticketcore as tc
from helpers import ALI, REZA, SARA, T0, PlainRepository
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import Helpdesk
from ticketcore.ports import ThreadReader
from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository
from ticketcore.storage.sqlite import SQLiteRepository


def _helpdesk(repository):
    return Helpdesk(
        repository=repository,
        attachments=InMemoryAttachmentStore(),
        clock=FixedClock(T0, step=timedelta(minutes=1)),
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(),
        policy=tc.SLAPolicy.default(),
    )


@pytest.fixture(params=["memory", "sqlite", "without pages"])
def helpdesk(request, tmp_path):
    if request.param == "memory":
        yield _helpdesk(InMemoryRepository())
    elif request.param == "sqlite":
        with SQLiteRepository(tmp_path / "tickets.sqlite3") as repository:
            yield _helpdesk(repository)
    else:
        assert not isinstance(PlainRepository(), ThreadReader)
        yield _helpdesk(PlainRepository())


def _conversation(helpdesk, notes=(1, 3)):
    ticket = helpdesk.open_ticket(SARA, subject="Late cargo", body="message 0")
    helpdesk.change_status(ALI, ticket.id, "in_progress", reason="checking the depot")
    for number in range(1, 6):
        helpdesk.reply(ALI, ticket.id, f"message {number}", internal=number in notes)
    helpdesk.change_status(
        ALI, ticket.id, "waiting_for_user", reason="asked for the receipt", reason_public=True
    )
    return ticket.id


def _walk(read, **options):
    found, cursor = [], None
    while True:
        page = read(cursor=cursor, **options)
        assert len(page.items) <= options["limit"]
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def test_an_agent_pages_every_message_oldest_or_newest_first(helpdesk):
    ticket_id = _conversation(helpdesk)
    bodies = [f"message {n}" for n in range(6)]
    first = helpdesk.messages(ALI, ticket_id, limit=2)
    assert [m.body for m in first.items] == bodies[:2]
    assert first.next_cursor is not None
    oldest = _walk(lambda **o: helpdesk.messages(ALI, ticket_id, **o), limit=2)
    assert [m.body for m in oldest] == bodies
    newest = _walk(lambda **o: helpdesk.messages(ALI, ticket_id, **o), limit=4, newest_first=True)
    assert [m.body for m in newest] == bodies[::-1]


def test_a_requesters_pages_never_hold_notes_nor_private_reasons(helpdesk):
    ticket_id = _conversation(helpdesk)
    messages = _walk(lambda **o: helpdesk.messages(SARA, ticket_id, **o), limit=2)
    assert [m.body for m in messages] == ["message 0", "message 2", "message 4", "message 5"]
    history = _walk(lambda **o: helpdesk.history(SARA, ticket_id, **o), limit=3)
    assert history == list(helpdesk.get(SARA, ticket_id).history)
    reasons = [e.reason for e in history if isinstance(e, tc.StatusChanged)]
    assert reasons == [None, "asked for the receipt"]
    staff = _walk(lambda **o: helpdesk.history(ALI, ticket_id, **o), limit=50)
    assert staff == list(helpdesk.get(ALI, ticket_id).history)
    staff_reasons = [e.reason for e in staff if isinstance(e, tc.StatusChanged)]
    assert staff_reasons == ["checking the depot", "asked for the receipt"]


def test_another_requester_gets_not_found_and_bad_pages_are_typed(helpdesk):
    ticket_id = _conversation(helpdesk)
    with pytest.raises(tc.NotFoundError):
        helpdesk.messages(REZA, ticket_id)
    with pytest.raises(tc.NotFoundError):
        helpdesk.history(ALI, "T-404")
    for options, code in (
        ({"limit": 0}, tc.ErrorCode.OUT_OF_RANGE),
        ({"limit": True}, tc.ErrorCode.INVALID_TYPE),
        ({"newest_first": "yes"}, tc.ErrorCode.INVALID_TYPE),
        ({"cursor": 7}, tc.ErrorCode.INVALID_TYPE),
        ({"cursor": "garbage"}, tc.ErrorCode.INVALID_CURSOR),
    ):
        with pytest.raises(tc.ValidationError) as caught:
            helpdesk.messages(ALI, ticket_id, **options)
        assert caught.value.code is code, options


def test_a_cursor_for_the_other_direction_is_refused(helpdesk):
    ticket_id = _conversation(helpdesk)
    cursor = helpdesk.messages(ALI, ticket_id, limit=1).next_cursor
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.messages(ALI, ticket_id, limit=1, cursor=cursor, newest_first=True)
    assert caught.value.code is tc.ErrorCode.INVALID_CURSOR


@settings(max_examples=40, deadline=None)
@given(
    notes=st.sets(st.integers(1, 5)),
    limit=st.integers(1, 7),
    newest_first=st.booleans(),
    actor=st.sampled_from([SARA, ALI]),
    paged=st.booleans(),
)
def test_walking_the_pages_gives_the_thread_the_actor_sees(
    notes, limit, newest_first, actor, paged
):
    """Oracle: the pages, end to end, are the loaded view's messages and history."""
    helpdesk = _helpdesk(InMemoryRepository() if paged else PlainRepository())
    ticket_id = _conversation(helpdesk, notes=notes)
    view = helpdesk.get(actor, ticket_id)
    order = (lambda items: list(items)[::-1]) if newest_first else list
    options = {"limit": limit, "newest_first": newest_first}
    assert _walk(lambda **o: helpdesk.messages(actor, ticket_id, **o), **options) == order(
        view.messages
    )
    assert _walk(lambda **o: helpdesk.history(actor, ticket_id, **o), **options) == order(
        view.history
    )
