"""Conversations are kept in the tracker store (TRACKER_STORE_URL; embedded default SQLite under
var/): a restart of the Rasa server loses nothing, and a shopper half-way through a request form
continues where they were. Real Rasa server, action server and intake, over the REST channel."""

import json
import re
import uuid

import pytest
import sqlalchemy as sa

from .chat import Chat
from .mailbox import row

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\b(SM-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def stored_events(tracker_store_url, sender):
    engine = sa.create_engine(tracker_store_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT type_name, action_name, data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": sender},
            ).fetchall()
    finally:
        engine.dispose()
    return [(r.type_name, r.action_name, json.loads(r.data)) for r in rows]


def test_a_request_form_half_way_through_survives_a_rasa_restart_and_is_lodged(stack):
    chat = Chat(stack.rasa_url)
    email = f"restart.{uuid.uuid4().hex[:8]}@example.com"
    first = chat.say("can you send me a copy of all the personal data you hold about me?")
    assert {"kind": "request", "request_type": "access"} in first.payloads, first.text
    assert "email" in chat.say("Robin Hale").text.lower(), "the form asks for the next slot"

    stack.restart_service("rasa")  # same port, same endpoints file, same store

    summary = chat.say(email)
    assert "Shall I send it?" in summary.text, f"the form continued to its summary: {summary.text}"
    assert "Robin Hale" in summary.text and email in summary.text, "the name given before the restart was kept"
    done = chat.say("yes")
    match = REFERENCE.search(done.text)
    assert match, done.text
    stored = row(stack.database_url, "dsar_requests", reference=match.group(1))
    assert stored["source_conversation_id"] == chat.sender
    assert stored["requester_email"] == email


def test_the_conversation_is_in_the_sqlite_tracker_store(stack):
    assert stack.tracker_store_url == f"sqlite:///{(stack.var_dir / 'conversations.sqlite3').resolve()}"
    chat = Chat(stack.rasa_url)
    first = chat.say("please delete my account")
    assert {"kind": "request", "request_type": "erasure"} in first.payloads, first.text
    chat.say("Sam Lee")
    events = stored_events(stack.tracker_store_url, chat.sender)
    assert [e for e in events if e[0] == "user"], "the shopper's turns are stored"
    assert ("active_loop", "request_form") in [(t, d.get("name")) for t, _, d in events]
    asked = [d["value"] for t, _, d in events if t == "slot" and d.get("name") == "requested_slot"]
    assert asked[-1] == "requester_email", "the store knows which question the form is waiting on"
    slots_set = {d["name"] for t, _, d in events if t == "slot" and d.get("value") is not None}
    assert {"request_type", "requester_name"} <= slots_set, slots_set
    assert stored_events(stack.tracker_store_url, f"{chat.sender}-someone-else") == []
    chat.say("cancel")
