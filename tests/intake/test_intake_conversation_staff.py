"""Staff and the linked chat: a request's page offers its conversation's transcript (read from a real
SQLite tracker store written by Rasa's own SQLTrackerStore), each view and export audited; completing
an erasure request deletes that conversation from the store, audited with its id and never its text."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import pytest
import requests
from intake_support import fill_erasure_checklist, request_body

from intake.auth import hash_password, new_token, token_hash
from intake.models import StaffToken, StaffUser, utcnow

PASSWORD = "correct horse battery"
SAID = "Hi, I'm Jane Smith and I want my account deleted"
ANSWERED = "I can take that request for you."


@pytest.fixture
def live(app_factory, db_url, rasa):
    return app_factory(db_url, TRACKER_STORE_URL=rasa.url)


def add_staff(live, role):
    with live.db.write() as s:
        user = StaffUser(
            username=f"{role}-user", password_hash=hash_password(PASSWORD), role=role, active=True, created_at=utcnow()
        )
        s.add(user)
        s.flush()
        token = new_token()
        s.add(StaffToken(staff_user_id=user.id, token_hash=token_hash(token), created_at=utcnow()))
    return token


def login(live, role):
    add_staff(live, role)
    s = requests.Session()
    page = s.get(live.url("/staff/login"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = s.post(
        live.url("/staff/login"),
        data={"username": f"{role}-user", "password": PASSWORD, "csrf_token": csrf},
        allow_redirects=False,
    )
    assert r.status_code == 302
    return s


def csrf_of(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def lodged_in_chat(live, rasa, request_type="erasure"):
    conversation = uuid.uuid4().hex
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    rasa.add(conversation, [(at, SAID, ANSWERED), (at + dt.timedelta(seconds=30), "yes", "Lodged.")])
    r = live.post_signed("/api/v1/requests", request_body(request_type, conversation_id=conversation))
    assert r.status_code == 201, r.text
    return r.json()["reference"], conversation


def move(session, live, ref, to, reason=""):
    page = session.get(live.url(f"/staff/requests/{ref}"))
    return session.post(
        live.url(f"/staff/requests/{ref}/transition"),
        data={"to": to, "reason": reason, "csrf_token": csrf_of(page.text)},
        allow_redirects=False,
    )


def audits(live, ref):
    return live.sql(
        "SELECT a.action, a.actor, a.reason FROM audit_events a JOIN dsar_requests r ON r.id = a.request_id "
        "WHERE r.reference = :ref ORDER BY a.id",
        ref=ref,
    )


def test_a_caseworker_views_and_exports_the_linked_transcript_and_both_are_audited(live, rasa):
    ref, conversation = lodged_in_chat(live, rasa, "access")
    s = login(live, "caseworker")
    detail = s.get(live.url(f"/staff/requests/{ref}")).text
    assert conversation in detail and "View transcript" in detail and "Download transcript" in detail

    page = s.get(live.url(f"/staff/requests/{ref}/transcript"))
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert SAID in shown and ANSWERED in shown and shown.index(SAID) < shown.index(ANSWERED)

    export = s.get(live.url(f"/staff/requests/{ref}/transcript?format=text"))
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/plain")
    assert f"filename={ref}-conversation.txt" in export.headers["Content-Disposition"]
    assert f"You: {SAID}" in export.text and f"Assistant: {ANSWERED}" in export.text and "You: yes" in export.text

    trail = [(a, actor, reason) for a, actor, reason in audits(live, ref) if a.startswith("transcript")]
    assert trail == [
        ("transcript_viewed", "staff:caseworker-user", f"conversation {conversation}: 4 turns"),
        ("transcript_exported", "staff:caseworker-user", f"conversation {conversation}: 4 turns"),
    ]


def test_a_viewer_cannot_read_transcripts_and_a_request_without_a_chat_has_none(live, rasa):
    ref, _ = lodged_in_chat(live, rasa, "access")
    viewer = login(live, "viewer")
    assert "View transcript" not in viewer.get(live.url(f"/staff/requests/{ref}")).text
    assert viewer.get(live.url(f"/staff/requests/{ref}/transcript")).status_code == 403
    no_chat = live.post_signed("/api/v1/requests", request_body("access")).json()["reference"]
    caseworker = login(live, "caseworker")
    assert caseworker.get(live.url(f"/staff/requests/{no_chat}/transcript")).status_code == 404
    assert not [a for a, _, _ in audits(live, ref) if a.startswith("transcript")]


def test_completing_an_erasure_deletes_its_conversation_and_audits_the_id_not_the_text(live, rasa):
    ref, conversation = lodged_in_chat(live, rasa, "erasure")
    other, _ = lodged_in_chat(live, rasa, "access")
    kept = {c for c in rasa.senders() if c != conversation}
    s = login(live, "caseworker")
    assert move(s, live, ref, "in_progress", "ID checked").status_code == 303
    assert conversation in rasa.senders(), "nothing is deleted before the erasure is completed"
    fill_erasure_checklist(s, live.base_url, ref)  # completion waits for the other sources (erasure checklist)
    assert conversation in rasa.senders()
    assert move(s, live, ref, "completed").status_code == 303

    assert conversation not in rasa.senders() and rasa.senders() == kept
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref) == [("completed",)]
    erased = [(actor, reason) for a, actor, reason in audits(live, ref) if a == "conversation_erased"]
    assert erased == [
        ("staff:caseworker-user", f"conversation {conversation} deleted from the bot's conversation store (6 events)")
    ]
    everything_audited = " ".join(str(r) for r in live.sql("SELECT reason FROM audit_events"))
    assert "Jane" not in everything_audited and SAID not in everything_audited
    page = s.get(live.url(f"/staff/requests/{ref}/transcript"))
    assert "No turns are stored" in page.text


def test_completing_an_erasure_through_the_staff_api_deletes_it_too(live, rasa):
    ref, conversation = lodged_in_chat(live, rasa, "erasure")
    browser = login(live, "caseworker")  # staff fill in the erasure checklist on the request's page
    token = new_token()
    with live.db.write() as s:
        user = s.query(StaffUser).filter_by(username="caseworker-user").one()
        s.add(StaffToken(staff_user_id=user.id, token_hash=token_hash(token), created_at=utcnow()))
    for to, reason in (("in_progress", "ID checked"), ("completed", "")):
        if to == "completed":
            fill_erasure_checklist(browser, live.base_url, ref)
        r = live.http.post(
            live.url(f"/api/v1/staff/requests/{ref}/transition"),
            json={"to": to, "reason": reason},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
    assert conversation not in rasa.senders()


def test_other_requests_completing_leave_the_conversation(live, rasa):
    ref, conversation = lodged_in_chat(live, rasa, "access")
    s = login(live, "caseworker")
    move(s, live, ref, "in_progress", "ID checked")
    assert move(s, live, ref, "completed").status_code == 303
    assert conversation in rasa.senders()


def test_when_the_store_cannot_be_reached_the_erasure_is_not_completed(app_factory, db_url, rasa, tmp_path):
    unreachable = tmp_path / "a-folder-not-a-database"
    unreachable.mkdir()
    live = app_factory(db_url, TRACKER_STORE_URL=f"sqlite:///{unreachable}")
    ref, _ = lodged_in_chat(live, rasa, "erasure")
    s = login(live, "caseworker")
    move(s, live, ref, "in_progress", "ID checked")
    fill_erasure_checklist(s, live.base_url, ref)
    r = move(s, live, ref, "completed")
    assert r.status_code == 503 and "could not be deleted" in r.text and "not completed" in r.text
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref) == [("in_progress",)]
    assert "conversation_erased" not in [a for a, _, _ in audits(live, ref)]
    assert s.get(live.url(f"/staff/requests/{ref}/transcript")).status_code == 503
