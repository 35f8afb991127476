"""Small helpers for the library's one rule about time: every datetime is aware."""

from __future__ import annotations

from datetime import datetime

from ticketcore.errors import ErrorCode, ValidationError, wrong_type

__all__ = ["require_aware"]


def require_aware(value: object, field: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime; raise ValidationError otherwise.

    A naive datetime is never guessed to be UTC or local time: the caller must say.
    """
    if not isinstance(value, datetime):
        raise wrong_type(field, "datetime", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            ErrorCode.NAIVE_DATETIME,
            f"{field} must be timezone-aware (got naive {value.isoformat()})",
            field=field,
            params={"value": value.isoformat()},
        )
    return value
