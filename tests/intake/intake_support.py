"""Helpers shared by the intake tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import email
import email.policy
import json
import os
import secrets
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from intake.db import Database
from intake.outbox_worker import OutboxWorker
from intake.mail_sink import start_sink
from intake.signing import signed_headers
from launcher.processes import free_port  # noqa: F401  (re-exported to the intake tests)

ROOT = Path(__file__).resolve().parents[2]

API_SECRET = "test-secret-" + secrets.token_hex(8)
PG_URL = os.environ.get("DATABASE_URL", "")


class Mailbox:
    """Reads the .eml files that the service's mail sink stored."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port
        self.controller = None

    def start(self):
        self.controller = start_sink("127.0.0.1", self.port, self.folder)
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[email.message.EmailMessage]:
        out = []
        for f in sorted(self.folder.glob("*.eml")):
            with f.open("rb") as fh:
                out.append(email.message_from_binary_file(fh, policy=email.policy.default))
        return out

    def raw(self) -> list[bytes]:
        return [f.read_bytes() for f in sorted(self.folder.glob("*.eml"))]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]


class LiveApp:
    def __init__(self, app, base_url: str, db_url: str):
        self.app = app
        self.base_url = base_url
        self.db_url = db_url
        self.http = requests.Session()

    @property
    def db(self) -> Database:
        return self.app.extensions["intake_db"]

    def url(self, path: str) -> str:
        return self.base_url + path

    def post_signed(
        self,
        path: str,
        body,
        *,
        timestamp: int | None = None,
        secret: str = API_SECRET,
        raw: bytes | None = None,
        headers: dict | None = None,
    ) -> requests.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        h = {"Content-Type": "application/json", **signed_headers(secret, data, timestamp)}
        h.update(headers or {})
        return self.http.post(self.url(path), data=data, headers=h)

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.url(path), **kw)

    def sql(self, statement: str, **params):
        with self.db.engine.begin() as c:
            res = c.execute(text(statement), params)
            return res.fetchall() if res.returns_rows else res.rowcount

    def count(self, table: str) -> int:
        return self.sql(f"SELECT COUNT(*) FROM {table}")[0][0]

    def worker(self) -> OutboxWorker:
        return OutboxWorker(self.db, dict(self.app.config))

    def run_worker(self) -> dict:
        return self.worker().run_once()


def make_config(db_url: str, mailbox: Mailbox | None, tmp_path: Path, **extra) -> dict:
    cfg = {
        "DATABASE_URL": db_url,
        "INTAKE_API_SECRET": API_SECRET,
        "SECRET_KEY": "test-session-key-" + secrets.token_hex(8),
        "DELIVERY_KEY": "test-delivery-key-" + secrets.token_hex(16),
        # the encrypted files of deliveries (intake/delivery.py), per test
        "DELIVERY_DIR": str(tmp_path / "deliveries"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mailbox.port if mailbox else free_port(),
        "MAIL_DIR": str(mailbox.folder if mailbox else tmp_path / "mail"),
        "OUTBOX_BACKOFF_BASE": 0.2,
        "OUTBOX_BACKOFF_MAX": 1.0,
        "SMTP_TIMEOUT": 5.0,
    }
    cfg.update(extra)
    return cfg


class ServerThread:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


def request_body(request_type: str = "access", **overrides) -> dict:
    body = {
        "request_type": request_type,
        "requester": {"name": "Ada Lovelace", "email": "ada.lovelace@example.org", "phone": "07700 900461"},
        "details": "Please send me everything you hold about me.",
        "source": {
            "channel": "web_widget",
            "conversation_id": "conv-" + uuid.uuid4().hex[:8],
            "text": "hi, I'd like a copy of all the data you have on me please",
        },
        "idempotency_key": str(uuid.uuid4()),
    }
    if request_type == "rectification":
        body["rectification"] = {"what": "my postcode", "correct_value": "GU1 4AA"}
    if request_type == "objection":
        body["objection"] = {"processing": "profiling"}
    if request_type == "portability":
        body["portability"] = {"recipient": "requester"}
    if request_type == "restriction":
        body["restriction"] = {"what": "my order history", "grounds": "accuracy_contested"}
    if request_type == "complaint":
        body["complaint"] = {
            "subject": "request_handling",
            "reference": "SM-AB12-CD34",
            "outcome_wanted": "an apology and my data deleted properly",
        }
    body.update(overrides)
    return body


def lodge_at(live, when, rtype: str = "access", **overrides) -> str:
    """A request that arrived at ``when`` (an aware datetime, maybe in the past): the service's own
    creation code (``api_requests._prepare`` / ``_insert``) with the clock set, since the history a
    due date is derived from cannot be edited afterwards.  Returns the reference."""
    from intake import api_requests

    with live.app.app_context():
        prepared = api_requests._prepare(api_requests._clean(request_body(rtype, **overrides)), now=when)
        with live.db.write_conn() as conn:
            api_requests._insert(conn, prepared)
    return prepared["row"]["reference"]


def handoff_body(**overrides) -> dict:
    body = {
        "email": "grace.hopper@example.net",
        "question": "Do you keep my card number after I pay?",
        "transcript": [
            {"sender": "user", "text": "do you keep card numbers?"},
            {"sender": "bot", "text": "Sorry, I can't answer that one."},
        ],
        "consent_to_transcript": True,
        "source": {"channel": "web_widget", "conversation_id": "conv-" + uuid.uuid4().hex[:8]},
        "idempotency_key": str(uuid.uuid4()),
    }
    body.update(overrides)
    return body


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met within %.1fs" % timeout)


def subprocess_env(db_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "SMTP_", "MAIL_"))}
    env.update(
        {
            "DATABASE_URL": db_url,
            "INTAKE_API_SECRET": API_SECRET,
            "INTAKE_DEVELOPMENT": "1",
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


#: the erasure checklist's sources staff decide by hand when the request's chat is linked (intake/erasure_checklist.py)
ERASURE_ITEMS_BY_HAND = ("shop_customer", "order_history", "mailing_list", "intake_records")
TAX_REASON_TEXT = "HMRC: orders and invoices are kept six years for VAT"


def fill_erasure_checklist(browser, base_url: str, ref: str, sources=ERASURE_ITEMS_BY_HAND) -> None:
    """Staff decide each item through the request's page: order history kept for tax, the rest erased."""
    import re

    for source in sources:
        page = browser.get(f"{base_url}/staff/requests/{ref}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        kept = source == "order_history"
        r = browser.post(
            f"{base_url}/staff/requests/{ref}/erasure-checklist",
            allow_redirects=False,
            data={
                "source": source,
                "decision": "kept" if kept else "erased",
                "reason": TAX_REASON_TEXT if kept else "",
                "csrf_token": csrf,
            },
        )
        assert r.status_code == 303, r.text
