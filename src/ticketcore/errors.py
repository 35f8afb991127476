"""The one exception hierarchy of ticketcore.

Every error the library raises on purpose is a :class:`TicketcoreError`. Each carries a
stable, machine-readable :attr:`~TicketcoreError.code` (an :class:`ErrorCode`), the
``field`` (or transition) involved, and ``params`` for filling a localized message, so a
host can show the user something better than an English sentence.

>>> import ticketcore as tc
>>> try:
...     tc.Status("opened")
... except tc.ValidationError as error:
...     print(error.code, error.field, error.params["valid"])
invalid_choice status open, in_progress, waiting_for_user, resolved, closed

Validation errors are also :class:`ValueError`, and those for an argument of the wrong
type (code ``invalid_type``) are :class:`InvalidTypeError`, also a :class:`TypeError`;
permission errors are also :class:`PermissionError` and a missing ticket is also a
:class:`LookupError`, so code that catches the built-in exceptions keeps working.

>>> try:
...     tc.Actor.requester(42)
... except TypeError as error:
...     print(type(error).__name__, error.code, error.field)
InvalidTypeError invalid_type actor.id
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import EnumType, StrEnum
from types import MappingProxyType
from typing import Any

__all__ = [
    "ConflictError",
    "ErrorCode",
    "InvalidTypeError",
    "NotFoundError",
    "PermissionDeniedError",
    "RecordUnreadableError",
    "StorageError",
    "StorageUnavailableError",
    "TicketcoreError",
    "TransitionError",
    "ValidationError",
]


class _StrictLookup(EnumType):
    """An enum type whose lookup refuses a non-string at once, with the class's own
    ``_not_a_name`` error: the enum machinery would first build a message from the
    value's repr, which can fail (a list nested 100,000 deep) or cost a lot."""

    def __call__(cls, value: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        if not args and not kwargs and not isinstance(value, str):
            raise cls._not_a_name(value)  # type: ignore[attr-defined]
        return super().__call__(value, *args, **kwargs)


class ErrorCode(StrEnum, metaclass=_StrictLookup):
    """Every code a :class:`TicketcoreError` can carry. Values are stable wire names."""

    # -- values and enums
    INVALID_CHOICE = "invalid_choice"
    INVALID_TYPE = "invalid_type"
    OUT_OF_RANGE = "out_of_range"
    INVALID_IDENTIFIER = "invalid_identifier"
    INVALID_CURSOR = "invalid_cursor"
    FORMAT_INVALID = "format_invalid"
    # -- time
    NAIVE_DATETIME = "naive_datetime"
    TIME_WENT_BACKWARDS = "time_went_backwards"
    # -- text
    SUBJECT_REQUIRED = "subject_required"
    SUBJECT_TOO_LONG = "subject_too_long"
    BODY_REQUIRED = "body_required"
    BODY_TOO_LONG = "body_too_long"
    CONTROL_CHARACTER = "control_character"
    BIDI_CONTROL = "bidi_control"
    TEXT_TOO_LONG = "text_too_long"
    # -- attachments
    FILENAME_INVALID = "filename_invalid"
    FILENAME_TOO_LONG = "filename_too_long"
    ATTACHMENT_EMPTY = "attachment_empty"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    CONTENT_TYPE_INVALID = "content_type_invalid"
    CONTENT_TYPE_NOT_ALLOWED = "content_type_not_allowed"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    ATTACHMENTS_REQUIRED = "attachments_required"
    CHECKSUM_INVALID = "checksum_invalid"
    # -- references
    TOO_MANY_REFERENCES = "too_many_references"
    REFERENCE_KEY_INVALID = "reference_key_invalid"
    REFERENCE_VALUE_INVALID = "reference_value_invalid"
    # -- workflow and permissions
    WORKFLOW_INVALID = "workflow_invalid"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    TICKET_CLOSED = "ticket_closed"
    NOT_YOUR_TICKET = "not_your_ticket"
    ACTION_NOT_ALLOWED = "action_not_allowed"
    REQUESTER_REQUIRED = "requester_required"
    NO_CHANGE = "no_change"
    HISTORY_INVALID = "history_invalid"
    # -- business calendars and SLA policies
    CALENDAR_INVALID = "calendar_invalid"
    INTERVAL_INVALID = "interval_invalid"
    INTERVALS_OVERLAP = "intervals_overlap"
    CALENDAR_NEVER_OPEN = "calendar_never_open"
    TIME_ZONE_UNKNOWN = "time_zone_unknown"
    POLICY_INVALID = "policy_invalid"
    # -- storage
    NOT_FOUND = "not_found"
    ATTACHMENT_NOT_FOUND = "attachment_not_found"
    CONFLICT = "conflict"
    ALREADY_EXISTS = "already_exists"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    STORAGE_INVALID = "storage_invalid"
    RECORD_UNREADABLE = "record_unreadable"

    @classmethod
    def _not_a_name(cls, value: object) -> InvalidTypeError:
        return wrong_type("code", "an error code name", value)

    @classmethod
    def _missing_(cls, value: object) -> ErrorCode:
        raise ValidationError(
            cls.INVALID_CHOICE,
            f"{_short(value)} is not an error code",
            field="code",
            params={"value": _short(value)},
        )


def _short(value: object, limit: int = 60) -> str:
    """A repr of ``value`` for a message: never fails, never longer than ``limit``."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr may fail (ints past 4,300 digits, say)
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TicketcoreError(Exception):
    """Base of every error ticketcore raises on purpose.

    ``code`` is stable across releases; ``field`` names the offending input (``None``
    when the error is about no single field); ``params`` holds the values a localized
    message needs (limits, lengths, valid choices). ``str(error)`` is an English
    sentence for logs, not for end users: see :func:`ticketcore.i18n.message`.
    """

    code: ErrorCode
    field: str | None
    params: Mapping[str, Any]

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        code = ErrorCode(code)
        if not isinstance(message, str):
            raise _wrong_type("message", "str", message)
        if field is not None and not isinstance(field, str):
            raise _wrong_type("field", "str or None", field)
        if params is not None and not isinstance(params, Mapping):
            raise _wrong_type("params", "a mapping or None", params)
        super().__init__(message)
        self.code = code
        self.field = field
        self.params = MappingProxyType(dict(params or {}))

    @property
    def message(self) -> str:
        """The English sentence the error was raised with."""
        return str(self.args[0])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code.value!r}, field={self.field!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (multiprocessing workers send them back to a parent).
        return (_rebuild, (type(self), self.code, self.message, self.field, dict(self.params)))


def _rebuild(
    cls: type[TicketcoreError],
    code: ErrorCode,
    message: str,
    field: str | None,
    params: dict[str, Any],
) -> TicketcoreError:
    return cls(code, message, field=field, params=params)


class ValidationError(TicketcoreError, ValueError):
    """An input value is malformed or out of bounds; nothing was changed."""


class InvalidTypeError(ValidationError, TypeError):
    """An argument of the wrong type (code ``invalid_type``); also a :class:`TypeError`."""


def wrong_type(field: str, expected: str, value: object) -> InvalidTypeError:
    """The error for ``value`` passed as ``field`` where ``expected`` was wanted."""
    return _wrong_type(field, expected, value)


def _wrong_type(field: str, expected: str, value: object) -> InvalidTypeError:
    kind = type(value).__name__
    return InvalidTypeError(
        ErrorCode.INVALID_TYPE,
        f"{field} must be {_article(expected)}, not {kind}",
        field=field,
        params={"expected": expected, "type": kind},
    )


def _article(expected: str) -> str:
    # "a str", "an Actor"; phrases ("true or false", "a positive int") are used as given
    if " " in expected:
        return expected
    return f"{'an' if expected[:1] in tuple('AEIOUaeiou') else 'a'} {expected}"


def out_of_range(field: str, value: object, expected: str) -> ValidationError:
    """The error for a value of the right type outside what ``field`` accepts."""
    return ValidationError(
        ErrorCode.OUT_OF_RANGE,
        f"{field} must be {expected}, not {_short(value)}",
        field=field,
        params={"value": _short(value), "expected": expected},
    )


class TransitionError(TicketcoreError):
    """The workflow does not allow this status change (or any change to a closed ticket)."""


class PermissionDeniedError(TicketcoreError, PermissionError):
    """The actor may not do this (for example, a requester acting on another's ticket)."""


class StorageError(TicketcoreError):
    """Base of the errors a storage adapter raises."""


class NotFoundError(StorageError, LookupError):
    """No ticket (or attachment) with that id."""


class ConflictError(StorageError):
    """A save was based on a stale version, or an id is already taken; nothing was written."""


class StorageUnavailableError(StorageError):
    """The storage back end cannot be reached or failed; retrying later may succeed."""


class RecordUnreadableError(StorageError):
    """A stored record (a ticket row, an event) cannot be read back: it is damaged or was
    written by something else. Retrying does not help; ``params["ticket_id"]`` names the
    ticket, ``params["problem"]`` says what is wrong."""
