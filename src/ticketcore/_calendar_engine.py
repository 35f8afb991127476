"""The arithmetic behind :class:`ticketcore.calendar.BusinessCalendar`.

Private. Instants are integer microseconds since 1970-01-01T00:00Z, local days are
proleptic ordinals (``date.toordinal()``), and working time is integer microseconds, so
nothing is ever rounded.

The model, which the public module documents:

- Each local day has a *window*: from its midnight to the next day's midnight, both
  resolved with ``datetime.combine(day, time(0), tzinfo=zone)`` (``fold=0``). Windows
  follow one another without gap or overlap.
- A day's working time is the union of its wall-clock intervals, each converted to real
  instants the same way (an end of 24:00 is the next midnight) and clipped to the window.
- Working time is counted in real elapsed microseconds.

How it is made fast, without changing that model:

- On a *regular* day the zone's offset is the same at every wall time of the day and at
  the next midnight, so the day's real intervals are its wall intervals shifted by one
  offset. Its working time is the weekday's nominal length.
- Every other day is an *exception*: holidays, overrides and the days around a change of
  UTC offset. Exceptions are computed the slow, obvious way (``datetime.combine`` for
  each interval end) and kept per year with the difference they make to the nominal
  length.
- The nominal working time of any run of days is whole weeks times the weekly total plus
  a prefix of one week, so counting or inverting a span costs the same for two hours as
  for two thousand: a few bisections in the year's exceptions, plus one step per calendar
  year crossed.

Offset changes are found by probing the zone every six hours and bisecting to the second.
That would miss two changes less than six hours apart that cancel out; the tz database
has none (its closest consecutive offset changes are 3.99 days apart). Per-year data is
built on first use and kept in a bounded cache.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from ticketcore.errors import ErrorCode, ValidationError

if TYPE_CHECKING:
    from collections.abc import Container, Mapping
    from zoneinfo import ZoneInfo

__all__ = [
    "CLOSED_DAYS_LIMIT",
    "DAY_US",
    "MAX_YEAR",
    "MIN_YEAR",
    "Engine",
    "WallIntervals",
    "YearOutOfRangeError",
    "from_us",
    "to_us",
]

DAY_US: Final = 86_400_000_000
CLOSED_DAYS_LIMIT: Final = 366 * 5
# Year data reaches a few days into the neighbouring years; keep clear of datetime's limits.
MIN_YEAR: Final = 2
MAX_YEAR: Final = 9998
_FIRST_ORDINAL: Final = date(MIN_YEAR, 1, 1).toordinal()
_STOP_ORDINAL: Final = date(MAX_YEAR + 1, 1, 1).toordinal()

_ONE_US: Final = timedelta(microseconds=1)
_ONE_DAY: Final = timedelta(days=1)
_MIDNIGHT: Final = time(0)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_DAYS_PER_WEEK: Final = 7
_SECONDS_PER_DAY: Final = 86_400
_PROBE_STEP_S: Final = 6 * 3600
_PROBE_MARGIN_DAYS: Final = 3
_MAX_CACHED_YEARS: Final = 256

# A day's wall intervals: (start, end) in microseconds after local midnight, sorted,
# disjoint and not adjacent, 0 <= start < end <= DAY_US.
WallIntervals = tuple[tuple[int, int], ...]
# A day's working time relative to its window start: starts, ends, running totals
# (running[i] = length of intervals 0..i), total.
_Template = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int]
# A located day: window start, window end (real instants) and its working time.
_Day = tuple[int, int, _Template]


# Bounds on every instant of a supported local day, whatever the zone's offset.
_FIRST_INSTANT: Final = (_FIRST_ORDINAL - 1 - _EPOCH_ORDINAL) * DAY_US
_LAST_INSTANT: Final = (_STOP_ORDINAL + 1 - _EPOCH_ORDINAL) * DAY_US
# Instants so far from the supported years' edges that no zone's offset (under 26 hours)
# can put their local day outside: reaching them needs no lookup.
_SURELY_REACHED: Final = (_FIRST_INSTANT + 3 * DAY_US, _LAST_INSTANT - 4 * DAY_US)


def to_us(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly."""
    return (value - _EPOCH) // _ONE_US


def from_us(value: int, zone: ZoneInfo) -> datetime:
    """The aware datetime, in ``zone``, of an instant in microseconds since the epoch."""
    return (_EPOCH + timedelta(microseconds=value)).astimezone(zone)


def _template(intervals: WallIntervals) -> _Template:
    starts = tuple(start for start, _ in intervals)
    ends = tuple(end for _, end in intervals)
    running: list[int] = []
    total = 0
    for start, end in intervals:
        total += end - start
        running.append(total)
    return starts, ends, tuple(running), total


def _worked_until(template: _Template, elapsed: int) -> int:
    """Working time of a day between its window start and ``elapsed`` after it."""
    starts, ends, running, _ = template
    index = bisect_right(starts, elapsed)
    if index == 0:
        return 0
    return running[index - 1] - max(0, ends[index - 1] - elapsed)


def _never_open(limit: int) -> ValidationError:
    return ValidationError(
        ErrorCode.CALENDAR_NEVER_OPEN,
        f"the calendar has no working time for {limit} consecutive days",
        params={"days": limit},
    )


class YearOutOfRangeError(Exception):
    """The arithmetic needed a local day outside the years ``MIN_YEAR`` to ``MAX_YEAR``.

    Private: the public module turns it into an ``out_of_range`` error naming the
    argument that led there.
    """


class _Year:
    """What one calendar year (local days ``first`` to ``stop - 1``) needs."""

    __slots__ = (
        "closed_at_end",
        "closed_at_start",
        "exception_ordinals",
        "exceptions",
        "first",
        "nominal_start",
        "offsets",
        "stop",
        "surplus_before",
        "switches",
        "total",
        "transitions",
        "work_before",
    )

    first: int
    stop: int
    # Offset changes near the year: UTC instants, offsets[i] is in force after i of them,
    # switches[i] is the wall time (as local microseconds) from which fold=0 uses the
    # new offset.
    transitions: list[int]
    offsets: list[int]
    switches: list[int]
    # Exception days (ordinals, sorted) and how each one is worked.
    exception_ordinals: list[int]
    exceptions: dict[int, _Day]
    # surplus_before[i]: the sum of (actual - nominal) working time over the first i
    # exception days.
    surplus_before: list[int]
    # work_before[i]: the working time from the year's start to the start of exception
    # day i; the last entry is the whole year's.
    work_before: list[int]
    # The nominal working time of all the days before the year (see _nominal_before).
    nominal_start: int
    total: int
    # Days without working time at the start and at the end of the year.
    closed_at_start: int
    closed_at_end: int


class Engine:
    """Working-time arithmetic for one calendar, on integer microseconds."""

    __slots__ = (
        "_always",
        "_arguments",
        "_holiday_calendar",
        "_holiday_ordinals",
        "_last_year",
        "_lock",
        "_nominal",
        "_open_around_the_clock",
        "_override_ordinals",
        "_overrides",
        "_templates",
        "_week_prefix",
        "_week_total",
        "_weekly",
        "_years",
        "zone",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        weekly: tuple[WallIntervals, ...],
        holiday_dates: frozenset[date],
        holiday_calendar: Container[date] | None,
        overrides: Mapping[date, WallIntervals],
    ) -> None:
        self._arguments = (zone, weekly, holiday_dates, holiday_calendar, dict(overrides))
        self.zone = zone
        self._weekly = weekly
        self._templates = tuple(_template(day) for day in weekly)
        self._nominal = tuple(template[3] for template in self._templates)
        self._week_total = sum(self._nominal)
        # _week_prefix[k]: nominal working time of ordinals 0..k-1.
        prefix = [0]
        for ordinal in range(_DAYS_PER_WEEK):
            prefix.append(prefix[-1] + self._nominal[_weekday(ordinal)])
        self._week_prefix = tuple(prefix)
        self._open_around_the_clock = all(day == ((0, DAY_US),) for day in weekly)
        # open every instant, whatever the zone does: working time is real time
        self._always = self._open_around_the_clock and not (
            holiday_dates or holiday_calendar is not None or overrides
        )
        self._holiday_ordinals = sorted(day.toordinal() for day in holiday_dates)
        self._holiday_calendar = holiday_calendar
        self._overrides = {day.toordinal(): hours for day, hours in overrides.items()}
        self._override_ordinals = sorted(self._overrides)
        self._years: dict[int, _Year] = {}
        self._last_year: _Year | None = None
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[Engine], tuple[object, ...]]:
        # Pickle what the engine was built from; its caches are rebuilt on demand.
        return type(self), self._arguments

    # -- nominal (weekly) working time over ordinals

    def _nominal_before(self, ordinal: int) -> int:
        """Nominal working time of ordinals 0..ordinal-1."""
        weeks, rest = divmod(ordinal, _DAYS_PER_WEEK)
        return weeks * self._week_total + self._week_prefix[rest]

    def _first_ordinal_reaching(self, amount: int) -> int:
        """The smallest ordinal m with ``_nominal_before(m) >= amount``."""
        weeks, rest = divmod(amount - 1, self._week_total)
        return weeks * _DAYS_PER_WEEK + bisect_left(self._week_prefix, rest + 1)

    # -- per-year data

    def _year_of(self, ordinal: int) -> _Year:
        year = self._last_year
        if year is not None and year.first <= ordinal < year.stop:
            return year
        if not _FIRST_ORDINAL <= ordinal < _STOP_ORDINAL:
            raise YearOutOfRangeError
        number = date.fromordinal(ordinal).year
        year = self._years.get(number)
        if year is None:
            with self._lock:  # one builder per calendar; `holidays` calendars mutate on lookup
                year = self._years.get(number)
                if year is None:
                    year = self._build_year(number)
                    if len(self._years) >= _MAX_CACHED_YEARS:
                        del self._years[next(iter(self._years))]
                    self._years[number] = year
        self._last_year = year
        return year

    def _offset_at(self, second: int) -> int:
        local = (_EPOCH + timedelta(seconds=second)).astimezone(self.zone)
        offset = local.utcoffset()
        if offset is None:  # pragma: no cover - ZoneInfo always has an offset
            msg = f"time zone {self.zone} has no UTC offset"
            raise ValueError(msg)
        return offset // _ONE_US

    def _transitions(self, first: int, stop: int) -> tuple[list[int], list[int]]:
        """Offset changes between the UTC midnights of ordinals ``first`` and ``stop``."""
        low = (first - _EPOCH_ORDINAL) * _SECONDS_PER_DAY
        high = (stop - _EPOCH_ORDINAL) * _SECONDS_PER_DAY
        offsets = [self._offset_at(low)]
        transitions: list[int] = []
        before = low
        while before < high:
            after = min(before + _PROBE_STEP_S, high)
            offset = self._offset_at(after)
            if offset != offsets[-1]:
                # Bisect to the first second with the new offset.
                old, new = before, after
                while new - old > 1:
                    middle = (old + new) // 2
                    if self._offset_at(middle) == offsets[-1]:
                        old = middle
                    else:
                        new = middle
                transitions.append(new * 1_000_000)
                offsets.append(offset)
            before = after
        return transitions, offsets

    def _holidays_in(self, first: int, stop: int) -> set[int]:
        found = set(
            self._holiday_ordinals[
                bisect_left(self._holiday_ordinals, first) : bisect_left(
                    self._holiday_ordinals, stop
                )
            ]
        )
        calendar = self._holiday_calendar
        if calendar is not None:
            # One lookup per day, once per year: a `holidays` calendar expands the
            # year on the first lookup, and the answer is kept with the year.
            found.update(
                ordinal for ordinal in range(first, stop) if date.fromordinal(ordinal) in calendar
            )
        return found

    def _build_year(self, number: int) -> _Year:
        year = _Year()
        year.first = first = date(number, 1, 1).toordinal()
        year.stop = stop = date(number + 1, 1, 1).toordinal()
        transitions, offsets = self._transitions(
            first - _PROBE_MARGIN_DAYS, stop + _PROBE_MARGIN_DAYS
        )
        year.transitions, year.offsets = transitions, offsets
        year.switches = [
            instant + max(before, after)
            for instant, before, after in zip(transitions, offsets, offsets[1:], strict=False)
        ]
        special: set[int] = set()
        for instant, before, after in zip(transitions, offsets, offsets[1:], strict=False):
            # fold=0 switches offset at a wall time between these two; the days holding
            # them, and their neighbours, are computed the slow way.
            low = (instant + min(before, after)) // DAY_US + _EPOCH_ORDINAL
            high = (instant + max(before, after)) // DAY_US + _EPOCH_ORDINAL
            special.update(range(low - 1, high + 2))
        holidays = self._holidays_in(first, stop)
        special.update(holidays)
        special.update(
            self._override_ordinals[
                bisect_left(self._override_ordinals, first) : bisect_left(
                    self._override_ordinals, stop
                )
            ]
        )
        year.exception_ordinals = sorted(ordinal for ordinal in special if first <= ordinal < stop)
        year.exceptions = {
            ordinal: self._exact_day(ordinal, ordinal in holidays)
            for ordinal in year.exception_ordinals
        }
        year.nominal_start = self._nominal_before(first)
        surplus_before = [0]
        work_before: list[int] = []
        for ordinal in year.exception_ordinals:
            work_before.append(
                self._nominal_before(ordinal) - year.nominal_start + surplus_before[-1]
            )
            actual = _total(year.exceptions[ordinal])
            surplus_before.append(surplus_before[-1] + actual - self._nominal[_weekday(ordinal)])
        work_before.append(self._nominal_before(stop) - year.nominal_start + surplus_before[-1])
        year.surplus_before = surplus_before
        year.work_before = work_before
        year.total = work_before[-1]
        year.closed_at_start = self._closed_days(year, range(first, stop))
        year.closed_at_end = self._closed_days(year, range(stop - 1, first - 1, -1))
        return year

    def _closed_days(self, year: _Year, days: range) -> int:
        count = 0
        for ordinal in days:
            day = year.exceptions.get(ordinal)
            total = _total(day) if day is not None else self._nominal[_weekday(ordinal)]
            if total:
                break
            count += 1
        return count

    def _exact_day(self, ordinal: int, holiday: bool) -> _Day:
        """A day computed from its definition, one ``datetime.combine`` per interval end."""
        day = date.fromordinal(ordinal)
        override = self._overrides.get(ordinal)
        if override is not None:
            wall = override
        elif holiday:
            wall = ()
        else:
            wall = self._weekly[day.weekday()]
        zone = self.zone
        start = to_us(datetime.combine(day, _MIDNIGHT, tzinfo=zone))
        stop = to_us(datetime.combine(day + _ONE_DAY, _MIDNIGHT, tzinfo=zone))
        real: list[tuple[int, int]] = []
        for wall_start, wall_end in wall:
            low = to_us(datetime.combine(day, _time_of(wall_start), tzinfo=zone))
            high = (
                stop
                if wall_end == DAY_US
                else to_us(datetime.combine(day, _time_of(wall_end), tzinfo=zone))
            )
            low, high = max(low, start), min(high, stop)
            if low < high:
                real.append((low - start, high - start))
        return start, stop, _template(_union(real))

    # -- locating instants

    def _day(self, ordinal: int) -> _Day:
        year = self._year_of(ordinal)
        day = year.exceptions.get(ordinal)
        if day is not None:
            return day
        local = (ordinal - _EPOCH_ORDINAL) * DAY_US
        start = local - year.offsets[bisect_right(year.switches, local)]
        return start, start + DAY_US, self._templates[_weekday(ordinal)]

    def _locate(self, instant: int) -> tuple[int, _Day]:
        """The local day whose window holds ``instant``."""
        # A year's offsets reach a few days past it: enough for the UTC day of any
        # instant whose local day is in the supported years.
        utc_ordinal = instant // DAY_US + _EPOCH_ORDINAL
        year = self._year_of(min(max(utc_ordinal, _FIRST_ORDINAL), _STOP_ORDINAL - 1))
        offset = year.offsets[bisect_right(year.transitions, instant)]
        ordinal = (instant + offset) // DAY_US + _EPOCH_ORDINAL
        day = self._day(ordinal)
        while instant < day[0]:
            ordinal -= 1
            day = self._day(ordinal)
        while instant >= day[1]:
            ordinal += 1
            day = self._day(ordinal)
        return ordinal, day

    def _position(self, instant: int) -> tuple[_Year, int, int]:
        """The year and local day holding ``instant``, and the working time from the
        year's start to ``instant``."""
        ordinal, (start, _, template) = self._locate(instant)
        year = self._year_of(ordinal)
        position = self._day_position(year, ordinal) + _worked_until(template, instant - start)
        return year, ordinal, position

    def _day_position(self, year: _Year, ordinal: int) -> int:
        return (
            self._nominal_before(ordinal)
            - year.nominal_start
            + year.surplus_before[bisect_left(year.exception_ordinals, ordinal)]
        )

    # -- public operations

    def reaches(self, instant: int) -> bool:
        """Whether ``instant``'s local day is in the years ``MIN_YEAR`` to ``MAX_YEAR``."""
        if _SURELY_REACHED[0] <= instant <= _SURELY_REACHED[1]:
            return True  # days from the edges: its local day is inside, whatever the zone
        try:
            self._locate(instant)
        except YearOutOfRangeError:
            return False
        return True

    def between(self, start: int, end: int) -> int:
        """Working time in ``[start, end]``; negative when ``end < start``."""
        if self._always and _FIRST_INSTANT <= min(start, end) <= max(start, end) <= _LAST_INSTANT:
            return end - start
        if end < start:
            return -self.between(end, start)
        first, _, first_position = self._position(start)
        last, _, last_position = self._position(end)
        total = last_position - first_position
        year = first
        while year.first != last.first:
            total += year.total
            year = self._year_of(year.stop)
        return total

    def add(self, start: int, duration: int) -> int:
        """The instant ``duration`` of working time after ``start`` (before, if negative)."""
        if duration == 0:
            return start
        # Working time never exceeds real time, so a duration longer than the time left
        # in the supported years cannot end in them: say so now, without walking there.
        if duration > 0:
            if duration > _LAST_INSTANT - start:
                raise YearOutOfRangeError
            return start + duration if self._always else self._forward(start, duration)
        if -duration > start - _FIRST_INSTANT:
            raise YearOutOfRangeError
        return start + duration if self._always else self._backward(start, -duration)

    def _forward(self, start: int, duration: int) -> int:
        year, ordinal, position = self._position(start)
        target = position + duration
        closed = min(year.closed_at_end, year.stop - ordinal)
        while target > year.total:
            target -= year.total
            year = self._year_of(year.stop)
            if year.total == 0:
                closed += year.stop - year.first
                if closed >= CLOSED_DAYS_LIMIT:
                    raise _never_open(CLOSED_DAYS_LIMIT)
                continue
            if closed + year.closed_at_start >= CLOSED_DAYS_LIMIT:
                raise _never_open(CLOSED_DAYS_LIMIT)
            closed = year.closed_at_end
        # The first day whose end reaches the target, then the instant inside it.
        segment = bisect_left(year.work_before, target)
        low = year.exception_ordinals[segment - 1] + 1 if segment else year.first
        nominal_target = target - year.surplus_before[segment] + year.nominal_start
        end = max(low, self._first_ordinal_reaching(nominal_target))
        ordinal = end - 1
        remaining = target - self._day_position(year, ordinal)
        window_start, _, (_, ends, running, _) = self._day(ordinal)
        index = bisect_left(running, remaining)
        return window_start + ends[index] - (running[index] - remaining)

    def _backward(self, start: int, duration: int) -> int:
        year, ordinal, position = self._position(start)
        target = position - duration
        closed = min(year.closed_at_start, ordinal - year.first + 1)
        while target < 0:
            year = self._year_of(year.first - 1)
            target += year.total
            if year.total == 0:
                closed += year.stop - year.first
                if closed >= CLOSED_DAYS_LIMIT:
                    raise _never_open(CLOSED_DAYS_LIMIT)
                continue
            if closed + year.closed_at_end >= CLOSED_DAYS_LIMIT:
                raise _never_open(CLOSED_DAYS_LIMIT)
            closed = year.closed_at_start
        # The first day whose end passes the target, then the latest instant inside it.
        segment = bisect_right(year.work_before, target)
        low = year.exception_ordinals[segment - 1] + 1 if segment else year.first
        nominal_target = target - year.surplus_before[segment] + year.nominal_start
        end = max(low, self._first_ordinal_reaching(nominal_target + 1))
        ordinal = end - 1
        remaining = target - self._day_position(year, ordinal)
        window_start, _, (_, ends, running, _) = self._day(ordinal)
        index = bisect_right(running, remaining)
        return window_start + ends[index] - (running[index] - remaining)

    def is_open(self, instant: int) -> bool:
        _, (start, _, (starts, ends, _, _)) = self._locate(instant)
        index = bisect_right(starts, instant - start) - 1
        return index >= 0 and instant - start < ends[index]

    def next_open(self, instant: int) -> int:
        """``instant`` if open, else the start of the next working stretch."""
        ordinal, (start, _, (starts, ends, _, total)) = self._locate(instant)
        elapsed = instant - start
        closed = 0
        while True:
            index = bisect_right(ends, elapsed)
            if index < len(ends):
                return start + max(starts[index], elapsed)
            if total == 0:
                closed += 1
                if closed >= CLOSED_DAYS_LIMIT:
                    raise _never_open(CLOSED_DAYS_LIMIT)
            ordinal += 1
            start, _, (starts, ends, _, total) = self._day(ordinal)
            elapsed = 0

    def next_close(self, instant: int) -> int | None:
        """The end of the working stretch holding ``instant``, or of the next one.

        ``None`` when that stretch lasts ``CLOSED_DAYS_LIMIT`` days or more (a calendar
        that is always open).
        """
        instant = self.next_open(instant)
        ordinal, (start, stop, (starts, ends, _, _)) = self._locate(instant)
        end = start + ends[bisect_right(starts, instant - start) - 1]
        days = 0
        while end == stop:
            # The stretch goes on if the next day starts working at its midnight.
            skip = self._full_days_after(ordinal)
            days += skip + 1
            if days >= CLOSED_DAYS_LIMIT:
                return None
            ordinal += skip + 1
            start, stop, (starts, ends, _, _) = self._day(ordinal)
            end = start  # the days before were open to their very end
            if start == stop:  # a day that does not exist (a date-line change)
                continue
            if not starts or starts[0] != 0:
                break
            end = start + ends[0]
        return end

    def _full_days_after(self, ordinal: int) -> int:
        """How many days after ``ordinal`` are certainly open from midnight to midnight.

        Only a calendar open around the clock every weekday can skip ahead: to just
        before its next exception day.
        """
        if not self._open_around_the_clock:
            return 0
        year = self._year_of(ordinal + 1)
        index = bisect_right(year.exception_ordinals, ordinal)
        ordinals = year.exception_ordinals
        following = ordinals[index] if index < len(ordinals) else year.stop
        return following - ordinal - 1


def _weekday(ordinal: int) -> int:
    """``date.fromordinal(ordinal).weekday()``, without building the date."""
    return (ordinal + 6) % _DAYS_PER_WEEK


def _total(day: _Day) -> int:
    """A located day's working time."""
    return day[2][3]


def _time_of(microseconds: int) -> time:
    seconds, micro = divmod(microseconds, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _union(intervals: list[tuple[int, int]]) -> WallIntervals:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)
