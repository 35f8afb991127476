"""BusinessCalendar: examples for every rule, and properties checked against an oracle.

Datetimes are compared in UTC on purpose: two aware datetimes with the same tzinfo
compare their wall clocks and ignore ``fold``, and an instant in a repeated hour never
equals one in another zone (PEP 495), so comparing in the calendar's zone could hide a
wrong answer or invent one.
"""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from calendar_oracle import OracleCalendar
from ticketcore.calendar import CLOSED_DAYS_LIMIT, BusinessCalendar
from ticketcore.errors import ErrorCode, InvalidTypeError, TicketcoreError, ValidationError

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 24 * HOUR_US
H = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TEHRAN = ZoneInfo("Asia/Tehran")
TOKYO = ZoneInfo("Asia/Tokyo")

NINE_TO_FIVE = {day: [("09:00", "17:00")] for day in range(5)}
IRAN_HOLIDAYS_NONE: tuple[date, ...] = ()


def utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def every_day(start: str, end: str) -> dict[int, list[tuple[str, str]]]:
    return {day: [(start, end)] for day in range(7)}


def nine_to_five(zone: str | ZoneInfo = "America/New_York", **kwargs) -> BusinessCalendar:
    return BusinessCalendar.weekly(NINE_TO_FIVE, tz=zone, **kwargs)


def code_of(error: pytest.ExceptionInfo[ValidationError]) -> tuple[ErrorCode, str | None]:
    return error.value.code, error.value.field


# ---------------------------------------------------------------------------------------
# Building a calendar, and every rejected input


def test_weekly_accepts_times_and_strings_alike():
    with_times = BusinessCalendar.weekly({0: [(time(9), time(17))]}, tz="UTC")
    with_strings = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz=ZoneInfo("UTC"))
    assert with_times == with_strings
    assert with_times.tz == ZoneInfo("UTC")
    assert isinstance(with_times.tz, ZoneInfo)


def test_end_of_midnight_means_24_00():
    as_time = BusinessCalendar.weekly({0: [(time(22), time(0))]}, tz="UTC")
    as_string = BusinessCalendar.weekly({0: [("22:00", "24:00")]}, tz="UTC")
    assert as_time == as_string
    monday = datetime(2026, 3, 2, tzinfo=UTC)
    assert as_time.between(monday, monday + timedelta(days=1)) == 2 * H


def test_seconds_and_microseconds_in_strings():
    cal = BusinessCalendar.weekly({0: [("09:00:00.000001", "09:00:01")]}, tz="UTC")
    monday = datetime(2026, 3, 2, tzinfo=UTC)
    assert cal.between(monday, monday + timedelta(days=1)) == timedelta(microseconds=999_999)


def test_adjacent_intervals_are_merged():
    split = BusinessCalendar.weekly({0: [("12:00", "17:00"), ("09:00", "12:00")]}, tz="UTC")
    whole = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="UTC")
    assert split == whole
    assert "Mon 09:00-17:00" in repr(split)


@pytest.mark.parametrize(
    ("interval", "field"),
    [
        (("17:00", "09:00"), "hours[0][0]"),
        (("09:00", "09:00"), "hours[0][0]"),
        (("24:00", "24:00"), "hours[0][0]"),
        (("25:00", "26:00"), "hours[0][0]"),
        (("9:00", "17:00"), "hours[0][0]"),
        (("09:60", "17:00"), "hours[0][0]"),
        (("09:00",), "hours[0][0]"),
        ((time(9, tzinfo=UTC), time(17)), "hours[0][0]"),
    ],
)
def test_invalid_interval(interval, field):
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({0: [interval]}, tz="UTC")
    assert code_of(error) == (ErrorCode.INTERVAL_INVALID, field)


def test_reversed_interval_names_the_interval():
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({2: [("08:00", "12:00"), ("17:00", "13:00")]}, tz="UTC")
    assert code_of(error) == (ErrorCode.INTERVAL_INVALID, "hours[2][1]")
    assert error.value.params == {"value": "17:00-13:00", "start": "17:00", "end": "13:00"}


@pytest.mark.parametrize(
    "intervals",
    [
        [("09:00", "13:00"), ("12:00", "17:00")],
        [("12:00", "17:00"), ("09:00", "13:00")],
        [("09:00", "17:00"), ("10:00", "11:00")],
        [("09:00", "17:00"), ("09:00", "10:00")],
    ],
)
def test_overlapping_intervals(intervals):
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({4: intervals}, tz="UTC")
    assert error.value.code == ErrorCode.INTERVALS_OVERLAP
    assert error.value.field in {"hours[4][0]", "hours[4][1]"}


def test_wrong_types_in_hours():
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({0: [(9, 17)]}, tz="UTC")
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "hours[0][0]")
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({0: "09:00"}, tz="UTC")
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "hours[0]")
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({0: ["09:00-17:00"]}, tz="UTC")
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "hours[0][0]")
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly([("09:00", "17:00")], tz="UTC")
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "hours")


@pytest.mark.parametrize("weekday", [7, -1, 2**64])
def test_weekday_out_of_range(weekday):
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly({weekday: [("09:00", "17:00")]}, tz="UTC")
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "hours")


@pytest.mark.parametrize("weekday", [True, "Mon", 1.0, None])
def test_weekday_of_the_wrong_type(weekday):
    with pytest.raises(InvalidTypeError) as error:
        BusinessCalendar.weekly({weekday: [("09:00", "17:00")]}, tz="UTC")
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "hours")


@pytest.mark.parametrize("hours", [{}, {0: []}, dict.fromkeys(range(7), ())])
def test_calendar_without_working_time_is_rejected(hours):
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.weekly(hours, tz="UTC")
    assert code_of(error) == (ErrorCode.CALENDAR_NEVER_OPEN, "hours")


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "America"])
def test_unknown_time_zone(name):
    with pytest.raises(ValidationError) as error:
        nine_to_five(name)
    assert code_of(error) == (ErrorCode.TIME_ZONE_UNKNOWN, "tz")
    assert error.value.params == {"value": name}


def test_time_zone_of_the_wrong_type():
    with pytest.raises(ValidationError) as error:
        nine_to_five(UTC)
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "tz")


def test_bad_holidays():
    with pytest.raises(InvalidTypeError) as error:
        nine_to_five(holidays=[datetime(2026, 1, 1, tzinfo=UTC)])
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "holidays")
    with pytest.raises(InvalidTypeError) as error:
        nine_to_five(holidays=["2026-01-01"])
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "holidays")
    with pytest.raises(ValidationError) as error:
        nine_to_five(holidays="2026-01-01")
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "holidays")


def test_bad_overrides():
    with pytest.raises(InvalidTypeError) as error:
        nine_to_five(overrides={datetime(2026, 1, 1, tzinfo=UTC): []})
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "overrides")
    with pytest.raises(ValidationError) as error:
        nine_to_five(overrides={date(2026, 1, 1): [("09:00", "12:00"), ("11:00", "13:00")]})
    assert code_of(error) == (ErrorCode.INTERVALS_OVERLAP, "overrides[2026-01-01][1]")
    with pytest.raises(ValidationError) as error:
        nine_to_five(overrides=[date(2026, 1, 1)])
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "overrides")


def test_naive_datetimes_are_rejected_everywhere():
    cal = nine_to_five()
    naive = datetime(2026, 3, 2, 10)  # noqa: DTZ001 - naive on purpose
    aware = datetime(2026, 3, 2, 10, tzinfo=NEW_YORK)
    calls = [
        (lambda: cal.add(naive, H), "start"),
        (lambda: cal.between(naive, aware), "start"),
        (lambda: cal.between(aware, naive), "end"),
        (lambda: cal.is_open(naive), "at"),
        (lambda: cal.next_open(naive), "at"),
        (lambda: cal.next_close(naive), "at"),
    ]
    for call, field in calls:
        with pytest.raises(ValidationError) as error:
            call()
        assert code_of(error) == (ErrorCode.NAIVE_DATETIME, field)


def test_duration_must_be_a_timedelta():
    cal = nine_to_five()
    with pytest.raises(ValidationError) as error:
        cal.add(datetime(2026, 3, 2, 10, tzinfo=NEW_YORK), 3600)
    assert code_of(error) == (ErrorCode.INVALID_TYPE, "duration")


def test_calendar_is_immutable_and_slotted():
    cal = nine_to_five()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cal.tz = LONDON
    assert not hasattr(cal, "__dict__")


def test_repr_describes_the_week():
    cal = nine_to_five(holidays=[date(2026, 1, 1), date(2026, 12, 25)])
    assert repr(cal) == (
        "BusinessCalendar(tz='America/New_York', hours='Mon-Fri 09:00-17:00', holidays=<2 dates>)"
    )
    lunch = BusinessCalendar.weekly(
        {0: [("09:00", "12:00"), ("13:00", "17:30:15")], 6: [("00:00", "24:00")]},
        tz="UTC",
        overrides={date(2026, 1, 2): []},
    )
    assert repr(lunch) == (
        "BusinessCalendar(tz='UTC', hours='Mon 09:00-12:00 13:00-17:30:15;"
        " Sun 00:00-24:00', overrides=<1 day>)"
    )


def test_importing_the_module_does_not_import_holidays():
    code = "import sys, ticketcore.calendar; print('holidays' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------
# add and between: the basic rules


MONDAY_9 = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)


def test_add_zero_is_the_start_even_when_closed():
    cal = nine_to_five()
    saturday = datetime(2026, 3, 7, 12, 34, 56, 789, tzinfo=NEW_YORK)
    assert utc(cal.add(saturday, timedelta(0))) == utc(saturday)
    assert utc(cal.add(MONDAY_9, timedelta(0))) == utc(MONDAY_9)


def test_deadline_ending_at_closing_time_is_closing_time():
    cal = nine_to_five()
    deadline = cal.add(MONDAY_9, 8 * H)
    assert deadline == datetime(2026, 3, 2, 17, tzinfo=NEW_YORK)
    assert not cal.is_open(deadline)
    assert utc(cal.add(MONDAY_9, 8 * H + timedelta(microseconds=1))) == utc(
        datetime(2026, 3, 3, 9, 0, 0, 1, tzinfo=NEW_YORK)
    )


def test_ticket_opened_outside_hours():
    cal = nine_to_five()
    saturday = datetime(2026, 3, 7, 10, tzinfo=NEW_YORK)
    assert cal.add(saturday, H) == datetime(2026, 3, 9, 10, tzinfo=NEW_YORK)
    early = datetime(2026, 3, 2, 7, tzinfo=NEW_YORK)
    assert cal.add(early, H) == datetime(2026, 3, 2, 10, tzinfo=NEW_YORK)
    late = datetime(2026, 3, 2, 20, tzinfo=NEW_YORK)
    assert cal.add(late, H) == datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    assert cal.between(saturday, datetime(2026, 3, 9, 10, tzinfo=NEW_YORK)) == H


def test_lunch_break():
    cal = BusinessCalendar.weekly(
        {day: [("09:00", "12:00"), ("13:00", "17:00")] for day in range(5)}, tz=NEW_YORK
    )
    start = datetime(2026, 3, 2, 11, 30, tzinfo=NEW_YORK)
    assert cal.add(start, H) == datetime(2026, 3, 2, 13, 30, tzinfo=NEW_YORK)
    assert cal.add(start, H / 2) == datetime(2026, 3, 2, 12, tzinfo=NEW_YORK)
    assert not cal.is_open(datetime(2026, 3, 2, 12, 30, tzinfo=NEW_YORK))
    assert cal.between(MONDAY_9, datetime(2026, 3, 3, 9, tzinfo=NEW_YORK)) == 7 * H


def test_holidays_are_whole_days_off():
    cal = nine_to_five(holidays=[date(2026, 3, 2), date(2026, 3, 3)])
    friday = datetime(2026, 2, 27, 16, tzinfo=NEW_YORK)
    assert cal.add(friday, 2 * H) == datetime(2026, 3, 4, 10, tzinfo=NEW_YORK)
    assert not cal.is_open(datetime(2026, 3, 2, 12, tzinfo=NEW_YORK))
    assert cal.between(friday, datetime(2026, 3, 5, 9, tzinfo=NEW_YORK)) == 9 * H


def test_override_half_day_and_opened_friday():
    thursday, friday = date(2026, 3, 5), date(2026, 3, 6)
    cal = BusinessCalendar.iran(holidays=IRAN_HOLIDAYS_NONE)
    start = datetime(2026, 3, 5, 11, tzinfo=TEHRAN)
    # Thursday is a half day and Friday is closed ...
    assert cal.add(start, 3 * H) == datetime(2026, 3, 7, 10, tzinfo=TEHRAN)
    # ... unless an override opens Friday.
    iranian_week = {day: [("08:00", "16:00")] for day in (5, 6, 0, 1, 2)}
    opened = BusinessCalendar.weekly(
        {**iranian_week, 3: [("08:00", "12:00")]},
        tz=TEHRAN,
        overrides={friday: [("09:00", "13:00")]},
    )
    assert opened.add(start, 3 * H) == datetime(2026, 3, 6, 11, tzinfo=TEHRAN)
    # A Monday-to-Friday calendar with a Thursday half day.
    half = nine_to_five(overrides={thursday: [("09:00", "13:00")]})
    assert half.add(datetime(2026, 3, 5, 12, tzinfo=NEW_YORK), 2 * H) == datetime(
        2026, 3, 6, 10, tzinfo=NEW_YORK
    )


def test_override_wins_over_holiday():
    day = date(2026, 3, 2)
    cal = nine_to_five(holidays=[day], overrides={day: [("10:00", "11:00")]})
    assert cal.is_open(datetime(2026, 3, 2, 10, 30, tzinfo=NEW_YORK))
    assert cal.add(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), H) == datetime(
        2026, 3, 2, 11, tzinfo=NEW_YORK
    )
    closed = nine_to_five(overrides={day: []})
    assert not closed.is_open(datetime(2026, 3, 2, 10, tzinfo=NEW_YORK))


def test_negative_durations_walk_back():
    cal = nine_to_five()
    ten = datetime(2026, 3, 2, 10, tzinfo=NEW_YORK)
    assert cal.add(ten, -H) == MONDAY_9
    assert cal.add(datetime(2026, 3, 2, 9, 30, tzinfo=NEW_YORK), -H) == datetime(
        2026, 2, 27, 16, 30, tzinfo=NEW_YORK
    )
    saturday = datetime(2026, 3, 7, 12, tzinfo=NEW_YORK)
    assert cal.add(saturday, -H) == datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)
    # Walking back exactly to an opening lands on the opening (the latest such instant).
    assert cal.add(datetime(2026, 3, 3, 10, tzinfo=NEW_YORK), -9 * H) == MONDAY_9
    assert cal.between(ten, MONDAY_9) == -H


def test_start_in_another_zone_uses_the_calendars_zone():
    cal = nine_to_five()
    # 23:30 in Tokyo on Monday is 09:30 in New York on Monday.
    start = datetime(2026, 3, 2, 23, 30, tzinfo=TOKYO)
    result = cal.add(start, H)
    assert result == datetime(2026, 3, 2, 10, 30, tzinfo=NEW_YORK)
    assert result.tzinfo is cal.tz
    assert cal.between(start, result) == H
    assert cal.is_open(start)


def test_result_is_in_the_calendars_zone():
    cal = nine_to_five(LONDON)
    result = cal.add(datetime(2026, 3, 2, 9, tzinfo=UTC), 30 * H)
    assert result.tzinfo is LONDON
    assert result == datetime(2026, 3, 5, 15, tzinfo=LONDON)


def test_between_is_exact_to_the_microsecond():
    cal = nine_to_five()
    a = datetime(2026, 3, 2, 9, 0, 0, 1, tzinfo=NEW_YORK)
    b = datetime(2027, 3, 2, 16, 59, 59, 999_999, tzinfo=NEW_YORK)
    span = cal.between(a, b)
    assert span.microseconds == 999_998
    assert cal.between(b, a) == -span
    assert utc(cal.add(a, span)) == utc(b)


def test_is_open_half_open_intervals():
    cal = nine_to_five()
    assert cal.is_open(MONDAY_9)
    assert cal.is_open(datetime(2026, 3, 2, 16, 59, 59, 999_999, tzinfo=NEW_YORK))
    assert not cal.is_open(datetime(2026, 3, 2, 17, tzinfo=NEW_YORK))
    assert not cal.is_open(datetime(2026, 3, 2, 8, 59, 59, 999_999, tzinfo=NEW_YORK))


def test_next_open_and_next_close():
    cal = nine_to_five()
    noon = datetime(2026, 3, 2, 12, tzinfo=NEW_YORK)
    assert cal.next_open(noon) == noon
    assert cal.next_close(noon) == datetime(2026, 3, 2, 17, tzinfo=NEW_YORK)
    five = datetime(2026, 3, 2, 17, tzinfo=NEW_YORK)
    assert cal.next_open(five) == datetime(2026, 3, 3, 9, tzinfo=NEW_YORK)
    assert cal.next_close(five) == datetime(2026, 3, 3, 17, tzinfo=NEW_YORK)
    friday_night = datetime(2026, 3, 6, 23, tzinfo=NEW_YORK)
    assert cal.next_open(friday_night) == datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)


def test_next_close_runs_across_midnight():
    cal = BusinessCalendar.weekly({day: [("00:00", "24:00")] for day in range(5)}, tz=NEW_YORK)
    assert cal.next_close(datetime(2026, 3, 3, 12, tzinfo=NEW_YORK)) == datetime(
        2026, 3, 7, tzinfo=NEW_YORK
    )
    around_the_clock = BusinessCalendar.always("Europe/London")
    assert around_the_clock.next_close(datetime(2026, 3, 3, tzinfo=UTC)) is None
    with_holiday = BusinessCalendar.weekly(
        every_day("00:00", "24:00"), tz="UTC", holidays=[date(2028, 2, 29)]
    )
    assert with_holiday.next_close(datetime(2026, 3, 3, tzinfo=UTC)) == datetime(
        2028, 2, 29, tzinfo=UTC
    )
    assert with_holiday.next_open(datetime(2028, 2, 29, 5, tzinfo=UTC)) == datetime(
        2028, 3, 1, tzinfo=UTC
    )


def test_always_is_open_around_the_clock():
    cal = BusinessCalendar.always()
    start = datetime(2026, 3, 2, 9, 17, tzinfo=NEW_YORK)
    assert cal.tz == ZoneInfo("UTC")
    # Real elapsed time: add to the UTC instant, not to New York wall time.
    assert utc(cal.add(start, 1000 * H)) == utc(start) + 1000 * H
    assert cal.between(start, utc(start) + timedelta(days=400)) == timedelta(days=400)
    assert cal.is_open(start)


# ---------------------------------------------------------------------------------------
# Daylight-saving changes: business time is real elapsed time


@pytest.mark.parametrize(
    ("zone", "day", "six_hours", "whole_day"),
    [
        ("America/New_York", date(2026, 3, 8), 5, 23),
        ("America/New_York", date(2026, 11, 1), 7, 25),
        ("Europe/London", date(2026, 3, 29), 5, 23),
        ("Europe/London", date(2026, 10, 25), 7, 25),
        ("Australia/Lord_Howe", date(2026, 4, 5), 6.5, 24.5),
        ("Australia/Lord_Howe", date(2026, 10, 4), 5.5, 23.5),
        ("Pacific/Chatham", date(2026, 4, 5), 7, 25),
        ("Pacific/Chatham", date(2026, 9, 27), 5, 23),
        ("Asia/Tehran", date(2021, 3, 22), 5, 23),
        ("Asia/Tehran", date(2021, 9, 21), 6, 25),
        ("America/Sao_Paulo", date(2018, 11, 4), 5, 23),
        ("America/Sao_Paulo", date(2019, 2, 16), 6, 25),
        ("Asia/Kathmandu", date(2026, 3, 29), 6, 24),
    ],
)
def test_dst_days_count_real_hours(zone, day, six_hours, whole_day):
    tz = ZoneInfo(zone)
    early = BusinessCalendar.weekly(every_day("00:00", "06:00"), tz=tz)
    full = BusinessCalendar.always(tz)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    assert early.between(start, end) == timedelta(hours=six_hours)
    assert full.between(start, end) == timedelta(hours=whole_day)
    assert utc(early.add(start, timedelta(hours=six_hours))) == utc(
        datetime.combine(day, time(6), tzinfo=tz)
    )


def test_new_york_early_shift_across_spring_forward():
    cal = BusinessCalendar.weekly(every_day("00:00", "06:00"), tz=NEW_YORK)
    saturday = datetime(2026, 3, 7, tzinfo=NEW_YORK)
    monday = datetime(2026, 3, 9, tzinfo=NEW_YORK)
    assert cal.between(saturday, monday) == 11 * H
    # 00:00 EST plus three real hours is 04:00 EDT.
    sunday = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert cal.add(sunday, 3 * H) == datetime(2026, 3, 8, 4, tzinfo=NEW_YORK)
    assert cal.add(sunday, 5 * H) == datetime(2026, 3, 8, 6, tzinfo=NEW_YORK)
    assert cal.add(sunday, 5 * H + timedelta(microseconds=1)) == datetime(
        2026, 3, 9, 0, 0, 0, 1, tzinfo=NEW_YORK
    )


def test_new_york_early_shift_across_fall_back():
    cal = BusinessCalendar.weekly(every_day("00:00", "06:00"), tz=NEW_YORK)
    sunday = datetime(2026, 11, 1, tzinfo=NEW_YORK)
    # 00:00 EDT plus two real hours is the second 01:00, in EST.
    result = cal.add(sunday, 2 * H)
    assert utc(result) == datetime(2026, 11, 1, 6, tzinfo=UTC)
    assert result.fold == 1
    assert result.utcoffset() == timedelta(hours=-5)
    assert cal.between(sunday, result) == 2 * H
    assert utc(cal.add(sunday, 7 * H)) == datetime(2026, 11, 1, 11, tzinfo=UTC)


def test_wall_times_in_a_dst_gap_or_fold_resolve_with_fold_0():
    # 01:30 does not exist in London on 2026-03-29: fold=0 reads it as GMT, 02:30 BST;
    # 03:00 BST is only 30 real minutes later.
    gap = BusinessCalendar.weekly({6: [("01:30", "03:00")]}, tz=LONDON)
    day = datetime(2026, 3, 29, tzinfo=LONDON)
    assert gap.between(day, day + timedelta(days=1)) == H / 2
    # 01:30 happens twice on 2026-10-25: fold=0 takes the first, in BST.
    fold = BusinessCalendar.weekly({6: [("01:30", "02:30")]}, tz=LONDON)
    day = datetime(2026, 10, 25, tzinfo=LONDON)
    assert fold.between(day, day + timedelta(days=1)) == 2 * H
    assert utc(fold.next_open(day)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_interval_entirely_inside_a_gap_can_be_empty():
    # In New York 02:30 (fold=0, read as EST) is 07:30Z, after 03:00 EDT (07:00Z).
    cal = BusinessCalendar.weekly({6: [("02:30", "03:00")], 0: [("09:00", "10:00")]}, tz=NEW_YORK)
    day = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert cal.between(day, day + timedelta(days=1)) == timedelta(0)
    assert cal.add(day, H / 4) == datetime(2026, 3, 9, 9, 15, tzinfo=NEW_YORK)


def test_sao_paulo_midnight_changes():
    sao_paulo = ZoneInfo("America/Sao_Paulo")
    cal = BusinessCalendar.weekly(every_day("00:00", "01:00"), tz=sao_paulo)
    # On 2018-11-04 the clocks jump from 00:00 to 01:00: the hour never happens.
    day = datetime(2018, 11, 4, 1, tzinfo=sao_paulo)
    assert cal.between(day - timedelta(hours=1), day + timedelta(hours=20)) == timedelta(0)
    assert cal.next_open(day) == datetime(2018, 11, 5, tzinfo=sao_paulo)


def test_kathmandu_quarter_hour_offset():
    kathmandu = ZoneInfo("Asia/Kathmandu")
    cal = nine_to_five(kathmandu)
    start = datetime(2026, 3, 2, 3, tzinfo=UTC)  # 08:45 in Kathmandu
    assert cal.add(start, H) == datetime(2026, 3, 2, 10, tzinfo=kathmandu)


# ---------------------------------------------------------------------------------------
# Holidays from the `holidays` package, and the Iranian preset


def test_iran_preset_hours():
    cal = BusinessCalendar.iran(holidays=IRAN_HOLIDAYS_NONE)
    assert cal.tz == TEHRAN
    week = datetime(2026, 4, 25, tzinfo=TEHRAN)  # a Saturday
    assert cal.between(week, week + timedelta(days=7)) == 5 * 8 * H + 4 * H
    assert not cal.is_open(datetime(2026, 5, 1, 10, tzinfo=TEHRAN))  # Friday
    assert cal.is_open(datetime(2026, 4, 30, 11, 59, tzinfo=TEHRAN))  # Thursday
    assert not cal.is_open(datetime(2026, 4, 30, 12, tzinfo=TEHRAN))


def test_iran_preset_with_the_holidays_package():
    holidays = pytest.importorskip("holidays")
    nowruz = date(2026, 3, 21)
    cal = BusinessCalendar.iran()
    assert nowruz in holidays.country_holidays("IR")
    assert not cal.is_open(datetime(2026, 3, 21, 10, tzinfo=TEHRAN))
    assert BusinessCalendar.iran(holidays=IRAN_HOLIDAYS_NONE).is_open(
        datetime(2026, 3, 21, 10, tzinfo=TEHRAN)
    )
    assert "holidays=<" in repr(cal)


def test_iran_preset_without_the_holidays_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "holidays", None)  # makes `import holidays` fail
    cal = BusinessCalendar.iran()
    assert cal.is_open(datetime(2026, 3, 21, 10, tzinfo=TEHRAN))
    assert "holidays" not in repr(cal)


def test_holidays_package_calendar_matches_the_oracle():
    holidays = pytest.importorskip("holidays")
    source = holidays.country_holidays("US", subdiv="NY")
    cal = nine_to_five(holidays=source)
    oracle = OracleCalendar(
        {day: [(time(9), time(17))] for day in range(5)}, tz=NEW_YORK, holidays=source
    )
    start = datetime(2025, 12, 20, 12, tzinfo=NEW_YORK)
    for step in range(0, 2000, 37):
        instant = start + timedelta(minutes=step * 330)
        for hours in (1, 9, 100, 2000):
            assert utc(cal.add(instant, hours * H)) == oracle.add(instant, hours * H)
        later = instant + timedelta(days=step)
        assert cal.between(instant, later) == oracle.between(instant, later)


def test_holidays_package_years_are_read_once():
    holidays = pytest.importorskip("holidays")
    base = type(holidays.country_holidays("IR"))
    lookups = []

    class Counting(base):
        def __contains__(self, key):
            lookups.append(key)
            return super().__contains__(key)

    cal = BusinessCalendar.iran(holidays=Counting())
    start = datetime(2026, 5, 2, 9, tzinfo=TEHRAN)
    cal.add(start, 10 * H)
    first = len(lookups)
    assert 365 <= first <= 3 * 366
    for _ in range(50):
        cal.add(start, 10 * H)
        cal.between(start, start + timedelta(days=30))
    assert len(lookups) == first


# ---------------------------------------------------------------------------------------
# Never looping forever


def test_long_closed_stretch_raises():
    closed = [date(2026, 1, 1) + timedelta(days=k) for k in range(CLOSED_DAYS_LIMIT)]
    cal = BusinessCalendar.weekly(every_day("00:00", "24:00"), tz="UTC", holidays=closed)
    before = datetime(2025, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        cal.add(before, 2 * H)
    assert error.value.code == ErrorCode.CALENDAR_NEVER_OPEN
    with pytest.raises(ValidationError) as error:
        cal.next_open(datetime(2026, 1, 1, tzinfo=UTC))
    assert error.value.code == ErrorCode.CALENDAR_NEVER_OPEN
    after = datetime.combine(closed[-1] + timedelta(days=1), time(1), tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        cal.add(after, -2 * H)
    assert error.value.code == ErrorCode.CALENDAR_NEVER_OPEN
    # between never searches, so it still answers.
    assert cal.between(before, after) == 2 * H


def test_closed_stretch_one_day_short_of_the_limit_is_crossed():
    closed = [date(2026, 1, 1) + timedelta(days=k) for k in range(CLOSED_DAYS_LIMIT - 1)]
    cal = BusinessCalendar.weekly(every_day("00:00", "24:00"), tz="UTC", holidays=closed)
    reopening = datetime.combine(closed[-1] + timedelta(days=1), time(0), tzinfo=UTC)
    before = datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert cal.add(before, 2 * H) == reopening + H
    assert cal.next_open(datetime(2026, 1, 1, tzinfo=UTC)) == reopening
    assert cal.add(reopening + H, -2 * H) == before


@pytest.mark.parametrize(
    ("offset", "ends"), [(CLOSED_DAYS_LIMIT - 1, True), (CLOSED_DAYS_LIMIT, False)]
)
def test_next_close_gives_up_on_a_five_year_stretch(offset, ends):
    first = date(2026, 1, 1)
    holiday = first + timedelta(days=offset)
    cal = BusinessCalendar.weekly(every_day("00:00", "24:00"), tz=LONDON, holidays=[holiday])
    oracle = OracleCalendar(
        {day: [(time(0), time(0))] for day in range(7)}, tz=LONDON, holidays={holiday}
    )
    noon = datetime(2026, 1, 1, 12, tzinfo=LONDON)
    expected = datetime.combine(holiday, time(0), tzinfo=LONDON) if ends else None
    assert cal.next_close(noon) == expected
    assert utc(expected) == oracle.next_close(noon, limit_days=CLOSED_DAYS_LIMIT)


def test_pickle_and_copy_keep_the_calendar():
    holidays = pytest.importorskip("holidays")
    cal = BusinessCalendar.iran(holidays=holidays.country_holidays("IR"))
    start = datetime(2026, 3, 19, 10, tzinfo=TEHRAN)
    expected = cal.add(start, 8 * H)
    for clone in (pickle.loads(pickle.dumps(cal)), copy.deepcopy(cal)):
        assert clone == cal
        assert clone.add(start, 8 * H) == expected


def test_equal_calendars_hash_alike():
    assert hash(nine_to_five()) == hash(nine_to_five())
    assert nine_to_five() != nine_to_five(LONDON)
    assert len({nine_to_five(), nine_to_five(), BusinessCalendar.always()}) == 2


def test_threads_share_one_calendar():
    cal = nine_to_five(holidays=[date(2030, 1, 1)])
    starts = [datetime(2020 + k % 12, 1 + k % 12, 1 + k % 28, tzinfo=NEW_YORK) for k in range(400)]
    expected = [nine_to_five(holidays=[date(2030, 1, 1)]).add(s, 100 * H) for s in starts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: cal.add(s, 100 * H), starts))
    assert [utc(r) for r in results] == [utc(e) for e in expected]


def test_results_beyond_the_supported_years_are_out_of_range():
    cal = BusinessCalendar.always()
    with pytest.raises(ValidationError) as error:
        cal.add(datetime(9998, 12, 1, tzinfo=UTC), timedelta(days=60))
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "duration")


# ---------------------------------------------------------------------------------------
# Hard edges: every bad input is a ticketcore error with a code and the field

YEAR_1 = datetime(1, 1, 1, tzinfo=UTC)
YEAR_9999 = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
YEAR_1_EAST = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
YEAR_9999_WEST = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12)))
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize("at", [YEAR_1, YEAR_9999, YEAR_1_EAST, YEAR_9999_WEST])
def test_instants_outside_the_supported_years_are_out_of_range(at):
    cal = nine_to_five(LONDON)
    calls = [
        (lambda: cal.add(at, H), "start"),
        (lambda: cal.add(at, timedelta(0)), "start"),
        (lambda: cal.between(at, NOON), "start"),
        (lambda: cal.between(NOON, at), "end"),
        (lambda: cal.is_open(at), "at"),
        (lambda: cal.next_open(at), "at"),
        (lambda: cal.next_close(at), "at"),
    ]
    for call, field in calls:
        with pytest.raises(ValidationError) as error:
            call()
        assert code_of(error) == (ErrorCode.OUT_OF_RANGE, field)


def test_the_supported_years_are_local_years():
    # 0002-01-01 00:30 in Tokyo is still year 1 in UTC; 9998-12-31 20:00 in New York is
    # already 9999 in UTC. Both are local days the calendar works with.
    tokyo = BusinessCalendar.always(TOKYO)
    first = datetime(2, 1, 1, 0, 30, tzinfo=TOKYO)
    assert first.astimezone(UTC).year == 1
    assert tokyo.is_open(first)
    assert tokyo.add(first, H) == datetime(2, 1, 1, 1, 30, tzinfo=TOKYO)
    new_york = BusinessCalendar.always(NEW_YORK)
    last = datetime(9998, 12, 31, 20, tzinfo=NEW_YORK)
    assert last.astimezone(UTC).year == 9999
    assert new_york.add(last, -H) == datetime(9998, 12, 31, 19, tzinfo=NEW_YORK)
    assert new_york.between(last - H, last) == H
    with pytest.raises(ValidationError) as error:
        new_york.is_open(datetime(9999, 1, 1, tzinfo=NEW_YORK))
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "at")


@pytest.mark.parametrize(
    "duration",
    [timedelta.max, timedelta.min, timedelta(days=3_000_000), -timedelta(days=3_000_000)],
)
def test_durations_past_the_supported_years_fail_at_once(duration):
    cal = nine_to_five()
    with pytest.raises(ValidationError) as error:
        cal.add(NOON, duration)
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "duration")


def test_walks_past_the_supported_years_are_out_of_range():
    cal = BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="UTC")
    last_day = datetime(9998, 12, 31, 12, tzinfo=UTC)  # a Thursday: next Monday is in 9999
    monday = datetime(2, 1, 7, 12, tzinfo=UTC)  # the first Monday of year 2
    with pytest.raises(ValidationError) as error:
        cal.add(last_day, H)
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "duration")
    with pytest.raises(ValidationError) as error:
        cal.add(monday, -4 * H)
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "duration")
    with pytest.raises(ValidationError) as error:
        cal.next_open(last_day)
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "at")
    with pytest.raises(ValidationError) as error:
        cal.next_close(last_day)
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "at")
    # A stretch that runs into year 9999 cannot be measured: neither an end nor None.
    with pytest.raises(ValidationError) as error:
        BusinessCalendar.always().next_close(datetime(9998, 6, 1, tzinfo=UTC))
    assert code_of(error) == (ErrorCode.OUT_OF_RANGE, "at")
    assert cal.add(monday, -3 * H) == datetime(2, 1, 7, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda cal: cal.add("2026-03-02T09:00Z", H), "start"),
        (lambda cal: cal.add(date(2026, 3, 2), H), "start"),
        (lambda cal: cal.add(NOON, 3600), "duration"),
        (lambda cal: cal.add(NOON, None), "duration"),
        (lambda cal: cal.between(NOON, 0), "end"),
        (lambda cal: cal.between(None, NOON), "start"),
        (lambda cal: cal.is_open(1_700_000_000), "at"),
        (lambda cal: cal.next_open(time(9)), "at"),
        (lambda cal: cal.next_close(b"2026"), "at"),
        (lambda _: BusinessCalendar.weekly(NINE_TO_FIVE, tz=3), "tz"),
        (lambda _: BusinessCalendar.weekly(NINE_TO_FIVE, tz=UTC), "tz"),
        (lambda _: BusinessCalendar.weekly(None, tz="UTC"), "hours"),
        (lambda _: BusinessCalendar.weekly({0: [[9, 17]]}, tz="UTC"), "hours[0][0]"),
        (lambda _: BusinessCalendar.weekly({0: [None]}, tz="UTC"), "hours[0][0]"),
        (lambda _: BusinessCalendar.weekly(NINE_TO_FIVE, tz="UTC", holidays=5), "holidays"),
        (lambda _: BusinessCalendar.weekly(NINE_TO_FIVE, tz="UTC", holidays=[1]), "holidays"),
        (lambda _: BusinessCalendar.weekly(NINE_TO_FIVE, tz="UTC", overrides=[]), "overrides"),
        (lambda _: BusinessCalendar.iran(holidays=3.5), "holidays"),
        (lambda _: BusinessCalendar.always(tz=None), "tz"),
    ],
)
def test_wrong_types_are_invalid_type_errors(call, field):
    with pytest.raises(InvalidTypeError) as error:
        call(nine_to_five())
    assert isinstance(error.value, TypeError)
    assert code_of(error) == (ErrorCode.INVALID_TYPE, field)


def test_hostile_values_are_named_without_being_repeated_whole():
    deep: list[object] = []
    for _ in range(10_000):
        deep = [deep]
    long_text = "x" * 1_000_000
    calls = [
        (lambda: BusinessCalendar.weekly({0: [deep]}, tz="UTC"), "hours[0][0]"),
        (lambda: BusinessCalendar.weekly({0: [(long_text, "17:00")]}, tz="UTC"), "hours[0][0]"),
        (lambda: nine_to_five(holidays=[deep]), "holidays"),
        (lambda: BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz=long_text), "tz"),
    ]
    for call, field in calls:
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.field == field
        assert len(str(error.value)) < 200


def test_the_constructor_takes_only_the_builders_form():
    cal = nine_to_five(LONDON, holidays=[date(2026, 1, 1)], overrides={date(2026, 1, 2): []})
    assert attrs.evolve(cal) == cal
    parts = {
        "tz": cal.tz,
        "weekly": cal._weekly,
        "holiday_dates": cal._holiday_dates,
        "holiday_calendar": None,
        "overrides": cal._overrides,
    }
    assert BusinessCalendar(**parts) == cal
    nine = ((9 * HOUR_US, 17 * HOUR_US),)
    wrong_types = {
        "tz": "Europe/London",
        "weekly": [nine] * 7,
        "holiday_dates": {date(2026, 1, 1)},
        "holiday_calendar": [date(2026, 1, 1)],
        "overrides": {date(2026, 1, 2): ()},
    }
    for name, value in wrong_types.items():
        with pytest.raises(InvalidTypeError) as error:
            BusinessCalendar(**{**parts, name: value})
        assert error.value.field == name
    more_wrong_types = [
        ("weekly", (((9.0, 17.0),),) * 7, "weekly[0]"),
        ("weekly", ((("09:00", "17:00"),),) * 7, "weekly[0]"),
        ("holiday_dates", frozenset({NOON}), "holiday_dates"),
        ("overrides", ((NOON, ()),), "overrides"),
        ("overrides", ((date(2026, 1, 2), [(0, 1)]),), "overrides[2026-01-02]"),
    ]
    for name, value, field in more_wrong_types:
        with pytest.raises(InvalidTypeError) as error:
            BusinessCalendar(**{**parts, name: value})
        assert error.value.field == field
    out_of_range = [
        ("weekly", (nine,) * 6, "weekly"),
        ("weekly", (((17 * HOUR_US, 9 * HOUR_US),),) * 7, "weekly[0]"),
        ("weekly", (((0, DAY_US + 1),),) * 7, "weekly[0]"),
        ("weekly", (((0, HOUR_US), (HOUR_US, 2 * HOUR_US)),) * 7, "weekly[0]"),
        ("overrides", ((date(2026, 1, 3), ()), (date(2026, 1, 2), ())), "overrides"),
    ]
    for name, value, field in out_of_range:
        with pytest.raises(ValidationError) as error:
            BusinessCalendar(**{**parts, name: value})
        assert code_of(error) == (ErrorCode.OUT_OF_RANGE, field)
    with pytest.raises(ValidationError) as error:
        BusinessCalendar(**{**parts, "weekly": ((),) * 7})
    assert code_of(error) == (ErrorCode.CALENDAR_NEVER_OPEN, "weekly")


# Any zone, a fixed offset up to a day either way included.
any_zones = st.one_of(
    st.timezones(),
    st.timedeltas(-timedelta(hours=23, minutes=59), timedelta(hours=23, minutes=59)).map(timezone),
)
EDGES = (YEAR_1, YEAR_9999, YEAR_1_EAST, YEAR_9999_WEST, datetime(2, 1, 1, tzinfo=UTC))
any_instants = st.one_of(st.datetimes(timezones=any_zones), st.sampled_from(EDGES))
# Durations up to a few years, and ones longer than the supported years (which fail at
# once). Those in between are left out for time, not for correctness: each calendar
# year they cross costs about three milliseconds.
beyond_days = st.integers(3_660_000, timedelta.max.days)
any_durations = st.one_of(
    st.timedeltas(-timedelta(days=1000), timedelta(days=1000)),
    beyond_days.map(lambda days: timedelta(days=days)),
    beyond_days.map(lambda days: -timedelta(days=days)),
    st.sampled_from([timedelta.max, timedelta.min]),
)
HARD_EDGE_CALENDARS = (
    BusinessCalendar.always(),
    BusinessCalendar.always("Pacific/Kiritimati"),
    BusinessCalendar.weekly({0: [("09:00", "17:00")]}, tz="Etc/GMT+12"),
    BusinessCalendar.iran(holidays=[date(2026, 3, 21)]),
    nine_to_five(LONDON, overrides={date(2026, 3, 29): [("00:00", "24:00")]}),
)


@given(
    cal=st.sampled_from(HARD_EDGE_CALENDARS),
    first=any_instants,
    duration=any_durations,
    data=st.data(),
)
@settings(deadline=None)
def test_any_aware_instant_and_duration_answer_or_raise_a_ticketcore_error(
    cal, first, duration, data
):
    year = first.year
    nearby = st.datetimes(
        min_value=datetime(max(1, year - 2), 1, 1),  # noqa: DTZ001 - bounds of naive values
        max_value=datetime(min(9999, year + 2), 12, 31),  # noqa: DTZ001
        timezones=any_zones,
    )
    second = data.draw(st.one_of(nearby, st.sampled_from(EDGES)))
    calls = [
        lambda: cal.add(first, duration),
        lambda: cal.between(first, second),
        lambda: cal.is_open(first),
        lambda: cal.next_open(first),
        lambda: cal.next_close(first),
    ]
    for call in calls:
        failure: TicketcoreError | None = None
        try:
            result = call()
        except TicketcoreError as error:  # anything else fails the test
            failure = error
        if failure is None:
            assert not isinstance(result, datetime) or result.tzinfo is cal.tz
        else:
            assert failure.code in {ErrorCode.OUT_OF_RANGE, ErrorCode.CALENDAR_NEVER_OPEN}
            assert failure.code == ErrorCode.CALENDAR_NEVER_OPEN or failure.field is not None


# ---------------------------------------------------------------------------------------
# Where two well-known peers go wrong, and what we do instead.


def test_unlike_pandas_dst_inside_working_hours_counts_real_hours():
    # pandas CustomBusinessHour counts clock-face hours (or raises on the nonexistent
    # 02:00) for a 00:00-06:00 New York day across the spring-forward change.
    cal = BusinessCalendar.weekly(every_day("00:00", "06:00"), tz=NEW_YORK)
    sunday = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert cal.between(sunday, sunday + timedelta(days=1)) == 5 * H
    assert cal.add(sunday, 4 * H) == datetime(2026, 3, 8, 5, tzinfo=NEW_YORK)


def test_unlike_pandas_the_calendars_zone_applies():
    # pandas applies business hours in the timestamp's own zone.
    cal = nine_to_five()
    start = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)  # 08:30 in New York
    assert cal.add(start, H) == datetime(2026, 3, 2, 10, tzinfo=NEW_YORK)
    assert not cal.is_open(start)


def test_unlike_pandas_a_deadline_at_closing_time_is_closing_time():
    # pandas rolls an offset that ends exactly at closing time to the next opening.
    cal = nine_to_five()
    start = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)  # a Friday
    assert cal.add(start, H) == datetime(2026, 3, 6, 17, tzinfo=NEW_YORK)


def test_unlike_pandas_days_may_have_different_hours():
    # pandas has one start/end for every business day: no Iranian Thursday half day.
    cal = BusinessCalendar.iran(holidays=IRAN_HOLIDAYS_NONE)
    thursday = datetime(2026, 4, 30, 8, tzinfo=TEHRAN)
    assert cal.add(thursday, 5 * H) == datetime(2026, 5, 2, 9, tzinfo=TEHRAN)


def test_unlike_businesstimedelta_holidays_may_run_out():
    # businesstimedelta fails when the start lies past the end of its holiday list.
    cal = nine_to_five(holidays=[date(2026, 1, 1), date(2026, 12, 25)])
    start = datetime(2035, 3, 5, 16, tzinfo=NEW_YORK)  # a Monday
    assert cal.add(start, 2 * H) == datetime(2035, 3, 6, 10, tzinfo=NEW_YORK)


def test_unlike_businesstimedelta_negative_amounts_are_exact():
    # businesstimedelta gets negative amounts wrong; ours walk back exactly.
    cal = nine_to_five()
    start = datetime(2026, 3, 9, 10, 15, tzinfo=NEW_YORK)  # a Monday
    back = cal.add(start, -3 * H)
    assert back == datetime(2026, 3, 6, 15, 15, tzinfo=NEW_YORK)
    assert cal.between(back, start) == 3 * H
    assert cal.between(start, back) == -3 * H


def test_unlike_businesstimedelta_any_zoneinfo_zone_and_microseconds():
    # businesstimedelta takes pytz zones only and drops microseconds.
    cal = nine_to_five(ZoneInfo("America/New_York"))
    start = datetime(2026, 3, 2, 9, 0, 0, 1, tzinfo=NEW_YORK)
    result = cal.add(start, H + timedelta(microseconds=7))
    assert result == datetime(2026, 3, 2, 10, 0, 0, 8, tzinfo=NEW_YORK)
    assert cal.between(start, result) == H + timedelta(microseconds=7)


# ---------------------------------------------------------------------------------------
# Properties, checked against the oracle in tests/calendar_oracle.py

ZONE_NAMES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Tehran",
    "America/Sao_Paulo",
    "Asia/Kathmandu",
)


def _offset_changes(zone: ZoneInfo, first_year: int, last_year: int) -> list[datetime]:
    """UTC instants where the zone's offset changes, found by a daily scan and bisection."""

    def offset(instant: datetime) -> timedelta | None:
        return instant.astimezone(zone).utcoffset()

    changes = []
    day = datetime(first_year, 1, 1, tzinfo=UTC)
    while day.year <= last_year:
        following = day + timedelta(days=1)
        if offset(day) != offset(following):
            low, high = day, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if offset(middle) == offset(low):
                    low = middle
                else:
                    high = middle
            changes.append(high)
        day = following
    return changes


OFFSET_CHANGES = {name: _offset_changes(ZoneInfo(name), 2015, 2031) for name in ZONE_NAMES}
# Wall times that meet DST changes in the zones above, in minutes after midnight.
DST_MINUTES = (0, 30, 60, 90, 120, 150, 165, 180, 225, 240, 1380, 1410, 1440)

wall_points = st.one_of(
    st.sampled_from(DST_MINUTES).map(lambda minutes: minutes * 60 * US),
    st.integers(0, 96).map(lambda quarter: quarter * 15 * 60 * US),
    st.integers(0, DAY_US),
)


def wall_time(micro: int) -> time:
    """A time of day from microseconds after midnight; 24:00 becomes time(0)."""
    micro %= DAY_US
    return time(micro // HOUR_US, micro // (60 * US) % 60, micro // US % 60, micro % US)


def wall_length(start: time, end: time) -> int:
    def micro(value: time) -> int:
        return ((value.hour * 60 + value.minute) * 60 + value.second) * US + value.microsecond

    return (micro(end) or DAY_US) - micro(start)


@st.composite
def day_hours(draw):
    count = draw(st.integers(0, 3))
    points = sorted(
        draw(st.lists(wall_points, min_size=2 * count, max_size=2 * count, unique=True))
    )
    pairs = [[points[2 * i], points[2 * i + 1]] for i in range(count)]
    for i in range(1, count):
        if draw(st.booleans()):  # make it touch the previous one: they must be joined
            pairs[i][0] = pairs[i - 1][1]
    return [(wall_time(start), wall_time(end)) for start, end in pairs]


@st.composite
def instants(draw, zone_name: str):
    zone = ZoneInfo(zone_name)
    changes = OFFSET_CHANGES[zone_name]
    kind = draw(st.sampled_from(["random", "near change", "wall time"] if changes else ["random"]))
    if kind == "random":
        micro = draw(st.integers(1_577_836_800 * US, 1_924_992_000 * US))  # 2020 to 2031
        instant = EPOCH + timedelta(microseconds=micro)
    elif kind == "near change":
        change = draw(st.sampled_from(changes))
        shift = draw(
            st.one_of(
                st.integers(-72, 72).map(lambda h: h * HOUR_US),
                st.integers(-3 * DAY_US, 3 * DAY_US),
            )
        )
        instant = change + timedelta(microseconds=shift)
    else:
        change = draw(st.sampled_from(changes)).astimezone(zone).date()
        day = change + timedelta(days=draw(st.integers(-2, 2)))
        local = datetime.combine(day, wall_time(draw(wall_points)), tzinfo=zone)
        instant = local.replace(fold=draw(st.sampled_from([0, 1])))
    return instant.astimezone(ZoneInfo(draw(st.sampled_from(ZONE_NAMES))))


@dataclass(frozen=True)
class Scenario:
    zone: ZoneInfo
    hours: dict[int, list[tuple[time, time]]]
    holidays: frozenset[date]
    overrides: dict[date, list[tuple[time, time]]]
    start: datetime
    # Up to about 80 weeks of working time, and at most 3000 hours.
    longest: int

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar.weekly(
            self.hours, tz=self.zone, holidays=self.holidays, overrides=self.overrides
        )

    def oracle(self) -> OracleCalendar:
        return OracleCalendar(
            self.hours, tz=self.zone, holidays=self.holidays, overrides=self.overrides
        )


@st.composite
def scenarios(draw):
    zone_name = draw(st.sampled_from(ZONE_NAMES))
    hours = {weekday: draw(day_hours()) for weekday in range(7)}
    assume(any(hours.values()))
    start = draw(instants(zone_name))
    near = start.astimezone(ZoneInfo(zone_name)).date()
    nearby = st.integers(-10, 120).map(lambda days: near + timedelta(days=days))
    holidays = draw(st.frozensets(nearby, max_size=12))
    overrides = draw(st.dictionaries(nearby, day_hours(), max_size=4))
    weekly = sum(wall_length(s, e) for day in hours.values() for s, e in day)
    longest = min(3000 * HOUR_US, 80 * weekly)
    return Scenario(ZoneInfo(zone_name), hours, holidays, overrides, start, longest)


@st.composite
def durations(draw, longest: int) -> timedelta:
    micro = draw(
        st.one_of(
            st.integers(0, min(longest, 12 * HOUR_US)),
            st.integers(0, longest),
            st.sampled_from([0, 1, HOUR_US, 8 * HOUR_US]),
        )
    )
    return timedelta(microseconds=micro)


@given(data=st.data(), scenario=scenarios())
def test_add_matches_the_oracle(data, scenario):
    duration = data.draw(durations(scenario.longest))
    sign = data.draw(st.sampled_from([1, -1]))
    result = scenario.calendar().add(scenario.start, sign * duration)
    assert result.tzinfo is scenario.zone
    assert utc(result) == scenario.oracle().add(scenario.start, sign * duration)


@given(data=st.data(), scenario=scenarios())
def test_between_matches_the_oracle(data, scenario):
    shift = data.draw(st.integers(-400 * DAY_US, 400 * DAY_US))
    end = scenario.start + timedelta(microseconds=shift)
    expected = scenario.oracle().between(scenario.start, end)
    assert scenario.calendar().between(scenario.start, end) == expected


@given(data=st.data(), scenario=scenarios())
def test_between_undoes_add(data, scenario):
    cal = scenario.calendar()
    duration = data.draw(durations(scenario.longest))
    start = scenario.start
    assert utc(cal.add(start, timedelta(0))) == utc(start)
    assert cal.between(start, cal.add(start, duration)) == duration
    assert cal.between(cal.add(start, -duration), start) == duration


@given(data=st.data(), scenario=scenarios())
def test_between_is_antisymmetric_and_additive(data, scenario):
    cal = scenario.calendar()
    a = scenario.start
    b = a + timedelta(microseconds=data.draw(st.integers(-200 * DAY_US, 200 * DAY_US)))
    c = b + timedelta(microseconds=data.draw(st.integers(-200 * DAY_US, 200 * DAY_US)))
    assert cal.between(b, a) == -cal.between(a, b)
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)
    assert cal.between(a, a) == timedelta(0)


@given(data=st.data(), scenario=scenarios())
def test_add_is_monotone_in_the_duration(data, scenario):
    cal = scenario.calendar()
    first = data.draw(durations(scenario.longest))
    second = data.draw(durations(scenario.longest))
    low, high = sorted([first, second])
    assert utc(cal.add(scenario.start, low)) <= utc(cal.add(scenario.start, high))
    assert utc(cal.add(scenario.start, -high)) <= utc(cal.add(scenario.start, -low))


@given(data=st.data(), scenario=scenarios())
def test_negative_add_inverts_add(data, scenario):
    cal = scenario.calendar()
    start = scenario.start
    duration = data.draw(durations(scenario.longest))
    back = cal.add(cal.add(start, duration), -duration)
    assert utc(start) <= utc(back)
    assert cal.between(start, back) == timedelta(0)
    if cal.is_open(start):
        assert utc(back) == utc(start)
    forth = cal.add(cal.add(start, -duration), duration)
    assert utc(forth) <= utc(start)
    assert cal.between(forth, start) == timedelta(0)


@given(scenario=scenarios())
def test_open_and_close_match_the_oracle(scenario):
    cal, oracle = scenario.calendar(), scenario.oracle()
    at = scenario.start
    assert cal.is_open(at) == oracle.is_open(at)
    assert utc(cal.next_open(at)) == oracle.next_open(at)
    assert utc(cal.next_close(at)) == oracle.next_close(at, limit_days=CLOSED_DAYS_LIMIT)


def test_london_next_close_joins_hours_that_meet_across_the_spring_gap():
    # On 2026-03-29 London's clocks go from 01:00 GMT to 02:00 BST: the wall hour
    # 01:00-02:00 never happens. 00:00-01:00 ends at 01:00Z (fold=0 reads 01:00 as
    # GMT) and 02:00-05:00 starts at 02:00 BST, also 01:00Z: the two meet, so the team
    # works one stretch until 05:00 BST. Closing at the end of the first interval
    # (02:00 BST, the same instant as 01:00 GMT) would be wrong.
    cal = BusinessCalendar.weekly({6: [("00:00", "01:00"), ("02:00", "05:00")]}, tz=LONDON)
    midnight = datetime(2026, 3, 29, tzinfo=LONDON)
    expected = datetime(2026, 3, 29, 5, tzinfo=LONDON)
    assert utc(expected) == datetime(2026, 3, 29, 4, tzinfo=UTC)
    for at in (midnight, midnight + H / 2, datetime(2026, 3, 28, 12, tzinfo=LONDON)):
        assert utc(cal.next_close(at)) == utc(expected)
    assert cal.is_open(datetime(2026, 3, 29, 1, tzinfo=UTC))
    assert cal.between(midnight, midnight + timedelta(days=1)) == 4 * H
    oracle = OracleCalendar({6: [(time(0), time(1)), (time(2), time(5))]}, tz=LONDON)
    assert oracle.next_close(midnight, limit_days=CLOSED_DAYS_LIMIT) == utc(expected)
    # The same day a week earlier, before the change, has the hour between them.
    earlier = datetime(2026, 3, 22, tzinfo=LONDON)
    assert cal.next_close(earlier) == datetime(2026, 3, 22, 1, tzinfo=LONDON)


@settings(max_examples=200, deadline=None)
@example(  # an answer inside Chatham's repeated hour, which Python compares unequal
    zone="Pacific/Chatham",
    start=datetime(1991, 5, 2, 10, 20, 14, 2225, tzinfo=UTC),
    span=timedelta(days=2508, seconds=9679, microseconds=944),
)
@given(
    zone=st.sampled_from(
        [
            "UTC",
            "Asia/Tehran",
            "America/St_Johns",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "Europe/London",
        ]
    ),
    start=st.datetimes(
        datetime(1900, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
        datetime(2200, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    span=st.timedeltas(timedelta(days=-4000), timedelta(days=4000)),
)
def test_a_calendar_open_around_the_clock_counts_real_time(zone, start, span):
    """Oracle: with no holiday nor override, working time is elapsed time, through
    every daylight-saving change (the engine's fast path for 24/7 calendars)."""
    calendar = BusinessCalendar.always(zone)
    assert calendar.between(start, start + span) == span
    # as instants: Python never finds a time in a fold (fold=1) equal to one in another zone
    assert calendar.add(start, span).astimezone(UTC) == start + span
    with_a_holiday = BusinessCalendar.weekly(
        {day: [("00:00", "24:00")] for day in range(7)}, tz=zone, holidays=[date(1800, 1, 1)]
    )  # the same hours, by the general path
    assert with_a_holiday.between(start, start + span) == span


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "Asia/Tehran"])
def test_the_reach_shortcut_agrees_with_looking_the_day_up(zone):
    """Instants far from the supported years' edges are reached without a lookup; at
    and around the shortcut's bounds both ways answer alike."""
    from ticketcore import _calendar_engine as engine_module

    calendar = BusinessCalendar.always(zone)
    engine = calendar._engine
    low, high = engine_module._SURELY_REACHED
    day = engine_module.DAY_US
    for instant in [
        low - 4 * day,
        low - day,
        low,
        low + 1,
        high - 1,
        high,
        high + day,
        high + 5 * day,
    ]:
        try:
            engine._locate(instant)
            looked_up = True
        except engine_module.YearOutOfRangeError:
            looked_up = False
        assert engine.reaches(instant) is looked_up, instant
    assert engine.reaches(low)
    assert engine.reaches(high)
