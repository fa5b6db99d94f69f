"""Data-rights requests and the email handoff, end to end: the real Rasa server, action
server, intake (gunicorn), outbox worker and SMTP sink, driven over the REST channel."""

import re
import uuid

import pytest
import requests

from .chat import Chat
from .conftest import EITHER_STACK
from .mailbox import body_of, mentions, row, rows_of, wait_for_mail

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\b((?:SM|HO)-[0-9A-Z]{4}-[0-9A-Z]{4})\b")
COMPLAINTS = ("doesn't look like", "Sorry, I need", "Please type", "Please tell me", "Please choose")
TEAM = "sales@sessionmusic.co.uk"


def new_email(label):
    return f"{label}.{uuid.uuid4().hex[:8]}@example.com"


def recipients(message):
    return str(message["To"]).lower()


@pytest.mark.parametrize("any_stack", EITHER_STACK, indirect=True)  # and in the production shape
def test_access_request_typed_as_a_shopper_is_lodged_and_both_emails_arrive(any_stack):
    stack = any_stack
    chat = Chat(stack.rasa_url)
    email = new_email("jane")

    first = chat.say("hi, can you send me a copy of all the personal data you hold about me?")
    assert {"kind": "request", "request_type": "access"} in first.payloads, first.text
    assert "free of charge" in first.text
    assert "full name" in first.text.lower()
    assert not any(c in first.text for c in COMPLAINTS), "no validation error before anything was typed"

    assert "email" in chat.say("Jane Smith").text.lower()
    summary = chat.say(email)
    assert "Jane Smith" in summary.text and email in summary.text and "Shall I send it?" in summary.text
    assert [b["payload"] for b in summary.buttons] == ["/affirm", "/cancel"]

    done = chat.say("yes please")
    reference = REFERENCE.search(done.text).group(1)
    payload = done.payloads[-1]
    assert payload["kind"] == "request" and payload["request_type"] == "access"
    assert payload["reference"] == reference and payload["due_date"]
    assert "free of charge" in done.text and "confirm it's you" in done.text

    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored is not None
    assert stored["request_type"] == "access"
    assert stored["status"] == "awaiting_verification"
    assert stored["requester_name"] == "Jane Smith" and stored["requester_email"] == email
    assert stored["source_conversation_id"] == chat.sender
    assert stored["source_text"].startswith("hi, can you send me a copy")
    assert str(stored["due_on"]) == payload["due_date"]

    acknowledgement = wait_for_mail(stack.mail_dir, lambda m: email in recipients(m) and mentions(reference)(m))[0]
    ack_body = body_of(acknowledgement)
    assert payload["due_date"] in str(acknowledgement["Subject"])
    assert "free of charge" in ack_body
    assert f"{stack.intake_url}/verify/{reference}?code=" in ack_body, "one-time verification link"
    assert "ico.org.uk" in ack_body.lower()

    team = wait_for_mail(stack.mail_dir, lambda m: TEAM in recipients(m) and mentions(reference)(m))[0]
    subject = str(team["Subject"])
    assert reference in subject and "access" in subject and payload["due_date"] in subject
    assert "Jane" not in subject and email not in subject
    assert f"/staff/requests/{reference}" in body_of(team)

    status = requests.get(f"{stack.intake_url}/api/v1/requests/{reference}/status", params={"email": email}, timeout=10)
    assert status.status_code == 200 and status.json()["status"] == "awaiting_verification"
    for log in (stack.var_dir / "log").glob("*.log"):
        text = log.read_text(errors="replace")
        assert email not in text and "Jane Smith" not in text, f"personal data in {log.name}"


def test_marketing_opt_out_completes_at_once(stack):
    chat = Chat(stack.rasa_url)
    email = new_email("optout")
    first = chat.say("please take me off your marketing emails")
    assert {"kind": "request", "request_type": "marketing_opt_out"} in first.payloads, first.text
    chat.say("Sam Jones")
    chat.say(email)
    done = chat.say("yes")
    reference = REFERENCE.search(done.text).group(1)
    assert "won't get marketing" in done.text
    assert done.payloads[-1]["status"] == "completed"
    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored["status"] == "completed" and not stored["verification_required"]
    wait_for_mail(stack.mail_dir, lambda m: email in recipients(m) and mentions(reference)(m))


def test_rectification_collects_what_is_wrong_and_the_correct_value(stack):
    chat = Chat(stack.rasa_url)
    email = new_email("moved")
    first = chat.say("my postcode on your system is wrong, please fix it")
    assert {"kind": "request", "request_type": "rectification"} in first.payloads, first.text
    chat.say("Alex Brown")
    asked = chat.say(email)
    if "what is wrong" in asked.text.lower():  # only asked when the first message didn't say
        asked = chat.say("my postcode")
    assert "instead" in asked.text.lower(), asked.text
    summary = chat.say("LS1 4AB")
    assert "LS1 4AB" in summary.text
    reference = REFERENCE.search(chat.say("yes").text).group(1)
    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored["request_type"] == "rectification"
    assert stored["rectification_correct_value"] == "LS1 4AB"
    assert "postcode" in stored["rectification_what"]


def test_a_policy_question_mid_form_is_answered_and_the_form_resumes_then_cancel_lodges_nothing(stack):
    chat = Chat(stack.rasa_url)
    first = chat.say("delete my account and everything you have on me")
    assert {"kind": "request", "request_type": "erasure"} in first.payloads, first.text
    chat.say("Pat Green")
    interrupted = chat.say("wait, do you use cookies?")
    assert {"kind": "answer", "sections": ["cookies"], "law": []} in interrupted.payloads, interrupted.text
    assert "email address" in interrupted.text.lower(), "the form asks its question again"
    bad = chat.say("not an email")
    assert "doesn't look like an email" in bad.text
    summary = chat.say(new_email("pat"))
    assert "Pat Green" in summary.text, "nothing given before the interruption was lost"
    cancelled = chat.say("no, cancel")
    assert "nothing was sent" in cancelled.text or "haven't sent anything" in cancelled.text
    assert rows_of(stack.database_url, "dsar_requests", source_conversation_id=chat.sender) == []


def test_an_informational_question_offers_the_request_and_yes_starts_it(stack):
    chat = Chat(stack.rasa_url)
    answer = chat.say("how do I get a copy of my data?")
    assert answer.payloads[0]["kind"] == "answer"
    assert "request" in answer.text.lower() and answer.buttons, answer.text
    started = chat.say("yes")
    assert {"kind": "request", "request_type": "access"} in started.payloads, started.text


def test_handoff_to_the_team_by_email(stack):
    chat = Chat(stack.rasa_url)
    email = new_email("asker")
    first = chat.say("let me talk to a person")
    assert {"kind": "handoff"} in first.payloads
    assert TEAM in first.text
    assert not any(c in first.text for c in COMPLAINTS), "no validation error before anything was typed"
    assert first.texts[-1] == "What email address should the team reply to?"
    chat.say(email)
    consent_question = chat.say("Do you keep CCTV footage from the Leeds showroom?")
    assert "transcript" in consent_question.text.lower()
    done = chat.say("yes")
    reference = REFERENCE.search(done.text).group(1)
    assert done.payloads[-1] == {"kind": "handoff", "reference": reference}
    stored = row(stack.database_url, "handoffs", reference=reference)
    assert stored["email"] == email and "CCTV" in stored["question"]
    assert stored["consent_to_transcript"] and "let me talk to a person" in stored["transcript"]
    team = wait_for_mail(stack.mail_dir, lambda m: TEAM in recipients(m) and mentions(reference)(m))[0]
    assert "CCTV" in body_of(team) and email not in str(team["Subject"])
