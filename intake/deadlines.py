"""Response deadlines, counted the way the ICO counts them.

One calendar month: the corresponding date in the next month; the last day of that month
when it has no corresponding date (31 January -> 28/29 February); then, if that day is a
weekend or an England and Wales bank holiday, the next working day.  Calendar arithmetic
comes from python-dateutil and bank holidays from the ``holidays`` package: no day counts.
"""
from __future__ import annotations

import datetime as dt
import functools
import threading
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

#: One month to answer; an extension adds a further two months (three in all from the start).
RESPONSE_MONTHS = 1
EXTENSION_MONTHS = 2

_lock = threading.Lock()
_bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2041))


def _is_bank_holiday(day: dt.date) -> bool:
    with _lock:  # the holidays object extends itself lazily for new years; keep that thread-safe
        return day in _bank_holidays


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not _is_bank_holiday(day)


def next_working_day_on_or_after(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@functools.lru_cache(maxsize=4096)
def due_date(start: dt.date, months: int = RESPONSE_MONTHS) -> dt.date:
    """The day a response is due for a request whose clock started on ``start``."""
    if isinstance(start, dt.datetime):  # a datetime is a date subclass; refuse it loudly
        raise TypeError("due_date() takes a date; convert datetimes with local_date() first")
    corresponding = start + relativedelta(months=months)  # clamps to the month's last day
    return next_working_day_on_or_after(corresponding)


def extended_due_date(start: dt.date) -> dt.date:
    """Due date after an extension by a further two months (three months from the start)."""
    return due_date(start, RESPONSE_MONTHS + EXTENSION_MONTHS)


def local_date(moment: dt.datetime, tz: str = "Europe/London") -> dt.date:
    """The shop's calendar day for an aware datetime (a request at 23:30 UTC in BST is 'tomorrow')."""
    if moment.tzinfo is None:
        raise ValueError("aware datetime required")
    return moment.astimezone(ZoneInfo(tz)).date()
