"""The Jalali conversion: every day of 1800-2200 against jdatetime, plus properties."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ticketcore as tc
from ticketcore.i18n._jalali import (
    PERSIAN_MONTH_NAMES,
    from_jalali,
    is_jalali_leap_year,
    jalali_month_length,
    to_jalali,
)

FIRST = date(1800, 1, 1)
LAST = date(2200, 12, 31)
# Jalali years wholly inside Python's date range.
jalali_years = st.integers(min_value=2, max_value=9377)


def test_every_day_from_1800_to_2200_matches_jdatetime():
    day, mismatches = FIRST, []
    while day <= LAST:
        expected = jdatetime.date.fromgregorian(date=day)
        triple = (expected.year, expected.month, expected.day)
        if to_jalali(day) != triple or from_jalali(*triple) != day:
            mismatches.append((day, triple, to_jalali(day)))
        day += timedelta(days=1)
    assert mismatches == []


def test_leap_years_match_jdatetime():
    first, last = to_jalali(FIRST)[0], to_jalali(LAST)[0]
    for year in range(first, last + 1):
        assert is_jalali_leap_year(year) == jdatetime.date(year, 1, 1).isleap(), year


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (date(1979, 2, 11), (1357, 11, 22)),  # the revolution's anniversary, 22 Bahman
        (date(2024, 3, 20), (1403, 1, 1)),  # Nowruz 1403
        (date(2025, 3, 20), (1403, 12, 30)),  # 1403 is a leap year: Esfand has 30 days
        (date(2025, 3, 21), (1404, 1, 1)),
        (date(2026, 3, 20), (1404, 12, 29)),  # 1404 is not
        (date(2026, 3, 21), (1405, 1, 1)),
        (date(2026, 9, 22), (1405, 6, 31)),  # the last 31-day month
        (date(2026, 9, 23), (1405, 7, 1)),
    ],
)
def test_known_dates(gregorian, jalali):
    assert to_jalali(gregorian) == jalali
    assert from_jalali(*jalali) == gregorian


def test_month_lengths_add_up_to_the_year():
    for year in range(1300, 1500):
        total = sum(jalali_month_length(year, month) for month in range(1, 13))
        assert total == (366 if is_jalali_leap_year(year) else 365)


def test_a_datetime_converts_by_its_date_part():
    assert to_jalali(jdatetime.datetime(1405, 1, 1, 23, 59).togregorian()) == (1405, 1, 1)


@pytest.mark.parametrize(
    ("triple", "field"),
    [
        ((1404, 0, 1), "month"),
        ((1404, 13, 1), "month"),
        ((1404, 1, 0), "day"),
        ((1404, 1, 32), "day"),
        ((1404, 7, 31), "day"),
        ((1404, 12, 30), "day"),  # not a leap year
        ((20000, 1, 1), "year"),
        ((-1000, 1, 1), "year"),
    ],
)
def test_impossible_jalali_dates_are_validation_errors(triple, field):
    with pytest.raises(tc.ValidationError) as caught:
        from_jalali(*triple)
    assert caught.value.code is tc.ErrorCode.INVALID_CHOICE
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("triple", "field"),
    [((1404, True, 1), "month"), ((1404.0, 1, 1), "year"), ((1404, 1, "1"), "day")],
)
def test_wrong_typed_jalali_parts_are_type_errors(triple, field):
    with pytest.raises(tc.InvalidTypeError) as caught:
        from_jalali(*triple)
    assert caught.value.field == field


def test_month_names():
    assert len(PERSIAN_MONTH_NAMES) == 12
    assert PERSIAN_MONTH_NAMES[0] == "فروردین"
    assert PERSIAN_MONTH_NAMES[-1] == "اسفند"
    assert not any(c in "".join(PERSIAN_MONTH_NAMES) for c in "\u064a\u0643\u0649")


@given(st.dates())
def test_round_trip_from_any_gregorian_date(day):
    assert from_jalali(*to_jalali(day)) == day


@given(jalali_years, st.integers(1, 12), st.integers(1, 31))
def test_round_trip_from_any_jalali_date(year, month, day):
    day = min(day, jalali_month_length(year, month))
    assert to_jalali(from_jalali(year, month, day)) == (year, month, day)


@given(st.dates(max_value=date(9999, 12, 30)))
def test_the_next_day_is_the_next_jalali_day(day):
    year, month, dom = to_jalali(day)
    expected = (
        (year, month, dom + 1)
        if dom < jalali_month_length(year, month)
        else (year, month + 1, 1)
        if month < 12
        else (year + 1, 1, 1)
    )
    assert to_jalali(day + timedelta(days=1)) == expected
