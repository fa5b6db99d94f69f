"""Portability, restriction and complaints as request types; Art 22C safeguards on an
objection to profiling: lodged through the signed API on the app served on loopback, bad
input refused with a clear 422 and nothing stored, complaints acknowledged at once (the
s.164A 30-day date, the acknowledgement recorded and audited), their outcome recorded by
staff with a reason, emailed and audited, and their own staff list with both clocks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from intake_support import request_body
from test_intake_staff import add_staff, csrf_of, login

from intake import deadlines


@pytest.fixture
def staff(live):
    return {role: add_staff(live, role + "-user", role) for role in ("viewer", "caseworker")}


TABLES = ("dsar_requests", "audit_events", "outbox", "verifications", "suppression_list")


def counts(live) -> dict:
    return {t: live.count(t) for t in TABLES}


def today_london() -> dt.date:
    return deadlines.local_date(dt.datetime.now(dt.timezone.utc))


@pytest.mark.parametrize(
    "rtype,column,value",
    [
        ("portability", "portability_recipient", "requester"),
        ("restriction", "restriction_grounds", "accuracy_contested"),
    ],
)
def test_portability_and_restriction_are_verified_requests_with_the_one_month_clock(
    live, mailbox, rtype, column, value
):
    r = live.post_signed("/api/v1/requests", request_body(rtype))
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["status"] == "awaiting_verification" and data["verification_required"] is True
    assert data["due_at"] == deadlines.due_date(today_london()).isoformat()
    assert live.sql(f"SELECT request_type, {column} FROM dsar_requests") == [(rtype, value)]
    live.run_worker()
    ack = [m for m in mailbox.to("ada.lovelace@example.org") if data["reference"] in m["Subject"]]
    assert len(ack) == 1
    text = ack[0].get_content()
    assert ("data portability" if rtype == "portability" else "restriction of processing") in text
    assert "/verify/" in text or "verify" in text.lower()


@pytest.mark.parametrize(
    "rtype,bad,field",
    [
        ("portability", {"portability": None}, "portability"),
        ("restriction", {"restriction": None}, "restriction"),
        ("restriction", {"restriction": {"what": "my orders", "grounds": "because"}}, "restriction.grounds"),
        ("restriction", {"restriction": {"what": "   ", "grounds": "unlawful"}}, "restriction.what"),
        ("complaint", {"complaint": None}, "complaint"),
        ("complaint", {"complaint": {"subject": "weather", "outcome_wanted": "x"}}, "complaint.subject"),
        (
            "complaint",
            {"complaint": {"subject": "marketing", "reference": "SM-1234", "outcome_wanted": "stop"}},
            "complaint.reference",
        ),
        ("complaint", {"complaint": {"subject": "marketing", "outcome_wanted": " "}}, "complaint.outcome_wanted"),
        ("access", {"complaint": {"subject": "marketing", "outcome_wanted": "stop"}}, "complaint"),
        (
            "objection",
            {"objection": {"processing": "marketing", "safeguards": ["human_review"]}},
            "objection.safeguards",
        ),
        ("objection", {"objection": {"processing": "profiling", "safeguards": ["a robot"]}}, "objection.safeguards"),
    ],
)
def test_bad_new_type_bodies_are_a_clear_422_and_store_nothing(live, rtype, bad, field):
    before = counts(live)
    body = request_body(rtype)
    for key, value in bad.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    r = live.post_signed("/api/v1/requests", body)
    assert r.status_code == 422, r.text
    fields = r.json()["error"]["fields"]
    assert any(name == field or name.startswith(field + ".") or field.startswith(name + ".") for name in fields), fields
    assert counts(live) == before


def test_an_objection_to_profiling_records_the_art_22c_safeguards_asked_for(live, mailbox):
    body = request_body("objection", objection={"processing": "profiling", "safeguards": ["human_review", "contest"]})
    r = live.post_signed("/api/v1/requests", body)
    assert r.status_code == 201, r.text
    assert live.sql("SELECT objection_safeguards FROM dsar_requests") == [("human_review,contest",)]
    live.run_worker()
    text = mailbox.to("ada.lovelace@example.org")[0].get_content()
    assert "a person to review the decision" in text and "a way to challenge the decision" in text


# --- complaints -----------------------------------------------------------------------------------


def lodge_complaint(live, **complaint):
    body = request_body("complaint")
    body["complaint"].update(complaint)
    r = live.post_signed("/api/v1/requests", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_complaint_is_acknowledged_at_once_with_its_30_day_date_recorded_and_audited(live, mailbox):
    data = lodge_complaint(live)
    received = today_london()
    assert data["request_type"] == "complaint" and data["verification_required"] is False
    assert data["status"] == "in_progress"
    assert data["due_at"] == (received + dt.timedelta(days=30)).isoformat()
    row = live.sql(
        "SELECT acknowledgement_due_on, acknowledged_at, received_at, complaint_subject, "
        "complaint_reference, complaint_outcome_wanted FROM dsar_requests"
    )[0]
    assert str(row[0]) == (received + dt.timedelta(days=30)).isoformat()
    assert row[1] is not None and str(row[1]) == str(row[2])  # acknowledged when received
    assert row[3:] == ("request_handling", "SM-AB12-CD34", "an apology and my data deleted properly")
    assert live.count("verifications") == 0 and live.count("suppression_list") == 0
    audit = live.sql("SELECT actor, action, from_status, to_status, reason FROM audit_events ORDER BY id")
    assert [(a[0], a[1], a[3]) for a in audit] == [
        ("api-client", "created", "received"),
        ("system", "acknowledged", "in_progress"),
    ]
    assert (received + dt.timedelta(days=30)).isoformat() in audit[1][4]
    live.run_worker()
    ack = mailbox.to("ada.lovelace@example.org")
    assert len(ack) == 1 and data["reference"] in ack[0]["Subject"]
    text = ack[0].get_content()
    assert "acknowledgement" in text and "SM-AB12-CD34" in text
    assert "https://ico.org.uk/make-a-complaint/" in text and "0303 123 1113" in text
    team = [m for m in mailbox.messages() if m["To"] != "ada.lovelace@example.org"]
    assert len(team) == 1 and "complaint" in team[0]["Subject"]


def test_staff_record_a_complaints_outcome_with_a_reason_emailed_and_audited(live, staff, mailbox):
    ref = lodge_complaint(live)["reference"]
    live.run_worker()
    s, _ = login(live, "caseworker-user")
    detail = s.get(live.url(f"/staff/requests/{ref}"))
    assert "Record the outcome" in detail.text
    assert 'value="completed"' not in detail.text  # closed only with an outcome
    csrf = csrf_of(detail.text)
    # no reason: a clear 422, nothing changes
    r = s.post(
        live.url(f"/staff/requests/{ref}/outcome"), data={"outcome": "upheld", "reason": " ", "csrf_token": csrf}
    )
    assert r.status_code == 422 and "needs a decision and a reason" in r.text
    r = s.post(live.url(f"/staff/requests/{ref}/outcome"), data={"outcome": "maybe", "reason": "x", "csrf_token": csrf})
    assert r.status_code == 422
    # the generic "completed" is refused for a complaint
    r = s.post(live.url(f"/staff/requests/{ref}/transition"), data={"to": "completed", "csrf_token": csrf})
    assert r.status_code == 409
    assert live.sql("SELECT status, complaint_outcome FROM dsar_requests") == [("in_progress", None)]
    r = s.post(
        live.url(f"/staff/requests/{ref}/outcome"),
        data={
            "outcome": "partly_upheld",
            "reason": "We replied 10 days late; we have apologised and fixed the rota.",
            "csrf_token": csrf,
        },
        allow_redirects=False,
    )
    assert r.status_code == 303
    assert live.sql("SELECT status, complaint_outcome, closing_reason FROM dsar_requests") == [
        ("completed", "partly_upheld", "We replied 10 days late; we have apologised and fixed the rota.")
    ]
    last = live.sql("SELECT actor, action, from_status, to_status, reason FROM audit_events ORDER BY id DESC")[0]
    assert last[:4] == ("staff:caseworker-user", "complaint_outcome", "in_progress", "completed")
    assert "partly upheld" in last[4] and "fixed the rota" in last[4]
    live.run_worker()
    outcome = [m for m in mailbox.to("ada.lovelace@example.org") if "outcome" in m["Subject"]]
    assert len(outcome) == 1
    text = outcome[0].get_content()
    assert "partly upheld" in text and "fixed the rota" in text and "https://ico.org.uk/make-a-complaint/" in text
    # once closed, no second outcome
    r = s.post(
        live.url(f"/staff/requests/{ref}/outcome"), data={"outcome": "upheld", "reason": "again", "csrf_token": csrf}
    )
    assert r.status_code == 409


def test_an_outcome_is_only_for_complaints_and_caseworkers(live, staff):
    access = live.post_signed("/api/v1/requests", request_body("access")).json()["reference"]
    complaint = lodge_complaint(live)["reference"]
    s, _ = login(live, "caseworker-user")
    csrf = csrf_of(s.get(live.url("/staff/")).text)
    r = s.post(
        live.url(f"/staff/requests/{access}/outcome"), data={"outcome": "upheld", "reason": "x", "csrf_token": csrf}
    )
    assert r.status_code == 409
    v, _ = login(live, "viewer-user")
    csrf = csrf_of(v.get(live.url("/staff/")).text)
    r = v.post(
        live.url(f"/staff/requests/{complaint}/outcome"), data={"outcome": "upheld", "reason": "x", "csrf_token": csrf}
    )
    assert r.status_code == 403
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=complaint) == [("in_progress",)]


def test_complaints_have_their_own_staff_list_with_both_clocks(live, staff):
    access = live.post_signed("/api/v1/requests", request_body("access")).json()["reference"]
    first = lodge_complaint(live, subject="breach")["reference"]
    second = lodge_complaint(live, subject="marketing")["reference"]
    # the first arrived 12 days ago
    earlier = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=12)
    live.sql(
        "UPDATE dsar_requests SET received_at = :t, acknowledged_at = :t, acknowledgement_due_on = :d "
        "WHERE reference = :r",
        t=earlier,
        d=(earlier + dt.timedelta(days=30)).date(),
        r=first,
    )
    s, _ = login(live, "viewer-user")
    page = s.get(live.url("/staff/complaints"))
    assert page.status_code == 200
    rows = re.findall(r'<tr data-reference="([^"]+)" data-days-open="(\d+)">', page.text)
    assert rows == [(first, "12"), (second, "0")]  # oldest first, days open counted
    assert (earlier + dt.timedelta(days=30)).date().isoformat() in page.text
    assert "a possible data breach" in page.text
    requests_page = s.get(live.url("/staff/"))
    assert access in requests_page.text and first not in requests_page.text and second not in requests_page.text
    assert s.get(live.url("/staff/complaints"), allow_redirects=False).status_code == 200
    import requests as http

    assert http.get(live.url("/staff/complaints"), allow_redirects=False).status_code == 302


def test_the_status_look_up_gives_a_complaints_acknowledgement_date(live):
    data = lodge_complaint(live)
    r = live.get(f"/api/v1/requests/{data['reference']}/status", params={"email": "ada.lovelace@example.org"})
    assert r.status_code == 200 and r.json()["due_at"] == data["due_at"]
