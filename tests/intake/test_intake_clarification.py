"""The clock events against the real app: received, identity confirmed (link or staff, with how),
clarification asked (emailed, clock stops), clarification received (reply link or staff, clock runs
again), extension; the status look-up and the staff pages showing a paused request; withdrawal
after the wait (clock controlled by running the service's own code with ``now`` set back)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from intake_support import lodge_at
from sqlalchemy.exc import DatabaseError
from test_intake_staff import add_staff, bearer, csrf_of, login, new_request, transition, verified_request
from test_intake_verification import confirm, create_and_get_link

from intake import config, deadlines, queries, workflow
from intake.models import utcnow

ADA = "ada.lovelace@example.org"
QUESTION = "Which of your two accounts (the 2019 one or the 2023 one) do you mean?"


@pytest.fixture
def staff(live):
    return {role: add_staff(live, role + "-user", role) for role in ("viewer", "caseworker", "admin")}


def today():
    return deadlines.local_date(utcnow())


def ask(live, staff, ref, question=QUESTION):
    return live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/clarification"),
        json={"question": question},
        headers=bearer(staff["caseworker"]),
    )


def record_answer(live, staff, ref, answer):
    return live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/clarification-received"),
        json={"answer": answer},
        headers=bearer(staff["caseworker"]),
    )


def clock_rows(live, ref):
    """(kind, day, actor, note, answers_id) of each clock event, oldest first."""
    return [
        (k, as_date(d), a, n, i)
        for k, d, a, n, i in live.sql(
            "SELECT c.kind, c.on_date, c.actor, c.note, c.answers_id FROM clock_events c "
            "JOIN dsar_requests r ON r.id = c.request_id WHERE r.reference = :r ORDER BY c.id",
            r=ref,
        )
    ]


def state(live, ref):
    """Everything a refused action must leave as it was."""
    return (
        live.sql("SELECT status, due_on, first_due_on, updated_at FROM dsar_requests WHERE reference = :r", r=ref),
        clock_rows(live, ref),
        live.count("audit_events"),
        live.count("outbox"),
    )


def as_date(v):
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)


def reply_link_of(live, mailbox, ref):
    live.run_worker()
    mails = [m for m in mailbox.to(ADA) if "a question for you" in m["Subject"] and ref in m["Subject"]]
    assert mails, [m["Subject"] for m in mailbox.to(ADA)]
    body = mails[-1].get_content()
    m = re.search(r"http://\S+/clarify/(SM-[0-9A-Z-]+)\?code=(\S+)", body)
    assert m and m.group(1) == ref, body
    return body, m.group(2)


def answer_by_link(live, ref, code, text):
    return live.http.post(live.url(f"/clarify/{ref}"), data={"code": code, "answer": text})


def look_up(live, ref):
    r = live.get(f"/api/v1/requests/{ref}/status", params={"email": ADA})
    assert r.status_code == 200, r.text
    return r.json()


# --- received and identity confirmed ------------------------------------------------------------


def test_receipt_and_identity_by_link_are_clock_events(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    assert [r[:3] for r in clock_rows(live, ref)] == [("received", today(), "api-client")]
    assert confirm(live, ref, code).status_code == 200
    rows = clock_rows(live, ref)
    assert [r[0] for r in rows] == ["received", "identity_confirmed"]
    assert rows[1][2:4] == ("requester", "identity verified by email link")
    due = live.sql("SELECT due_on FROM dsar_requests WHERE reference = :r", r=ref)[0][0]
    assert as_date(due) == deadlines.due_date(today())


def test_staff_verification_records_how(live, staff):
    ref = verified_request(live, staff)  # "checked ID over the phone"
    kind, day, actor, note, _ = clock_rows(live, ref)[-1]
    assert (kind, day, actor, note) == (
        "identity_confirmed",
        today(),
        "staff:caseworker-user",
        "checked ID over the phone",
    )


# --- clarification asked, answered by the reply link -------------------------------------------


@pytest.mark.postgres
def test_clarification_stops_the_clock_and_the_reply_link_restarts_it(live, staff, mailbox):
    ref = verified_request(live, staff)
    r = ask(live, staff, ref)
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["status"] == "awaiting_clarification" and detail["mark"] == "paused"
    assert detail["clock"]["paused_since"] == today().isoformat()
    assert detail["clock"]["open_question"] == QUESTION
    assert detail["audit"][-1]["action"] == "clarification_asked" and detail["audit"][-1]["reason"] == QUESTION
    assert clock_rows(live, ref)[-1][0::3] == ("clarification_asked", QUESTION)

    # the shopper gets the question with a one-time reply link; only its hash is stored
    body, code = reply_link_of(live, mailbox, ref)
    assert QUESTION in body and "paused" in body
    assert code not in str(live.sql("SELECT code_hash, note FROM clock_events"))

    # the look-up shows the request paused, with no due date while it is
    status = look_up(live, ref)
    assert status["status"] == "awaiting_clarification" and status["due_at"] is None
    assert status["paused_since"] == today().isoformat()
    assert status["summary"] == f"paused: waiting for your reply since {today().day} {today():%B %Y}"

    # opening the link shows the question and changes nothing
    before = state(live, ref)
    page = live.get(f"/clarify/{ref}", params={"code": code})
    assert page.status_code == 200 and "two accounts" in page.text and 'method="post"' in page.text
    assert state(live, ref) == before
    # an empty answer: a clear error, nothing recorded
    empty = answer_by_link(live, ref, code, "   ")
    assert empty.status_code == 422 and "write your answer" in empty.text
    assert state(live, ref) == before

    done = answer_by_link(live, ref, code, "The 2023 one, under my married name.")
    assert done.status_code == 200 and "we have your answer" in done.text
    rows = clock_rows(live, ref)
    asked_id = live.sql("SELECT id FROM clock_events WHERE kind = 'clarification_asked'")[0][0]
    assert rows[-1][0:3:2] == ("clarification_received", "requester")
    assert rows[-1][3:] == ("The 2023 one, under my married name.", asked_id)
    # one day paused (asked and answered today): the due date moves by it, derived from the events
    start = today()
    expected = deadlines.next_working_day_on_or_after(start + deadlines.relativedelta(months=1) + dt.timedelta(days=1))
    status = look_up(live, ref)
    assert status["status"] == "in_progress" and status["due_at"] == expected.isoformat()
    assert status["paused_since"] is None
    # the team hears of it (the answer itself stays on the staff page)
    live.run_worker()
    team = [m for m in mailbox.to("sales@sessionmusic.co.uk") if "clarification received" in m["Subject"]]
    assert len(team) == 1 and "married name" not in team[0].get_content()

    # the link works once
    again = answer_by_link(live, ref, code, "Actually the 2019 one.")
    assert again.status_code == 409 and "already been answered" in again.text
    assert clock_rows(live, ref) == rows
    # a wrong code is refused the same way as an unknown reference
    assert answer_by_link(live, ref, "not-the-code", "hello").status_code == 404
    assert answer_by_link(live, "SM-0000-0000", code, "hello").status_code == 404


def test_the_reply_link_is_dead_once_the_request_is_closed(live, staff, mailbox):
    ref = verified_request(live, staff)
    assert ask(live, staff, ref).status_code == 200
    _, code = reply_link_of(live, mailbox, ref)
    r = transition(live, staff, ref, "refused", "manifestly unfounded: a repeat of last week's request")
    assert r.status_code == 200, r.text
    before = state(live, ref)
    late = answer_by_link(live, ref, code, "the 2023 one")
    assert late.status_code == 410 and "closed" in late.text
    assert live.get(f"/clarify/{ref}", params={"code": code}).status_code == 410
    assert state(live, ref) == before


def test_a_clarification_needs_a_question_and_a_running_clock(live, staff):
    ref = verified_request(live, staff)
    before = state(live, ref)
    for question in ("", "   "):
        r = ask(live, staff, ref, question)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["fields"] == {"question": "required"} or "question" in r.json()["error"]["fields"]
        assert state(live, ref) == before
    # not before identity is confirmed (the clock has not started), and not by the generic transition
    unverified = new_request(live)
    before = state(live, unverified)
    assert ask(live, staff, unverified).status_code == 409
    assert transition(live, staff, ref, "awaiting_clarification", QUESTION).status_code == 422
    assert state(live, unverified) == before
    # viewers cannot ask
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/clarification"),
        json={"question": QUESTION},
        headers=bearer(staff["viewer"]),
    )
    assert r.status_code == 403


def test_staff_record_an_answer_that_came_another_way(live, staff):
    ref = verified_request(live, staff)
    assert record_answer(live, staff, ref, "by phone").status_code == 409  # nothing was asked
    assert ask(live, staff, ref).status_code == 200
    before = state(live, ref)
    r = record_answer(live, staff, ref, "   ")
    assert r.status_code == 422 and state(live, ref) == before
    r = record_answer(live, staff, ref, "She phoned: the 2023 account")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.json()["clock"]["pauses"] == [
        {"asked_on": today().isoformat(), "answered_on": today().isoformat()}
    ]
    assert clock_rows(live, ref)[-1][0:3:2] == ("clarification_received", "staff:caseworker-user")


def test_extension_is_a_clock_event_and_may_come_during_a_pause(live, staff, mailbox):
    ref = verified_request(live, staff)
    assert ask(live, staff, ref).status_code == 200
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/extension"),
        json={"reason": "orders across two systems"},
        headers=bearer(staff["caseworker"]),
    )
    assert r.status_code == 200, r.text
    assert clock_rows(live, ref)[-1][0::3] == ("extended", "orders across two systems")
    assert r.json()["clock"]["extended"] is True
    # the requester is told within the first month, with the reason (the existing notice)
    live.run_worker()
    assert any("extended" in m["Subject"] and "two systems" in m.get_content() for m in mailbox.to(ADA))
    assert record_answer(live, staff, ref, "by email: the 2023 account").status_code == 200
    start = today()
    expected = deadlines.next_working_day_on_or_after(start + deadlines.relativedelta(months=3) + dt.timedelta(days=1))
    assert look_up(live, ref)["due_at"] == expected.isoformat()


# --- withdrawn after the wait (a controlled clock) ---------------------------------------------


def _asked_days_ago(live, days):
    """A request lodged and verified 40 days ago, asked a clarification ``days`` days ago: the service's
    own code with ``now`` set back (clock events cannot be edited afterwards)."""
    lodged = utcnow() - dt.timedelta(days=40)
    ref = lodge_at(live, lodged)
    with live.app.app_context(), live.db.write() as s:
        req = queries.request_by_reference(s, ref)
        workflow.staff_transition(
            s, req, "in_progress", "ID seen", "staff:caseworker-user", "Europe/London", now=lodged
        )
        workflow.ask_clarification(
            s, req, QUESTION, actor="staff:caseworker-user", tz="Europe/London", now=utcnow() - dt.timedelta(days=days)
        )
    return ref


def test_withdrawal_only_after_the_wait_with_the_audit_saying_why(live, staff):
    early = _asked_days_ago(live, 29)
    before = state(live, early)
    r = transition(live, staff, early, "withdrawn")
    assert r.status_code == 409 and r.json()["error"]["code"] == "clarification_wait_not_over"
    asked_on = deadlines.local_date(utcnow() - dt.timedelta(days=29))
    assert (asked_on + dt.timedelta(days=30)).isoformat() in r.json()["error"]["message"]
    assert state(live, early) == before

    late = _asked_days_ago(live, 30)
    r = transition(live, staff, late, "withdrawn", "two reminders by phone")
    assert r.status_code == 200, r.text
    asked_on = deadlines.local_date(utcnow() - dt.timedelta(days=30))
    assert r.json()["status"] == "withdrawn"
    last = r.json()["audit"][-1]
    assert last["action"] == "withdrawn_no_clarification"
    assert last["reason"] == (
        f"no answer within 30 days to the clarification asked on {asked_on.isoformat()}: two reminders by phone"
    )


def test_the_wait_is_configurable(app_factory, db_url):
    assert config.load_config({"INTAKE_CLARIFICATION_WAIT_DAYS": "10"})["CLARIFICATION_WAIT_DAYS"] == 10
    assert config.load_config({})["CLARIFICATION_WAIT_DAYS"] == 30
    live = app_factory(db_url, CLARIFICATION_WAIT_DAYS=10)
    token = add_staff(live, "cw", "caseworker")
    ref = _asked_days_ago(live, 11)
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"), json={"to": "withdrawn"}, headers=bearer(token)
    )
    assert r.status_code == 200 and "within 10 days" in r.json()["closing_reason"]


def test_a_long_pause_moves_the_due_date_by_its_days(live, staff):
    ref = _asked_days_ago(live, 12)
    lodged_on = deadlines.local_date(utcnow() - dt.timedelta(days=40))
    assert record_answer(live, staff, ref, "by post").status_code == 200
    expected = deadlines.next_working_day_on_or_after(
        lodged_on + deadlines.relativedelta(months=1) + dt.timedelta(days=13)
    )  # 12 days ago .. today
    assert look_up(live, ref)["due_at"] == expected.isoformat()
    with live.app.app_context(), live.db.read() as s:
        req = queries.request_by_reference(s, ref)
        assert workflow.clock_of(s, req).due_on == req.due_on == expected  # stored = derived


# --- history is append-only; staff pages show the clock ----------------------------------------


@pytest.mark.postgres
def test_clock_events_cannot_be_changed_or_deleted(live, staff):
    ref = verified_request(live, staff)
    rows = clock_rows(live, ref)
    for statement in ("DELETE FROM clock_events", "UPDATE clock_events SET on_date = '2020-01-01'"):
        with pytest.raises(DatabaseError):
            live.sql(statement)
    assert clock_rows(live, ref) == rows


def test_staff_pages_show_the_clock_and_ask_a_clarification(live, staff, mailbox):
    ref, paused = verified_request(live, staff), verified_request(live, staff)
    s, _ = login(live, "caseworker-user")
    page = s.get(live.url(f"/staff/requests/{paused}"))
    assert 'id="clock"' in page.text and 'data-clock-event="identity_confirmed"' in page.text
    assert "Ask a clarification" in page.text
    csrf = csrf_of(page.text)
    before = state(live, paused)
    r = s.post(live.url(f"/staff/requests/{paused}/clarification"), data={"question": " ", "csrf_token": csrf})
    assert r.status_code == 422 and "needs the question" in r.text
    assert state(live, paused) == before
    r = s.post(
        live.url(f"/staff/requests/{paused}/clarification"),
        data={"question": QUESTION, "csrf_token": csrf},
        allow_redirects=False,
    )
    assert r.status_code == 303
    page = s.get(live.url(f"/staff/requests/{paused}")).text
    assert f"paused since {today().isoformat()}" in page and QUESTION in page
    assert "Record the answer (restarts the clock)" in page
    assert f"may be closed as withdrawn from {(today() + dt.timedelta(days=30)).isoformat()}" in page
    assert "Ask a clarification" not in page
    listing = s.get(live.url("/staff/")).text
    row = re.search(rf'<tr[^>]*data-reference="{paused}".*?</tr>', listing, re.S).group(0)
    assert f"paused since {today().isoformat()}" in row and 'data-mark="paused"' in row
    other = re.search(rf'<tr[^>]*data-reference="{ref}".*?</tr>', listing, re.S).group(0)
    assert "paused" not in other
    # the question went out by mail with a working link
    _, code = reply_link_of(live, mailbox, paused)
    assert live.get(f"/clarify/{paused}", params={"code": code}).status_code == 200


def test_the_reply_code_is_kept_nowhere_readable(live, staff, mailbox):
    ref = verified_request(live, staff)
    assert ask(live, staff, ref).status_code == 200
    _, code = reply_link_of(live, mailbox, ref)  # runs the worker: the mail is sent
    # the outbox's copy of the sent mail no longer holds it, the clock event only its hash
    for table, column in (("outbox", "body"), ("clock_events", "code_hash"), ("audit_events", "reason")):
        for (value,) in live.sql(f"SELECT {column} FROM {table}"):
            assert code not in (value or ""), table
    # admins reading the local mail sink see it blanked
    s, _ = login(live, "admin-user")
    names = re.findall(r'/staff/mail/([0-9A-Za-z_.-]+\.eml)"', s.get(live.url("/staff/mail")).text)
    shown = [s.get(live.url(f"/staff/mail/{n}")).text for n in names]
    question = [t for t in shown if "a question for you" in t]
    assert len(question) == 1 and code not in question[0] and f"/clarify/{ref}?code=[hidden]" in question[0]


def test_an_overdue_request_cannot_be_paused(live, staff):
    lodged = utcnow() - dt.timedelta(days=40)
    ref = lodge_at(live, lodged)
    with live.app.app_context(), live.db.write() as s:
        workflow.staff_transition(
            s,
            queries.request_by_reference(s, ref),
            "in_progress",
            "ID seen",
            "staff:caseworker-user",
            "Europe/London",
            now=lodged,
        )
    before = state(live, ref)
    r = ask(live, staff, ref)
    assert r.status_code == 409 and r.json()["error"]["code"] == "past_due"
    assert state(live, ref) == before
