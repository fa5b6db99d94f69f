"""Identity verification by one-time email link: the link comes from the real acknowledgement mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from intake_support import request_body

from intake import deadlines


def today_london() -> dt.date:
    return deadlines.local_date(dt.datetime.now(dt.timezone.utc))


def create_and_get_link(live, mailbox, rtype="access"):
    created = live.post_signed("/api/v1/requests", request_body(rtype))
    assert created.status_code == 201
    ref = created.json()["reference"]
    stats = live.run_worker()
    assert stats["sent"] == 2, stats
    ack = mailbox.to("ada.lovelace@example.org")
    assert len(ack) == 1
    m = re.search(r"(http://\S+/verify/(SM-[0-9A-Z-]+)\?code=(\S+))", ack[0].get_content())
    assert m, ack[0].get_content()
    link, link_ref, code = m.groups()
    assert link_ref == ref
    assert link.startswith(live.app.config["INTAKE_PUBLIC_URL"])
    return ref, code


def status_of(live, ref):
    return live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref)[0][0]


def confirm(live, ref, code):
    return live.http.post(live.url(f"/verify/{ref}"), data={"code": code})


@pytest.mark.postgres
def test_link_page_does_not_consume_the_code_and_post_verifies(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    # a mail scanner prefetching the link (GET) changes nothing
    for _ in range(3):
        page = live.get(f"/verify/{ref}", params={"code": code})
        assert page.status_code == 200
        assert 'method="post"' in page.text and "Confirm my request" in page.text
    assert status_of(live, ref) == "awaiting_verification"

    done = confirm(live, ref, code)
    assert done.status_code == 200, done.text
    assert "your request is confirmed" in done.text
    assert status_of(live, ref) == "in_progress"
    # one-time: the same code does not work twice
    assert confirm(live, ref, code).status_code == 400
    events = live.sql("SELECT actor, action, from_status, to_status FROM audit_events ORDER BY id")
    assert ("requester", "verified", "awaiting_verification", "in_progress") in events
    # the team hears that the clock started
    live.run_worker()
    assert any("verified" in m["Subject"] and ref in m["Subject"] for m in mailbox.to("sales@sessionmusic.co.uk"))


def test_code_is_random_and_stored_only_hashed(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    assert len(code) >= 32
    rows = live.sql("SELECT code_hash, created_at, expires_at FROM verifications")
    assert len(rows) == 1
    code_hash, created, expires = rows[0]
    assert code_hash == hashlib.sha256(code.encode()).hexdigest()
    # the clear code is nowhere in the database: the sent mail's stored copy has it removed
    for table, column in (("verifications", "code_hash"), ("outbox", "body"), ("audit_events", "reason")):
        for (value,) in live.sql(f"SELECT {column} FROM {table}"):
            assert code not in (value or ""), table
    if live.db.is_sqlite:
        live.sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(live.db.url.database, "rb") as fh:
            assert code.encode() not in fh.read()
    # ... and the link in the mail still works
    assert confirm(live, ref, code).status_code == 200
    # codes expire after 24 h by default
    as_dt = lambda v: v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)  # noqa: E731
    assert as_dt(expires) - as_dt(created) == dt.timedelta(hours=24)


def test_legal_clock_starts_on_verification_day(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    # pretend the request came in 20 days ago: its provisional due date was counted from then
    long_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=20)
    provisional = deadlines.due_date(long_ago.date())
    live.sql(
        "UPDATE dsar_requests SET received_at = :t, first_due_on = :d, due_on = :d WHERE reference = :r",
        t=long_ago,
        d=provisional,
        r=ref,
    )
    assert confirm(live, ref, code).status_code == 200
    row = live.sql("SELECT clock_start_on, first_due_on, due_on FROM dsar_requests WHERE reference = :r", r=ref)[0]
    as_date = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(v)  # noqa: E731
    expected = deadlines.due_date(today_london())
    assert as_date(row[0]) == today_london()
    assert as_date(row[1]) == as_date(row[2]) == expected
    assert expected != provisional
    status = live.get(f"/api/v1/requests/{ref}/status", params={"email": "ada.lovelace@example.org"}).json()
    assert status == {
        "reference": ref,
        "status": "in_progress",
        "due_at": expected.isoformat(),
        "paused_since": None,
        "summary": f"in progress: due by {expected.day} {expected:%B %Y}",
    }


def test_expired_code_does_not_verify(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    past = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=1)
    live.sql("UPDATE verifications SET expires_at = :t", t=past)
    r = confirm(live, ref, code)
    assert r.status_code == 410
    assert "expired" in r.text
    assert status_of(live, ref) == "awaiting_verification"


def test_short_ttl_expires_for_real(app_factory, db_url, mailbox):
    live = app_factory(db_url, VERIFICATION_TTL_SECONDS=1)
    ref, code = create_and_get_link(live, mailbox)
    import time

    time.sleep(1.2)
    assert confirm(live, ref, code).status_code == 410
    assert status_of(live, ref) == "awaiting_verification"


@pytest.mark.postgres
def test_five_wrong_tries_lock_the_code(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    results = [confirm(live, ref, "wrong-" + str(i)).status_code for i in range(5)]
    assert results == [400, 400, 400, 400, 423]
    # now even the right code is refused
    right = confirm(live, ref, code)
    assert right.status_code == 423
    assert "too many wrong attempts" in right.text
    assert status_of(live, ref) == "awaiting_verification"
    assert live.sql("SELECT failed_attempts FROM verifications")[0][0] == 5
    assert ("verification_locked",) in live.sql("SELECT action FROM audit_events")


def test_four_wrong_tries_then_the_right_code_works(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    for i in range(4):
        assert confirm(live, ref, f"nope{i}").status_code == 400
    assert confirm(live, ref, code).status_code == 200
    assert status_of(live, ref) == "in_progress"


def test_code_for_another_request_does_not_work(live, mailbox):
    ref1, code1 = create_and_get_link(live, mailbox)
    created = live.post_signed("/api/v1/requests", request_body("erasure"))
    ref2 = created.json()["reference"]
    assert confirm(live, ref2, code1).status_code == 400
    assert status_of(live, ref2) == "awaiting_verification"
    assert confirm(live, "SM-0000-0000", code1).status_code == 400


@pytest.mark.parametrize("rtype", ["marketing_opt_out"])
def test_opt_out_needs_no_verification(live, mailbox, rtype):
    created = live.post_signed("/api/v1/requests", request_body(rtype)).json()
    assert created["verification_required"] is False and created["status"] == "completed"
    live.run_worker()
    ack = mailbox.to("ada.lovelace@example.org")[0].get_content()
    assert "/verify/" not in ack
    assert "free of charge" in ack


def confirm_from(live, ref, code, source: str) -> int:
    """POST the confirmation from another loopback address (another client, as the server sees it)."""
    import http.client
    import urllib.parse

    port = int(live.base_url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request(
            "POST",
            f"/verify/{ref}",
            body=urllib.parse.urlencode({"code": code}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return conn.getresponse().status
    finally:
        conn.close()


def test_wrong_codes_from_one_client_do_not_lock_out_another(live, mailbox):
    ref, code = create_and_get_link(live, mailbox)
    attacker = "127.0.0.2"
    assert [confirm_from(live, ref, f"guess{i}", attacker) for i in range(5)] == [400, 400, 400, 400, 423]
    assert confirm_from(live, ref, code, attacker) == 423  # locked for the guesser, even with the code
    assert ("verification_locked",) in live.sql("SELECT action FROM audit_events")
    # the requester, on another address, still confirms with the link from the mail
    assert confirm(live, ref, code).status_code == 200
    assert status_of(live, ref) == "in_progress"
    stored = live.sql("SELECT client_hash, failures FROM verification_failures")
    assert [f for _, f in stored] == [5]
    assert attacker not in str(stored)  # the address itself is not stored
