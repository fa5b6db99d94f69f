"""Complaints, portability and restriction lodged in chat, and the shopper's status look-up,
end to end: the real Rasa server, action server, intake (gunicorn), outbox worker and SMTP
sink, driven over the REST channel."""

import datetime as dt
import re
import uuid

import pytest

from .chat import Chat
from .mailbox import body_of, mentions, row, wait_for_mail

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\b(SM-[0-9A-Z]{4}-[0-9A-Z]{4})\b")
TEAM = "sales@sessionmusic.co.uk"


def new_email(label):
    return f"{label}.{uuid.uuid4().hex[:8]}@example.com"


def regulator():
    from actions.law import default_law

    return default_law().regulator


def test_a_complaint_lodged_in_chat_is_acknowledged_at_once_with_the_ico_every_time(stack):
    chat = Chat(stack.rasa_url)
    email = new_email("pat")
    ico = regulator()

    first = chat.say("I want to make a complaint about the marketing emails you keep sending me")
    assert first.payloads[0]["request_type"] == "complaint", first.text
    assert "law.complaint-ico" in first.payloads[0]["law"]
    assert ico.complaint_url in first.text and ico.helpline in first.text  # the ICO as it is discussed
    assert "> " not in first.text  # the law, never dressed up as a policy quote
    chat.say("Pat Doe")
    asked_reference = chat.say(email)
    assert "reference" in asked_reference.text.lower()  # the subject came from the first message
    assert "looks like SM-AB12-CD34" in chat.say("SM-12").text  # a malformed reference is asked again
    outcome_question = chat.say("none")
    assert "put it right" in outcome_question.text
    summary = chat.say("Please stop emailing me and confirm you've deleted my address from the list")
    assert "Here is your complaint:" in summary.text and "About: marketing" in summary.text

    done = chat.say("yes")
    reference = REFERENCE.search(done.text).group(1)
    payload = done.payloads[-1]
    assert payload["kind"] == "request" and payload["request_type"] == "complaint"
    assert payload["reference"] == reference and payload["law"] == ["law.complaint-ico"]
    assert ico.complaint_url in done.text and ico.helpline in done.text  # and as it is lodged

    stored = row(stack.database_url, "dsar_requests", reference=reference)
    received = (
        stored["received_at"].date()
        if hasattr(stored["received_at"], "date")
        else dt.date.fromisoformat(str(stored["received_at"])[:10])
    )
    assert stored["request_type"] == "complaint" and stored["status"] == "in_progress"
    assert stored["complaint_subject"] == "marketing" and stored["complaint_reference"] is None
    assert str(stored["acknowledgement_due_on"]) == payload["due_date"]
    assert abs((dt.date.fromisoformat(payload["due_date"]) - received).days - 30) <= 1  # 30 days (London vs UTC date)
    assert stored["acknowledged_at"] is not None

    ack = wait_for_mail(stack.mail_dir, lambda m: email in str(m["To"]).lower() and mentions(reference)(m))[0]
    text = body_of(ack)
    assert "acknowledgement" in text and ico.complaint_url in text and ico.helpline in text
    wait_for_mail(stack.mail_dir, lambda m: TEAM in str(m["To"]).lower() and mentions(reference)(m))


def test_a_complaints_question_offers_to_lodge_one_and_yes_starts_it(stack):
    chat = Chat(stack.rasa_url)
    ico = regulator()
    answer = chat.say("how do I complain to the ICO about you?")
    assert answer.payload["kind"] == "answer" and answer.payload["sections"] == []
    assert "law.complaint-ico" in answer.payload["law"]
    assert ico.complaint_url in answer.text and "Shall I lodge a complaint" in answer.text
    started = chat.say("yes")
    assert started.payloads[0]["request_type"] == "complaint", started.text
    assert "full name" in started.text.lower()
    assert "nothing was sent" in chat.say("cancel").text


@pytest.mark.parametrize(
    "opening, answers, column, value",
    [
        (
            "send my order history to another shop, I'm moving to a different retailer",
            ["to me"],
            "portability_recipient",
            "requester",
        ),
        (
            "please stop using my address while you check it's right",
            ["my delivery details"],
            "restriction_grounds",
            "accuracy_contested",
        ),
    ],
)
def test_portability_and_restriction_are_lodged_from_chat(stack, opening, answers, column, value):
    chat = Chat(stack.rasa_url)
    email = new_email("mover")
    first = chat.say(opening)
    request_type = first.payloads[0]["request_type"]
    assert request_type in ("portability", "restriction"), first.text
    assert first.payloads[0]["law"] == [f"law.{request_type}"]
    chat.say("Alex Brown")
    chat.say(email)
    for answer in answers:
        summary = chat.say(answer)
    assert "Shall I send it?" in summary.text
    done = chat.say("yes")
    reference = REFERENCE.search(done.text).group(1)
    assert done.payloads[-1]["status"] == "awaiting_verification" and done.payloads[-1]["due_date"]
    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored["request_type"] == request_type and stored[column] == value
    assert str(stored["due_on"]) == done.payloads[-1]["due_date"]  # the one-month clock
    ack = wait_for_mail(stack.mail_dir, lambda m: email in str(m["To"]).lower() and mentions(reference)(m))[0]
    assert f"{stack.intake_url}/verify/{reference}?code=" in body_of(ack)


def test_the_status_look_up_in_chat_shows_status_and_due_date_and_one_not_found(stack):
    chat = Chat(stack.rasa_url)
    email = new_email("tracker")
    chat.say("unsubscribe me from your newsletters")
    chat.say("Robin Hill")
    chat.say(email)
    done = chat.say("yes")
    reference = REFERENCE.search(done.text).group(1)

    looking = Chat(stack.rasa_url)
    asked = looking.say(f"where's my request {reference}?")
    assert "email" in asked.text.lower()
    found = looking.say(email)
    assert reference in found.text and "completed" in found.text.lower()
    assert "Robin" not in found.text and "newsletter" not in found.text  # no details of the request

    wrong_email = Chat(stack.rasa_url)
    wrong_email.say(f"what's the status of {reference}")
    not_found_email = wrong_email.say(new_email("stranger")).text
    wrong_reference = Chat(stack.rasa_url)
    wrong_reference.say("what's the status of SM-0000-0000")
    not_found_reference = wrong_reference.say(email).text
    assert "couldn't find a request" in not_found_email
    assert not_found_email == not_found_reference


def test_the_status_look_up_in_chat_shows_a_paused_clock_as_paused(stack):
    """Issue 9: lodged in chat, verified by staff, a clarification asked (the Art 12A clock stops):
    the shopper's look-up in chat says it is paused, and since when, from the real intake."""
    from .test_conversation_erasure import csrf_of, move, staff_session

    chat = Chat(stack.rasa_url)
    email = new_email("paused")
    chat.say("please send me a copy of all the data you hold on me")
    chat.say("Kim Lowe")
    chat.say(email)
    reference = REFERENCE.search(chat.say("yes").text).group(1)

    s = staff_session(stack)
    assert move(s, stack, reference, "in_progress", "ID checked by phone").status_code == 303
    page = s.get(f"{stack.intake_url}/staff/requests/{reference}", timeout=10).text
    asked = s.post(
        f"{stack.intake_url}/staff/requests/{reference}/clarification",
        timeout=30,
        allow_redirects=False,
        data={"question": "Which of your two accounts do you mean?", "csrf_token": csrf_of(page)},
    )
    assert asked.status_code in (302, 303), asked.text
    assert row(stack.database_url, "dsar_requests", reference=reference)["status"] == "awaiting_clarification"

    looking = Chat(stack.rasa_url)
    looking.say(f"where's my request {reference}?")
    found = looking.say(email).text
    assert reference in found and "paused" in found.lower(), found
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Europe/London"))  # the intake's calendar (INTAKE_TIMEZONE)
    assert str(today.day) in found and today.strftime("%B") in found, found  # "since <today's date>"
    assert "Which of your two accounts" not in found and "Kim" not in found  # no details of the request
