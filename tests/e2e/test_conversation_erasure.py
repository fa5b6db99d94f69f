"""The bot's transcripts are personal data, end to end on the real stack (launcher): a request lodged
in chat records its conversation id; staff read the linked chat from its request's page; completing
an erasure request from the staff pages removes the conversation from the SQLite tracker store the
Rasa server writes, and leaves every other conversation."""

import html
import re
import sqlite3
import subprocess
import sys
import uuid

import pytest
import requests

from launcher.stack import ROOT

from .chat import Chat
from .mailbox import row

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\b(SM-[0-9A-Z]{4}-[0-9A-Z]{4})\b")
PASSWORD = "e2e staff password"


def events_in_store(stack, sender):
    path = stack.var_dir / "conversations.sqlite3"
    assert stack.tracker_store_url == f"sqlite:///{path.resolve()}"
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def staff_session(stack):
    username = f"caseworker-{uuid.uuid4().hex[:6]}"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "intake",
            "create-staff",
            "--username",
            username,
            "--password-stdin",
            "--role",
            "caseworker",
        ],
        input=PASSWORD + "\n",
        text=True,
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    s = requests.Session()
    page = s.get(f"{stack.intake_url}/staff/login", timeout=10)
    r = s.post(
        f"{stack.intake_url}/staff/login",
        timeout=10,
        allow_redirects=False,
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 302, r.text
    return s


def csrf_of(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def move(s, stack, reference, to, reason=""):
    page = s.get(f"{stack.intake_url}/staff/requests/{reference}", timeout=10).text
    return s.post(
        f"{stack.intake_url}/staff/requests/{reference}/transition",
        timeout=30,
        allow_redirects=False,
        data={"to": to, "reason": reason, "csrf_token": csrf_of(page)},
    )


def test_an_erasure_lodged_in_chat_takes_its_conversation_with_it_when_completed(stack):
    bystander = Chat(stack.rasa_url)
    assert bystander.say("do you use cookies?").payloads, "another shopper's conversation, to be left alone"

    chat = Chat(stack.rasa_url)
    first = chat.say("please delete my account and everything you hold about me")
    assert {"kind": "request", "request_type": "erasure"} in first.payloads, first.text
    name = chat.say("Morgan Blake")
    email = chat.say(f"morgan.{uuid.uuid4().hex[:8]}@example.com")
    done = chat.say("yes")
    lodged = REFERENCE.search(done.text)
    assert lodged, f"no reference in the reply: {first.text!r} / {name.text!r} / {email.text!r} / {done.text!r}"
    reference = lodged.group(1)

    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored["conversation_id"] == chat.sender, "the request links the conversation it was lodged in"
    assert events_in_store(stack, chat.sender) > 0 and events_in_store(stack, bystander.sender) > 0

    s = staff_session(stack)
    transcript = html.unescape(s.get(f"{stack.intake_url}/staff/requests/{reference}/transcript", timeout=30).text)
    assert "please delete my account and everything you hold about me" in transcript and "Morgan Blake" in transcript

    assert move(s, stack, reference, "in_progress", "ID checked by phone").status_code == 303
    # the erasure checklist: every other source decided first (the chat's own item ticks itself on completion)
    for source, decision, reason in (
        ("shop_customer", "erased", ""),
        ("order_history", "kept", "HMRC: six years"),
        ("mailing_list", "erased", ""),
        ("intake_records", "erased", ""),
    ):
        page = s.get(f"{stack.intake_url}/staff/requests/{reference}", timeout=10).text
        r = s.post(
            f"{stack.intake_url}/staff/requests/{reference}/erasure-checklist",
            timeout=30,
            allow_redirects=False,
            data={"source": source, "decision": decision, "reason": reason, "csrf_token": csrf_of(page)},
        )
        assert r.status_code == 303, r.text
    assert events_in_store(stack, chat.sender) > 0, "nothing is deleted before the erasure is completed"
    assert move(s, stack, reference, "completed").status_code == 303

    assert events_in_store(stack, chat.sender) == 0, "the conversation is gone from the tracker store"
    assert events_in_store(stack, bystander.sender) > 0, "nobody else's conversation was touched"
    assert row(stack.database_url, "dsar_requests", reference=reference)["status"] == "completed"
    page = html.unescape(s.get(f"{stack.intake_url}/staff/requests/{reference}", timeout=10).text)
    assert "conversation_erased" in page and f"conversation {chat.sender} deleted" in page
    assert 'data-erasure-item="assistant_transcripts" data-decision="erased"' in page
    assert "Morgan" not in page.split("Audit trail")[1], "the audit names the conversation, never its text"
