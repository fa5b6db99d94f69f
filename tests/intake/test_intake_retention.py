"""The intake's own retention (intake/retention.py): ``flask --app intake purge`` run as a real process
against the real database with a controlled clock (``--now``). Closed requests and handoffs older than
INTAKE_RETENTION_DAYS keep reference, type, dates, outcome, clock and audit trail and lose names, emails,
phone and free text; open and recent ones are untouched; a second run changes nothing; sent mail keeps
no body or address. The local mail sink says it is a development tool."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from intake_support import ROOT, handoff_body, lodge_at, request_body, subprocess_env
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from test_intake_staff import add_staff, login, staff  # noqa: F401  (fixture)

from intake import retention, workflow
from intake.models import utcnow
from intake.queries import request_by_reference

FLASK = str(Path(sys.executable).with_name("flask"))
TZ = "Europe/London"
OLD_NAME, OLD_EMAIL, OLD_PHONE = "Octavia Oldfield", "octavia.oldfield@example.org", "07700 900777"
OLD_WORDS = "please send me what you hold on my tuba purchases"
HO_EMAIL = "harriet.handoff@example.net"


def purge(live, *args, **env):
    return subprocess.run(
        [FLASK, "--app", "intake", "purge", *args],
        cwd=ROOT,
        env=subprocess_env(live.db_url, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def everything(live) -> str:
    """Every cell of every table of the intake, as text: what a name or address must not be in."""
    out = []
    with live.db.engine.connect() as c:
        for table in (
            "dsar_requests",
            "handoffs",
            "outbox",
            "audit_events",
            "clock_events",
            "verifications",
            "shopify_webhooks",
        ):
            out += [repr(tuple(r)) for r in c.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    return "\n".join(out)


def move(live, ref, fn):
    with live.app.app_context(), live.db.write() as s:
        fn(s, request_by_reference(s, ref, for_update=True))


def old_completed_request(live, closed_at: dt.datetime) -> str:
    """Lodged, verified by staff by other means, a clarification asked and answered, completed at
    ``closed_at``: every place the requester's details and words can reach."""
    start = closed_at - dt.timedelta(days=12)
    ref = lodge_at(
        live,
        start,
        "access",
        conversation_id="conv-octavia-1",
        requester={"name": OLD_NAME, "email": OLD_EMAIL, "phone": OLD_PHONE},
        details="All my orders since 2015, Octavia",
        source={"channel": "web_widget", "conversation_id": "conv-octavia-1", "text": OLD_WORDS},
    )
    actor = "staff:caseworker-user"
    move(
        live,
        ref,
        lambda s, r: workflow.staff_transition(
            s,
            r,
            "in_progress",
            f"phoned {OLD_PHONE}, {OLD_NAME} confirmed her order number",
            actor,
            TZ,
            now=start + dt.timedelta(days=1),
        ),
    )
    move(
        live,
        ref,
        lambda s, r: workflow.ask_clarification(
            s,
            r,
            f"{OLD_NAME.split()[0]}, which of your two accounts?",
            actor=actor,
            tz=TZ,
            now=start + dt.timedelta(days=2),
        ),
    )
    move(
        live,
        ref,
        lambda s, r: workflow.staff_transition(
            s, r, "in_progress", f"by phone: the one with {OLD_EMAIL}", actor, TZ, now=start + dt.timedelta(days=3)
        ),
    )
    move(
        live,
        ref,
        lambda s, r: workflow.staff_transition(s, r, "completed", "copy sent by post", actor, TZ, now=closed_at),
    )
    return ref


def row(live, ref):
    return live.sql(
        "SELECT reference, request_type, status, requester_name, requester_email, email_hash, "
        "requester_phone, details, source_text, conversation_id, received_at, closed_at, "
        "closing_reason, due_on, anonymised_at FROM dsar_requests WHERE reference = :r",
        r=ref,
    )[0]


@pytest.mark.postgres
def test_purge_anonymises_old_closed_rows_only_and_a_second_run_changes_nothing(live, staff, mailbox):  # noqa: F811
    now = utcnow().replace(microsecond=0)
    seven_years_ago = now - dt.timedelta(days=7 * 365)
    old = old_completed_request(live, closed_at=seven_years_ago)
    recent = lodge_at(live, now - dt.timedelta(days=40))
    move(
        live,
        recent,
        lambda s, r: workflow.staff_transition(
            s, r, "refused", "manifestly unfounded", "staff:caseworker-user", TZ, now=now - dt.timedelta(days=30)
        ),
    )
    still_open = lodge_at(live, seven_years_ago)  # never verified: open, however old
    handoff = live.post_signed("/api/v1/handoffs", handoff_body(email=HO_EMAIL)).json()["reference"]
    old_trail = live.sql(
        "SELECT id, at, actor, action, from_status, to_status FROM audit_events "
        "WHERE request_id = (SELECT id FROM dsar_requests WHERE reference = :r) ORDER BY id",
        r=old,
    )
    old_clock = live.sql(
        "SELECT id, kind, on_date, at, actor FROM clock_events "
        "WHERE request_id = (SELECT id FROM dsar_requests WHERE reference = :r) ORDER BY id",
        r=old,
    )
    before_old, before_recent, before_open = row(live, old), row(live, recent), row(live, still_open)
    assert live.get(f"/api/v1/requests/{old}/status", params={"email": OLD_EMAIL}).status_code == 200
    assert OLD_EMAIL in everything(live) and OLD_NAME.split()[0] in everything(live)

    # a dry run counts and changes nothing
    snapshot = everything(live)
    r = purge(live, "--dry-run", "--now", now.isoformat())
    assert r.returncode == 0, r.stderr
    assert "would anonymise 1 request(s)" in r.stdout and "0 handoff(s)" in r.stdout and "dry run" in r.stdout
    assert "3 audit reason(s) and 3 clock note(s)" in r.stdout
    assert everything(live) == snapshot

    r = purge(live, "--now", now.isoformat())
    assert r.returncode == 0, r.stderr
    assert "anonymised 1 request(s)" in r.stdout and "retention 2192 days" in r.stdout
    assert OLD_EMAIL not in r.stdout + r.stderr and OLD_NAME not in r.stdout + r.stderr

    after = row(live, old)
    # kept: what shows how the request was handled
    assert after[:3] == before_old[:3] and after[10:14] == before_old[10:14]
    assert after[2] == "completed" and after[12] == "copy sent by post"
    # gone: who it was and what they wrote
    assert after[3:10] == (retention.REMOVED, retention.REMOVED, "", None, None, retention.REMOVED, None)
    assert after[14] is not None
    # the audit trail and the clock keep every row, who and when; only free text about the person went
    assert (
        live.sql(
            "SELECT id, at, actor, action, from_status, to_status FROM audit_events WHERE request_id = "
            "(SELECT id FROM dsar_requests WHERE reference = :r) ORDER BY id",
            r=old,
        )
        == old_trail
    )
    assert (
        live.sql(
            "SELECT id, kind, on_date, at, actor FROM clock_events WHERE request_id = "
            "(SELECT id FROM dsar_requests WHERE reference = :r) ORDER BY id",
            r=old,
        )
        == old_clock
    )
    dump = everything(live)
    for secret in (OLD_NAME, OLD_NAME.split()[0], OLD_EMAIL, OLD_PHONE, OLD_WORDS, "conv-octavia-1"):
        assert secret not in dump, secret
    # the recent closed one, the old open one and today's handoff are untouched
    assert row(live, recent) == before_recent and row(live, still_open) == before_open
    assert live.sql("SELECT email, anonymised_at FROM handoffs") == [(HO_EMAIL, None)]
    # audited with counts only
    audit = live.sql(
        "SELECT actor, action, request_id, reason FROM audit_events WHERE action = :a", a=retention.AUDIT_ACTION
    )
    assert len(audit) == 1 and audit[0][:3] == ("system", retention.AUDIT_ACTION, None)
    assert "1 request(s)" in audit[0][3] and "Octavia" not in audit[0][3]

    # idempotent: the same clock again changes nothing, not even the audit
    snapshot = everything(live)
    r = purge(live, "--now", now.isoformat())
    assert r.returncode == 0, r.stderr
    assert "anonymised 0 request(s)" in r.stdout
    assert everything(live) == snapshot

    # six years on, the refusal and the handoff go too; the open request still stays whole
    later = now + dt.timedelta(days=2193)
    r = purge(live, "--now", later.isoformat())
    assert "anonymised 1 request(s) closed and 1 handoff(s)" in r.stdout, r.stdout
    assert row(live, recent)[3:5] == (retention.REMOVED, retention.REMOVED)
    assert row(live, recent)[12] == "manifestly unfounded"  # the outcome stays
    assert row(live, still_open) == before_open
    assert live.sql(
        "SELECT email, question, transcript, source_text FROM handoffs WHERE reference = :r", r=handoff
    ) == [(retention.REMOVED, retention.REMOVED, None, None)]
    assert HO_EMAIL not in everything(live)
    # the status look-up no longer finds the anonymised request by the old address
    assert live.get(f"/api/v1/requests/{old}/status", params={"email": OLD_EMAIL}).status_code == 404


def test_sent_mail_keeps_no_body_or_address(live, mailbox):
    ref = live.post_signed("/api/v1/requests", request_body("access")).json()["reference"]
    pending = live.sql("SELECT recipient, body FROM outbox WHERE kind = 'acknowledgement'")
    assert pending[0][0] == "ada.lovelace@example.org" and "Ada Lovelace" in pending[0][1]
    assert live.run_worker()["sent"] == 2
    assert (
        live.sql("SELECT status, recipient, reply_to, body, reference FROM outbox ORDER BY id")
        == [("sent", retention.REMOVED, None, retention.REMOVED, ref)] * 2
    )
    assert len(mailbox.to("ada.lovelace@example.org")) == 1  # it was sent whole, before the copy went


def test_with_a_grace_period_the_body_goes_after_it(app_factory, db_url, mailbox):
    live = app_factory(db_url, OUTBOX_SENT_BODY_GRACE_SECONDS=3600)
    live.post_signed("/api/v1/handoffs", handoff_body(email=HO_EMAIL))
    assert live.run_worker()["sent"] == 1
    kept = live.sql("SELECT recipient, reply_to, body, sent_at FROM outbox")[0]
    assert kept[1] == HO_EMAIL and "card number" in kept[2]  # inside the grace period
    sent_at = kept[3] if isinstance(kept[3], dt.datetime) else dt.datetime.fromisoformat(str(kept[3]))
    sent_at = sent_at.replace(tzinfo=dt.timezone.utc)
    r = purge(live, "--now", (sent_at + dt.timedelta(minutes=59)).isoformat(), OUTBOX_SENT_BODY_GRACE_SECONDS=3600)
    assert "0 mail(s) lost" in r.stdout, r.stdout + r.stderr
    r = purge(live, "--now", (sent_at + dt.timedelta(minutes=61)).isoformat(), OUTBOX_SENT_BODY_GRACE_SECONDS=3600)
    assert "1 mail(s) lost" in r.stdout, r.stdout + r.stderr
    assert live.sql("SELECT recipient, reply_to, body FROM outbox") == [(retention.REMOVED, None, retention.REMOVED)]
    assert live.sql("SELECT email FROM handoffs") == [(HO_EMAIL,)]  # the handoff itself is recent: kept


@pytest.mark.parametrize("table,column", [("audit_events", "reason"), ("clock_events", "note")])
def test_the_trail_is_still_append_only_apart_from_the_retention_marker(live, table, column):
    lodge_at(live, utcnow())
    with pytest.raises(DBAPIError):
        live.sql(f"UPDATE {table} SET {column} = 'rewritten history'")
    with pytest.raises(DBAPIError):
        live.sql(f"UPDATE {table} SET {column} = :m, actor = 'someone else'", m=retention.REMOVED)
    with pytest.raises(DBAPIError):
        live.sql(f"DELETE FROM {table}")
    assert live.sql(f"UPDATE {table} SET {column} = :m", m=retention.REMOVED) >= 1


def test_bad_settings_and_clock_are_clear_errors_that_change_nothing(live):
    ref = lodge_at(live, utcnow() - dt.timedelta(days=4000))
    move(
        live,
        ref,
        lambda s, r: workflow.staff_transition(
            s, r, "withdrawn", "asked to stop", "staff:x", TZ, now=utcnow() - dt.timedelta(days=3990)
        ),
    )
    snapshot = everything(live)
    r = purge(live, "--now", "next tuesday")
    assert r.returncode != 0 and "--now" in r.stderr and "not an ISO date-time" in r.stderr
    r = purge(live, INTAKE_RETENTION_DAYS="7")
    assert r.returncode != 0 and "INTAKE_RETENTION_DAYS must be a whole number from 30 to 36525" in r.stderr
    r = purge(live, OUTBOX_SENT_BODY_GRACE_SECONDS="-1")
    assert r.returncode != 0 and "OUTBOX_SENT_BODY_GRACE_SECONDS" in r.stderr
    assert everything(live) == snapshot
    r = purge(live, INTAKE_RETENTION_DAYS="3650")  # ten years: this one (closed 3990 days ago) goes
    assert r.returncode == 0 and "anonymised 1 request(s)" in r.stdout, r.stdout + r.stderr


def test_the_local_mail_sink_says_it_is_a_development_tool(live, mailbox):
    add_staff(live, "admin-user", "admin")
    page = login(live, "admin-user")[0].get(live.url("/staff/mail")).text
    assert "Development tool." in page and "In production" in page
    r = subprocess.run(
        [FLASK, "--app", "intake", "mail-sink", "--help"],
        cwd=ROOT,
        env=subprocess_env(live.db_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "DEVELOPMENT TOOL" in r.stdout and "production" in r.stdout


def test_the_new_types_free_text_goes_too(live):
    """Restriction, portability and complaint requests carry free text of their own (what to restrict,
    where to send, the outcome wanted): an old closed one loses it like the details."""
    now = utcnow().replace(microsecond=0)
    long_ago = now - dt.timedelta(days=7 * 365)
    words = "the Octavia tuba order from Leeds"
    refs = [
        lodge_at(live, long_ago, "restriction", restriction={"what": words, "grounds": "accuracy_contested"}),
        lodge_at(live, long_ago, "portability", portability={"recipient": words}),
        lodge_at(live, long_ago, "complaint", complaint={"subject": "data_use", "outcome_wanted": words}),
    ]
    for ref in refs:
        move(
            live,
            ref,
            lambda s, r: workflow.staff_transition(
                s, r, "withdrawn", "closed", "staff:caseworker-user", TZ, now=long_ago + dt.timedelta(days=5)
            ),
        )
    assert words in everything(live)
    r = purge(live, "--now", now.isoformat())
    assert r.returncode == 0, r.stderr
    assert words not in everything(live)
    kinds = live.sql("SELECT request_type, status FROM dsar_requests ORDER BY id")
    assert kinds == [("restriction", "withdrawn"), ("portability", "withdrawn"), ("complaint", "withdrawn")]
