"""Email handoff: pass a question the bot can't answer to the team."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import payloads
from .conversation import shopper_messages_newest_first
from .form_slots import HANDOFF_SLOTS
from .intake_bodies import HANDOFF_FIELD_SLOTS, handoff_body, slot_of_refused_field
from .intake_client import IntakeClient, IntakeOutcomeUnknown, IntakeRefused, IntakeUnreachable
from .settings import Settings
from .submission_replies import not_sent_text
from .validators import EMAIL_PROBLEM, unless_reset, valid_email, valid_free_text

logger = logging.getLogger(__name__)

UNANSWERED_INTENTS = {"nlu_fallback", "ask_uncovered", "out_of_scope"}


def unanswered_question(tracker: Tracker) -> Optional[str]:
    """The shopper's most recent message the bot could not answer, if any."""
    for intent, text in shopper_messages_newest_first(tracker):
        text = text.strip()
        if intent in UNANSWERED_INTENTS and text and not text.startswith("/"):
            return valid_free_text(text, 2000)
    return None


class ActionStartHandoff(Action):
    def name(self) -> Text:
        return "action_start_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        dispatcher.utter_message(
            text=(
                f"I'll pass your question to the Session Music team by email ({settings.team_email}), "
                'and they\'ll reply to you directly. You can say "cancel" at any point.'
            )
        )
        dispatcher.utter_message(json_message=payloads.handoff())
        return [SlotSet(name, None) for name in HANDOFF_SLOTS] + [
            SlotSet("handoff_question", unanswered_question(tracker)),
            SlotSet("handoff_key", str(uuid.uuid4())),
        ]


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"

    @unless_reset
    def validate_handoff_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        email = valid_email(value)
        if email is None:
            dispatcher.utter_message(text=EMAIL_PROBLEM)
        return {"handoff_email": email}

    @unless_reset
    def validate_handoff_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        question = valid_free_text(value, 2000)
        if question is None:
            dispatcher.utter_message(text="Please type your question as plain text (up to 2,000 characters).")
        return {"handoff_question": question}


class ActionSubmitHandoff(Action):
    def name(self) -> Text:
        return "action_submit_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        key = tracker.get_slot("handoff_key") or str(uuid.uuid4())
        body = handoff_body(tracker.slots, tracker.get_latest_input_channel(), tracker.sender_id, key, tracker.events)
        reset = [SlotSet(name, None) for name in HANDOFF_SLOTS]
        try:
            sent = IntakeClient.from_settings(settings).submit_handoff(body)
        except IntakeOutcomeUnknown as error:
            logger.error("handoff may not have been sent: %s", error)
            dispatcher.utter_message(
                text=(
                    "I'm sorry: our team's system didn't answer in time, so I can't tell whether your "
                    "question reached the team. It may have. If you don't hear from us, please email it "
                    f"to {settings.team_email} directly."
                )
            )
            dispatcher.utter_message(json_message=payloads.handoff())
            return reset
        except (IntakeRefused, IntakeUnreachable) as error:
            field_slot = slot_of_refused_field(error.fields, HANDOFF_FIELD_SLOTS)
            logger.error("handoff not sent: %s (field %s)", error, field_slot)
            if isinstance(error, IntakeRefused) and error.status == 422 and field_slot:
                dispatcher.utter_message(
                    text="Our team's system didn't accept that, so your question has NOT been sent yet."
                )
                return [SlotSet("handoff_key", key), SlotSet(field_slot, None), FollowupAction("handoff_form")]
            dispatcher.utter_message(text=not_sent_text("your question", error, settings.team_email))
            dispatcher.utter_message(json_message=payloads.handoff())
            return reset
        dispatcher.utter_message(
            text=(
                f"Sent: the team has your question (reference {sent['reference']}) and will reply "
                f"to {tracker.get_slot('handoff_email')}."
            )
        )
        dispatcher.utter_message(json_message=payloads.handoff(sent["reference"]))
        return reset
