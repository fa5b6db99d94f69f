"""The clock as UK GDPR Art 12A counts it (``deadlines.clock``), on calendar vectors worked out by hand.

One month from the latest of receipt and identity confirmed (the corresponding date, the month's
last day when there is none), plus every paused span (asking day to answer day, both included),
plus two months once extended; then the next working day past weekends and England and Wales bank
holidays.
"""

from __future__ import annotations

import datetime as dt

import pytest

from intake import deadlines
from intake.deadlines import (
    CLARIFICATION_ASKED as ASKED,
    CLARIFICATION_RECEIVED as ANSWERED,
    EXTENDED,
    IDENTITY_CONFIRMED as IDENTITY,
    RECEIVED,
)

D = dt.date.fromisoformat


def clock(*events, **kw):
    return deadlines.clock([(kind, D(day)) for kind, day in events], **kw)


VECTORS = [
    # (events, due, why)
    (
        [(RECEIVED, "2026-09-03"), (IDENTITY, "2026-09-10")],
        "2026-10-12",
        "from identity (the later), 10 Oct is a Saturday -> Monday",
    ),
    (
        [(RECEIVED, "2026-01-31"), (IDENTITY, "2026-01-31")],
        "2026-03-02",
        "no 31 Feb: 28 Feb 2026, a Saturday -> Monday 2 March",
    ),
    (
        [(RECEIVED, "2028-01-20"), (IDENTITY, "2028-01-31")],
        "2028-02-29",
        "leap year: 31 Jan -> 29 Feb 2028 (a Tuesday)",
    ),
    (
        [(RECEIVED, "2026-11-20"), (IDENTITY, "2026-11-20"), (ASKED, "2026-11-23"), (ANSWERED, "2026-11-27")],
        "2026-12-29",
        "20 Dec + 5 paused days = Christmas Day; Boxing Day substitute Monday 28th -> 29th",
    ),
    (
        [(RECEIVED, "2026-01-15"), (IDENTITY, "2026-01-15"), (ASKED, "2026-01-28"), (ANSWERED, "2026-02-03")],
        "2026-02-23",
        "a pause across the month end: 28 Jan..3 Feb is 7 days; 22 Feb is a Sunday",
    ),
    (
        [
            (RECEIVED, "2026-03-02"),
            (IDENTITY, "2026-03-02"),
            (ASKED, "2026-03-03"),
            (ANSWERED, "2026-03-05"),
            (ASKED, "2026-03-10"),
            (ANSWERED, "2026-03-10"),
        ],
        "2026-04-07",
        "two pauses, 3 days and 1 day: 2 Apr + 4 = Easter Monday 6 Apr -> Tuesday",
    ),
    (
        [
            (RECEIVED, "2026-01-30"),
            (IDENTITY, "2026-01-30"),
            (EXTENDED, "2026-02-10"),
            (ASKED, "2026-03-02"),
            (ANSWERED, "2026-03-11"),
        ],
        "2026-05-11",
        "a pause during an extension: 30 Apr + 10 days = Sunday 10 May -> Monday",
    ),
]


@pytest.mark.parametrize("events,due,why", VECTORS, ids=[v[2] for v in VECTORS])
def test_calendar_vectors(events, due, why):
    assert clock(*events).due_on == D(due), why


def test_without_pauses_the_clock_is_the_plain_deadline_rule():
    for start in ("2025-09-03", "2027-01-31", "2028-01-31", "2026-01-30", "2026-11-25", "2026-04-03"):
        c = clock((RECEIVED, start), (IDENTITY, start))
        assert c.due_on == c.first_due_on == deadlines.due_date(D(start))
        assert clock((RECEIVED, start), (IDENTITY, start), (EXTENDED, start)).due_on == deadlines.extended_due_date(
            D(start)
        )


def test_the_extension_window_is_the_first_month_lengthened_by_pauses():
    c = clock(
        (RECEIVED, "2026-01-30"),
        (IDENTITY, "2026-01-30"),
        (ASKED, "2026-02-02"),
        (ANSWERED, "2026-02-11"),
        (EXTENDED, "2026-03-05"),
    )
    assert c.first_due_on == D("2026-03-10")  # 28 Feb + 10 days
    assert c.due_on == D("2026-05-11")  # 30 Apr + 10 days = Sunday 10 May


def test_an_open_pause_counts_up_to_today_and_says_since_when():
    events = ((RECEIVED, "2026-03-02"), (IDENTITY, "2026-03-02"), (ASKED, "2026-03-03"))
    waiting = clock(*events, today=D("2026-03-20"))
    assert waiting.paused_since == D("2026-03-03")
    assert waiting.paused_days(D("2026-03-20")) == 18
    assert waiting.due_on == D("2026-04-20")  # 2 Apr + 18
    # without today: as if answered on the asking day (the earliest it can be)
    assert clock(*events).due_on == D("2026-04-07")  # 2 Apr + 1 = Good Friday -> Tuesday after Easter
    assert clock(*events, (ANSWERED, "2026-03-20")).paused_since is None


def test_before_identity_the_due_date_is_provisional_from_receipt():
    c = clock((RECEIVED, "2026-09-03"))
    assert c.provisional and c.started_on is None and c.due_on == D("2026-10-05")  # 3 Oct is a Saturday
    opt_out = clock((RECEIVED, "2026-09-03"), identity_required=False)
    assert not opt_out.provisional and opt_out.started_on == D("2026-09-03")


@pytest.mark.parametrize(
    "events",
    [
        [(IDENTITY, "2026-03-02")],  # no receipt
        [(RECEIVED, "2026-03-02"), (ANSWERED, "2026-03-03")],  # an answer with no question
        [(RECEIVED, "2026-03-02"), (ASKED, "2026-03-03")],  # a pause before the clock runs
        [(RECEIVED, "2026-03-02"), (IDENTITY, "2026-03-02"), (ASKED, "2026-03-03"), (ASKED, "2026-03-04")],
        [(RECEIVED, "2026-03-02"), (IDENTITY, "2026-03-02"), (EXTENDED, "2026-03-03"), (EXTENDED, "2026-03-04")],
        [(RECEIVED, "2026-03-02"), (IDENTITY, "2026-03-01")],  # before receipt
        [(RECEIVED, "2026-03-02"), ("fee_paid", "2026-03-03")],  # no such event
    ],
)
def test_a_history_that_cannot_happen_is_refused(events):
    with pytest.raises(ValueError):
        clock(*events)


def test_days_are_dates_not_datetimes():
    with pytest.raises(TypeError):
        deadlines.clock([(RECEIVED, dt.datetime(2026, 3, 2, 12))])
