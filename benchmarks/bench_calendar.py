"""BusinessCalendar.add and .between against pandas and businesstimedelta.

Run by hand (needs pandas, pytz, businesstimedelta and holidays, none of which ticketcore
depends on):

    .venv/bin/python benchmarks/bench_calendar.py

A Monday-to-Friday 09:00-17:00 America/New_York calendar with eleven holidays a year
(2026 and 2027). For each span N of working time: the median cost of one ``add(start,
N)`` and one ``between(start, end)`` (``end`` N working hours after ``start``), over
random starts in 2026, each call timed on its own with ``time.perf_counter_ns`` after a
warm-up. Each peer's answers are compared with ours; its errors are counted, not hidden.
Every measurement stops after a few seconds, so the whole run stays under two minutes.
"""

from __future__ import annotations

import contextlib
import gc
import random
import statistics
import time
import warnings
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import businesstimedelta
import holidays
import pandas as pd
import pytz

from ticketcore.calendar import BusinessCalendar

SPANS_HOURS = (2, 24, 200, 2000)
STARTS = 400
WARMUP = 20
BUDGET_NS = 4_000_000_000  # per measurement
ZONE_NAME = "America/New_York"
ZONE = ZoneInfo(ZONE_NAME)
HOLIDAYS = [
    *(date(2026, m, d) for m, d in [(1, 1), (1, 19), (2, 16), (5, 25), (6, 19), (7, 3)]),
    *(date(2026, m, d) for m, d in [(9, 7), (10, 12), (11, 11), (11, 26), (12, 25)]),
    *(date(2027, m, d) for m, d in [(1, 1), (1, 18), (2, 15), (5, 31), (6, 18), (7, 5)]),
    *(date(2027, m, d) for m, d in [(9, 6), (10, 11), (11, 11), (11, 25), (12, 24)]),
]


def measure(call, arguments):
    """Median µs per call, calls made, errors raised, and the results (None on error).

    Like ``timeit``, the garbage collector is off while timing.
    """
    results = []
    errors = 0
    for args in arguments[:WARMUP]:
        with contextlib.suppress(Exception):
            call(*args)
    timings = []
    spent = 0
    gc.collect()
    gc.disable()
    try:
        for args in arguments:
            begin = time.perf_counter_ns()
            try:
                result = call(*args)
            except Exception:  # noqa: BLE001 - a peer's failure is a result to report
                result = None
                errors += 1
            elapsed = time.perf_counter_ns() - begin
            timings.append(elapsed)
            results.append(result)
            spent += elapsed
            if spent > BUDGET_NS:
                break
    finally:
        gc.enable()
    return statistics.median(timings) / 1000, len(timings), errors, results


def random_starts(count: int) -> list[datetime]:
    rng = random.Random(2026)
    first = datetime(2026, 1, 1, tzinfo=ZONE).timestamp()
    last = datetime(2027, 1, 1, tzinfo=ZONE).timestamp()
    return [datetime.fromtimestamp(int(rng.uniform(first, last)), tz=ZONE) for _ in range(count)]


def same_instant(ours: datetime, theirs: datetime | pd.Timestamp | None) -> bool:
    return theirs is not None and ours == theirs


def main() -> None:
    warnings.simplefilter("ignore")  # pandas warns about non-fixed-frequency offsets
    ours = BusinessCalendar.weekly(
        {day: [("09:00", "17:00")] for day in range(5)}, tz=ZONE, holidays=HOLIDAYS
    )
    pytz_zone = pytz.timezone(ZONE_NAME)
    peer_rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=clock(9), end_time=clock(17), working_days=[0, 1, 2, 3, 4], tz=pytz_zone
            ),
            businesstimedelta.HolidayRule(HOLIDAYS, tz=pytz_zone),
        ]
    )
    starts = random_starts(STARTS)
    pandas_starts = [pd.Timestamp(start) for start in starts]
    pytz_starts = [start.astimezone(pytz_zone) for start in starts]

    add_lines, between_lines, notes = [], [], []
    costs: dict[tuple[str, int], float] = {}
    for hours in SPANS_HOURS:
        span = timedelta(hours=hours)
        ends = [ours.add(start, span) for start in starts]
        pytz_ends = [end.astimezone(pytz_zone) for end in ends]
        offset = pd.offsets.CustomBusinessHour(
            n=hours, start="09:00", end="17:00", holidays=HOLIDAYS
        )
        amount = businesstimedelta.BusinessTimeDelta(peer_rules, hours=hours)

        ours_add = measure(ours.add, [(start, span) for start in starts])
        pandas_add = measure(
            lambda start, offset=offset: start + offset, [(s,) for s in pandas_starts]
        )
        peer_add = measure(lambda start, amount=amount: start + amount, [(s,) for s in pytz_starts])
        ours_between = measure(ours.between, list(zip(starts, ends, strict=True)))
        peer_between = measure(
            lambda a, b: peer_rules.difference(a, b).timedelta,
            list(zip(pytz_starts, pytz_ends, strict=True)),
        )
        costs["add", hours], costs["between", hours] = ours_add[0], ours_between[0]

        pandas_agree = sum(map(same_instant, ends, pandas_add[3]))
        peer_agree = sum(map(same_instant, ends, peer_add[3]))
        add_lines.append(
            f"{'add':<8}{hours:>5}h{ours_add[0]:>9.2f}"
            f"{pandas_add[0]:>11.1f}{pandas_add[0] / ours_add[0]:>7.0f}x"
            f"{pandas_agree:>5}/{pandas_add[1]:<4}"
            f"{peer_add[0]:>11.1f}{peer_add[0] / ours_add[0]:>7.0f}x"
            f"{peer_agree:>5}/{peer_add[1]:<4}{peer_add[2]:>9}"
        )
        peer_agree = sum(result == span for result in peer_between[3])
        between_lines.append(
            f"{'between':<8}{hours:>5}h{ours_between[0]:>9.2f}"
            f"{'n/a':>11}{'':>8}{'':>10}"
            f"{peer_between[0]:>11.1f}{peer_between[0] / ours_between[0]:>7.0f}x"
            f"{peer_agree:>5}/{peer_between[1]:<4}{peer_between[2]:>9}"
        )
        rolled = sum(
            theirs is not None
            and not same_instant(end, theirs)
            and not ours.is_open(end)
            and same_instant(ours.next_open(end), theirs)
            for end, theirs in zip(ends, pandas_add[3], strict=False)
        )
        notes.append(
            f"  N={hours}h: pandas answered the next opening instead of our closing-time"
            f" deadline {rolled} times out of {pandas_add[1]}"
        )

    print("Mon-Fri 09:00-17:00 America/New_York, 11 holidays a year; starts random in 2026")
    print("median µs per call (calls timed); ratio = peer / ours; agree = same answer as ours")
    print()
    header = (
        f"{'op':<8}{'N':>6}{'ours':>9}{'pandas':>11}{'ratio':>8}{'agree':>10}"
        f"{'btd':>11}{'ratio':>8}{'agree':>10}{'btd err':>9}"
    )
    print(header)
    print("-" * len(header))
    print("\n".join(add_lines + between_lines))
    print()
    print("btd = businesstimedelta; btd err = calls that raised (its holiday list ran out);")
    print("pandas has no 'business time between two instants'. Where pandas disagrees:")
    print("\n".join(notes))
    first, last = SPANS_HOURS[0], SPANS_HOURS[-1]
    for operation in ("add", "between"):
        ratio = costs[operation, last] / costs[operation, first]
        print(f"ours {operation}({last}h) / {operation}({first}h): {ratio:.2f}")
    print()
    iran_check()


def iran_check() -> None:
    """A `holidays` calendar costs one expansion per year, then nothing more."""
    tehran = ZoneInfo("Asia/Tehran")
    rng = random.Random(1404)
    span = timedelta(hours=24)

    def starts_in(year: int) -> list[datetime]:
        first = datetime(year, 1, 1, tzinfo=tehran).timestamp()
        last = datetime(year + 1, 1, 1, tzinfo=tehran).timestamp() - 86_400 * 10
        return [
            datetime.fromtimestamp(int(rng.uniform(first, last)), tz=tehran) for _ in range(STARTS)
        ]

    package = BusinessCalendar.iran(holidays=holidays.country_holidays("IR"))
    cold = []
    for year in (2026, 2027):
        begin = time.perf_counter_ns()
        package.add(datetime(year, 1, 10, 9, tzinfo=tehran), span)
        cold.append((time.perf_counter_ns() - begin) / 1000)
    warm_2026 = measure(package.add, [(start, span) for start in starts_in(2026)])[0]
    warm_2027 = measure(package.add, [(start, span) for start in starts_in(2027)])[0]
    listed = sorted(day for day in holidays.country_holidays("IR", years=[2026, 2027, 2028]))
    plain = BusinessCalendar.iran(holidays=listed)
    plain_2026 = measure(plain.add, [(start, span) for start in starts_in(2026)])[0]
    print("Iranian calendar, holidays.country_holidays('IR'), add(24h), starts random in a year")
    print(f"  first call in 2026 (expands 2026):   {cold[0]:>9.0f} µs")
    print(f"  first call in 2027 (expands 2027):   {cold[1]:>9.0f} µs")
    print(f"  median, 2026 starts, after expansion: {warm_2026:>8.2f} µs")
    print(f"  median, 2027 starts, after expansion: {warm_2027:>8.2f} µs")
    print(f"  same holidays as a list of dates:     {plain_2026:>8.2f} µs")
    print(f"  package / list: {warm_2026 / plain_2026:.2f}")


if __name__ == "__main__":
    main()
