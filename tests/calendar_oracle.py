"""A slow, obviously correct model of ``BusinessCalendar``, for tests only.

It walks one local day at a time, builds that day's working spans straight from the
definition, and shares no code with ticketcore:

- a day's wall intervals are its override, else none if it is a holiday, else its
  weekday's hours; intervals that touch are joined;
- each interval end becomes a real instant with ``datetime.combine(day, t, tzinfo=zone)``
  (``fold=0``), an end of ``time(0)`` meaning the next day's midnight;
- each span is clipped to the day, from its midnight to the next midnight (both resolved
  the same way); overlapping spans of a day count once.

All instants are handled as UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Container, Iterator, Mapping, Sequence
    from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
MARGIN = timedelta(days=2)
# The model walks at most this many days looking for working time.
MAX_DAYS = 366 * 5

Span = tuple[datetime, datetime]


class OracleCalendar:
    """Same constructor arguments as ``BusinessCalendar.weekly``, with ``time`` values only."""

    def __init__(
        self,
        hours: Mapping[int, Sequence[tuple[time, time]]],
        *,
        tz: ZoneInfo,
        holidays: Container[date] = frozenset(),
        overrides: Mapping[date, Sequence[tuple[time, time]]] | None = None,
    ) -> None:
        self.zone = tz
        self.hours = {weekday: list(spans) for weekday, spans in hours.items()}
        self.holidays = holidays
        self.overrides = dict(overrides or {})

    # -- one day

    def wall_intervals(self, day: date) -> list[tuple[time, time | None]]:
        """The day's intervals, sorted and joined where they touch; None ends at 24:00."""
        if day in self.overrides:
            raw = self.overrides[day]
        elif day in self.holidays:
            raw = []
        else:
            raw = self.hours.get(day.weekday(), [])
        intervals = sorted((start, None if end == time(0) else end) for start, end in raw)
        joined: list[tuple[time, time | None]] = []
        for start, end in intervals:
            if joined and joined[-1][1] == start:
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        return joined

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def day_spans(self, day: date) -> list[Span]:
        """The day's working time as sorted, disjoint UTC spans."""
        day_start = self.local_midnight(day)
        day_end = self.local_midnight(day + ONE_DAY)
        spans = []
        for wall_start, wall_end in self.wall_intervals(day):
            start = datetime.combine(day, wall_start, tzinfo=self.zone).astimezone(UTC)
            if wall_end is None:
                end = day_end
            else:
                end = datetime.combine(day, wall_end, tzinfo=self.zone).astimezone(UTC)
            start = max(start, day_start)
            end = min(end, day_end)
            if start < end:
                spans.append((start, end))
        spans.sort()
        merged: list[Span] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def spans_forward(self, instant: datetime) -> Iterator[Span]:
        """Every span, in order, from a couple of days before ``instant``."""
        day = self.local_date(instant) - MARGIN
        for _ in range(MAX_DAYS + 10):
            yield from self.day_spans(day)
            day += ONE_DAY
        msg = "the oracle found no end within its walking limit"
        raise AssertionError(msg)

    def spans_backward(self, instant: datetime) -> Iterator[Span]:
        """Every span, latest first, from a couple of days after ``instant``."""
        day = self.local_date(instant) + MARGIN
        for _ in range(MAX_DAYS + 10):
            yield from reversed(self.day_spans(day))
            day -= ONE_DAY
        msg = "the oracle found no end within its walking limit"
        raise AssertionError(msg)

    # -- the operations

    def between(self, a: datetime, b: datetime) -> timedelta:
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b < a:
            return -self.between(b, a)
        total = timedelta(0)
        day = self.local_date(a) - MARGIN
        last = self.local_date(b) + MARGIN
        while day <= last:
            for start, end in self.day_spans(day):
                low, high = max(start, a), min(end, b)
                if low < high:
                    total += high - low
            day += ONE_DAY
        return total

    def add(self, start: datetime, duration: timedelta) -> datetime:
        start = start.astimezone(UTC)
        if duration == timedelta(0):
            return start
        if duration > timedelta(0):
            remaining = duration
            for span_start, span_end in self.spans_forward(start):
                low = max(span_start, start)
                if low >= span_end:
                    continue
                if remaining <= span_end - low:
                    return low + remaining
                remaining -= span_end - low
        remaining = -duration
        for span_start, span_end in self.spans_backward(start):
            high = min(span_end, start)
            if high <= span_start:
                continue
            if remaining <= high - span_start:
                return high - remaining
            remaining -= high - span_start
        msg = "unreachable"
        raise AssertionError(msg)

    def is_open(self, at: datetime) -> bool:
        at = at.astimezone(UTC)
        day = self.local_date(at)
        return any(
            start <= at < end
            for offset in (-2, -1, 0, 1, 2)
            for start, end in self.day_spans(day + timedelta(days=offset))
        )

    def next_open(self, at: datetime) -> datetime:
        at = at.astimezone(UTC)
        for start, end in self.spans_forward(at):
            if end > at:
                return max(start, at)
        msg = "unreachable"
        raise AssertionError(msg)

    def next_close(self, at: datetime, *, limit_days: int) -> datetime | None:
        """End of the stretch of touching spans holding ``next_open(at)``.

        None when the stretch covers the end of the ``limit_days``-th day after the day
        where it starts (the day whose midnight-to-midnight span holds its first instant).
        """
        begin = self.next_open(at)
        first_day = self.local_date(begin)
        while not self.local_midnight(first_day) <= begin:
            first_day -= ONE_DAY
        while begin >= self.local_midnight(first_day + ONE_DAY):
            first_day += ONE_DAY
        horizon = self.local_midnight(first_day + timedelta(days=limit_days))
        end = None
        for start, stop in self.spans_forward(begin):
            if end is None:
                if start <= begin < stop:
                    end = stop
            elif start == end:
                end = stop
            elif start > end:
                break
            if end is not None and end >= horizon:
                return None
        return end
