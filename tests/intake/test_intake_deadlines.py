"""Deadlines: one calendar month the ICO way, England and Wales bank holidays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from intake import deadlines

VECTORS = [
    ("2025-09-03", "2025-10-03"),  # plain corresponding date
    ("2027-01-31", "2027-03-01"),  # no 31 Feb -> 28 Feb 2027 is a Sunday -> Monday 1 March
    ("2028-01-31", "2028-02-29"),  # leap year: last day of February
    ("2026-01-30", "2026-03-02"),  # 28 Feb 2026 is a Saturday -> Monday 2 March
    ("2026-11-25", "2026-12-29"),  # Christmas Day (Fri), weekend, Boxing Day substitute (Mon 28th)
    ("2026-04-03", "2026-05-05"),  # received on Good Friday; 3 May is Sunday, 4 May Early May bank holiday
]


@pytest.mark.parametrize("received,due", VECTORS)
def test_ico_vectors(received, due):
    assert deadlines.due_date(dt.date.fromisoformat(received)) == dt.date.fromisoformat(due)


@pytest.mark.parametrize("received,due", VECTORS)
def test_vectors_through_the_api_clock(received, due):
    # what a request verified on `received` (London time) would be due
    day = dt.date.fromisoformat(received)
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)
    assert deadlines.due_date(deadlines.local_date(noon)).isoformat() == due


def test_the_receipt_day_is_the_london_day():
    # 23:30 UTC on 30 June is 00:30 BST on 1 July
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.timezone.utc)
    assert deadlines.local_date(late) == dt.date(2026, 7, 1)
    winter = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.timezone.utc)  # GMT: same day
    assert deadlines.local_date(winter) == dt.date(2026, 12, 31)
    with pytest.raises(ValueError):
        deadlines.local_date(dt.datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        deadlines.due_date(dt.datetime(2026, 1, 1))


def test_weekend_and_holiday_receipt_still_counts_from_that_day():
    assert deadlines.due_date(dt.date(2026, 3, 14)) == dt.date(2026, 4, 14)  # Saturday -> Tuesday
    assert deadlines.due_date(dt.date(2026, 12, 25)) == dt.date(2027, 1, 25)


def test_scottish_only_holidays_do_not_count():
    # 2 January 2029 is a Tuesday and a bank holiday in Scotland only
    assert deadlines.is_working_day(dt.date(2029, 1, 2))
    assert deadlines.due_date(dt.date(2028, 12, 2)) == dt.date(2029, 1, 2)


def test_extension_is_three_months_from_the_start():
    assert deadlines.extended_due_date(dt.date(2026, 1, 30)) == dt.date(2026, 4, 30)
    assert deadlines.extended_due_date(dt.date(2025, 11, 30)) == dt.date(2026, 3, 2)  # 28 Feb is a Saturday
    assert deadlines.extended_due_date(dt.date(2026, 5, 25)) == dt.date(2026, 8, 25)


def test_no_day_counting_in_the_deadline_code():
    source = Path(deadlines.__file__).read_text()
    assert "relativedelta(months=" in source
    assert "days=30" not in source and "days=31" not in source and "timedelta(days=28" not in source
