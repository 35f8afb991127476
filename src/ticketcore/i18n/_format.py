"""Dates, durations and numbers for people: Babel underneath, Jalali for Persian."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Literal

from ticketcore._digits import localize_digits
from ticketcore._time import require_aware
from ticketcore._zones import zone
from ticketcore.errors import ErrorCode, ValidationError, wrong_type
from ticketcore.i18n._catalog import translations
from ticketcore.i18n._jalali import PERSIAN_MONTH_NAMES, to_jalali
from ticketcore.i18n._locale import LocaleLike, parse_locale

if TYPE_CHECKING:  # Babel is imported on first use: `import ticketcore` must not pay for it
    from babel import Locale

__all__ = [
    "DateTimeFormat",
    "direction",
    "duration_parts",
    "format_bytes",
    "format_datetime",
    "format_duration",
    "format_number",
    "format_remaining",
]

DateTimeFormat = Literal["long", "short"]
_FORMATS = ("long", "short")
_MINUTE_US = 60_000_000
_HOUR_MINUTES = 60
_DAY_MINUTES = 24 * 60
_PLAIN_DIGITS = 100
_BYTE_UNITS = ("byte", "kilobyte", "megabyte", "gigabyte", "terabyte")


def format_datetime(
    dt: datetime,
    locale: LocaleLike,
    *,
    tz: str | tzinfo | None = None,
    format: DateTimeFormat = "long",  # noqa: A002 - the name Babel and the issue use
) -> str:
    """Format an aware datetime for ``locale``.

    Persian (any ``fa`` locale) gets the Jalali calendar, Persian month names and
    Persian digits, 24-hour time: ``۱ فروردین ۱۴۰۵، ۱۲:۰۰`` (``"long"``) or
    ``۱۴۰۵/۰۱/۰۱ ۱۲:۰۰`` (``"short"``). Every other locale gets Babel's Gregorian
    ``long`` or ``short`` datetime format (``March 21, 2026, 12:00:00 PM UTC``).

    ``tz`` (an IANA name such as ``"Asia/Tehran"`` or a ``tzinfo``) converts first; by
    default ``dt`` keeps its own zone. A naive ``dt`` raises
    :class:`~ticketcore.ValidationError` (``naive_datetime``), as do an unknown zone
    name (``time_zone_unknown``) and an unknown ``format`` (``invalid_choice``).
    """
    value = require_aware(dt, "datetime")
    if format not in _FORMATS:
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"format must be one of {', '.join(_FORMATS)}, not {format!r}",
            field="format",
            params={"value": str(format), "valid": ", ".join(_FORMATS)},
        )
    if tz is not None:
        value = value.astimezone(_zone(tz))
    loc = parse_locale(locale)
    if loc.language == "fa":
        text = _jalali_datetime(value, format)
    else:
        from babel.dates import format_datetime as babel_format_datetime  # noqa: PLC0415

        text = babel_format_datetime(value, format, locale=loc)
    return localize_digits(text, loc.default_numbering_system)


def format_duration(td: timedelta, locale: LocaleLike) -> str:
    """Format the length of ``td`` with at most two units, for SLA countdowns.

    Rounding, on the magnitude (the sign is ignored: see :func:`format_remaining`):
    to the nearest minute (half up); under an hour that is all (``15 minutes``); under
    a day, hours and minutes (``2 hours and 15 minutes``); from a day up, rounded to the
    nearest hour, days and hours (``3 days and 4 hours``). A zero unit is left out
    (``2 hours``); zero is ``0 minutes``. No weeks, months or years: ``400 days``.
    Units, plurals and the list word come from Babel for ``locale``; digits follow the
    locale's numbering system (Persian digits in ``fa``).
    """
    if not isinstance(td, timedelta):
        raise wrong_type("duration", "timedelta", td)
    return _duration_text(duration_parts(td), parse_locale(locale))


def format_remaining(deadline: datetime, now: datetime, locale: LocaleLike) -> str:
    """Say how long until ``deadline`` (or how long since it passed), seen at ``now``.

    ``2 hours and 15 minutes left`` / ``۲ ساعت و ۱۵ دقیقه مانده``, ``overdue by 3 hours``
    / ``۳ ساعت از مهلت گذشته``, and ``due now`` when the time left rounds to zero
    minutes. The duration is :func:`format_duration`'s. The difference is real elapsed
    time, so a daylight-saving change in between is accounted for. The sentence and
    its numbers are in ``locale`` when a catalog covers it, else in English. Both
    datetimes must be aware (:class:`~ticketcore.ValidationError` otherwise).
    """
    deadline = require_aware(deadline, "deadline")
    now = require_aware(now, "now")
    remaining = _elapsed(now, deadline)
    texts = translations(locale)
    parts = duration_parts(remaining)
    if parts == [("minute", 0)]:
        key = "due_now"
    else:
        key = "left" if remaining > timedelta(0) else "overdue"
    text = texts.fill("remaining", key, {"duration": lambda: _duration_text(parts, texts.locale)})
    return text if text is not None else key.replace("_", " ")


def format_number(
    number: int | float | Decimal,  # noqa: PYI041 - spelled out for readers
    locale: LocaleLike,
    *,
    latin_digits: bool = False,
) -> str:
    """Format a quantity with the locale's symbols and digits: ``۱٬۲۳۴٫۵`` in ``fa``.

    Babel's standard decimal pattern (grouping, at most three fraction digits);
    magnitudes of 10**100 and more switch to Babel's scientific format. NaN and
    infinities are Babel's words and symbols for them. ``latin_digits=True`` uses ASCII
    digits and the Latin symbols instead (``1,234.5``). Not for identifiers: a ticket
    number is shown as-is, never grouped or transliterated.
    """
    from babel.numbers import format_decimal, format_scientific  # noqa: PLC0415

    if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
        raise wrong_type("number", "int, float or Decimal", number)
    loc = parse_locale(locale)
    system = "latn" if latin_digits else loc.default_numbering_system
    value = _exact(number)
    if value.is_finite() and value.adjusted() >= _PLAIN_DIGITS:
        text = format_scientific(value, locale=loc, numbering_system=system)
    else:
        with localcontext() as context:
            # Babel rounds to 3 fraction digits in the current context: give it room.
            context.prec = max(context.prec, value.adjusted() + 8 if value.is_finite() else 0)
            text = format_decimal(value, locale=loc, numbering_system=system)
    return localize_digits(text, system)


def _exact(number: int | float | Decimal) -> Decimal:  # noqa: PYI041
    if isinstance(number, float):
        return Decimal(repr(number))  # the shortest repr: 0.1 stays 0.1
    value = Decimal(number)
    return Decimal("NaN") if value.is_snan() else value  # a signalling NaN traps in Babel


def format_bytes(size: int | float | Decimal, locale: LocaleLike) -> str:  # noqa: PYI041
    """A byte count in the largest fitting binary unit: 10485760 -> ``10 megabytes``."""
    from babel.units import format_unit  # noqa: PLC0415

    loc = parse_locale(locale)
    value = float(size)
    unit = 0
    while abs(value) >= 1024 and unit < len(_BYTE_UNITS) - 1:  # noqa: PLR2004 - 1 KB
        value /= 1024
        unit += 1
    text = format_unit(
        value,
        f"digital-{_BYTE_UNITS[unit]}",
        length="long",
        format="#,##0.#",
        locale=loc,
        numbering_system="default",
    )
    return localize_digits(text, loc.default_numbering_system)


def direction(locale: LocaleLike) -> Literal["rtl", "ltr"]:
    """``"rtl"`` for right-to-left scripts (``fa``, ``ar``, ``he``), else ``"ltr"``."""
    return "rtl" if parse_locale(locale).character_order == "right-to-left" else "ltr"


def duration_parts(td: timedelta) -> list[tuple[str, int]]:
    """The (unit, amount) pairs :func:`format_duration` shows, largest first."""
    micro = abs((td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds)
    minutes = (micro + _MINUTE_US // 2) // _MINUTE_US
    if minutes < _HOUR_MINUTES:
        return [("minute", minutes)]
    if minutes < _DAY_MINUTES:
        hours, rest = divmod(minutes, _HOUR_MINUTES)
        return [("hour", hours), ("minute", rest)] if rest else [("hour", hours)]
    hour_us = _HOUR_MINUTES * _MINUTE_US  # rounded from the exact time, not the minutes
    days, hours = divmod((micro + hour_us // 2) // hour_us, 24)
    return [("day", days), ("hour", hours)] if hours else [("day", days)]


def _duration_text(parts: list[tuple[str, int]], loc: Locale) -> str:
    from babel.lists import format_list  # noqa: PLC0415
    from babel.units import format_unit  # noqa: PLC0415

    words = [
        format_unit(
            amount, f"duration-{unit}", length="long", locale=loc, numbering_system="default"
        )
        for unit, amount in parts
    ]
    return localize_digits(format_list(words, locale=loc), loc.default_numbering_system)


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """``end - start`` in real time, without converting (so no overflow near year 1)."""
    wall = end.replace(tzinfo=None) - start.replace(tzinfo=None)
    return wall - (_offset(end) - _offset(start))


def _offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    return offset if offset is not None else timedelta(0)


def _jalali_datetime(value: datetime, format: DateTimeFormat) -> str:  # noqa: A002
    year, month, day = to_jalali(value)
    clock = f"{value.hour:02d}:{value.minute:02d}"
    if format == "short":
        return f"{year}/{month:02d}/{day:02d} {clock}"
    return f"{day} {PERSIAN_MONTH_NAMES[month - 1]} {year}، {clock}"


def _zone(tz: object) -> tzinfo:
    return zone(tz, any_tzinfo=True)
