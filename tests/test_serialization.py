import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ticketcore as tc
from helpers import ALI, PDF, SARA, T0, later, opened
from ticketcore import serialization as wire
from ticketcore.testing import strategies as tcst

TEHRAN = ZoneInfo("Asia/Tehran")


# One property per ticket drawn: drawing realistic tickets is the expensive part.
@settings(max_examples=120)
@given(tcst.tickets(max_operations=12))
def test_tickets_and_events_round_trip(ticket):
    assert wire.ticket_from_dict(wire.ticket_to_dict(ticket)) == ticket
    text = wire.ticket_to_json(ticket)
    again = wire.ticket_from_json(text)
    assert again == ticket
    assert wire.ticket_from_json(text.encode()) == ticket
    assert tc.Ticket.replay(again.history) == ticket
    for event in ticket.history:
        assert wire.event_from_json(wire.event_to_json(event)) == event
        assert wire.event_from_dict(wire.event_to_dict(event)) == event
    data = json.loads(text)
    assert json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) == text
    assert data == wire.ticket_to_dict(ticket)


@settings(max_examples=60)
@given(tcst.tickets(max_operations=12))
def test_a_requester_view_round_trips(ticket):
    view = ticket.visible_to(tc.Actor.requester(ticket.requester_id))
    assert wire.ticket_from_dict(wire.ticket_to_dict(view)) == view


def test_the_wire_format_is_pinned():
    """A change to this format is a change to every stored ticket: make it on purpose."""
    ticket = opened(attachments=[PDF], references={"order": "A-1009"})
    ticket = ticket.change_status(ALI, "in_progress", at=later(ticket), reason="Looking").ticket
    assert wire.ticket_to_dict(ticket) == {
        "format": 1,
        "id": "T-1",
        "requester_id": "sara",
        "subject": "Payment failed",
        "category": "general",
        "priority": "medium",
        "status": "in_progress",
        "assignee_id": None,
        "created_at": "2026-03-21T09:00:00+00:00",
        "updated_at": "2026-03-21T09:01:00+00:00",
        "version": 2,
        "references": {"order": "A-1009"},
        "messages": [
            {
                "id": "T-1.1",
                "author": {"id": "sara", "role": "requester"},
                "body": "My card was charged twice.",
                "at": "2026-03-21T09:00:00+00:00",
                "internal": False,
                "attachments": [
                    {
                        "filename": "receipt.pdf",
                        "content_type": "application/pdf",
                        "size": 2048,
                        "sha256": "0" * 64,
                    }
                ],
            }
        ],
        "history": [
            {
                "kind": "ticket_opened",
                "ticket_id": "T-1",
                "version": 1,
                "at": "2026-03-21T09:00:00+00:00",
                "actor": {"id": "sara", "role": "requester"},
                "requester_id": "sara",
                "subject": "Payment failed",
                "category": "general",
                "priority": "medium",
                "message": {
                    "id": "T-1.1",
                    "author": {"id": "sara", "role": "requester"},
                    "body": "My card was charged twice.",
                    "at": "2026-03-21T09:00:00+00:00",
                    "internal": False,
                    "attachments": [
                        {
                            "filename": "receipt.pdf",
                            "content_type": "application/pdf",
                            "size": 2048,
                            "sha256": "0" * 64,
                        }
                    ],
                },
                "references": {"order": "A-1009"},
            },
            {
                "kind": "status_changed",
                "ticket_id": "T-1",
                "version": 2,
                "at": "2026-03-21T09:01:00+00:00",
                "actor": {"id": "ali", "role": "agent"},
                "from_status": "open",
                "to_status": "in_progress",
                "reason": "Looking",
            },
        ],
    }


def test_every_event_kind_has_its_fields_on_the_wire():
    ticket = opened()
    ticket = ticket.assign(ALI, "ali", at=later(ticket)).ticket
    ticket = ticket.change_priority(ALI, "urgent", at=later(ticket)).ticket
    ticket = ticket.change_category(ALI, "account", at=later(ticket)).ticket
    ticket = ticket.reply(ALI, "Hello", at=later(ticket)).ticket
    kinds = {event["kind"]: event for event in wire.ticket_to_dict(ticket)["history"]}
    assert kinds["assignee_changed"]["from_assignee"] is None
    assert kinds["assignee_changed"]["to_assignee"] == "ali"
    assert kinds["priority_changed"]["to_priority"] == "urgent"
    assert kinds["category_changed"]["from_category"] == "general"
    assert kinds["message_added"]["message"]["body"] == "Hello"


def test_datetimes_keep_their_utc_offset_and_instant():
    at = datetime(2026, 3, 21, 12, 30, 0, 123456, tzinfo=TEHRAN)
    ticket = opened(at=at)
    data = wire.ticket_to_dict(ticket)
    assert data["created_at"] == "2026-03-21T12:30:00.123456+03:30"
    again = wire.ticket_from_dict(data)
    assert again.created_at == at
    assert again.created_at.utcoffset() == timedelta(hours=3, minutes=30)


def test_persian_text_is_written_as_is():
    ticket = opened(subject="پرداخت ناموفق", body="حساب\u200cکاربری")
    text = wire.ticket_to_json(ticket)
    assert "پرداخت ناموفق" in text
    assert "حساب\u200cکاربری" in text
    assert wire.ticket_from_json(text) == ticket


def test_a_newer_format_is_refused():
    data = wire.ticket_to_dict(opened())
    data["format"] = wire.FORMAT_VERSION + 1
    with pytest.raises(tc.ValidationError) as caught:
        wire.ticket_from_dict(data)
    assert caught.value.code is tc.ErrorCode.INVALID_CHOICE
    assert caught.value.field == "format"


def test_a_missing_format_is_refused():
    data = wire.ticket_to_dict(opened())
    del data["format"]
    with pytest.raises(tc.ValidationError) as caught:
        wire.ticket_from_dict(data)
    assert caught.value.field == "ticket.format"


def test_an_unknown_event_kind_is_refused():
    data = wire.event_to_dict(opened().history[0])
    data["kind"] = "ticket_teleported"
    with pytest.raises(tc.ValidationError) as caught:
        wire.event_from_dict(data)
    assert caught.value.code is tc.ErrorCode.INVALID_CHOICE
    assert caught.value.field == "kind"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("version",), "2", "ticket.version"),
        (("version",), True, "ticket.version"),
        (("subject",), None, "ticket.subject"),
        (("created_at",), "yesterday", "ticket.created_at"),
        (("created_at",), "2026-03-21T09:00:00", "ticket.created_at"),
        (("messages",), {}, "ticket.messages"),
        (("messages", 0, "internal"), "no", "ticket.messages[0].internal"),
        (("history", 0, "actor"), "sara", "ticket.history[0].actor"),
        (("references",), {"order": 1}, "ticket.references"),
    ],
)
def test_malformed_data_names_the_path(path, value, field):
    data = wire.ticket_to_dict(opened())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(tc.ValidationError) as caught:
        wire.ticket_from_dict(data)
    # malformed data is a format error, not the caller's wrong-typed argument
    assert caught.value.code is tc.ErrorCode.FORMAT_INVALID
    assert not isinstance(caught.value, TypeError)
    assert caught.value.field == field


def test_an_unknown_status_is_refused():
    data = wire.ticket_to_dict(opened())
    data["status"] = "opened"
    with pytest.raises(tc.ValidationError) as caught:
        wire.ticket_from_dict(data)
    assert caught.value.field == "status"


@pytest.mark.parametrize("text", ["not json", "[1, 2]", ""])
def test_text_that_is_not_a_json_object_is_refused(text):
    with pytest.raises(tc.ValidationError):
        wire.ticket_from_json(text)
    with pytest.raises(tc.ValidationError):
        wire.event_from_json(text)


def test_an_event_of_an_unknown_class_cannot_be_written():
    class Teleported(tc.Event):
        kind = "teleported"

    with pytest.raises(tc.ValidationError):
        wire.event_to_dict(Teleported(ticket_id="T-1", version=2, at=T0, actor=SARA))


@given(tcst.datetimes())
def test_microseconds_round_trip_exactly(moment):
    assert wire.from_utc_microseconds(wire.utc_microseconds(moment)) == moment


@given(
    tcst.datetimes(),
    tcst.datetimes(),
    st.sampled_from([UTC, TEHRAN, timezone(-timedelta(hours=5))]),
)
def test_microseconds_order_like_the_instants(first, second, zone):
    first = first.astimezone(zone)
    assert (wire.utc_microseconds(first) < wire.utc_microseconds(second)) == (first < second)


def test_microseconds_count_from_the_unix_epoch():
    assert wire.utc_microseconds(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert wire.utc_microseconds(datetime(1970, 1, 1, 3, 30, tzinfo=TEHRAN)) == 0
    assert wire.utc_microseconds(T0 + timedelta(microseconds=1)) % 1_000_000 == 1


def test_microseconds_refuse_naive_datetimes():
    with pytest.raises(tc.ValidationError) as caught:
        wire.utc_microseconds(datetime(2026, 3, 21, 9, 0))  # noqa: DTZ001 - the point
    assert caught.value.code is tc.ErrorCode.NAIVE_DATETIME
