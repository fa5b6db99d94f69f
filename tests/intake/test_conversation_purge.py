"""The retention purge of the bot's conversations (intake/conversation_purge.py), with a clock the
test controls, on a real SQLite tracker store written by Rasa's own SQLTrackerStore and a real,
migrated intake database whose requests were lodged through the real API."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest
from intake_support import ROOT, request_body
from sqlalchemy import create_engine

from intake.auth import new_token, token_hash
from intake.conversation_purge import IntakeDatabaseUnavailable, purge
from intake.conversations import TrackerStore
from intake.models import StaffToken, StaffUser, utcnow

NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
DAYS = 90
CUTOFF = NOW - dt.timedelta(days=DAYS)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def sender() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def tracker(rasa):
    store = TrackerStore(rasa.url)
    yield store
    store.dispose()


def run(tracker, live, **kw):
    return purge(tracker, live.db.engine, now=NOW, retention_days=DAYS, **kw)


def audit_actions(live):
    return [a for (a,) in live.sql("SELECT action FROM audit_events WHERE request_id IS NULL ORDER BY id")]


def test_conversations_idle_longer_than_the_retention_are_deleted_the_others_kept(rasa, tracker, live):
    old, on_the_day, recent = sender(), sender(), sender()
    rasa.add(old, [(days_ago(200), "hi, I'm Jane Smith", "Hello!"), (days_ago(91), "bye", "Bye!")])
    # the last event (the bot's answer) lands exactly on the cut-off: not older, so kept
    rasa.add(on_the_day, [(CUTOFF - dt.timedelta(seconds=1), "hello", "Hi!")])
    rasa.add(recent, [(days_ago(3), "do you use cookies?", "Yes, ...")])

    result = run(tracker, live)

    assert rasa.senders() == {on_the_day, recent}
    assert (result.idle, result.held, result.deleted_conversations) == (1, 0, 1)
    assert result.deleted_events == 6  # every event of it, both sessions' turns
    assert len(rasa.events_of(recent)) == 3 and len(rasa.events_of(on_the_day)) == 3  # kept whole
    assert audit_actions(live) == ["conversations_purged"]
    (reason,) = live.sql("SELECT reason FROM audit_events WHERE action = 'conversations_purged'")[0]
    assert reason.startswith("1 conversation(s)") and old not in reason and "Jane" not in reason


def test_the_last_event_counts_not_the_first(rasa, tracker, live):
    came_back = sender()
    rasa.add(came_back, [(days_ago(400), "hello", "Hi!"), (days_ago(10), "me again", "Welcome back")])
    result = run(tracker, live)
    assert result.idle == 0 and rasa.senders() == {came_back}


def staff_token(live) -> str:
    with live.db.write() as s:
        user = StaffUser(username="caseworker", password_hash="x", role="caseworker", active=True, created_at=utcnow())
        s.add(user)
        s.flush()
        token = new_token()
        s.add(StaffToken(staff_user_id=user.id, token_hash=token_hash(token), created_at=utcnow()))
    return token


def test_an_open_request_keeps_its_conversation_until_it_is_closed(rasa, tracker, live):
    lodged_in, opted_out_in = sender(), sender()
    rasa.add(lodged_in, [(days_ago(120), "send me my data", "Lodged: SM-...")])
    rasa.add(opted_out_in, [(days_ago(120), "unsubscribe me", "Done")])
    access = live.post_signed("/api/v1/requests", request_body("access", conversation_id=lodged_in)).json()
    opt_out = live.post_signed(
        "/api/v1/requests", request_body("marketing_opt_out", conversation_id=opted_out_in)
    ).json()
    assert access["status"] == "awaiting_verification" and opt_out["status"] == "completed"

    result = run(tracker, live)
    assert rasa.senders() == {lodged_in}, "the open request's conversation stays; the closed one's goes"
    assert (result.idle, result.held, result.deleted_conversations) == (2, 1, 1)

    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{access['reference']}/transition"),
        json={"to": "withdrawn", "reason": "asked to stop"},
        headers={"Authorization": f"Bearer {staff_token(live)}"},
    )
    assert r.status_code == 200, r.text
    result = run(tracker, live)
    assert rasa.senders() == set() and result.deleted_conversations == 1


def test_a_second_run_with_the_same_clock_deletes_nothing_more(rasa, tracker, live):
    keep, drop = sender(), sender()
    rasa.add(keep, [(days_ago(1), "hi", "Hello")])
    rasa.add(drop, [(days_ago(100), "hi", "Hello")])
    first = run(tracker, live)
    second = run(tracker, live)
    assert first.deleted_conversations == 1
    assert (second.idle, second.deleted_conversations, second.deleted_events) == (0, 0, 0)
    assert rasa.senders() == {keep}
    assert audit_actions(live) == ["conversations_purged"], "an empty run audits nothing"


def test_a_dry_run_counts_and_deletes_nothing(rasa, tracker, live):
    drop = sender()
    rasa.add(drop, [(days_ago(100), "hi", "Hello")])
    result = run(tracker, live, dry_run=True)
    assert result.deleted_conversations == 1 and rasa.senders() == {drop} and audit_actions(live) == []


def test_when_the_open_requests_cannot_be_read_nothing_is_deleted(rasa, tracker, tmp_path):
    drop = sender()
    rasa.add(drop, [(days_ago(100), "hi", "Hello")])
    unmigrated = create_engine(f"sqlite:///{tmp_path / 'empty-intake.sqlite3'}")  # no tables: not the intake's
    with pytest.raises(IntakeDatabaseUnavailable) as raised:
        purge(tracker, unmigrated, now=NOW, retention_days=DAYS)
    assert "DATABASE_URL" in str(raised.value)
    assert rasa.senders() == {drop}


def test_no_store_yet_is_nothing_to_purge_and_no_file_is_made(tmp_path, live):
    missing = tmp_path / "never-ran.sqlite3"
    result = purge(TrackerStore(f"sqlite:///{missing}"), live.db.engine, now=NOW, retention_days=DAYS)
    assert result.idle == 0 and not missing.exists()


def test_the_clock_and_the_retention_must_make_sense(tracker, live):
    with pytest.raises(ValueError):
        purge(tracker, live.db.engine, now=NOW.replace(tzinfo=None), retention_days=DAYS)
    with pytest.raises(ValueError):
        purge(tracker, live.db.engine, now=NOW, retention_days=0)


def command(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in ("TRACKER_STORE_URL", "DATABASE_URL")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "intake.conversation_purge", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_purges_with_the_configured_retention(rasa, sqlite_url):
    drop, keep = sender(), sender()
    rasa.add(drop, [(days_ago(40), "hi, jane@example.com here", "Hello")])
    rasa.add(keep, [(days_ago(20), "hi", "Hello")])
    env = {"TRACKER_STORE_URL": rasa.url, "DATABASE_URL": sqlite_url, "CONVERSATION_RETENTION_DAYS": "30"}

    dry = command("--dry-run", "--now", NOW.isoformat(), **env)
    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 conversation(s)" in dry.stdout and rasa.senders() == {drop, keep}

    done = command("--now", NOW.isoformat(), **env)
    assert done.returncode == 0, done.stderr
    assert "deleted 1 conversation(s) (3 events)" in done.stdout and "retention 30 days" in done.stdout
    assert drop not in done.stdout + done.stderr and "jane" not in done.stdout + done.stderr
    assert rasa.senders() == {keep}


@pytest.mark.parametrize("days", ["0", "-5", "ninety", "3651"])
def test_a_bad_retention_setting_stops_the_command_naming_it(rasa, sqlite_url, days):
    rasa.add(sender(), [(days_ago(400), "hi", "Hello")])
    done = command(TRACKER_STORE_URL=rasa.url, DATABASE_URL=sqlite_url, CONVERSATION_RETENTION_DAYS=days)
    assert done.returncode == 2 and "CONVERSATION_RETENTION_DAYS" in done.stderr
    assert len(rasa.senders()) == 1


def test_a_conversation_resumed_while_the_purge_runs_is_kept_whole(rasa, tracker):
    resumed = sender()
    rasa.add(resumed, [(days_ago(100), "hi", "Hello")])
    assert resumed in {cid for cid, last in tracker.last_activity().items() if last < CUTOFF.timestamp()}
    rasa.add(resumed, [(days_ago(100), "hi", "Hello"), (NOW, "back again", "Welcome back")])  # the shopper returns
    assert tracker.delete([resumed], idle_before=CUTOFF.timestamp()) == 0
    assert len(rasa.events_of(resumed)) == 6
