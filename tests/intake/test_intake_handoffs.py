"""POST /api/v1/handoffs."""

from __future__ import annotations

import json
import re
import time

import pytest
from intake_support import handoff_body


@pytest.mark.postgres
def test_handoff_is_stored_and_returns_a_reference(live):
    r = live.post_signed("/api/v1/handoffs", handoff_body())
    assert r.status_code == 201, r.text
    data = r.json()
    assert set(data) == {"reference", "received_at"}
    assert re.fullmatch(r"HO-[0-9A-Z]{4}-[0-9A-Z]{4}", data["reference"])
    assert "grace" not in r.text and "card number" not in r.text
    rows = live.sql("SELECT email, question, transcript, consent_to_transcript FROM handoffs")
    assert len(rows) == 1
    email, question, transcript, consent = rows[0]
    assert email == "grace.hopper@example.net" and question.startswith("Do you keep")
    assert json.loads(transcript)[0] == {"sender": "user", "text": "do you keep card numbers?"}
    assert consent
    assert live.sql("SELECT kind, recipient FROM outbox") == [("team_handoff", "sales@sessionmusic.co.uk")]


def test_transcript_without_consent_is_422_and_stores_nothing(live):
    r = live.post_signed("/api/v1/handoffs", handoff_body(consent_to_transcript=False))
    assert r.status_code == 422
    assert "transcript" in r.json()["error"]["fields"]
    assert live.count("handoffs") == 0 and live.count("outbox") == 0


@pytest.mark.parametrize("transcript", [None, []])
def test_no_consent_no_transcript_is_fine(live, transcript):
    body = handoff_body(consent_to_transcript=False, transcript=transcript)
    assert live.post_signed("/api/v1/handoffs", body).status_code == 201
    assert live.sql("SELECT transcript FROM handoffs") == [(None,)]


@pytest.mark.parametrize(
    "change",
    [
        {"email": "not an email"},
        {"question": ""},
        {"question": "   "},
        {"consent_to_transcript": "yes"},
        {"transcript": [{"sender": "agent", "text": "hi"}]},
        {"transcript": [{"sender": "user"}]},
        {"status": "open"},
        {"reference": "HO-AAAA-BBBB"},
        {"extra": 1},
    ],
)
def test_invalid_handoffs_are_422(live, change):
    r = live.post_signed("/api/v1/handoffs", handoff_body(**change))
    assert r.status_code == 422, r.text
    assert live.count("handoffs") == 0


@pytest.mark.postgres
def test_handoff_auth_idempotency_and_size(live):
    body = handoff_body()
    assert live.http.post(live.url("/api/v1/handoffs"), json=body).status_code == 401
    assert live.post_signed("/api/v1/handoffs", body, secret="wrong").status_code == 401
    first = live.post_signed("/api/v1/handoffs", body)
    again = live.post_signed("/api/v1/handoffs", body, timestamp=int(time.time()) + 1)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert live.count("handoffs") == 1 and live.count("outbox") == 1
    changed = dict(body, question="another question")
    assert live.post_signed("/api/v1/handoffs", changed, timestamp=int(time.time()) + 2).status_code == 409
    huge = handoff_body(transcript=[{"sender": "user", "text": "x" * 5000}] * 120)  # ~600 KB
    assert live.post_signed("/api/v1/handoffs", huge).status_code == 413
    assert live.count("handoffs") == 1
