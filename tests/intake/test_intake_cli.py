"""CLI commands, run as real processes: flask --app intake ... and python -m intake ..."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from intake_support import ROOT, free_port, request_body, subprocess_env, wait_for

FLASK = str(Path(sys.executable).with_name("flask"))


def run(args, db_url, input=None, **env):
    return subprocess.run(
        args, cwd=ROOT, env=subprocess_env(db_url, **env), input=input, capture_output=True, text=True, timeout=60
    )


def test_migrate_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh/db.sqlite3"  # the folder does not exist yet
    r = run([FLASK, "--app", "intake", "migrate"], url)
    assert r.returncode == 0, r.stderr
    from intake.migrate import current_revision, head_revision

    assert f"database at revision {head_revision()}" in r.stdout
    r = run([sys.executable, "-m", "intake", "migrate"], url)  # idempotent
    assert r.returncode == 0, r.stderr
    assert current_revision(url) == head_revision()


def test_missing_secrets_stop_the_cli_outside_development_mode(tmp_path):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    env = subprocess_env(url)
    env.pop("INTAKE_API_SECRET")
    r = subprocess.run(
        [sys.executable, "-m", "intake", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr  # development mode: a warning, no stop
    assert "INTAKE_API_SECRET is not set (development mode)" in r.stderr
    env.pop("INTAKE_DEVELOPMENT")
    r = subprocess.run(
        [sys.executable, "-m", "intake", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode != 0
    assert "refusing to start: INTAKE_API_SECRET is not set; INTAKE_SECRET_KEY is not set" in r.stderr
    assert "INTAKE_DELIVERY_KEY is not set" in r.stderr
    r = run([sys.executable, "-m", "intake", "migrate"], url, INTAKE_SECRET_KEY="x" * 40)
    assert "INTAKE_API_SECRET is not set" not in r.stderr


def test_create_staff_and_token_work_against_the_api(app_factory, sqlite_url):
    r = run(
        [
            FLASK,
            "--app",
            "intake",
            "create-staff",
            "--username",
            "sam",
            "--password",
            "a long password",
            "--role",
            "viewer",
        ],
        sqlite_url,
    )
    assert r.returncode == 0, r.stderr
    assert "a long password" not in r.stdout + r.stderr
    r = run(
        [sys.executable, "-m", "intake", "create-staff", "--username", "kim", "--password-stdin", "--role", "admin"],
        sqlite_url,
        input="another long password\n",
    )
    assert r.returncode == 0, r.stderr
    dup = run(
        [FLASK, "--app", "intake", "create-staff", "--username", "sam", "--password", "a long password"], sqlite_url
    )
    assert dup.returncode != 0 and "already exists" in dup.stderr
    short = run([FLASK, "--app", "intake", "create-staff", "--username", "lee", "--password", "short"], sqlite_url)
    assert short.returncode != 0
    bad_role = run(
        [
            FLASK,
            "--app",
            "intake",
            "create-staff",
            "--username",
            "lee",
            "--password",
            "long enough!",
            "--role",
            "owner",
        ],
        sqlite_url,
    )
    assert bad_role.returncode != 0

    tok = run([FLASK, "--app", "intake", "create-staff-token", "--username", "sam", "--label", "laptop"], sqlite_url)
    assert tok.returncode == 0, tok.stderr
    token = tok.stdout.strip().splitlines()[-1]
    assert token.startswith("smst_") and len(token) > 40
    assert run([FLASK, "--app", "intake", "create-staff-token", "--username", "nobody"], sqlite_url).returncode != 0

    live = app_factory(sqlite_url)
    rows = live.sql("SELECT username, role, password_hash FROM staff_users ORDER BY id")
    assert [(u, r) for u, r, _ in rows] == [("sam", "viewer"), ("kim", "admin")]
    assert all("password" not in h for _, _, h in rows)
    assert token not in str(live.sql("SELECT token_hash FROM staff_tokens"))
    auth = {"Authorization": f"Bearer {token}"}
    assert live.get("/api/v1/staff/requests", headers=auth).status_code == 200
    assert live.get("/api/v1/staff/outbox", headers=auth).status_code == 403  # viewer
    # the password works on the login page
    from test_intake_staff import login

    _, r = login(live, "kim", "another long password")
    assert r.status_code == 302


def test_outbox_worker_once(app_factory, sqlite_url, mailbox):
    live = app_factory(sqlite_url)
    live.post_signed("/api/v1/requests", request_body())
    down = run(
        [FLASK, "--app", "intake", "outbox-worker", "--once"],
        sqlite_url,
        SMTP_PORT=free_port(),
        OUTBOX_BACKOFF_BASE="0.01",
    )
    assert down.returncode == 1
    assert "sent 0, retrying later 2" in down.stdout
    time.sleep(0.05)
    up = run([sys.executable, "-m", "intake", "outbox-worker", "--once"], sqlite_url, SMTP_PORT=mailbox.port)
    assert up.returncode == 0, up.stdout + up.stderr
    assert "sent 2, retrying later 0, failed 0, pending 0" in up.stdout
    assert len(mailbox.messages()) == 2
    again = run([FLASK, "--app", "intake", "outbox-worker", "--once"], sqlite_url, SMTP_PORT=mailbox.port)
    assert "sent 0" in again.stdout and len(mailbox.messages()) == 2


def test_mail_sink_stores_eml_files(tmp_path, sqlite_url):
    port = free_port()
    folder = tmp_path / "sink"
    proc = subprocess.Popen(
        [FLASK, "--app", "intake", "mail-sink", "--port", str(port), "--dir", str(folder)],
        cwd=ROOT,
        env=subprocess_env(sqlite_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def connect():
            try:
                return smtplib.SMTP("127.0.0.1", port, timeout=2)
            except OSError:
                return None

        smtp = wait_for(connect, timeout=30, interval=0.2)
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", "sink test"
        msg.set_content("hello sink")
        smtp.send_message(msg)
        smtp.quit()
        files = wait_for(lambda: list(folder.glob("*.eml")), timeout=10)
        assert len(files) == 1
        data = files[0].read_bytes()
        assert b"Subject: sink test" in data and b"hello sink" in data
        assert b"X-Sink-Rcpt-To: b@example.org" in data
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    assert "b@example.org" not in out  # the sink logs no addresses


def test_python_m_intake_lists_the_commands():
    r = subprocess.run(
        [sys.executable, "-m", "intake", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env("sqlite:////tmp/unused.sqlite3"),
    )
    assert r.returncode == 0
    for command in ("migrate", "create-staff", "create-staff-token", "outbox-worker", "mail-sink"):
        assert command in r.stdout
