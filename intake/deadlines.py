"""Response deadlines, counted the way the ICO counts them.

One calendar month: the corresponding date in the next month; the last day of that month
when it has no corresponding date (31 January -> 28/29 February); then, if that day is a
weekend or an England and Wales bank holiday, the next working day.  Calendar arithmetic
comes from python-dateutil and bank holidays from the ``holidays`` package: no day counts.
"""

from __future__ import annotations

import dataclasses
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


# --- the clock as UK GDPR Art 12A counts it --------------------------------------------------
#
# The month runs from the latest of receipt and the identity information asked for (no fee is
# ever charged, so that third start never applies).  While the shop waits for a clarification it
# reasonably needs, the clock stops: the days from the day the question is asked to the day the
# answer arrives, both included, do not count (DPA 2018 s.54(3C) words it that way; Art 12A the
# same).  They are added, as whole days, to the corresponding date of the one (or, extended,
# three) months; the result then moves to the next working day like any other due date.  The
# extension notice must go within the first month, which the same pauses lengthen.

RECEIVED = "received"
IDENTITY_CONFIRMED = "identity_confirmed"
CLARIFICATION_ASKED = "clarification_asked"
CLARIFICATION_RECEIVED = "clarification_received"
EXTENDED = "extended"
CLOCK_EVENT_KINDS = (RECEIVED, IDENTITY_CONFIRMED, CLARIFICATION_ASKED, CLARIFICATION_RECEIVED, EXTENDED)


@dataclasses.dataclass(frozen=True)
class Pause:
    start: dt.date
    end: dt.date | None  # None: still waiting for the answer

    def days(self, today: dt.date | None = None) -> int:
        """Days that do not count: from the asking day to the answer day, both included."""
        end = self.end if self.end is not None else (today or self.start)
        return (end - self.start).days + 1


@dataclasses.dataclass(frozen=True)
class Clock:
    """What a request's clock events say (``clock``); nothing here is stored by hand."""

    received_on: dt.date
    #: the latest of receipt and identity confirmed; None while identity is still awaited
    started_on: dt.date | None
    pauses: tuple[Pause, ...]
    extended: bool
    #: one month (plus the pauses): also the last day to extend
    first_due_on: dt.date
    #: the due date (three months plus the pauses once extended)
    due_on: dt.date

    @property
    def provisional(self) -> bool:
        """Identity not confirmed yet: counted from receipt until it is."""
        return self.started_on is None

    @property
    def paused_since(self) -> dt.date | None:
        return self.pauses[-1].start if self.pauses and self.pauses[-1].end is None else None

    def paused_days(self, today: dt.date | None = None) -> int:
        return sum(p.days(today) for p in self.pauses)


def _due(start: dt.date, months: int, paused_days: int) -> dt.date:
    corresponding = start + relativedelta(months=months)  # clamps to the month's last day
    return next_working_day_on_or_after(corresponding + dt.timedelta(days=paused_days))


def clock(events, identity_required: bool = True, today: dt.date | None = None) -> Clock:
    """The clock a request's events give: ``events`` are ``(kind, day)`` pairs in the order they
    happened (``day``: the shop's calendar day).  A pause still open counts up to ``today`` when
    given, else as one day (the asking day): the due date it would have if answered at once.
    Refuses a history that cannot happen (no receipt, an answer without a question, ...)."""
    received = started = None
    pauses: list[Pause] = []
    extended = False
    for kind, day in events:
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise TypeError(f"clock event days are dates, got {day!r}")
        open_pause = bool(pauses) and pauses[-1].end is None
        if kind == RECEIVED:
            if received is not None:
                raise ValueError("received twice")
            received = day
            if not identity_required:
                started = day
        elif received is None or day < received:
            raise ValueError(f"{kind} before the request was received")
        elif kind == IDENTITY_CONFIRMED:
            started = max(received, day) if started is None else max(started, day)
        elif kind == CLARIFICATION_ASKED:
            if open_pause or started is None:
                raise ValueError("clarification asked while the clock is not running")
            pauses.append(Pause(day, None))
        elif kind == CLARIFICATION_RECEIVED:
            if not open_pause or day < pauses[-1].start:
                raise ValueError("clarification received with no question open")
            pauses[-1] = Pause(pauses[-1].start, day)
        elif kind == EXTENDED:
            if extended or started is None:
                raise ValueError("extended twice, or before the clock started")
            extended = True
        else:
            raise ValueError(f"unknown clock event {kind!r}")
    if received is None:
        raise ValueError("no receipt in the clock events")
    start = started or received
    paused = sum(p.days(today) for p in pauses)
    first = _due(start, RESPONSE_MONTHS, paused)
    due = _due(start, RESPONSE_MONTHS + EXTENSION_MONTHS, paused) if extended else first
    return Clock(
        received_on=received,
        started_on=started,
        pauses=tuple(pauses),
        extended=extended,
        first_due_on=first,
        due_on=due,
    )
