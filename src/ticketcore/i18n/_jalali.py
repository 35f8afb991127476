"""The Jalali (Solar Hijri) calendar: pure arithmetic, no Babel.

Iran's official calendar is astronomical: a year starts on the day of the March equinox
as observed at Tehran. Over 1800-2200 CE that matches a simple arithmetic rule, the one
``jdatetime`` also follows: a Jalali year ``y`` is a leap year (Esfand has 30 days) when
``y % 33`` is one of 1, 5, 9, 13, 17, 22, 26 or 30. So every 33 years hold 8 leap years,
12 053 days in all. The test suite checks every day of 1800-2200 against ``jdatetime``.

>>> from datetime import date
>>> to_jalali(date(2026, 3, 21))
(1405, 1, 1)
>>> from_jalali(1404, 12, 29)
datetime.date(2026, 3, 20)
>>> is_jalali_leap_year(1403), is_jalali_leap_year(1404)
(True, False)
"""

from __future__ import annotations

from datetime import date

from ticketcore import _check
from ticketcore.errors import ErrorCode, ValidationError, wrong_type

__all__ = [
    "PERSIAN_MONTH_NAMES",
    "from_jalali",
    "is_jalali_leap_year",
    "jalali_month_length",
    "to_jalali",
]

PERSIAN_MONTH_NAMES: tuple[str, ...] = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
"""The month names as written in Iran, Farvardin (1) first."""

_CYCLE_YEARS = 33
_LEAP_REMAINDERS = frozenset({1, 5, 9, 13, 17, 22, 26, 30})
_LEAPS_PER_CYCLE = len(_LEAP_REMAINDERS)
_CYCLE_DAYS = 365 * _CYCLE_YEARS + _LEAPS_PER_CYCLE  # 12 053
# _LEAPS_UP_TO[r]: leap years among the remainders 1..r of one cycle.
_LEAPS_UP_TO: tuple[int, ...] = tuple(
    sum(1 for k in _LEAP_REMAINDERS if k <= r) for r in range(_CYCLE_YEARS)
)
_LONG_MONTHS = 6  # Farvardin to Shahrivar have 31 days, Mehr to Bahman 30
_LONG_MONTHS_DAYS = 31 * _LONG_MONTHS
# Month m (1-based) starts _MONTH_STARTS[m - 1] days after 1 Farvardin.
_MONTH_STARTS: tuple[int, ...] = tuple(
    31 * min(m, _LONG_MONTHS) + 30 * max(m - _LONG_MONTHS, 0) for m in range(12)
)


def is_jalali_leap_year(year: int) -> bool:
    """Whether the Jalali ``year`` has 366 days (a 30-day Esfand)."""
    _check.integer(year, "year")
    return year % _CYCLE_YEARS in _LEAP_REMAINDERS


def jalali_month_length(year: int, month: int) -> int:
    """Days in a Jalali month: 31 for months 1-6, 30 for 7-11, 29 or 30 for Esfand."""
    _check.integer(year, "year")
    _check_range("month", month, 12)
    if month <= _LONG_MONTHS:
        return 31
    if month < len(PERSIAN_MONTH_NAMES):
        return 30
    return 30 if is_jalali_leap_year(year) else 29


def _leap_years_through(year: int) -> int:
    """How many leap years lie in 1..year (a running count, also right below year 1)."""
    cycles, remainder = divmod(year, _CYCLE_YEARS)
    return _LEAPS_PER_CYCLE * cycles + _LEAPS_UP_TO[remainder]


def _days_before_year(year: int) -> int:
    """Days from 1 Farvardin of year 1 to 1 Farvardin of ``year``."""
    return 365 * (year - 1) + _leap_years_through(year - 1)


# The anchor: Nowruz 1403 fell on 20 March 2024 (Gregorian ordinal numbering).
_EPOCH_ORDINAL = date(2024, 3, 20).toordinal() - _days_before_year(1403)


def to_jalali(day: date) -> tuple[int, int, int]:
    """Convert a Gregorian ``date`` (or the date part of a datetime) to ``(y, m, d)``.

    Exact for every day of 1800-2200 CE; outside that range it extends the same
    arithmetic rule, which may differ by a day from the astronomical calendar.
    """
    if not isinstance(day, date):
        raise wrong_type("day", "date", day)
    days = day.toordinal() - _EPOCH_ORDINAL  # days since 1 Farvardin of year 1
    # An estimate from the mean year length, then at most one step back.
    year = (days * _CYCLE_YEARS) // _CYCLE_DAYS + 1
    while _days_before_year(year) > days:
        year -= 1
    while _days_before_year(year + 1) <= days:
        year += 1
    day_of_year = days - _days_before_year(year)  # 0-based
    if day_of_year < _LONG_MONTHS_DAYS:
        month = 1 + day_of_year // 31
    else:
        month = 1 + _LONG_MONTHS + (day_of_year - _LONG_MONTHS_DAYS) // 30
    return year, month, day_of_year - _MONTH_STARTS[month - 1] + 1


def from_jalali(year: int, month: int, day: int) -> date:
    """Convert a Jalali date to a Gregorian :class:`~datetime.date`.

    Raises :class:`~ticketcore.ValidationError` (code ``invalid_choice``) for a month
    outside 1-12, a day outside the month, or a date outside Python's date range.
    """
    _check.integer(year, "year", minimum=-(10**6), maximum=10**6)
    _check_range("month", month, 12)
    _check_range("day", day, jalali_month_length(year, month))
    ordinal = _EPOCH_ORDINAL + _days_before_year(year) + _MONTH_STARTS[month - 1] + day - 1
    if not date.min.toordinal() <= ordinal <= date.max.toordinal():
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"Jalali year {year} is outside the supported date range",
            field="year",
            params={"value": str(year), "valid": "years convertible to 1-9999 CE"},
        )
    return date.fromordinal(ordinal)


def _check_range(field: str, value: int, highest: int) -> None:
    _check.integer(value, field)
    if not 1 <= value <= highest:
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"{field} must be an integer from 1 to {highest}, not {value!r}",
            field=field,
            params={"value": repr(value), "valid": f"1-{highest}"},
        )
