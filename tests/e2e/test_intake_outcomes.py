"""A request confirmed while the intake hangs, and an address the intake would refuse, end to
end over the REST channel (real Rasa server, action server and intake)."""

import os
import re
import signal
import time
import uuid

import pytest

from .chat import Chat
from .mailbox import rows_of

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\bSM-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
WIDGET_TIMEOUT = 15  # web_widget/widget.js default (tests/unit/test_contract.py holds it)


def up_to_confirmation(chat, email):
    chat.say("please send me a copy of my personal data")
    chat.say("Jane Smith")
    summary = chat.say(email)
    assert "Shall I send it?" in summary.text, summary.text


def test_a_hung_intake_gets_a_maybe_in_time_and_yes_tries_again_with_the_same_key(stack):
    chat = Chat(stack.rasa_url)
    email = f"jane.{uuid.uuid4().hex[:8]}@example.com"
    up_to_confirmation(chat, email)

    group = stack.service("intake").process.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        started = time.monotonic()
        maybe = chat.say("yes", timeout=WIDGET_TIMEOUT)  # the widget would give up after this
        took = time.monotonic() - started
    finally:
        os.killpg(group, signal.SIGCONT)
    assert took < WIDGET_TIMEOUT - 2, f"the answer took {took:.1f} s"
    assert "may have been lodged" in maybe.text and "NOT" not in maybe.text, maybe.text
    assert {"kind": "request", "request_type": "access", "status": "unconfirmed"} in maybe.payloads
    assert "Shall I try sending it again?" in maybe.text, "the form asks again, with the request kept"
    assert email in maybe.text

    again = chat.say("yes")
    reference = REFERENCE.search(again.text).group(0)
    stored = rows_of(stack.database_url, "dsar_requests", source_conversation_id=chat.sender)
    assert [row["reference"] for row in stored] == [reference], "lodged once, whatever the first try did"


def test_cancelling_after_an_unconfirmed_try_does_not_claim_nothing_was_sent(stack):
    chat = Chat(stack.rasa_url)
    up_to_confirmation(chat, f"sam.{uuid.uuid4().hex[:8]}@example.com")
    group = stack.service("intake").process.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        chat.say("yes", timeout=WIDGET_TIMEOUT)
    finally:
        os.killpg(group, signal.SIGCONT)
    stopped = chat.say("/cancel")
    assert "nothing was sent" not in stopped.text and "may still have reached our team" in stopped.text


@pytest.mark.parametrize("address", ["jane..smith@example.com", "jane@example.c0m", "jane@example.c"])
def test_an_address_the_intake_would_refuse_is_asked_for_again_in_the_form(stack, address):
    chat = Chat(stack.rasa_url)
    chat.say("please send me a copy of my personal data")
    chat.say("Jane Smith")
    refused = chat.say(address)
    assert "doesn't look like an email address" in refused.text, refused.text
    assert "Shall I send it?" not in refused.text
    fixed = chat.say("jane.smith@example.com")
    assert "Shall I send it?" in fixed.text and "jane.smith@example.com" in fixed.text
