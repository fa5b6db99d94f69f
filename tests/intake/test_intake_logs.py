"""No personal data in logs: a full flow with every logger at DEBUG, and gunicorn's access log."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
import urllib.parse

import requests
from intake_support import ROOT, free_port, handoff_body, request_body, subprocess_env, wait_for

NAME = "Zebedee Quartermaine"
EMAIL = "zebedee.q@example.org"
PHONE = "07700 900987"
WORDS = "please delete everything about my karaoke machine order"
QUESTION = "Can my neighbour Priscilla collect my order?"
TRANSCRIPT_LINE = "my flat is number 42b on Marigold Lane"
HANDOFF_EMAIL = "priscilla.x@example.com"
PII = [
    NAME,
    "Zebedee",
    "Quartermaine",
    EMAIL,
    "zebedee.q",
    PHONE,
    "900987",
    WORDS,
    QUESTION,
    "Priscilla",
    TRANSCRIPT_LINE,
    "Marigold",
    HANDOFF_EMAIL,
    urllib.parse.quote(EMAIL),
    urllib.parse.quote(HANDOFF_EMAIL),
]


def pii_body(rtype="erasure"):
    body = request_body(rtype)
    body["requester"] = {"name": NAME, "email": EMAIL, "phone": PHONE}
    body["source"]["text"] = WORDS
    body["details"] = WORDS
    return body


def test_full_flow_logs_no_personal_data(live, mailbox, caplog):
    from test_intake_staff import add_staff, login

    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "intake", "alembic", "flask-limiter"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.WARNING)  # the test's own HTTP client, not the service
    # aiosmtpd (the mail sink) dumps message lines at DEBUG/INFO; the service pins it to WARNING
    assert logging.getLogger("mail.log").level == logging.WARNING
    # SQL statements at INFO: the engine hides parameters (DEBUG would dump result rows by design)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)

    created = live.post_signed("/api/v1/requests", pii_body()).json()
    ref = created["reference"]
    live.post_signed("/api/v1/requests", pii_body("marketing_opt_out"))
    bad = pii_body()
    bad["requester"]["email"] = EMAIL + "\r\nBcc: x@example.com"
    assert live.post_signed("/api/v1/requests", bad).status_code == 422
    live.post_signed(
        "/api/v1/handoffs",
        handoff_body(
            email=HANDOFF_EMAIL,
            question=QUESTION,
            transcript=[{"sender": "user", "text": TRANSCRIPT_LINE}, {"sender": "bot", "text": "ok"}],
        ),
    )
    # the status look-up carries the email in the query string
    assert live.get(f"/api/v1/requests/{ref}/status", params={"email": EMAIL}).status_code == 200
    assert live.get(f"/api/v1/requests/{ref}/status", params={"email": HANDOFF_EMAIL}).status_code == 404
    # mail goes out through the real SMTP server
    assert live.run_worker()["sent"] == 5
    ack = [m for m in mailbox.to(EMAIL) if "/verify/" in m.get_content()][0].get_content()
    link = re.search(r"http://\S+", ack.split("/verify/")[0][-200:] + "/verify/" + ack.split("/verify/")[1]).group(0)
    code = link.split("code=")[1]
    assert live.get(f"/verify/{ref}", params={"code": code}).status_code == 200
    assert live.http.post(live.url(f"/verify/{ref}"), data={"code": "wrong"}).status_code == 400
    assert live.http.post(live.url(f"/verify/{ref}"), data={"code": code}).status_code == 200
    # staff look at it
    add_staff(live, "casey", "caseworker")
    s, _ = login(live, "casey")
    assert NAME in s.get(live.url(f"/staff/requests/{ref}")).text
    s.get(live.url("/staff/handoffs"))
    live.run_worker()

    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /api/v1/requests" in logged  # the capture really saw the request log lines
    assert "/status?email=[redacted]" in logged
    assert "INSERT INTO dsar_requests" in logged and "parameters hidden" in logged
    for item in PII:
        assert item not in logged, item
    assert code not in logged


def test_gunicorn_production_config_serves_and_keeps_pii_out_of_its_logs(sqlite_url, tmp_path):
    port = free_port()
    env = subprocess_env(
        sqlite_url,
        INTAKE_BIND=f"127.0.0.1:{port}",
        INTAKE_WORKERS="2",
        INTAKE_ACCESS_LOG="-",
        SMTP_PORT=free_port(),
        MAIL_DIR=str(tmp_path / "m"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:intake.gunicorn_conf", "intake:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                return requests.get(base + "/healthz", timeout=1).status_code == 200
            except (requests.ConnectionError, requests.Timeout):  # workers still booting on a busy machine
                return False

        wait_for(up, timeout=30, interval=0.2)
        import json
        from intake.signing import signed_headers
        from intake_support import API_SECRET

        raw = json.dumps(pii_body()).encode()
        r = requests.post(
            base + "/api/v1/requests",
            data=raw,
            headers={"Content-Type": "application/json", **signed_headers(API_SECRET, raw)},
        )
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]
        assert requests.get(f"{base}/api/v1/requests/{ref}/status", params={"email": EMAIL}).status_code == 200
        time.sleep(0.3)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    text = out.decode()
    assert f"/api/v1/requests/{ref}/status" in text  # the access log is on...
    assert "Booting worker" in text
    for item in PII:
        assert item not in text, item  # ...without the query string or any personal data
