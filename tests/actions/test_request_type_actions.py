"""Portability, restriction, complaints, the Art 22C safeguards and the status look-up:
the actions run on tracker fixtures against the intake running for real on a local port."""

import uuid

from rasa_sdk.events import SlotSet

from actions.law import default_law
from actions.request_actions import (
    ActionAskObjectionSafeguards,
    ActionAskRequestConfirmed,
    ActionStartRequest,
    ActionSubmitRequest,
    ValidateRequestForm,
)
from actions.status_actions import ActionCheckStatus, ActionStartStatus, status_text
from tests.actions.conftest import make_tracker
from tests.actions.test_request_actions import confirmed_request, payloads, texts
from tests.e2e.mailbox import row


def lodge(dispatcher, domain, request_type, **slots):
    ActionSubmitRequest().run(dispatcher, confirmed_request(request_type, **slots), domain)
    return payloads(dispatcher)[-1]


def test_a_complaint_is_lodged_with_the_ico_told_from_the_law_file(intake, use_intake, dispatcher, domain):
    use_intake(intake)
    payload = lodge(
        dispatcher,
        domain,
        "complaint",
        complaint_subject="marketing",
        complaint_reference="none",
        complaint_outcome="stop emailing me",
    )
    assert payload["request_type"] == "complaint" and payload["status"] == "in_progress"
    assert payload["law"] == ["law.complaint-ico"]
    said = texts(dispatcher)
    regulator = default_law().regulator
    assert f"Your reference is {payload['reference']}" in said and "acknowledgement" in said
    assert regulator.complaint_url in said and regulator.helpline in said
    stored = row(intake.database_url, "dsar_requests", reference=payload["reference"])
    assert stored["complaint_subject"] == "marketing" and stored["complaint_reference"] is None  # "none" is not sent
    assert stored["complaint_outcome_wanted"] == "stop emailing me"
    assert str(stored["acknowledgement_due_on"]) == payload["due_date"]


def test_portability_and_restriction_requests_are_lodged_with_what_they_need(intake, use_intake, domain):
    from rasa_sdk.executor import CollectingDispatcher

    first, second = CollectingDispatcher(), CollectingDispatcher()
    use_intake(intake)
    port = lodge(first, domain, "portability", portability_recipient="Currys PC World")
    restr = lodge(second, domain, "restriction", restriction_what="my order history", restriction_grounds="legal_claim")
    assert port["status"] == restr["status"] == "awaiting_verification"
    assert (
        row(intake.database_url, "dsar_requests", reference=port["reference"])["portability_recipient"]
        == "Currys PC World"
    )
    stored = row(intake.database_url, "dsar_requests", reference=restr["reference"])
    assert (stored["restriction_what"], stored["restriction_grounds"]) == ("my order history", "legal_claim")


def test_an_objection_to_profiling_asks_for_and_sends_the_art_22c_safeguards(intake, use_intake, dispatcher, domain):
    import asyncio

    tracker = make_tracker(
        "stop profiling me",
        "request_objection",
        slots={"request_type": "objection", "objection_processing": "profiling"},
    )
    required = asyncio.run(ValidateRequestForm().required_slots([], dispatcher, tracker, domain))
    assert "objection_safeguards" in required
    credit = make_tracker("x", "inform", slots={"request_type": "objection", "objection_processing": "credit_checks"})
    assert "objection_safeguards" not in asyncio.run(
        ValidateRequestForm().required_slots([], dispatcher, credit, domain)
    )
    ActionAskObjectionSafeguards().run(dispatcher, tracker, domain)
    assert payloads(dispatcher) == [
        {"kind": "request", "request_type": "objection", "law": ["law.automated-decisions"]}
    ]
    assert default_law()["law.automated-decisions"].source in texts(dispatcher)
    use_intake(intake)
    payload = lodge(
        dispatcher, domain, "objection", objection_processing="profiling", objection_safeguards="human_review,contest"
    )
    stored = row(intake.database_url, "dsar_requests", reference=payload["reference"])
    assert stored["objection_safeguards"] == "human_review,contest"


def test_a_restriction_flow_starts_from_the_law_and_reads_the_grounds_from_the_first_message(dispatcher, domain):
    events = ActionStartRequest().run(
        dispatcher,
        make_tracker("please stop using my address while you check it's right", "request_restriction"),
        domain,
    )
    assert payloads(dispatcher) == [{"kind": "request", "request_type": "restriction", "law": ["law.restriction"]}]
    said = texts(dispatcher)
    assert "doesn't cover restricting processing" in said and "> " not in said  # the law, never a policy quote
    assert SlotSet("restriction_grounds", "accuracy_contested") in events
    assert SlotSet("request_type", "restriction") in events


def test_yes_to_an_offered_complaint_starts_the_complaint(dispatcher, domain):
    tracker = make_tracker(
        "yes",
        "affirm",
        history=[("how do i complain to the ico", "ask_uncovered")],
        slots={"offered_request": "complaint"},
    )
    events = ActionStartRequest().run(dispatcher, tracker, domain)
    assert SlotSet("request_type", "complaint") in events and SlotSet("offered_request", None) in events
    payload = payloads(dispatcher)[0]
    assert payload["request_type"] == "complaint" and "law.complaint-ico" in payload["law"]
    assert default_law().regulator.helpline in texts(dispatcher)


def test_the_complaint_summary_shows_what_will_be_sent(dispatcher, domain):
    tracker = make_tracker(
        "stop emailing me",
        "inform",
        slots={
            "request_type": "complaint",
            "requester_name": "Jane Smith",
            "requester_email": "jane@example.com",
            "complaint_subject": "marketing",
            "complaint_reference": "none",
            "complaint_outcome": "stop emailing me",
        },
    )
    ActionAskRequestConfirmed().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Here is your complaint:" in said and "• About: marketing" in said
    assert "• Request reference: none" in said and "• Outcome you want: stop emailing me" in said


# --- the status look-up ----------------------------------------------------------------------


def test_the_status_look_up_shows_status_and_due_date_and_one_not_found_for_either_wrong_input(
    intake, use_intake, domain
):
    from rasa_sdk.executor import CollectingDispatcher

    use_intake(intake)
    email = f"jane.{uuid.uuid4().hex[:6]}@example.com"
    lodged = lodge(CollectingDispatcher(), domain, "access", requester_email=email)
    reference = lodged["reference"]

    start = CollectingDispatcher()
    events = ActionStartStatus().run(
        start, make_tracker(f"where's my request {reference.lower()}?", "request_status"), domain
    )
    assert SlotSet("status_reference", reference) in events

    def look_up(ref, address):
        out = CollectingDispatcher()
        events = ActionCheckStatus().run(
            out, make_tracker(address, "inform", slots={"status_reference": ref, "status_email": address}), domain
        )
        assert events == [SlotSet("status_reference", None), SlotSet("status_email", None)]
        return texts(out)

    found = look_up(reference, email)
    assert reference in found and "confirm your email address" in found
    assert status_text(reference, {"status": "x", "due_at": lodged["due_date"]}).split(". ")[1] in found  # the due date
    assert "Jane" not in found and "send me everything" not in found  # nothing of the request itself
    wrong_email = look_up(reference, "someone.else@example.com")
    wrong_reference = look_up("SM-0000-0000", email)
    assert wrong_email == wrong_reference and "couldn't find a request" in wrong_email


def test_a_paused_clock_is_shown_from_whatever_the_look_up_returns():
    paused = status_text(
        "SM-AB12-CD34", {"status": "in_progress", "due_at": "2027-01-04", "paused": True, "paused_since": "2026-03-03"}
    )
    assert "Due by 4 January 2027" in paused and "paused" in paused and "since 3 March 2026" in paused
    plain = status_text("SM-AB12-CD34", {"status": "in_progress", "due_at": "2027-01-04"})
    assert "paused" not in plain


def test_yes_to_an_answer_that_offered_nothing_starts_no_form(dispatcher, domain):
    from rasa_sdk.events import ActiveLoop, FollowupAction

    tracker = make_tracker("yes", "affirm", history=[("do you use cookies?", "ask_cookies")])
    events = ActionStartRequest().run(dispatcher, tracker, domain)
    assert events == [ActiveLoop(None), SlotSet("offered_request", None), FollowupAction("action_listen")]
    assert payloads(dispatcher) == [] and "anything else" in texts(dispatcher)
