"""Helpdesk.search: ranked, paged full-text search that keeps to what the actor may read."""

from datetime import timedelta

import pytest

import ticketcore as tc
from helpers import ALI, REZA, SARA, T0, PlainRepository
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import Helpdesk
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


@pytest.fixture(params=["memory", "sqlite"])
def helpdesk(request, tmp_path):
    if request.param == "memory":
        yield _helpdesk(InMemoryRepository())
    else:
        with SQLiteRepository(tmp_path / "tickets.sqlite3") as repository:
            yield _helpdesk(repository)


def _desk(helpdesk):
    first = helpdesk.open_ticket(SARA, subject="پرداخت ناموفق", body="مبلغ دو بار کم شد.")
    helpdesk.add_note(ALI, first.id, "درگاه بانک خطا داد؛ refund requested")
    second = helpdesk.open_ticket(REZA, subject="Cargo late", body="پرداخت را انجام دادم.")
    helpdesk.reply(ALI, second.id, "پرداخت شما ثبت شد، پرداخت دوم لازم نیست.")
    return first.id, second.id


def _ids(page):
    return [ticket.id for ticket in page.items]


def test_a_requester_finds_only_their_own_tickets(helpdesk):
    first, second = _desk(helpdesk)
    assert _ids(helpdesk.search(SARA, "پرداخت")) == [first]
    assert _ids(helpdesk.search(REZA, "پرداخت")) == [second]
    assert _ids(helpdesk.search(ALI, "پرداخت")) == [second, first]  # more mentions first


def test_no_one_finds_text_through_a_note_they_may_not_read(helpdesk):
    first, _ = _desk(helpdesk)
    assert _ids(helpdesk.search(SARA, "refund")) == []
    assert _ids(helpdesk.search(SARA, "درگاه")) == []
    assert _ids(helpdesk.search(ALI, "refund")) == [first]
    found = helpdesk.search(SARA, "پرداخت ناموفق").items[0]
    assert all(not message.internal for message in found.messages)  # as Sara may see it


def test_search_pages_and_refuses_bad_input_with_typed_errors(helpdesk):
    for number in range(5):
        helpdesk.open_ticket(SARA, subject=f"Case {number}", body="cargo " * (number + 1))
    first = helpdesk.search(ALI, "cargo", limit=2)
    rest = helpdesk.search(ALI, "cargo", limit=10, cursor=first.next_cursor)
    assert _ids(first) + _ids(rest) == ["T-5", "T-4", "T-3", "T-2", "T-1"]
    assert rest.next_cursor is None
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.search(ALI, "cargo", cursor="not-a-cursor")
    assert caught.value.code is tc.ErrorCode.INVALID_CURSOR
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.search(ALI, 42)
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE


def test_search_needs_a_repository_that_searches():
    helpdesk = _helpdesk(PlainRepository())
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.search(ALI, "cargo")
    assert caught.value.field == "repository"
