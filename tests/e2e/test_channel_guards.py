"""The REST channel refuses what Rasa's own would take: messages without a sender,
bodies that are not messages, and over-long messages (answered before the NLU)."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from .chat import Chat

pytestmark = pytest.mark.slow


def webhook(stack):
    return f"{stack.rasa_url}/webhooks/rest/webhook"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize(
    "body",
    [
        {"message": "do you use cookies?"},  # no sender: Rasa would use a shared "default"
        {"sender": "", "message": "do you use cookies?"},
        {"sender": 42, "message": "hi"},
        {"sender": "x" * 200, "message": "hi"},
        {"sender": "someone", "message": {"text": "hi"}},
        ["not", "an", "object"],
    ],
)
def test_requests_that_are_not_a_shoppers_message_are_refused(stack, body):
    reply = requests.post(webhook(stack), json=body, timeout=30)
    assert reply.status_code == 400 and "error" in reply.json()


def test_a_body_that_is_not_json_is_refused(stack):
    reply = requests.post(webhook(stack), data=b"{not json", headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == 400


def test_an_over_long_message_gets_a_clear_reply_and_the_conversation_goes_on(stack):
    chat = Chat(stack.rasa_url)
    turn = chat.say("privacy " * 12500)  # 100,000 characters
    assert "too long" in turn.text and turn.payloads == []
    assert chat.say("do you use cookies?").payload["sections"][0] == "cookies"


def test_a_flood_of_long_messages_leaves_other_shoppers_answered_and_memory_flat(stack):
    pid = stack.service("rasa").process.pid
    before = rss_mb(pid)
    flood = {"message": "where is my data " * 6000}

    def attack(_):
        return requests.post(webhook(stack), json={"sender": f"flood-{uuid.uuid4().hex}", **flood}, timeout=60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        flooding = [pool.submit(attack, i) for i in range(40)]
        answer = Chat(stack.rasa_url).say("do you sell my data?", timeout=30)
        replies = [f.result() for f in flooding]
    assert all(r.status_code == 200 and "too long" in r.json()[0]["text"] for r in replies)
    assert answer.payload["kind"] == "answer"
    assert rss_mb(pid) - before < 100, f"Rasa grew from {before:.0f} MB to {rss_mb(pid):.0f} MB"


@pytest.mark.parametrize(
    "text", ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "<script>unsubscribe me</script>"]
)
def test_markup_alone_is_not_read_as_a_request(stack, text):
    turn = Chat(stack.rasa_url).say(text)
    assert "plain text" in turn.text and turn.payloads == []
