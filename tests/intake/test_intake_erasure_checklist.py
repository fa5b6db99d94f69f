"""Erasure done properly (intake/erasure_checklist.py), on the real app, a real SQLite tracker store written by
Rasa's own SQLTrackerStore, the real outbox worker and SMTP sink: staff decide each data source (erased, or
kept with the reason), audited with who and when; completing waits for every item (409, nothing changed);
the linked chat's item ticks itself when completion deletes the conversation; the requester's completion
email says what was erased and what was kept, and why."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from intake_support import TAX_REASON_TEXT, fill_erasure_checklist, handoff_body, lodge_at, request_body
from test_intake_staff import add_staff, bearer, login  # noqa: F401

from intake import erasure_checklist, retention, workflow
from intake.models import utcnow
from intake.queries import request_by_reference

NAME, EMAIL = "Erin Eraser", "erin.eraser@example.org"
SAID = "I'm Erin, please delete everything you have on me"


@pytest.fixture
def live(app_factory, db_url, rasa):
    return app_factory(db_url, TRACKER_STORE_URL=rasa.url)


def erasure(live, rasa=None, email=EMAIL) -> tuple[str, str | None]:
    conversation = None
    extra = {}
    if rasa is not None:
        conversation = uuid.uuid4().hex
        at = utcnow() - dt.timedelta(minutes=5)
        rasa.add(conversation, [(at, SAID, "I can take that request for you.")])
        extra["conversation_id"] = conversation
    r = live.post_signed("/api/v1/requests", request_body("erasure", requester={"name": NAME, "email": email}, **extra))
    assert r.status_code == 201, r.text
    return r.json()["reference"], conversation


def csrf(browser, live, ref) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', browser.get(live.url(f"/staff/requests/{ref}")).text).group(
        1
    )


def post(browser, live, ref, action, **data):
    return browser.post(
        live.url(f"/staff/requests/{ref}/{action}"),
        allow_redirects=False,
        data={**data, "csrf_token": csrf(browser, live, ref)},
    )


def decide(browser, live, ref, source, decision, reason=""):
    return post(browser, live, ref, "erasure-checklist", source=source, decision=decision, reason=reason)


def complete(browser, live, ref):
    return post(browser, live, ref, "transition", to="completed", reason="")


def state(live, ref):
    return (
        live.sql("SELECT status, closed_at FROM dsar_requests WHERE reference = :r", r=ref),
        live.sql(
            "SELECT source, decision, reason, decided_by FROM erasure_checklist_items i JOIN dsar_requests r "
            "ON r.id = i.request_id WHERE r.reference = :r ORDER BY source",
            r=ref,
        ),
        live.count("audit_events"),
        live.count("outbox"),
    )


def checklist_audit(live, ref):
    return live.sql(
        "SELECT a.actor, a.reason FROM audit_events a JOIN dsar_requests r ON r.id = a.request_id "
        "WHERE r.reference = :r AND a.action = 'erasure_checklist' ORDER BY a.id",
        r=ref,
    )


def test_each_item_is_decided_and_audited_and_completion_waits_for_all_then_emails_what_was_done(live, rasa, mailbox):
    add_staff(live, "caseworker-user", "caseworker")
    staff, _ = login(live, "caseworker-user")
    # the same person's older, closed request and their handoff; someone else's closed request
    earlier = lodge_at(
        live,
        utcnow() - dt.timedelta(days=100),
        "access",
        requester={"name": NAME, "email": EMAIL.upper()},
        details="Erin's old access request",
    )
    other = lodge_at(live, utcnow() - dt.timedelta(days=100), "access")
    for ref in (earlier, other):
        with live.app.app_context(), live.db.write() as s:
            workflow.staff_transition(
                s,
                request_by_reference(s, ref, True),
                "withdrawn",
                "asked to stop",
                "staff:caseworker-user",
                "Europe/London",
                now=utcnow() - dt.timedelta(days=90),
            )
    live.post_signed("/api/v1/handoffs", handoff_body(email=EMAIL, question="Erin here: do you keep my card?"))
    ref, conversation = erasure(live, rasa)

    # not before the requester's identity is confirmed
    r = decide(staff, live, ref, "mailing_list", "erased")
    assert r.status_code == 409 and "after the requester" in r.text
    assert post(staff, live, ref, "transition", to="in_progress", reason="ID checked by phone").status_code == 303

    page = staff.get(live.url(f"/staff/requests/{ref}")).text
    assert page.count("data-erasure-item=") == 5 and 'data-decision="automatic"' in page
    assert "Still to decide: 4." in page

    # completing now is refused, naming what is missing, and changes nothing
    before = state(live, ref)
    r = complete(staff, live, ref)
    assert r.status_code == 409
    assert (
        "Still to decide: Shop customer record (Shopify); Order history (orders, invoices); Mailing list; "
        "This service&#39;s records" in r.text
    )
    assert state(live, ref) == before and conversation in rasa.senders()
    # kept needs the reason; the linked chat's item is not staff's to tick; an unknown source is refused
    assert decide(staff, live, ref, "order_history", "kept", "  ").status_code == 422
    assert decide(staff, live, ref, "assistant_transcripts", "erased").status_code == 409
    assert decide(staff, live, ref, "loyalty_cards", "erased").status_code == 422
    assert state(live, ref) == before

    assert decide(staff, live, ref, "shop_customer", "erased").status_code == 303
    assert decide(staff, live, ref, "mailing_list", "erased").status_code == 303
    assert decide(staff, live, ref, "order_history", "kept", TAX_REASON_TEXT).status_code == 303
    assert complete(staff, live, ref).status_code == 409  # one still open
    assert decide(staff, live, ref, "intake_records", "erased").status_code == 303
    # erasing the intake's own records anonymised the same person's closed request and handoff, not others'
    assert live.sql("SELECT requester_email, details FROM dsar_requests WHERE reference = :r", r=earlier) == [
        (retention.REMOVED, None)
    ]
    assert live.sql("SELECT email FROM handoffs") == [(retention.REMOVED,)]
    assert live.sql("SELECT requester_email FROM dsar_requests WHERE reference = :r", r=other) == [
        ("ada.lovelace@example.org",)
    ]
    assert live.sql("SELECT requester_email FROM dsar_requests WHERE reference = :r", r=ref) == [(EMAIL,)]

    assert complete(staff, live, ref).status_code == 303
    assert conversation not in rasa.senders()
    rows = live.sql(
        "SELECT source, decision, reason, decided_by, decided_at FROM erasure_checklist_items i "
        "JOIN dsar_requests r ON r.id = i.request_id WHERE r.reference = :r ORDER BY i.id",
        r=ref,
    )
    assert [(s, d, who) for s, d, _, who, _ in rows] == [
        ("shop_customer", "erased", "staff:caseworker-user"),
        ("mailing_list", "erased", "staff:caseworker-user"),
        ("order_history", "kept", "staff:caseworker-user"),
        ("intake_records", "erased", "staff:caseworker-user"),
        ("assistant_transcripts", "erased", "staff:caseworker-user"),
    ]  # ticked by the completion itself
    assert rows[2][2] == TAX_REASON_TEXT and all(r[4] is not None for r in rows)
    trail = checklist_audit(live, ref)
    assert [actor for actor, _ in trail] == ["staff:caseworker-user"] * 5
    assert trail[0][1] == "Shop customer record (Shopify): erased"
    assert trail[2][1] == f"Order history (orders, invoices): kept ({TAX_REASON_TEXT})"
    assert trail[3][1].startswith(
        "This service's records (other requests and handoffs about this person): erased "
        "(1 other closed request(s) and 1 handoff(s) anonymised"
    )
    assert trail[4][1] == "This assistant's chat transcripts: erased"
    assert all(NAME not in reason and EMAIL not in reason for _, reason in trail)
    # decisions are final once the request is closed
    assert decide(staff, live, ref, "order_history", "erased").status_code == 409

    live.run_worker()
    mails = [m for m in mailbox.to(EMAIL) if "erasure completed" in m["Subject"]]
    assert len(mails) == 1 and ref in mails[0]["Subject"]
    body = mails[0].get_content()
    erased_part, kept_part = body.split("What we erased:")[1].split("What we kept, and why:")
    for what in (
        "your customer account with our shop (Shopify)",
        "our mailing list",
        "your conversations with our privacy chat assistant",
        "the records of your other requests and questions to us",
    ):
        assert f"  - {what}" in erased_part
    assert "order history" not in erased_part
    assert "  - your order history (orders and invoices)" in kept_part and f"Why: {TAX_REASON_TEXT}" in kept_part
    assert f"Dear {NAME}" in body and "for 6 years after today" in body and "ico.org.uk" in body


def test_without_a_linked_chat_staff_decide_the_transcripts_too(live, mailbox):
    add_staff(live, "caseworker-user", "caseworker")
    staff, _ = login(live, "caseworker-user")
    ref, _ = erasure(live)
    post(staff, live, ref, "transition", to="in_progress", reason="ID checked by phone")
    fill_erasure_checklist(staff, live.base_url, ref)
    r = complete(staff, live, ref)
    assert r.status_code == 409 and "Still to decide: This assistant&#39;s chat transcripts." in r.text
    assert (
        decide(
            staff, live, ref, "assistant_transcripts", "kept", "held for a legal claim the shopper has brought"
        ).status_code
        == 303
    )
    assert complete(staff, live, ref).status_code == 303
    live.run_worker()
    body = [m for m in mailbox.to(EMAIL) if "erasure completed" in m["Subject"]][0].get_content()
    kept_part = body.split("What we kept, and why:")[1]
    assert "your conversations with our privacy chat assistant\n      Why: held for a legal claim" in kept_part


def test_the_staff_api_cannot_complete_an_erasure_with_items_open(live):
    token = add_staff(live, "caseworker-user", "caseworker")
    ref, _ = erasure(live)
    api = f"/api/v1/staff/requests/{ref}/transition"
    assert (
        live.http.post(
            live.url(api), json={"to": "in_progress", "reason": "ID checked"}, headers=bearer(token)
        ).status_code
        == 200
    )
    r = live.http.post(live.url(api), json={"to": "completed"}, headers=bearer(token))
    assert r.status_code == 409 and r.json()["error"]["code"] == "erasure_checklist_incomplete"
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref) == [("in_progress",)]
    # refusing or withdrawing an erasure request needs no checklist
    r = live.http.post(
        live.url(api), json={"to": "refused", "reason": "the account belongs to someone else"}, headers=bearer(token)
    )
    assert r.status_code == 200, r.text


def test_other_requests_have_no_checklist_and_viewers_cannot_decide(live):
    add_staff(live, "caseworker-user", "caseworker")
    add_staff(live, "viewer-user", "viewer")
    staff, _ = login(live, "caseworker-user")
    access = live.post_signed("/api/v1/requests", request_body("access")).json()["reference"]
    post(staff, live, access, "transition", to="in_progress", reason="ID checked")
    assert "Erasure checklist" not in staff.get(live.url(f"/staff/requests/{access}")).text
    r = decide(staff, live, access, "mailing_list", "erased")
    assert r.status_code == 409 and "only an erasure request" in r.text
    ref, _ = erasure(live)
    post(staff, live, ref, "transition", to="in_progress", reason="ID checked")
    viewer, _ = login(live, "viewer-user")
    page = viewer.get(live.url(f"/staff/requests/{ref}")).text
    assert "Erasure checklist" in page and f"/staff/requests/{ref}/erasure-checklist" not in page  # no forms
    assert decide(viewer, live, ref, "mailing_list", "erased").status_code == 403
    assert live.count("erasure_checklist_items") == 0


def test_the_completion_email_text_from_the_template(live):
    """Everything kept: the email says nothing was erased, and why each thing was kept."""
    with live.app.app_context():
        req = type("R", (), {"requester_name": NAME, "reference": "SM-TEST-0001"})()
        kept = [
            erasure_checklist.Item(s, label, "kept", f"reason {n}", "staff:x", utcnow())
            for n, (s, label, _) in enumerate(erasure_checklist.SOURCES)
        ]
        subject, body = erasure_checklist.completion_mail(live.app.config, req, kept)
    assert "We erased nothing" in body and "What we erased:" not in body
    assert body.count("      Why: reason ") == 5 and "SM-TEST-0001" in subject
