"""Two outbox workers racing for the same queue: every email is delivered exactly once.

Two real worker processes (``flask --app intake outbox-worker``) poll the same database (the
session's own PostgreSQL, and SQLite) and send to the project's SMTP sink; 200 emails are queued in
one transaction once both are polling, so both claim from the same rows at the same time.  On
PostgreSQL a claim locks its rows with ``FOR UPDATE SKIP LOCKED`` (``OutboxWorker._claim``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from intake_support import ROOT, Mailbox, free_port, subprocess_env, wait_for
from sqlalchemy import text

from intake.db import Database
from intake.mail import enqueue

FLASK = str(Path(sys.executable).with_name("flask"))
EMAILS = 200
SENT_LINE = re.compile(r"outbox message (\d+) \(race, -\) sent")

pytestmark = pytest.mark.postgres


def _start_worker(db_url: str, smtp_port: int, log_path: Path) -> subprocess.Popen:
    env = subprocess_env(
        db_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        OUTBOX_POLL_INTERVAL="0.05",
        INTAKE_LOG_LEVEL="INFO",
        MAIL_DIR=str(log_path.parent / "unused-mail-dir"),
    )
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [FLASK, "--app", "intake", "outbox-worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def test_two_workers_deliver_every_email_exactly_once(db_url, tmp_path):
    box = Mailbox(tmp_path / "mail", free_port()).start()
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [_start_worker(db_url, box.port, log) for log in logs]
    db = Database(db_url)
    try:
        # both are polling before anything is queued
        wait_for(lambda: all(b"outbox worker started" in log.read_bytes() for log in logs), timeout=60)
        with db.write() as s:
            for i in range(EMAILS):
                enqueue(
                    s,
                    kind="race",
                    recipient=f"shopper{i:03d}@example.org",
                    subject=f"race {i:03d}",
                    body=f"message {i:03d}",
                )
        wait_for(lambda: len(box.raw()) >= EMAILS, timeout=60)
        with db.engine.connect() as c:
            wait_for(
                lambda: c.execute(text("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")).scalar_one() == EMAILS,
                timeout=30,
            )
        time.sleep(0.5)  # a late duplicate would arrive now
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(15)
        box.stop()
        db.dispose()

    subjects = Counter(m["Subject"] for m in box.messages())
    assert len(box.raw()) == EMAILS
    assert subjects == Counter(f"race {i:03d}" for i in range(EMAILS))  # each once, none missing
    assert all(proc.returncode == 0 for proc in workers), [log.read_text() for log in logs]
    # the two workers shared the work, and no message id was sent by both
    sent_by = [SENT_LINE.findall(log.read_text()) for log in logs]
    assert all(sent_by), f"one worker sent nothing: {[len(s) for s in sent_by]}"
    assert sum(len(s) for s in sent_by) == EMAILS
    assert not set(sent_by[0]) & set(sent_by[1])


def test_a_claim_on_postgresql_skips_rows_another_claim_holds(pg_db_url):
    """While another transaction holds some due rows, a claim takes the others at once: it neither
    waits for the held rows nor takes them."""
    import threading

    from intake.outbox_worker import OutboxWorker

    db = Database(pg_db_url)
    with db.write() as s:
        for i in range(10):
            enqueue(s, kind="race", recipient=f"s{i}@example.org", subject=f"held {i}", body="b")
    other = db.engine.connect()
    tx = other.begin()
    try:
        held = other.execute(text("SELECT id FROM outbox ORDER BY id LIMIT 4 FOR UPDATE")).scalars().all()
        claimed: list = []
        claim = threading.Thread(target=lambda: claimed.extend(OutboxWorker(db, {})._claim(set())), daemon=True)
        claim.start()
        claim.join(10)
        assert not claim.is_alive(), "the claim waited for rows another transaction holds"
    finally:
        tx.rollback()
        other.close()
    claim.join(10)
    assert len(claimed) == 6 and not {r.id for r in claimed} & set(held)
    db.dispose()
