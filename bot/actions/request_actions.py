"""Data-rights request flows: start, collect (form), confirm, lodge with the intake."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import answers, payloads
from .conversation import events_since, latest_intent, payloads_sent, send, shopper_messages_newest_first
from .form_slots import HANDOFF_SLOTS, REQUEST_SLOTS, TYPE_SLOTS
from .intake_bodies import REQUEST_FIELD_SLOTS, request_body, slot_of_refused_field
from .intake_client import IntakeClient, IntakeOutcomeUnknown, IntakeRefused, IntakeUnreachable
from .law import default_law
from .policy import default_policy
from .request_types import REQUEST_LABELS, REQUEST_OF_INTENT
from .settings import Settings
from .submission_replies import not_sent_text
from .topics import default_topics
from .validators import (
    EMAIL_PROBLEM,
    NOT_GIVEN,
    complaint_subject,
    objection_choice,
    optional_reference,
    portability_recipient,
    rectifiable_field,
    request_reference,
    restriction_grounds,
    safeguards,
    unless_reset,
    valid_email,
    valid_free_text,
    valid_name,
)

logger = logging.getLogger(__name__)

REFUSED_FIELD_QUESTIONS = {
    "requester_email": "Our team's system didn't accept that email address, so your request has NOT been sent yet.",
    "requester_name": "Our team's system didn't accept that name, so your request has NOT been sent yet.",
    "rectification_what": "Our team's system didn't accept what you said is wrong, so your request has NOT been sent yet.",
    "rectification_value": "Our team's system didn't accept the correct value, so your request has NOT been sent yet.",
    "objection_processing": "Our team's system didn't accept that choice, so your request has NOT been sent yet.",
    "objection_safeguards": "Our team's system didn't accept those safeguards, so your request has NOT been sent yet.",
    "portability_recipient": "Our team's system didn't accept where to send your data, so your request has NOT been sent yet.",
    "restriction_what": "Our team's system didn't accept which data, so your request has NOT been sent yet.",
    "restriction_grounds": "Our team's system didn't accept that reason, so your request has NOT been sent yet.",
    "complaint_subject": "Our team's system didn't accept what the complaint is about, so it has NOT been sent yet.",
    "complaint_reference": "Our team's system didn't accept that reference, so your complaint has NOT been sent yet.",
    "complaint_outcome": "Our team's system didn't accept the outcome you want, so your complaint has NOT been sent yet.",
}

# Art 22C: the safeguards against a decision made by computer alone (law.automated-decisions).
AUTOMATED_DECISIONS_LAW = "law.automated-decisions"
# Complaints: the shopper is told about the ICO every time (uk-law.yml).
COMPLAINT_ICO_LAW = "law.complaint-ico"

SAFEGUARD_WORDS = {
    "human_review": "a person to review the decision",
    "express_view": "to give your side",
    "contest": "to challenge the decision",
}
RESTRICTION_WORDS = {
    "accuracy_contested": "you say the data is wrong",
    "objection_pending": "you've objected and are waiting",
    "unlawful": "our use is unlawful, but keep the data",
    "legal_claim": "you need it kept for a legal claim",
}
COMPLAINT_WORDS = {
    "request_handling": "how we handled a request",
    "marketing": "marketing",
    "data_use": "how we used your data",
    "breach": "a possible data breach",
    "other": "something else",
}


def ico_sentence() -> str:
    """Where to complain to the ICO, from uk-law.yml's `regulator` (never retyped)."""
    regulator = default_law().regulator
    return (
        f"You can also complain to the {regulator.name} at any time: {regulator.complaint_url} "
        f"(helpline {regulator.helpline})."
    )


def request_type_for(tracker: Tracker) -> Optional[str]:
    """The request this turn starts: from the latest intent, or, when the
    shopper said "yes" to an offer, from the question that made the offer."""
    if latest_intent(tracker) == "affirm" and tracker.get_slot("offered_request"):
        return tracker.get_slot("offered_request")  # offered after a law answer
    for intent, _ in shopper_messages_newest_first(tracker):
        if intent in REQUEST_OF_INTENT:
            return REQUEST_OF_INTENT[intent]
        if intent != "affirm":
            return None
    return None


UNCONFIRMED = "unconfirmed"  # payload status: sent, but whether it was lodged is unknown

EARLIER_ATTEMPT_MAY_HAVE_ARRIVED = (
    "OK, I won't try again. Your earlier attempt may still have reached our team: if it did, "
    "you'll get an email from us about it. Anything else I can help with?"
)


def sent_before(tracker: Tracker) -> bool:
    """Whether the request in the form was already sent once with an outcome nobody could
    confirm (and not lodged since): then nobody may tell the shopper that nothing was sent."""
    if tracker.get_slot("request_key") is None:
        return False
    return any(
        payload.get("kind") == "request" and payload.get("status") == UNCONFIRMED
        for payload in payloads_sent(events_since(tracker, "action_start_request"))
    )


class ActionStartRequest(Action):
    """First turn of a request flow: what the policy says, then the form starts."""

    def name(self) -> Text:
        return "action_start_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        request_type = request_type_for(tracker)
        if request_type is None:
            if latest_intent(tracker) == "affirm":  # "yes" to an answer that offered nothing
                dispatcher.utter_message(text="OK. Is there anything else about your privacy I can help with?")
            else:
                send(dispatcher, answers.not_covered_answer(settings.team_email))
            return [ActiveLoop(None), SlotSet("offered_request", None), FollowupAction("action_listen")]
        text = tracker.latest_message.get("text") or ""
        topics = default_topics()
        topic = topics.select(f"request_{request_type}", text)
        law_ids: List[str] = []
        if topic is not None:  # what the policy says about it
            messages = [{"text": topic.summary}]
            messages += [
                {"text": answers.quoted_section(default_policy(), section, settings.policy_url)}
                for section in topic.sections
            ]
        else:  # the policy is silent (portability, restriction, complaints): the law, labelled as law
            subject = topics.subject_offering(request_type)
            law_ids = list(topics.law_of_subject[subject])
            messages = answers.law_statements(subject, [default_law()[law_id] for law_id in law_ids])
        lodge = "your complaint" if request_type == "complaint" else f"a request for {REQUEST_LABELS[request_type]}"
        messages.append(
            {
                "text": (
                    f"I can lodge {lodge} with our team right now. "
                    'It\'s free of charge. You can say "cancel" at any point.'
                )
            }
        )
        messages.append({"json_message": payloads.request(request_type, law=law_ids or None)})
        send(dispatcher, messages)
        events = [SlotSet(slot, None) for slot in REQUEST_SLOTS]
        events += [
            SlotSet("request_type", request_type),
            SlotSet("request_key", str(uuid.uuid4())),
            SlotSet("request_text", text[:1000] if latest_intent(tracker) != "affirm" else None),
        ]
        if request_type == "objection":
            events.append(SlotSet("objection_processing", objection_choice(text)))
        if request_type == "rectification":
            events.append(SlotSet("rectification_what", rectifiable_field(text)))
        if request_type == "restriction":
            events.append(SlotSet("restriction_grounds", restriction_grounds(text)))
        if request_type == "complaint":
            events.append(SlotSet("complaint_subject", complaint_subject(text)))
            events.append(SlotSet("complaint_reference", request_reference(text)))
        return events


class ValidateRequestForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_request_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        slots = ["requester_name", "requester_email"]
        request_type = tracker.get_slot("request_type")
        slots += TYPE_SLOTS.get(request_type, ())
        if request_type == "objection" and tracker.get_slot("objection_processing") == "profiling":
            slots.append("objection_safeguards")  # Art 22C
        return slots + ["request_confirmed"]

    @unless_reset
    def validate_requester_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        name = valid_name(value)
        if name is None:
            dispatcher.utter_message(text="Sorry, I need your full name as plain text (for example Jane Smith).")
        return {"requester_name": name}

    @unless_reset
    def validate_requester_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        email = valid_email(value)
        if email is None:
            dispatcher.utter_message(text=EMAIL_PROBLEM)
        return {"requester_email": email}

    @unless_reset
    def validate_rectification_what(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = valid_free_text(value, 200)
        if text is None:
            dispatcher.utter_message(
                text="Please tell me in a few words what is wrong (for example: my postal address)."
            )
        return {"rectification_what": text}

    @unless_reset
    def validate_rectification_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = valid_free_text(value, 500)
        if text is None:
            dispatcher.utter_message(text="Please type the correct value as plain text.")
        return {"rectification_value": text}

    @unless_reset
    def validate_objection_processing(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        choice = objection_choice(str(value or ""))
        if choice is None:
            dispatcher.utter_message(text="Please choose profiling, credit checks or marketing.")
        return {"objection_processing": choice}

    @unless_reset
    def validate_objection_safeguards(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        chosen = safeguards(value)
        if chosen is None:
            dispatcher.utter_message(
                text="Please choose any of: a person to review it, to give your side, "
                "to challenge it; or say all, or none."
            )
        return {"objection_safeguards": chosen}

    @unless_reset
    def validate_portability_recipient(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        recipient = portability_recipient(value)
        if recipient is None:
            dispatcher.utter_message(text='Please say "to me", or type the name of the organisation as plain text.')
        return {"portability_recipient": recipient}

    @unless_reset
    def validate_restriction_what(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = valid_free_text(value, 500)
        if text is None:
            dispatcher.utter_message(text="Please tell me in a few words which data (for example: my order history).")
        return {"restriction_what": text}

    @unless_reset
    def validate_restriction_grounds(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        grounds = restriction_grounds(str(value or ""))
        if grounds is None:
            dispatcher.utter_message(
                text="Please choose one: the data is wrong, you've objected, our use is "
                "unlawful, or you need it for a legal claim."
            )
        return {"restriction_grounds": grounds}

    @unless_reset
    def validate_complaint_subject(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        subject = complaint_subject(str(value or ""))
        if subject is None:
            dispatcher.utter_message(
                text="Please choose one: a request, marketing, how we used your data, a data breach, or something else."
            )
        return {"complaint_subject": subject}

    @unless_reset
    def validate_complaint_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        reference = optional_reference(value)
        if reference is None:
            dispatcher.utter_message(text='A reference looks like SM-AB12-CD34. Please type it, or say "none".')
        return {"complaint_reference": reference}

    @unless_reset
    def validate_complaint_outcome(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = valid_free_text(value, 1000)
        if text is None:
            dispatcher.utter_message(text="Please tell me as plain text what you'd like us to do.")
        return {"complaint_outcome": text}


class ActionAskObjectionSafeguards(Action):
    """An objection to profiling: offer the Art 22C safeguards, from the law file."""

    def name(self) -> Text:
        return "action_ask_objection_safeguards"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        entry = default_law()[AUTOMATED_DECISIONS_LAW]
        dispatcher.utter_message(
            text=(
                "Where a decision about you is made by computer alone, UK data-protection law gives you safeguards:\n"
                f"{entry.statement}\n{answers.law_citation(entry)}"
            )
        )
        dispatcher.utter_message(
            text="Which would you like us to give you: a person to review the decision, a chance to give your side, "
            'a way to challenge it? Say any of them, "all", or "none".',
            buttons=[
                {"title": "All three", "payload": "all"},
                {"title": "A person to review it", "payload": "human review"},
                {"title": "None", "payload": "none"},
            ],
        )
        dispatcher.utter_message(json_message=payloads.request("objection", law=[AUTOMATED_DECISIONS_LAW]))
        return []


class ActionAskRequestConfirmed(Action):
    """Summarise the request and ask for an explicit yes before sending it."""

    def name(self) -> Text:
        return "action_ask_request_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        slot = tracker.get_slot
        lines = [
            "Here is your complaint:" if slot("request_type") == "complaint" else "Here is your request:",
            f"• Request: {REQUEST_LABELS.get(slot('request_type'), slot('request_type'))}",
            f"• Name: {slot('requester_name')}",
            f"• Email: {slot('requester_email')}",
        ]
        if slot("request_type") == "rectification":
            lines.append(f"• What is wrong: {slot('rectification_what')}")
            lines.append(f"• Correct value: {slot('rectification_value')}")
        if slot("request_type") == "objection":
            lines.append(f"• Object to: {str(slot('objection_processing')).replace('_', ' ')}")
            if slot("objection_safeguards") and slot("objection_processing") == "profiling":
                chosen = [SAFEGUARD_WORDS[s] for s in slot("objection_safeguards").split(",") if s in SAFEGUARD_WORDS]
                lines.append(f"• Safeguards: {', '.join(chosen) if chosen else 'none'}")
        if slot("request_type") == "portability":
            recipient = slot("portability_recipient")
            lines.append(f"• Send it to: {'you (by email)' if recipient == 'requester' else recipient}")
        if slot("request_type") == "restriction":
            lines.append(f"• Data: {slot('restriction_what')}")
            lines.append(f"• Why: {RESTRICTION_WORDS.get(slot('restriction_grounds'), slot('restriction_grounds'))}")
        if slot("request_type") == "complaint":
            lines.append(f"• About: {COMPLAINT_WORDS.get(slot('complaint_subject'), slot('complaint_subject'))}")
            reference = slot("complaint_reference")
            lines.append(f"• Request reference: {reference if reference and reference != NOT_GIVEN else 'none'}")
            lines.append(f"• Outcome you want: {slot('complaint_outcome')}")
        again = sent_before(tracker)
        lines.append("Shall I try sending it again?" if again else "Shall I send it?")
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": "Yes, try again" if again else "Yes, send it", "payload": "/affirm"},
                {"title": "No, cancel", "payload": "/cancel"},
            ],
        )
        return []


class ActionSubmitRequest(Action):
    """Lodge the confirmed request; never tell the shopper anything about it that may be false."""

    def name(self) -> Text:
        return "action_submit_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        slot = tracker.get_slot
        reset = [SlotSet(name, None) for name in REQUEST_SLOTS]
        request_type = slot("request_type")
        if not slot("request_confirmed"):
            dispatcher.utter_message(
                text=EARLIER_ATTEMPT_MAY_HAVE_ARRIVED
                if sent_before(tracker)
                else "OK, I haven't sent anything. Is there anything else I can help with?"
            )
            return reset
        key = slot("request_key") or str(uuid.uuid4())
        body = request_body(tracker.slots, tracker.get_latest_input_channel(), tracker.sender_id, key)
        try:
            lodged = IntakeClient.from_settings(settings).submit_request(body)
        except IntakeOutcomeUnknown as error:
            # It may be lodged: keep the form and its key, so "yes" sends the very same
            # submission again and the intake, idempotent on the key, lodges it at most once.
            logger.error("request may not have been lodged: %s", error)
            dispatcher.utter_message(
                text=(
                    "I'm sorry: our team's system didn't answer in time, so I can't tell whether your "
                    "request went through. It may have been lodged. It's safe to try again: if it did "
                    "arrive, it won't be lodged twice. Or email your request to "
                    f"{settings.team_email}."
                )
            )
            dispatcher.utter_message(json_message=payloads.request(request_type, status=UNCONFIRMED))
            return [SlotSet("request_key", key), SlotSet("request_confirmed", None), FollowupAction("request_form")]
        except (IntakeRefused, IntakeUnreachable) as error:
            field_slot = slot_of_refused_field(error.fields, REQUEST_FIELD_SLOTS)
            logger.error("request not lodged: %s (field %s)", error, field_slot)
            if isinstance(error, IntakeRefused) and error.status == 422 and field_slot:
                # Nothing was stored: ask for that answer again, then confirm and send.
                dispatcher.utter_message(text=REFUSED_FIELD_QUESTIONS[field_slot])
                return [
                    SlotSet("request_key", key),
                    SlotSet(field_slot, None),
                    SlotSet("request_confirmed", None),
                    FollowupAction("request_form"),
                ]
            dispatcher.utter_message(text=not_sent_text("your request", error, settings.team_email))
            dispatcher.utter_message(json_message=payloads.request(request_type, status="failed"))
            return reset
        reference, due = lodged["reference"], lodged.get("due_at")
        law_ids = None
        if request_type == "complaint":
            law_ids = [COMPLAINT_ICO_LAW]
            text = (
                f"Your complaint is lodged. Your reference is {reference}. We've emailed you our acknowledgement; "
                "we'll look into it and tell you the outcome, with our reasons, without undue delay. " + ico_sentence()
            )
        elif request_type == "marketing_opt_out":
            text = (
                f"Done: you won't get marketing from us any more. Your reference is {reference}. "
                "No verification is needed, and there is no charge."
            )
        else:
            text = (
                f"Your request is lodged. Your reference is {reference}. It's free of charge. "
                "Next: check your email for a link to confirm it's you. We reply within one calendar "
                f"month of that confirmation: by {due} if you confirm today."
            )
        dispatcher.utter_message(text=text)
        dispatcher.utter_message(
            json_message=payloads.request(
                request_type, status=lodged.get("status"), reference=reference, due_date=due, law=law_ids
            )
        )
        return reset


class ActionCancelRequest(Action):
    def name(self) -> Text:
        return "action_cancel_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text=EARLIER_ATTEMPT_MAY_HAVE_ARRIVED
            if sent_before(tracker)
            else "OK, I've stopped and nothing was sent. Anything else I can help with?"
        )
        return [ActiveLoop(None)] + [SlotSet(name, None) for name in REQUEST_SLOTS + HANDOFF_SLOTS]
