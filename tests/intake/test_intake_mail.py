"""Mail: content of the team and requester mails, header injection, and the outbox surviving an outage."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time

import pytest
from intake_support import Mailbox, free_port, handoff_body, request_body, subprocess_env, wait_for

from intake import deadlines, mail

NAME, EMAIL, PHONE = "Ada Lovelace", "ada.lovelace@example.org", "07700 900461"


def test_team_mail_and_acknowledgement(live, mailbox):
    created = live.post_signed("/api/v1/requests", request_body("erasure")).json()
    ref, due = created["reference"], created["due_at"]
    assert live.run_worker() == {"sent": 2, "retry": 0, "failed": 0}
    team = mailbox.to("sales@sessionmusic.co.uk")
    assert len(team) == 1
    subject = team[0]["Subject"]
    assert ref in subject and "erasure" in subject and due in subject
    for pii in (NAME, "Ada", "Lovelace", EMAIL, "ada.lovelace"):
        assert pii not in subject
    body = team[0].get_content()
    assert f"{live.app.config['INTAKE_PUBLIC_URL']}/staff/requests/{ref}" in body
    for pii in (NAME, EMAIL, PHONE):
        assert pii not in body  # personal details stay on the staff page

    ack = mailbox.to(EMAIL)
    assert len(ack) == 1
    text = ack[0].get_content()
    assert ref in ack[0]["Subject"] and due in ack[0]["Subject"]
    assert NAME not in ack[0]["Subject"]
    assert ref in text
    assert "free of charge" in text
    assert "fee" not in text.replace("We do not charge a fee", "")  # never asks for or promises a fee
    assert "£" not in text
    assert "ico.org.uk/make-a-complaint" in text and "Information Commissioner" in text
    assert f"/verify/{ref}?code=" in text
    # the due date is spelled out for the shopper
    due_day = dt.date.fromisoformat(due)
    assert f"{due_day.day} {due_day:%B %Y}" in text
    assert ack[0]["From"] == "Session Music <sales@sessionmusic.co.uk>"


def test_team_addresses_are_configurable(app_factory, db_url, mailbox):
    live = app_factory(db_url, TEAM_EMAIL="privacy@example.com", HANDOFF_EMAIL="help@example.com")
    live.post_signed("/api/v1/requests", request_body())
    live.post_signed("/api/v1/handoffs", handoff_body())
    live.run_worker()
    recipients = sorted(m["To"] for m in mailbox.messages())
    assert recipients == sorted(["privacy@example.com", "help@example.com", EMAIL])


def test_handoff_mail_carries_question_and_consented_transcript(live, mailbox):
    h = live.post_signed("/api/v1/handoffs", handoff_body()).json()
    live.run_worker()
    (m,) = mailbox.to("sales@sessionmusic.co.uk")
    assert h["reference"] in m["Subject"]
    assert "grace" not in m["Subject"].lower()
    body = m.get_content()
    assert "Do you keep my card number" in body
    assert "Shopper: do you keep card numbers?" in body
    assert m["Reply-To"] == "grace.hopper@example.net"
    assert f"/staff/handoffs/{h['reference']}" in body


def test_handoff_without_consent_mails_no_transcript(live, mailbox):
    live.post_signed("/api/v1/handoffs", handoff_body(consent_to_transcript=False, transcript=None))
    live.run_worker()
    (m,) = mailbox.messages()
    assert "did not consent" in m.get_content()
    assert "Shopper:" not in m.get_content()


INJECTIONS = [
    "x\r\nBcc: evil@attacker.example",
    "x\nBcc: evil@attacker.example",
    "x\rBcc: evil@attacker.example",
    "x\r\n\r\nforged body",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_crlf_in_single_line_fields_is_refused(live, payload):
    for path in (
        ("requester", "name"),
        ("requester", "email"),
        ("requester", "phone"),
        ("source", "channel"),
        ("source", "conversation_id"),
    ):
        body = request_body()
        body[path[0]][path[1]] = payload if path[1] != "email" else "ada@example.org" + payload
        r = live.post_signed("/api/v1/requests", body)
        assert r.status_code == 422, (path, r.text)
    for field in ("email",):
        r = live.post_signed("/api/v1/handoffs", handoff_body(**{field: "g@example.net" + payload}))
        assert r.status_code == 422
    assert live.count("outbox") == 0


@pytest.mark.parametrize("payload", INJECTIONS)
def test_crlf_in_free_text_stays_in_the_body(live, mailbox, payload):
    words = "please erase me " + payload
    body = request_body(details=payload, source={"channel": "web_widget", "conversation_id": "c-1", "text": words})
    assert live.post_signed("/api/v1/requests", body).status_code == 201
    hb = handoff_body(
        question="Question " + payload,
        transcript=[{"sender": "user", "text": payload}, {"sender": "bot", "text": payload}],
    )
    assert live.post_signed("/api/v1/handoffs", hb).status_code == 201
    live.run_worker()
    messages = mailbox.messages()
    assert len(messages) == 3
    for raw in mailbox.raw():
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        assert b"Bcc" not in head and b"attacker" not in head
        rcpts = re.search(rb"X-Sink-Rcpt-To: ([^\r\n]*)", raw).group(1)
        assert b"attacker" not in rcpts and b"," not in rcpts  # exactly one envelope recipient
    for m in messages:
        assert m["Bcc"] is None


def test_header_values_with_line_breaks_never_reach_smtp(live, mailbox):
    # Defence in depth: even a row that somehow holds a CR/LF recipient is not sent.
    with live.db.write() as s:
        with pytest.raises(mail.HeaderInjection):
            mail.enqueue(s, kind="test", recipient="a@example.org\r\nBcc: evil@attacker.example", subject="s", body="b")
    with pytest.raises(mail.HeaderInjection):
        with live.db.write() as s:
            mail.enqueue(
                s, kind="test", recipient="a@example.org", subject="hi\r\nBcc: evil@attacker.example", body="b"
            )
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    live.sql(
        "INSERT INTO outbox (created_at, kind, recipient, subject, body, status, attempts, next_attempt_at) "
        "VALUES (:n, 'test', :r, 'subject', 'body', 'pending', 0, :n)",
        n=now,
        r="a@example.org\r\nBcc: evil@attacker.example",
    )
    stats = live.run_worker()
    assert stats["failed"] == 1 and stats["sent"] == 0
    assert mailbox.messages() == []
    assert live.sql("SELECT status FROM outbox") == [("failed",)]


def test_outbox_survives_an_smtp_outage(app_factory, db_url, tmp_path):
    """SMTP down -> requests still accepted, nothing lost -> SMTP up -> everything delivered once."""
    port = free_port()
    live = app_factory(db_url, SMTP_PORT=port)
    refs = [
        live.post_signed("/api/v1/requests", request_body(t)).json()["reference"]
        for t in ("access", "erasure", "marketing_opt_out")
    ]
    live.post_signed("/api/v1/handoffs", handoff_body())
    assert live.count("outbox") == 7

    # the real worker process, polling quickly with a short backoff, while nothing listens on the port
    env = subprocess_env(
        db_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        OUTBOX_BACKOFF_BASE="0.3",
        OUTBOX_BACKOFF_MAX="1",
        OUTBOX_POLL_INTERVAL="0.2",
        MAIL_DIR=str(tmp_path / "x"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "intake", "outbox-worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_for(lambda: live.sql("SELECT MIN(attempts) FROM outbox")[0][0] >= 2, timeout=30)
        rows = live.sql("SELECT status, last_error FROM outbox")
        assert all(status == "pending" for status, _ in rows)
        assert all(err and "ConnectionRefused" in err for _, err in rows)
        assert live.count("outbox") == 7

        box = Mailbox(tmp_path / "late-mail", port).start()  # the SMTP server comes back
        try:
            wait_for(lambda: len(box.messages()) == 7, timeout=30)
            wait_for(lambda: live.sql("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")[0][0] == 7)
            time.sleep(1.0)  # nothing is sent twice
            assert len(box.messages()) == 7
        finally:
            box.stop()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    subjects = " ".join(m["Subject"] for m in box.messages())
    for ref in refs:
        assert ref in subjects
    assert b"ada.lovelace" not in out and b"grace.hopper" not in out  # the worker logs no addresses


def test_worker_once_reports_failure_when_smtp_is_down(app_factory, db_url):
    live = app_factory(db_url, SMTP_PORT=free_port())
    live.post_signed("/api/v1/requests", request_body())
    stats = live.run_worker()
    assert stats == {"sent": 0, "retry": 2, "failed": 0}
    rows = live.sql("SELECT status, attempts FROM outbox")
    assert rows == [("pending", 1), ("pending", 1)]


def test_due_dates_in_mails_match_the_deadline_rules():
    assert mail.long_date(dt.date(2026, 12, 29)) == "29 December 2026 (Tuesday)"
    assert deadlines.due_date(dt.date(2026, 11, 25)) == dt.date(2026, 12, 29)
