"""Tickets and events as JSON-compatible dicts: a stable, versioned wire format.

Storage adapters, exports and message queues use this one format, so a ticket written
by one of them can be read by any other (and by programs in other languages).

>>> from datetime import datetime, timezone
>>> import ticketcore as tc
>>> from ticketcore import serialization
>>> at = datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc)
>>> ticket = tc.Ticket.open(
...     tc.Actor.requester("sara"), id="T-1", subject="Payment failed", body="Twice.", at=at
... ).ticket
>>> data = serialization.ticket_to_dict(ticket)
>>> data["format"], data["status"], data["created_at"]
(1, 'open', '2026-03-21T09:00:00+00:00')
>>> serialization.ticket_from_dict(data) == ticket
True

The format, version 1:

- a ticket is an object with ``format`` (the integer :data:`FORMAT_VERSION`), its
  fields (``id``, ``requester_id``, ``subject``, ``category``, ``priority``,
  ``status``, ``assignee_id``, ``created_at``, ``updated_at``, ``version``,
  ``references``), its ``messages`` and its ``history`` (a list of events);
- an event is an object with ``kind`` (``ticket_opened``, ``message_added``,
  ``status_changed``, ``priority_changed``, ``category_changed``,
  ``assignee_changed``), ``ticket_id``, ``version``, ``at``, ``actor`` and the fields
  of its kind; a standalone event (:func:`event_to_dict`) also carries ``format``;
- enums are their wire names (``"in_progress"``); an actor is ``{"id", "role"}``; a
  message is ``{"id", "author", "body", "at", "internal", "attachments"}``; an
  attachment is ``{"filename", "content_type", "size", "sha256"}``;
- datetimes are ISO 8601 strings with the UTC offset they carried
  (``2026-03-21T12:30:00+03:30``); a reader gets the exact instant with a fixed
  offset (a zone's name, such as ``Asia/Tehran``, is not kept).

Readers accept every format version up to their own and refuse newer ones with a
:class:`~ticketcore.ValidationError`; malformed data is a ``ValidationError`` naming the
offending path. Reading does not re-run the domain's checks (stored tickets were checked
when they were made); use :meth:`Ticket.replay` on the history to verify imported data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ticketcore import _check
from ticketcore._frozenmap import FrozenMap
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import ErrorCode, ValidationError, _short, out_of_range, wrong_type
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    RequesterErased,
    StatusChanged,
    TicketOpened,
)
from ticketcore.model import Actor, Attachment, Message
from ticketcore.ticket import Ticket

__all__ = [
    "FORMAT_VERSION",
    "ThreadSource",
    "event_from_dict",
    "event_from_json",
    "event_to_dict",
    "event_to_json",
    "from_utc_microseconds",
    "ticket_from_dict",
    "ticket_from_json",
    "ticket_state_from_dict",
    "ticket_state_from_json",
    "ticket_state_to_dict",
    "ticket_state_to_json",
    "ticket_to_dict",
    "ticket_to_json",
    "utc_microseconds",
]

#: The version of the wire format this release writes (and the newest it reads).
FORMAT_VERSION = 1

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

JSONObject = dict[str, Any]


# -- instants as integers ----------------------------------------------------------------


def utc_microseconds(moment: datetime) -> int:
    """An aware datetime as whole microseconds since 1970-01-01 UTC (exact, sortable).

    >>> utc_microseconds(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
    1000000
    """
    if not isinstance(moment, datetime):
        raise wrong_type("at", "datetime", moment)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            ErrorCode.NAIVE_DATETIME,
            f"a stored datetime must be timezone-aware (got naive {moment.isoformat()})",
            field="at",
            params={"value": moment.isoformat()},
        )
    return (moment - _EPOCH) // _MICROSECOND


def from_utc_microseconds(value: int) -> datetime:
    """The inverse of :func:`utc_microseconds`, in UTC."""
    _check.integer(value, "value")
    try:
        return _EPOCH + value * _MICROSECOND
    except OverflowError:
        raise out_of_range("value", value, "microseconds within the years 1 to 9999") from None


# -- writing -------------------------------------------------------------------------------


def ticket_to_dict(ticket: Ticket) -> JSONObject:
    """``ticket`` (any ticket value, including a :meth:`~Ticket.visible_to` view)."""
    _check.instance(ticket, Ticket, "ticket")
    return {
        "format": FORMAT_VERSION,
        "id": ticket.id,
        "requester_id": ticket.requester_id,
        "subject": ticket.subject,
        "category": ticket.category.value,
        "priority": ticket.priority.value,
        "status": ticket.status.value,
        "assignee_id": ticket.assignee_id,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "version": ticket.version,
        "references": dict(ticket.references),
        "messages": [_message_out(message) for message in ticket.messages],
        "history": [_event_out(event) for event in ticket.history],
    }


def ticket_state_to_dict(ticket: Ticket) -> JSONObject:
    """``ticket``'s state without its thread: what a store keeps in a ticket's row.

    The fields of :func:`ticket_to_dict` except ``messages`` and ``history``, which
    become their lengths; ``summary`` (what the thread adds up to: the highest public
    and note numbers, how many notes, how many unpublished reasons, the last change a
    requester sees) and, once an SLA policy has evaluated the ticket, ``clocks`` (its
    folded SLA clocks, under the policy's fingerprint). Read it back with
    :func:`ticket_state_from_dict` and a :class:`ThreadSource`.
    """
    _check.instance(ticket, Ticket, "ticket")
    summary = ticket.summary()
    data: JSONObject = {
        "format": FORMAT_VERSION,
        "kind": "ticket_state",
        "id": ticket.id,
        "requester_id": ticket.requester_id,
        "subject": ticket.subject,
        "category": ticket.category.value,
        "priority": ticket.priority.value,
        "status": ticket.status.value,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "version": ticket.version,
        "references": dict(ticket.references),
        "messages": len(ticket.messages),
        "events": len(ticket.history),
        "summary": [
            summary.public_number,
            summary.note_number,
            summary.notes,
            summary.private_reasons,
            _public_updated_out(summary.public_updated_at, ticket.updated_at),
        ],
    }
    if ticket.assignee_id is not None:  # left out when unassigned: state rows stay small
        data["assignee_id"] = ticket.assignee_id
    clocks = _stored_clocks(ticket)
    if clocks is not None:
        # what the state already says is left out of the clocks, and read back from it
        for key, value in _clock_defaults(data).items():
            if clocks.get(key) == value:
                del clocks[key]
        data["clocks"] = clocks
    return data


def _public_updated_out(public_updated_at: datetime | None, updated_at: datetime) -> object:
    """The last change a requester sees: ``true`` when it is the last change of all."""
    if public_updated_at is None:
        return None
    if public_updated_at == updated_at and public_updated_at.utcoffset() == updated_at.utcoffset():
        return True
    return public_updated_at.isoformat()


def _clock_defaults(state: Mapping[str, Any]) -> dict[str, object]:
    """The fields of stored clocks that a state record holds already, as they are."""
    from ticketcore import _clocks  # noqa: PLC0415 - only where clocks are stored

    return {
        "count": state["events"],
        "last_at": _clocks.us_of(datetime.fromisoformat(state["updated_at"])),
        "status": state["status"],
        "priority": state["priority"],
    }


def _stored_clocks(ticket: Ticket) -> JSONObject | None:
    from ticketcore import _clocks  # noqa: PLC0415 - only once a policy has folded clocks

    clocks = ticket._clocks  # noqa: SLF001 - the SLA's cache, stored with the state
    if isinstance(clocks, _clocks.StoredClocks):
        return {"policy": clocks.fingerprint, **clocks.data}
    if isinstance(clocks, _clocks.Clocks):
        fingerprint = getattr(clocks.policy, "fingerprint", None)
        if isinstance(fingerprint, str):
            return {"policy": fingerprint, **_clocks.to_data(clocks)}
    return None


def ticket_state_to_json(ticket: Ticket) -> str:
    """:func:`ticket_state_to_dict` as compact JSON text."""
    return _dumps(ticket_state_to_dict(ticket))


def event_to_dict(event: Event) -> JSONObject:
    """One event, standalone (with ``format``), as an outbox or a queue carries it."""
    _check.instance(event, Event, "event")
    return {"format": FORMAT_VERSION, **_event_out(event)}


def ticket_to_json(ticket: Ticket) -> str:
    """:func:`ticket_to_dict` as compact JSON text (UTF-8 safe, keys sorted)."""
    return _dumps(ticket_to_dict(ticket))


def event_to_json(event: Event) -> str:
    """:func:`event_to_dict` as compact JSON text."""
    return _dumps(event_to_dict(event))


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, check_circular=False
)


def _dumps(data: JSONObject) -> str:
    return _ENCODER.encode(data)


def _actor_out(actor: Actor) -> JSONObject:
    return {"id": actor.id, "role": actor.role.value}


def _attachment_out(attachment: Attachment) -> JSONObject:
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def _message_out(message: Message) -> JSONObject:
    return {
        "id": message.id,
        "author": _actor_out(message.author),
        "body": message.body,
        "at": message.at.isoformat(),
        "internal": message.internal,
        "attachments": [_attachment_out(item) for item in message.attachments],
    }


def _event_out(event: Event) -> JSONObject:
    fields = _EVENT_FIELDS_OUT.get(type(event))
    if fields is None:
        raise wrong_type("event", "an event kind of the wire format", event)
    return {
        "kind": event.kind,
        "ticket_id": event.ticket_id,
        "version": event.version,
        "at": event.at.isoformat(),
        "actor": _actor_out(event.actor),
        **fields(event),
    }


def _opened_out(event: TicketOpened) -> JSONObject:
    return {
        "requester_id": event.requester_id,
        "subject": event.subject,
        "category": event.category.value,
        "priority": event.priority.value,
        "message": _message_out(event.message),
        "references": dict(event.references),
    }


def _message_added_out(event: MessageAdded) -> JSONObject:
    return {"message": _message_out(event.message)}


def _status_out(event: StatusChanged) -> JSONObject:
    out: JSONObject = {
        "from_status": event.from_status.value,
        "to_status": event.to_status.value,
        "reason": event.reason,
    }
    if event.reason_public:  # written only when set: format 1 readers stay in step
        out["reason_public"] = True
    return out


def _priority_out(event: PriorityChanged) -> JSONObject:
    return {"from_priority": event.from_priority.value, "to_priority": event.to_priority.value}


def _category_out(event: CategoryChanged) -> JSONObject:
    return {"from_category": event.from_category.value, "to_category": event.to_category.value}


def _assignee_out(event: AssigneeChanged) -> JSONObject:
    return {"from_assignee": event.from_assignee, "to_assignee": event.to_assignee}


_EVENT_FIELDS_OUT: dict[type[Event], Callable[[Any], JSONObject]] = {
    TicketOpened: _opened_out,
    MessageAdded: _message_added_out,
    StatusChanged: _status_out,
    PriorityChanged: _priority_out,
    CategoryChanged: _category_out,
    AssigneeChanged: _assignee_out,
    RequesterErased: lambda event: {"requester_id": event.requester_id},
}


# -- reading -------------------------------------------------------------------------------


def ticket_from_dict(data: Mapping[str, Any]) -> Ticket:
    """The ticket :func:`ticket_to_dict` wrote (any format version up to this one's)."""
    reader = _Reader(_check.mapping(data, "data"), "ticket")
    reader.check_format()
    return Ticket(
        id=reader.text("id"),
        requester_id=reader.text("requester_id"),
        subject=reader.text("subject"),
        category=Category(reader.text("category")),
        priority=Priority(reader.text("priority")),
        status=Status(reader.text("status")),
        assignee_id=reader.optional_text("assignee_id"),
        created_at=reader.moment("created_at"),
        updated_at=reader.moment("updated_at"),
        version=reader.integer("version"),
        references=reader.references("references"),
        messages=tuple(_message_in(item) for item in reader.objects("messages")),
        history=tuple(_event_in(item) for item in reader.objects("history")),
    )


class ThreadSource(Protocol):
    """Where a restored ticket reads its thread from, when something looks at it.

    Each method returns the items of ticket ``ticket_id`` up to ``version`` (the version
    the ticket was loaded at), oldest first; with ``public=True``, only those someone
    who may not read notes sees (no internal notes, nor the events that added them).
    """

    def thread_messages(self, ticket_id: str, version: int, *, public: bool) -> Sequence[Message]:
        """The ticket's messages."""
        ...

    def thread_events(self, ticket_id: str, version: int, *, public: bool) -> Sequence[Event]:
        """The ticket's history."""
        ...


def ticket_state_from_dict(data: Mapping[str, Any], source: ThreadSource) -> Ticket:
    """The ticket :func:`ticket_state_to_dict` wrote, whose ``messages`` and ``history``
    read from ``source`` only when used; its length, summary and clocks come with it."""
    from ticketcore import _clocks  # noqa: PLC0415 - stored clocks stay data until used
    from ticketcore._thread import Thread  # noqa: PLC0415
    from ticketcore.ticket import Summary  # noqa: PLC0415

    reader = _Reader(_check.mapping(data, "data"), "state")
    reader.check_format()
    if reader.text("kind") != "ticket_state":
        raise _malformed("state.kind", '"ticket_state"')
    ticket_id, version = reader.text("id"), reader.integer("version")
    messages, events = reader.integer("messages"), reader.integer("events")
    numbers = reader._get("summary")  # noqa: SLF001 - the reader of this module
    if not (
        isinstance(numbers, list)
        and len(numbers) == _SUMMARY_FIELDS
        and all(type(n) is int and n >= 0 for n in numbers[:4])
        and (numbers[4] is None or numbers[4] is True or isinstance(numbers[4], str))
        and 0 <= numbers[2] <= min(messages, events)
        and messages >= 1
        and events >= 1
    ):
        raise _malformed("state.summary", "the summary of a thread")
    public_updated = None
    if numbers[4] is True:
        public_updated = reader.moment("updated_at")
    elif numbers[4] is not None:
        public_updated = _Reader({"at": numbers[4]}, "state.summary").moment("at")
    summary = Summary(numbers[0], numbers[1], numbers[2], numbers[3], public_updated)
    notes = summary.notes

    def load_messages(*, public: bool) -> Callable[[], Sequence[Message]]:
        return lambda: source.thread_messages(ticket_id, version, public=public)

    def load_events(*, public: bool) -> Callable[[], Sequence[Event]]:
        return lambda: source.thread_events(ticket_id, version, public=public)

    ticket = Ticket(
        id=ticket_id,
        requester_id=reader.text("requester_id"),
        subject=reader.text("subject"),
        category=Category(reader.text("category")),
        priority=Priority(reader.text("priority")),
        status=Status(reader.text("status")),
        assignee_id=reader.optional_text("assignee_id") if "assignee_id" in reader.data else None,
        created_at=reader.moment("created_at"),
        updated_at=reader.moment("updated_at"),
        version=version,
        references=reader.references("references"),
        messages=Thread(
            messages,
            load_messages(public=False),
            public=(messages - notes, load_messages(public=True)),
        ),
        history=Thread(
            events, load_events(public=False), public=(events - notes, load_events(public=True))
        ),
    )
    object.__setattr__(ticket, "_summary", summary)
    stored = reader.data.get("clocks")
    if isinstance(stored, Mapping) and isinstance(stored.get("policy"), str):
        clocks = _clock_defaults(reader.data) | {
            key: value for key, value in stored.items() if key != "policy"
        }
        object.__setattr__(ticket, "_clocks", _clocks.StoredClocks(stored["policy"], clocks))
    return ticket


_SUMMARY_FIELDS = 5


def ticket_state_from_json(text: str | bytes, source: ThreadSource) -> Ticket:
    """The ticket :func:`ticket_state_to_json` wrote (see :func:`ticket_state_from_dict`)."""
    return ticket_state_from_dict(_loads(text, "state"), source)


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The event :func:`event_to_dict` wrote."""
    reader = _Reader(_check.mapping(data, "data"), "event")
    reader.check_format()
    return _event_in(reader)


def ticket_from_json(text: str | bytes) -> Ticket:
    """The ticket :func:`ticket_to_json` wrote."""
    return ticket_from_dict(_loads(text, "ticket"))


def event_from_json(text: str | bytes) -> Event:
    """The event :func:`event_to_json` wrote."""
    return event_from_dict(_loads(text, "event"))


def _loads(text: str | bytes, path: str) -> Mapping[str, Any]:
    if not isinstance(text, str | bytes):
        raise wrong_type("text", "str or bytes", text)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the interpreter's stack; never data of ours
        raise _format_error(path, "JSON text of an object") from None
    if not isinstance(data, dict):
        raise _malformed(path, "a JSON object")
    return data


def _format_error(path: str, expected: str) -> ValidationError:
    return ValidationError(
        ErrorCode.FORMAT_INVALID,
        f"{path} must be {expected}",
        field=path,
        params={"expected": expected},
    )


def _malformed(path: str, expected: str) -> ValidationError:
    return _format_error(path, expected)


class _Reader:
    """Typed access to one JSON object; every failure names the path that failed."""

    __slots__ = ("data", "path")

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise _malformed(path, "an object")
        self.data: Mapping[str, Any] = data
        self.path = path

    def _get(self, key: str) -> object:
        try:
            return self.data[key]
        except KeyError:
            raise _malformed(f"{self.path}.{key}", "present") from None

    def check_format(self) -> None:
        version = self.integer("format")
        if not 1 <= version <= FORMAT_VERSION:
            raise ValidationError(
                ErrorCode.INVALID_CHOICE,
                f"{self.path} has format {version}; this ticketcore reads formats 1 to"
                f" {FORMAT_VERSION}",
                field="format",
                params={"value": str(version), "valid": ", ".join(map(str, _FORMATS))},
            )

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise _malformed(f"{self.path}.{key}", "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is not None and not isinstance(value, str):
            raise _malformed(f"{self.path}.{key}", "a string or null")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _malformed(f"{self.path}.{key}", "an integer")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise _malformed(f"{self.path}.{key}", "true or false")
        return value

    def moment(self, key: str) -> datetime:
        text = self.text(key)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise _malformed(f"{self.path}.{key}", "an ISO 8601 datetime") from None
        if value.utcoffset() is None:
            raise _malformed(f"{self.path}.{key}", "a datetime with a UTC offset")
        return value

    def objects(self, key: str) -> list[_Reader]:
        value = self._get(key)
        if not isinstance(value, list):
            raise _malformed(f"{self.path}.{key}", "a list")
        return [_Reader(item, f"{self.path}.{key}[{index}]") for index, item in enumerate(value)]

    def child(self, key: str) -> _Reader:
        return _Reader(self._get(key), f"{self.path}.{key}")

    def references(self, key: str) -> FrozenMap[str, str]:
        value = self._get(key)
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise _malformed(f"{self.path}.{key}", "an object of strings")
        return FrozenMap(value)


_FORMATS = range(1, FORMAT_VERSION + 1)


def _actor_in(reader: _Reader) -> Actor:
    return Actor(reader.text("id"), Role(reader.text("role")))


def _attachment_in(reader: _Reader) -> Attachment:
    return Attachment(
        reader.text("filename"),
        reader.text("content_type"),
        reader.integer("size"),
        reader.text("sha256"),
    )


def _message_in(reader: _Reader) -> Message:
    return Message(
        id=reader.text("id"),
        author=_actor_in(reader.child("author")),
        body=reader.text("body"),
        at=reader.moment("at"),
        internal=reader.flag("internal"),
        attachments=tuple(_attachment_in(item) for item in reader.objects("attachments")),
    )


def _event_in(reader: _Reader) -> Event:
    kind = reader.text("kind")
    build = _EVENT_IN.get(kind)
    if build is None:
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"{reader.path}.kind {_short(kind)} is not an event kind",
            field="kind",
            params={"value": kind, "valid": ", ".join(_EVENT_IN)},
        )
    common: JSONObject = {
        "ticket_id": reader.text("ticket_id"),
        "version": reader.integer("version"),
        "at": reader.moment("at"),
        "actor": _actor_in(reader.child("actor")),
    }
    return build(reader, common)


def _opened_in(reader: _Reader, common: JSONObject) -> Event:
    return TicketOpened(
        **common,
        requester_id=reader.text("requester_id"),
        subject=reader.text("subject"),
        category=Category(reader.text("category")),
        priority=Priority(reader.text("priority")),
        message=_message_in(reader.child("message")),
        references=reader.references("references"),
    )


def _message_added_in(reader: _Reader, common: JSONObject) -> Event:
    return MessageAdded(**common, message=_message_in(reader.child("message")))


def _status_in(reader: _Reader, common: JSONObject) -> Event:
    return StatusChanged(
        **common,
        from_status=Status(reader.text("from_status")),
        to_status=Status(reader.text("to_status")),
        reason=reader.optional_text("reason"),
        # Written since 0.2; a reason stored without the flag stays with the team.
        reason_public=reader.flag("reason_public") if "reason_public" in reader.data else False,
    )


def _priority_in(reader: _Reader, common: JSONObject) -> Event:
    return PriorityChanged(
        **common,
        from_priority=Priority(reader.text("from_priority")),
        to_priority=Priority(reader.text("to_priority")),
    )


def _category_in(reader: _Reader, common: JSONObject) -> Event:
    return CategoryChanged(
        **common,
        from_category=Category(reader.text("from_category")),
        to_category=Category(reader.text("to_category")),
    )


def _assignee_in(reader: _Reader, common: JSONObject) -> Event:
    return AssigneeChanged(
        **common,
        from_assignee=reader.optional_text("from_assignee"),
        to_assignee=reader.optional_text("to_assignee"),
    )


_EVENT_IN: dict[str, Callable[[_Reader, JSONObject], Event]] = {
    TicketOpened.kind: _opened_in,
    MessageAdded.kind: _message_added_in,
    StatusChanged.kind: _status_in,
    PriorityChanged.kind: _priority_in,
    CategoryChanged.kind: _category_in,
    AssigneeChanged.kind: _assignee_in,
    RequesterErased.kind: lambda reader, common: RequesterErased(
        **common, requester_id=reader.text("requester_id")
    ),
}
