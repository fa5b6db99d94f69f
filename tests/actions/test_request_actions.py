"""The submitting actions against the intake service running for real on a local port
(gunicorn, SQLite), and against an intake that has been stopped."""

import uuid

from rasa_sdk.events import SlotSet

from actions.handoff_actions import ActionSubmitHandoff
from actions.request_actions import REQUEST_SLOTS, ActionStartRequest, ActionSubmitRequest
from tests.actions.conftest import make_tracker
from tests.e2e.mailbox import row, rows_of


def confirmed_request(request_type="access", key=None, **extra):
    slots = {
        "request_type": request_type,
        "request_key": key or str(uuid.uuid4()),
        "request_text": "send me everything you hold on me",
        "requester_name": "Jane Smith",
        "requester_email": f"jane.{uuid.uuid4().hex[:6]}@example.com",
        "request_confirmed": True,
    }
    slots.update(extra)
    return make_tracker("yes", "affirm", slots=slots)


def texts(dispatcher):
    return "\n".join(m["text"] for m in dispatcher.messages if m.get("text"))


def payloads(dispatcher):
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def test_a_confirmed_access_request_is_lodged_and_the_reference_given(intake, use_intake, dispatcher, domain):
    use_intake(intake)
    tracker = confirmed_request()
    events = ActionSubmitRequest().run(dispatcher, tracker, domain)

    assert events == [SlotSet(name, None) for name in REQUEST_SLOTS]
    payload = payloads(dispatcher)[-1]
    assert payload["kind"] == "request" and payload["request_type"] == "access"
    reference = payload["reference"]
    assert f"Your reference is {reference}" in texts(dispatcher)
    stored = row(intake.database_url, "dsar_requests", reference=reference)
    assert stored["idempotency_key"] == tracker.get_slot("request_key")
    assert stored["requester_email"] == tracker.get_slot("requester_email")
    assert str(stored["due_on"]) == payload["due_date"]


def test_submitting_the_same_request_twice_lodges_it_once(intake, use_intake, domain):
    from rasa_sdk.executor import CollectingDispatcher

    use_intake(intake)
    key = str(uuid.uuid4())
    tracker = confirmed_request(key=key)
    first, second = CollectingDispatcher(), CollectingDispatcher()
    ActionSubmitRequest().run(first, tracker, domain)
    ActionSubmitRequest().run(second, tracker, domain)
    assert payloads(first)[-1]["reference"] == payloads(second)[-1]["reference"]
    assert len(rows_of(intake.database_url, "dsar_requests", idempotency_key=key)) == 1


def test_an_objection_carries_the_processing_objected_to(intake, use_intake, dispatcher, domain):
    use_intake(intake)
    ActionSubmitRequest().run(dispatcher, confirmed_request("objection", objection_processing="credit_checks"), domain)
    stored = row(intake.database_url, "dsar_requests", reference=payloads(dispatcher)[-1]["reference"])
    assert stored["request_type"] == "objection" and stored["objection_processing"] == "credit_checks"


def test_an_unconfirmed_request_is_not_sent(intake, use_intake, dispatcher, domain):
    use_intake(intake)
    key = str(uuid.uuid4())
    ActionSubmitRequest().run(dispatcher, confirmed_request(key=key, request_confirmed=False), domain)
    assert "haven't sent anything" in texts(dispatcher)
    assert payloads(dispatcher) == []
    assert rows_of(intake.database_url, "dsar_requests", idempotency_key=key) == []


def test_with_the_intake_stopped_the_bot_says_truthfully_that_nothing_was_lodged(
    stopped_intake, use_intake, dispatcher, domain
):
    use_intake(stopped_intake)
    events = ActionSubmitRequest().run(dispatcher, confirmed_request(), domain)
    said = texts(dispatcher)
    assert "has NOT been sent" in said and "sales@sessionmusic.co.uk" in said
    assert "reference" not in said.lower()
    assert payloads(dispatcher) == [{"kind": "request", "request_type": "access", "status": "failed"}]
    assert events == [SlotSet(name, None) for name in REQUEST_SLOTS]


def test_a_refused_submission_is_reported_as_a_failure_not_retried_into_success(
    intake, use_intake, monkeypatch, dispatcher, domain
):
    use_intake(intake)
    monkeypatch.setenv("INTAKE_API_SECRET", "not-the-shared-secret")
    key = str(uuid.uuid4())
    ActionSubmitRequest().run(dispatcher, confirmed_request(key=key), domain)
    assert "has NOT been sent" in texts(dispatcher)
    assert rows_of(intake.database_url, "dsar_requests", idempotency_key=key) == []


def test_the_handoff_is_posted_with_the_transcript_when_the_shopper_consents(intake, use_intake, dispatcher, domain):
    use_intake(intake)
    tracker = make_tracker(
        "yes",
        "affirm",
        history=[("do you keep cctv footage", "ask_uncovered")],
        slots={
            "handoff_email": "sam@example.com",
            "handoff_question": "do you keep cctv footage",
            "handoff_consent": True,
            "handoff_key": str(uuid.uuid4()),
        },
    )
    ActionSubmitHandoff().run(dispatcher, tracker, domain)
    reference = payloads(dispatcher)[-1]["reference"]
    assert f"reference {reference}" in texts(dispatcher)
    stored = row(intake.database_url, "handoffs", reference=reference)
    assert stored["email"] == "sam@example.com" and stored["consent_to_transcript"]
    assert "do you keep cctv footage" in stored["transcript"]


def test_the_handoff_with_the_intake_stopped_gives_the_email_route(stopped_intake, use_intake, dispatcher, domain):
    use_intake(stopped_intake)
    tracker = make_tracker(
        "no",
        "deny",
        slots={
            "handoff_email": "sam@example.com",
            "handoff_question": "cctv?",
            "handoff_consent": False,
            "handoff_key": str(uuid.uuid4()),
        },
    )
    ActionSubmitHandoff().run(dispatcher, tracker, domain)
    assert "has NOT been sent" in texts(dispatcher) and "sales@sessionmusic.co.uk" in texts(dispatcher)
    assert payloads(dispatcher) == [{"kind": "handoff"}]


def test_starting_a_request_sends_the_request_payload_and_a_fresh_idempotency_key(dispatcher, domain):
    events = ActionStartRequest().run(dispatcher, make_tracker("unsubscribe me", "request_marketing_opt_out"), domain)
    assert {"kind": "request", "request_type": "marketing_opt_out"} in payloads(dispatcher)
    keys = [e["value"] for e in events if e["name"] == "request_key" and e["value"]]
    assert len(keys) == 1 and uuid.UUID(keys[0])
