"""Business calendars: when a team works, and how much working time lies between instants.

A :class:`BusinessCalendar` holds weekly working hours in one time zone, with holidays
and per-date overrides. It answers the questions an SLA asks: when is a deadline that is
``N`` working hours away, how much working time has passed, is the team at work now.

>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> london = ZoneInfo("Europe/London")
>>> cal = BusinessCalendar.weekly(
...     {day: [("09:00", "12:00"), ("13:00", "17:00")] for day in range(5)},
...     tz=london,
... )
>>> cal
BusinessCalendar(tz='Europe/London', hours='Mon-Fri 09:00-12:00 13:00-17:00')
>>> friday_4pm = datetime(2026, 3, 6, 16, 0, tzinfo=london)
>>> cal.add(friday_4pm, timedelta(hours=2))
datetime.datetime(2026, 3, 9, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/London'))
>>> cal.between(friday_4pm, datetime(2026, 3, 9, 10, 0, tzinfo=london))
datetime.timedelta(seconds=7200)

The rules, in full:

- Working hours are wall-clock intervals ``[start, end)`` in the calendar's zone; an end
  of ``time(0)`` or ``"24:00"`` is the next midnight. A day's hours are its override if
  it has one, else nothing if it is a holiday, else its weekday's hours.
- Each interval end becomes a real instant as ``datetime.combine(day, t, tzinfo=zone)``
  does (``fold=0``: a wall time skipped by a DST change counts with the offset before
  the change, a repeated one at its first occurrence). A day's working time never leaves
  that day, from its midnight to the next (resolved the same way).
- Working time is real elapsed time: a 00:00-24:00 day is 23 or 25 hours long on DST days.
- ``add`` and ``next_open`` give up with ``calendar_never_open`` after
  ``CLOSED_DAYS_LIMIT`` (1830, about five years) consecutive days without working time.
- Arithmetic is exact to the microsecond, for instants whose local date (in the
  calendar's zone) falls in the years 2 to 9998. An argument outside them, or an answer
  that would be, is a :class:`~ticketcore.ValidationError` with code ``out_of_range``
  naming the argument.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Final, TypeAlias, TypeGuard
from zoneinfo import ZoneInfo

import attrs

from ticketcore import _check
from ticketcore._calendar_engine import (
    CLOSED_DAYS_LIMIT,
    DAY_US,
    MAX_YEAR,
    MIN_YEAR,
    Engine,
    WallIntervals,
    YearOutOfRangeError,
    from_us,
    to_us,
)
from ticketcore._time import require_aware
from ticketcore._zones import zone
from ticketcore.errors import ErrorCode, ValidationError, _short, out_of_range, wrong_type

__all__ = ["CLOSED_DAYS_LIMIT", "BusinessCalendar", "DayHours", "TimeOfDay", "WeeklyHours"]

TimeOfDay: TypeAlias = time | str
"""A wall-clock time: ``time(9, 30)`` or ``"09:30"`` (``"HH:MM[:SS[.ffffff]]"``)."""
DayHours: TypeAlias = Iterable[Sequence[TimeOfDay]]
"""One day's working intervals: ``(start, end)`` pairs, any number (lunch breaks)."""
WeeklyHours: TypeAlias = Mapping[int, DayHours]
"""Working intervals per weekday, Monday 0 to Sunday 6 (``date.weekday()``)."""

_ONE_US: Final = timedelta(microseconds=1)
_US_PER_SECOND: Final = 1_000_000
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TIME_PATTERN: Final = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?")
_HOURS_PER_DAY: Final = 24
_MINUTES_PER_HOUR: Final = 60
_PAIR: Final = 2
_IN_YEARS: Final = f"in the years {MIN_YEAR} to {MAX_YEAR} of the calendar's zone"


@attrs.frozen(repr=False)
class BusinessCalendar:
    """Working hours in one time zone, with holidays and overrides. Immutable.

    Build one with :meth:`weekly`, :meth:`always` or :meth:`iran`. Every method takes
    timezone-aware datetimes in any zone and answers in the calendar's zone, :attr:`tz`.
    A ``holidays`` package calendar is read one year at a time, on first use; later
    changes to it are not seen.

    Calling the class itself takes the parts in their checked, internal form (a
    :class:`~zoneinfo.ZoneInfo`, seven days of sorted microsecond intervals...) and
    rejects anything else; the builders are the way to make one.
    """

    tz: ZoneInfo
    _weekly: tuple[WallIntervals, ...]
    _holiday_dates: frozenset[date]
    _holiday_calendar: Container[date] | None = attrs.field(hash=False)
    _overrides: tuple[tuple[date, WallIntervals], ...]
    _engine: Engine = attrs.field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        _check_parts(
            self.tz, self._weekly, self._holiday_dates, self._holiday_calendar, self._overrides
        )
        engine = Engine(
            self.tz,
            self._weekly,
            self._holiday_dates,
            self._holiday_calendar,
            dict(self._overrides),
        )
        object.__setattr__(self, "_engine", engine)

    # -- building

    @classmethod
    def weekly(
        cls,
        hours: WeeklyHours,
        *,
        tz: str | ZoneInfo,
        holidays: Iterable[date] = (),
        overrides: Mapping[date, DayHours] | None = None,
    ) -> BusinessCalendar:
        """A calendar open the same hours every week, except on holidays and overrides.

        ``hours`` maps a weekday (Monday 0 ... Sunday 6) to ``(start, end)`` pairs;
        weekdays left out are closed. ``holidays`` are whole local days off: dates, or a
        ``holidays`` package calendar such as ``holidays.country_holidays("IR")``.
        ``overrides`` give a date its own intervals (an empty list closes it) and win over
        holidays and weekly hours.

        >>> cal = BusinessCalendar.weekly(
        ...     {0: [("09:00", "12:00"), ("12:00", "17:00")], 5: [("22:00", "24:00")]},
        ...     tz="America/New_York",
        ...     overrides={date(2026, 1, 2): [("10:00", "11:00")]},
        ... )
        >>> cal
        BusinessCalendar(tz='America/New_York', hours='Mon 09:00-17:00; Sat 22:00-24:00',
                         overrides=<1 day>)
        >>> BusinessCalendar.weekly({0: [("17:00", "09:00")]}, tz="UTC")
        Traceback (most recent call last):
        ...
        ticketcore.errors.ValidationError: hours[0][0]: 17:00-09:00 ends before it starts
        """
        parsed_zone = zone(tz)
        weekly = _weekly(hours)
        holiday_dates, holiday_calendar = _holidays(holidays)
        return cls(parsed_zone, weekly, holiday_dates, holiday_calendar, _overrides(overrides))

    @classmethod
    def always(cls, tz: str | ZoneInfo = "UTC") -> BusinessCalendar:
        """A calendar open around the clock, every day.

        >>> BusinessCalendar.always()
        BusinessCalendar(tz='UTC', hours='Mon-Sun 00:00-24:00')
        """
        return cls.weekly({day: [("00:00", "24:00")] for day in range(7)}, tz=tz)

    @classmethod
    def iran(cls, *, holidays: Iterable[date] | None = None) -> BusinessCalendar:
        """An Iranian working week, as an example preset.

        Saturday to Wednesday 08:00-16:00, Thursday 08:00-12:00, Friday closed, in
        ``Asia/Tehran``. Holidays are ``holidays.country_holidays("IR")`` when the
        ``holidays`` package is installed (``ticketcore[holidays]``), else none; pass
        ``holidays=`` to choose your own.

        >>> BusinessCalendar.iran(holidays=[date(2026, 3, 21)])
        BusinessCalendar(tz='Asia/Tehran', hours='Mon-Wed 08:00-16:00; Thu 08:00-12:00;
                         Sat-Sun 08:00-16:00', holidays=<1 date>)
        """
        if holidays is None:
            holidays = _iranian_holidays()
        day = [("08:00", "16:00")]
        hours = {5: day, 6: day, 0: day, 1: day, 2: day, 3: [("08:00", "12:00")]}
        return cls.weekly(hours, tz="Asia/Tehran", holidays=holidays)

    # -- arithmetic

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of working time after ``start``.

        For ``duration >= 0``: the earliest instant ``T >= start`` with
        ``between(start, T) == duration``. So ``add(start, timedelta(0)) == start``, and
        work that ends exactly at closing time ends at closing time, not at the next
        opening. A negative duration walks back: the latest ``T <= start`` with
        ``between(T, start) == -duration``. The result is in the calendar's zone.

        >>> cal = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="UTC")
        >>> monday = datetime(2026, 3, 2, 9, 0, tzinfo=cal.tz)
        >>> cal.add(monday, timedelta(hours=8))
        datetime.datetime(2026, 3, 2, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
        >>> cal.add(monday, timedelta(hours=-1))
        datetime.datetime(2026, 2, 23, 16, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
        """
        instant = self._instant(start, "start")
        duration = _check.instance(duration, timedelta, "duration")
        try:
            result = self._engine.add(instant, duration // _ONE_US)
        except YearOutOfRangeError:
            raise out_of_range("duration", duration, f"a duration ending {_IN_YEARS}") from None
        return from_us(result, self.tz)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``; negative when ``end`` is earlier.

        >>> cal = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="UTC")
        >>> cal.between(datetime(2026, 3, 2, 8, 0, tzinfo=cal.tz),
        ...             datetime(2026, 3, 9, 10, 30, tzinfo=cal.tz))
        datetime.timedelta(seconds=34200)
        """
        first = self._instant(start, "start")
        last = self._instant(end, "end")
        return timedelta(microseconds=self._engine.between(first, last))

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls in working time (intervals are ``[start, end)``)."""
        return self._engine.is_open(self._instant(at, "at"))

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself if open, else the next instant the team starts work.

        >>> cal = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="UTC")
        >>> cal.next_open(datetime(2026, 3, 2, 17, 0, tzinfo=cal.tz))
        datetime.datetime(2026, 3, 9, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
        """
        instant = self._instant(at, "at")
        try:
            found = self._engine.next_open(instant)
        except YearOutOfRangeError:
            raise out_of_range("at", at, f"an instant that opens {_IN_YEARS}") from None
        return from_us(found, self.tz)

    def next_close(self, at: datetime) -> datetime | None:
        """The end of the working stretch holding ``at``, or of the next one.

        A stretch runs on across midnight when the next day starts work at 00:00.
        ``None`` if it would last ``CLOSED_DAYS_LIMIT`` days or more (as with
        :meth:`always`).

        >>> cal = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="UTC")
        >>> cal.next_close(datetime(2026, 3, 2, 12, 0, tzinfo=cal.tz))
        datetime.datetime(2026, 3, 2, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
        >>> BusinessCalendar.always().next_close(datetime(2026, 3, 2, tzinfo=cal.tz)) is None
        True
        """
        instant = self._instant(at, "at")
        try:
            end = self._engine.next_close(instant)
        except YearOutOfRangeError:
            raise out_of_range("at", at, f"an instant that opens and closes {_IN_YEARS}") from None
        return None if end is None else from_us(end, self.tz)

    def _instant(self, value: object, field: str) -> int:
        """Microseconds since the epoch of an aware datetime the calendar can reach."""
        instant = to_us(require_aware(value, field))
        if not self._engine.reaches(instant):
            raise out_of_range(field, value, f"an instant {_IN_YEARS}")
        return instant

    def _identity(self) -> object:
        """What the calendar counts by, as plain data that is the same in every process.

        A ``holidays`` calendar is named by its kind and its options; dates added to one
        by hand are not seen (the same as the calendar itself, which reads it once per
        year)."""
        holidays: object = None
        found = self._holiday_calendar
        if found is not None:
            kind = type(found)
            options = {
                name: repr(getattr(found, name, None))
                for name in ("country", "market", "subdiv", "observed", "categories", "language")
            }
            holidays = [f"{kind.__module__}.{kind.__qualname__}", options]
        return [
            self.tz.key,
            [list(map(list, day)) for day in self._weekly],
            sorted(day.isoformat() for day in self._holiday_dates),
            holidays,
            [[day.isoformat(), list(map(list, hours))] for day, hours in self._overrides],
        ]

    def __repr__(self) -> str:
        parts = [f"tz={str(self.tz)!r}", f"hours={_describe_week(self._weekly)!r}"]
        if self._holiday_calendar is not None:
            parts.append(f"holidays=<{type(self._holiday_calendar).__name__}>")
        elif self._holiday_dates:
            parts.append(f"holidays=<{_count(len(self._holiday_dates), 'date')}>")
        if self._overrides:
            parts.append(f"overrides=<{_count(len(self._overrides), 'day')}>")
        return f"BusinessCalendar({', '.join(parts)})"


# -- validation


def _invalid_interval(field: str, message: str, **params: str) -> ValidationError:
    return ValidationError(
        ErrorCode.INTERVAL_INVALID, f"{field}: {message}", field=field, params=params
    )


def _parse_time(value: object, field: str, *, end: bool) -> int:
    """Microseconds after midnight; an end of midnight means the next midnight."""
    if isinstance(value, str):
        match = _TIME_PATTERN.fullmatch(value)
        if match is None:
            shown = _short(value)
            raise _invalid_interval(field, f"{shown} is not a time like '09:00'", value=shown)
        hour, minute, second, micro = (int(part or 0) for part in match.groups())
        if hour == _HOURS_PER_DAY and minute == second == micro == 0:
            if not end:
                raise _invalid_interval(field, "24:00 can only end an interval", value=value)
            return DAY_US
        if hour >= _HOURS_PER_DAY or minute >= _MINUTES_PER_HOUR or second >= _MINUTES_PER_HOUR:
            raise _invalid_interval(field, f"{value!r} is not a time of day", value=value)
        value = time(hour, minute, second, micro)
    if not isinstance(value, time):
        raise wrong_type(field, "a time or an 'HH:MM' string", value)
    if value.tzinfo is not None:
        raise _invalid_interval(
            field, "times of day take the calendar's zone, not their own", value=str(value)
        )
    seconds = (value.hour * _MINUTES_PER_HOUR + value.minute) * _MINUTES_PER_HOUR + value.second
    micro = seconds * _US_PER_SECOND + value.microsecond
    return DAY_US if end and micro == 0 else micro


def _day_hours(intervals: object, field: str) -> WallIntervals:
    """Sorted, adjacent intervals merged; reversed or overlapping ones rejected."""
    if isinstance(intervals, str | bytes | bytearray) or not isinstance(intervals, Iterable):
        raise wrong_type(field, "a list of (start, end) pairs", intervals)
    parsed: list[tuple[int, int, str]] = []
    for index, pair in enumerate(intervals):
        where = f"{field}[{index}]"
        if not isinstance(pair, tuple | list):
            raise wrong_type(where, "a (start, end) pair", pair)
        if len(pair) != _PAIR:
            raise _invalid_interval(where, "an interval is a (start, end) pair", value=_short(pair))
        start = _parse_time(pair[0], where, end=False)
        end = _parse_time(pair[1], where, end=True)
        if start >= end:
            text = f"{_clock(start)}-{_clock(end)}"
            raise _invalid_interval(
                where,
                f"{text} ends before it starts",
                value=text,
                start=_clock(start),
                end=_clock(end),
            )
        parsed.append((start, end, where))
    parsed.sort()
    merged: list[tuple[int, int]] = []
    for index, (start, end, where) in enumerate(parsed):
        if merged and start < merged[-1][1]:
            previous = parsed[index - 1]
            raise ValidationError(
                ErrorCode.INTERVALS_OVERLAP,
                f"{where}: {_clock(start)}-{_clock(end)} overlaps"
                f" {_clock(previous[0])}-{_clock(previous[1])} ({previous[2]})",
                field=where,
                params={"start": _clock(start), "end": _clock(end), "other": previous[2]},
            )
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _weekly(hours: object) -> tuple[WallIntervals, ...]:
    if not isinstance(hours, Mapping):
        raise wrong_type("hours", "a mapping of weekday to intervals", hours)
    week: list[WallIntervals] = [()] * len(_WEEKDAYS)
    for weekday, intervals in hours.items():
        if not _check.is_int(weekday):
            raise wrong_type("hours", "a weekday number, 0 (Monday) to 6 (Sunday)", weekday)
        if not 0 <= weekday < len(_WEEKDAYS):
            raise out_of_range("hours", weekday, "a weekday from 0 (Monday) to 6 (Sunday)")
        week[weekday] = _day_hours(intervals, f"hours[{weekday}]")
    if not any(week):
        raise ValidationError(
            ErrorCode.CALENDAR_NEVER_OPEN,
            "hours: the calendar has no working time on any weekday",
            field="hours",
        )
    return tuple(week)


def _is_holiday_calendar(value: object) -> TypeGuard[Container[date]]:
    # A `holidays` calendar can only exist once that package is imported: look, never import.
    base = getattr(sys.modules.get("holidays"), "HolidayBase", None)
    return isinstance(base, type) and isinstance(value, base)


def _holidays(value: object) -> tuple[frozenset[date], Container[date] | None]:
    if _is_holiday_calendar(value):
        return frozenset(), value
    if isinstance(value, str | bytes | bytearray) or not isinstance(value, Iterable):
        raise wrong_type("holidays", "dates or a holidays calendar", value)
    days: set[date] = set()
    for item in value:
        days.add(_date(item, "holidays"))
    return frozenset(days), None


def _overrides(value: object) -> tuple[tuple[date, WallIntervals], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise wrong_type("overrides", "a mapping of date to intervals", value)
    result: list[tuple[date, WallIntervals]] = []
    for key, intervals in value.items():
        day = _date(key, "overrides")
        result.append((day, _day_hours(intervals, f"overrides[{day.isoformat()}]")))
    return tuple(sorted(result))


def _date(value: object, field: str) -> date:
    # A datetime is a date to isinstance, but a holiday is a whole local day, not an instant.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise wrong_type(field, "date", value)
    return value


def _check_parts(
    tz: object, weekly: object, holiday_dates: object, holiday_calendar: object, overrides: object
) -> None:
    """Reject constructor arguments that are not in the form the builders produce."""
    _check.instance(tz, ZoneInfo, "tz")
    week = _check.instance(weekly, tuple, "weekly")
    if len(week) != len(_WEEKDAYS):
        raise out_of_range("weekly", _short(week), "one entry per weekday, Monday first")
    for weekday, day in enumerate(week):
        _check_wall_intervals(day, f"weekly[{weekday}]")
    if not any(week):
        raise ValidationError(
            ErrorCode.CALENDAR_NEVER_OPEN,
            "weekly: the calendar has no working time on any weekday",
            field="weekly",
        )
    for day in _check.instance(holiday_dates, frozenset, "holiday_dates"):
        _date(day, "holiday_dates")
    if holiday_calendar is not None and not _is_holiday_calendar(holiday_calendar):
        raise wrong_type("holiday_calendar", "a holidays calendar or None", holiday_calendar)
    previous: date | None = None
    for entry in _check.instance(overrides, tuple, "overrides"):
        if not isinstance(entry, tuple) or len(entry) != _PAIR:
            raise wrong_type("overrides", "(date, intervals) pairs", entry)
        day = _date(entry[0], "overrides")
        if previous is not None and day <= previous:
            raise out_of_range("overrides", day, "dates in increasing order, each once")
        _check_wall_intervals(entry[1], f"overrides[{day.isoformat()}]")
        previous = day


def _check_wall_intervals(value: object, field: str) -> None:
    """One day in the engine's form: sorted, separate (start, end) microsecond pairs."""
    last_end = -1
    for pair in _check.instance(value, tuple, field):
        if not isinstance(pair, tuple) or len(pair) != _PAIR:
            raise wrong_type(field, "(start, end) pairs of microseconds", pair)
        start, end = pair
        for bound in pair:
            if not _check.is_int(bound):
                raise wrong_type(field, "(start, end) pairs of microseconds", bound)
        if not last_end < start < end <= DAY_US:
            raise out_of_range(
                field, pair, "sorted intervals within the day that neither touch nor overlap"
            )
        last_end = end


def _iranian_holidays() -> Iterable[date]:
    try:
        # The optional `holidays` extra; imported only when this preset is asked for.
        package = importlib.import_module("holidays")
    except ImportError:
        return ()
    calendar: Iterable[date] = package.country_holidays("IR")
    return calendar


# -- description


def _clock(micro: int) -> str:
    seconds, fraction = divmod(micro, _US_PER_SECOND)
    minutes, second = divmod(seconds, _MINUTES_PER_HOUR)
    hour, minute = divmod(minutes, _MINUTES_PER_HOUR)
    text = f"{hour:02d}:{minute:02d}"
    if second or fraction:
        text += f":{second:02d}"
    if fraction:
        text += f".{fraction:06d}"
    return text


def _describe_week(week: tuple[WallIntervals, ...]) -> str:
    groups: list[tuple[int, int, WallIntervals]] = []
    for weekday, intervals in enumerate(week):
        if groups and groups[-1][2] == intervals and groups[-1][1] == weekday - 1:
            groups[-1] = (groups[-1][0], weekday, intervals)
        else:
            groups.append((weekday, weekday, intervals))
    described = []
    for first, last, intervals in groups:
        if not intervals:
            continue
        days = _WEEKDAYS[first] if first == last else f"{_WEEKDAYS[first]}-{_WEEKDAYS[last]}"
        spans = " ".join(f"{_clock(start)}-{_clock(end)}" for start, end in intervals)
        described.append(f"{days} {spans}")
    return "; ".join(described)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
