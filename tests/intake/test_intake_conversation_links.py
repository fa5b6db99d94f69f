"""A request or handoff lodged in chat records the bot's conversation id (the link to its transcript
in the tracker store); a malformed id is a clear 422 naming the field, and nothing is stored."""

from __future__ import annotations

import uuid

import pytest
from intake_support import handoff_body, request_body

WIDGET_ID = uuid.uuid4().hex  # what the widget sends as Rasa's sender id: 32 hex digits


def test_a_request_stores_its_conversation_id(live):
    r = live.post_signed("/api/v1/requests", request_body("erasure", conversation_id=WIDGET_ID))
    assert r.status_code == 201, r.text
    assert live.sql("SELECT conversation_id FROM dsar_requests WHERE reference = :r", r=r.json()["reference"]) == [
        (WIDGET_ID,)
    ]


@pytest.mark.parametrize("conversation_id", ["test-0123abcd", "a", "rasa:shell.1_2", "Z" * 128])
def test_every_shape_of_sender_id_the_bot_uses_is_accepted(live, conversation_id):
    r = live.post_signed("/api/v1/requests", request_body(conversation_id=conversation_id))
    assert r.status_code == 201, r.text
    assert live.sql("SELECT conversation_id FROM dsar_requests") == [(conversation_id,)]


def test_a_request_without_a_stored_conversation_has_none(live):
    missing = live.post_signed("/api/v1/requests", request_body())
    null = live.post_signed("/api/v1/requests", request_body(conversation_id=None))
    assert (missing.status_code, null.status_code) == (201, 201)
    assert live.sql("SELECT conversation_id FROM dsar_requests") == [(None,), (None,)]


def test_a_handoff_stores_its_conversation_id(live):
    r = live.post_signed("/api/v1/handoffs", handoff_body(conversation_id=WIDGET_ID))
    assert r.status_code == 201, r.text
    assert live.sql("SELECT conversation_id FROM handoffs") == [(WIDGET_ID,)]


BAD_IDS = {
    "empty": "",
    "too long": "a" * 129,
    "space": "conv 1",
    "line break": "conv-1\nBcc: x",
    "final line break": "conv-1\n",
    "SQL": "x' OR '1'='1",
    "path": "../../etc/passwd",
    "starts with a dash": "-conv",
    "not ASCII": "convé",
    "a number": 12345,
    "a list": ["conv-1"],
}


@pytest.mark.parametrize("path,body", [("/api/v1/requests", request_body), ("/api/v1/handoffs", handoff_body)])
@pytest.mark.parametrize("case", sorted(BAD_IDS))
def test_a_malformed_conversation_id_is_a_clear_422_and_stores_nothing(live, path, body, case):
    r = live.post_signed(path, body(conversation_id=BAD_IDS[case]))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"conversation_id"}, error
    assert error["fields"]["conversation_id"] != "is not valid"  # says what is wrong
    assert live.count("dsar_requests") == 0 and live.count("handoffs") == 0 and live.count("outbox") == 0
