"""Time-zone names, parsed one way everywhere (calendars, labels, the command line)."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ticketcore.errors import ErrorCode, ValidationError, wrong_type

__all__ = ["zone"]

_LONGEST_NAME = 255


def zone(value: object, field: str = "tz", *, any_tzinfo: bool = False) -> ZoneInfo:
    """The IANA zone ``value`` names (or ``value`` itself, if it is a ``ZoneInfo``).

    ``any_tzinfo=True`` also accepts any other ``tzinfo`` (``timezone.utc``, say). An
    unknown or malformed name is ``time_zone_unknown``; anything but text is
    ``invalid_type``.
    """
    if isinstance(value, ZoneInfo) or (any_tzinfo and isinstance(value, tzinfo)):
        return value  # type: ignore[return-value]
    if not isinstance(value, str):
        raise wrong_type(field, "an IANA time zone name", value)
    try:
        return ZoneInfo(value if value and len(value) <= _LONGEST_NAME else "\x00")
    # ZoneInfo raises ValueError for malformed keys ("../x", NUL), OSError for names of
    # directories or unreadable files, and ZoneInfoNotFoundError for the rest.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            ErrorCode.TIME_ZONE_UNKNOWN,
            f"unknown time zone {value[:60]!r}",
            field=field,
            params={"value": value[:60]},
        ) from None
