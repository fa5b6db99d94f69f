"""The shopper's own status look-up in chat: "where's my request SM-XXXX-XXXX?".

Asks for the reference (when the message had none) and the email address the request was
made with, then shows what the intake's status look-up returns: the status, the due date and,
when the look-up reports one, a pause of the clock (rendered from whatever `paused*` fields
it returns). Never any details of the request itself. A wrong reference and a wrong email get
the same "not found", as the intake gives them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .form_slots import STATUS_SLOTS
from .intake_client import IntakeClient, IntakeError, IntakeRefused
from .settings import Settings
from .validators import EMAIL_PROBLEM, request_reference, unless_reset, valid_email

logger = logging.getLogger(__name__)

STATUS_WORDS = {
    "received": "received",
    "awaiting_verification": "waiting for you to confirm your email address (use the link we emailed you)",
    "in_progress": "in progress: our team is working on it",
    "completed": "completed",
    "refused": "closed: refused (we emailed you our reasons)",
    "withdrawn": "closed: withdrawn",
}
NOT_FOUND = (
    "I couldn't find a request with that reference and email address. Please check both "
    "(the reference looks like SM-AB12-CD34 and is in the emails we sent you)."
)


def long_date(value: Any) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def status_text(reference: str, found: Mapping[str, Any]) -> str:
    """The look-up's answer in words: status, due date, and a pause when one is reported."""
    status = str(found.get("status"))
    lines = [f"Request {reference}: {STATUS_WORDS.get(status, status.replace('_', ' '))}."]
    if found.get("due_at"):
        lines.append(
            ("It was due by " if status in ("completed", "refused", "withdrawn") else "Due by ")
            + long_date(found["due_at"])
            + "."
        )
    paused_since = next((found[key] for key in ("paused_since", "paused_at", "paused_on") if found.get(key)), None)
    if found.get("paused") or paused_since:
        reason = found.get("paused_reason") or found.get("pause_reason") or "waiting for your reply"
        since = f" since {long_date(paused_since)}" if paused_since else ""
        lines.append(f"The clock is paused: {reason}{since}. It restarts when we have your answer.")
    return " ".join(lines)


class ActionStartStatus(Action):
    def name(self) -> Text:
        return "action_start_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text="I can look that up. For your privacy I need the email address "
            "the request was made with, and I'll only show its status and due date."
        )
        reference = request_reference(tracker.latest_message.get("text"))
        return [SlotSet(slot, None) for slot in STATUS_SLOTS] + [SlotSet("status_reference", reference)]


class ValidateStatusForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_status_form"

    @unless_reset
    def validate_status_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        reference = request_reference(value)
        if reference is None:
            dispatcher.utter_message(text="A reference looks like SM-AB12-CD34. Could you type it again?")
        return {"status_reference": reference}

    @unless_reset
    def validate_status_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        email = valid_email(value)
        if email is None:
            dispatcher.utter_message(text=EMAIL_PROBLEM)
        return {"status_email": email}


class ActionCheckStatus(Action):
    def name(self) -> Text:
        return "action_check_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        reference, email = tracker.get_slot("status_reference"), tracker.get_slot("status_email")
        reset = [SlotSet(slot, None) for slot in STATUS_SLOTS]
        try:
            found: Optional[Dict[str, Any]] = IntakeClient.from_settings(settings).look_up_status(reference, email)
        except IntakeError as error:
            logger.error("status look-up failed: %s", error)
            if isinstance(error, IntakeRefused) and error.status == 429:
                text = "There have been too many look-ups just now. Please try again in a few minutes."
            else:
                text = (
                    f"I'm sorry: I couldn't reach our team's system just now. Please try again later, "
                    f"or email {settings.team_email} quoting your reference."
                )
            dispatcher.utter_message(text=text)
            return reset
        if found is None:
            dispatcher.utter_message(text=NOT_FOUND)
            return reset
        dispatcher.utter_message(text=status_text(reference, found))
        return reset
