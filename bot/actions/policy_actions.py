"""Rasa actions that answer from the privacy policy."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import answers
from .answer_choice import FALLBACK_INTENT, Choice, default_chooser
from .conversation import latest_intent, latest_text, send, shopper_messages_newest_first
from .law import default_law
from .policy import default_policy
from .request_types import OFFERING_INTENTS, REQUEST_LABELS, REQUEST_OF_INTENT
from .settings import Settings
from .topics import default_topics
from .validators import looks_like_a_name

logger = logging.getLogger(__name__)


def offered_request(choice: Choice, tracker: Tracker) -> Optional[str]:
    """The request a law answer offers to start (topics.yml `offers`), outside a form only."""
    if choice.kind != "law" or tracker.active_loop_name:
        return None
    return default_topics().request_of_subject.get(choice.subject)


def reply(choice: Choice, settings: Settings, offer: Optional[str] = None) -> List[answers.Message]:
    """The messages that word a choice; `offer`: the request a law answer ends by offering."""
    policy = default_policy()
    if choice.kind == "topic":
        return answers.topic_answer(choice.topic, policy, settings.policy_url, law=default_law())
    if choice.kind == "law":
        law = default_law()
        return answers.law_answer(
            choice.subject,
            [law[law_id] for law_id in choice.law],
            settings.team_email,
            offer=REQUEST_LABELS[offer] if offer else None,
        )
    if choice.kind == "closest":
        return answers.closest_clause_answer(policy, choice.clause_id, settings.policy_url, settings.team_email)
    if choice.kind == "out_of_scope":
        return answers.out_of_scope_answer(settings.team_email)
    if choice.kind == "clarify":
        return answers.clarify_answer(choice.suggestions)
    nearest = policy[choice.nearest] if choice.nearest else None
    return answers.not_covered_answer(settings.team_email, choice.subject, nearest, settings.policy_url)


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user turns in a row the NLU could not place."""
    count = 0
    for intent, _ in shopper_messages_newest_first(tracker):
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionAnswerPolicy(Action):
    """Answer a policy question: topic summary, verbatim clauses, citations."""

    def name(self) -> Text:
        return "action_answer_policy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        text, intent = latest_text(tracker), latest_intent(tracker)
        choice = default_chooser().for_intent(intent, text)
        logger.info("intent %s: %s %s", intent, choice.kind, choice.topic.id if choice.topic else "")
        offer = offered_request(choice, tracker)
        send(dispatcher, reply(choice, settings, offer))
        if choice.kind != "topic":
            return [SlotSet("offered_request", offer)]
        request_type = OFFERING_INTENTS.get(intent)
        if request_type and not tracker.active_loop_name:
            dispatcher.utter_message(
                text=f"Shall I lodge a request for you now ({REQUEST_LABELS[request_type]})? It's free.",
                buttons=[{"title": "Yes, start it", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"}],
            )
        return [SlotSet("offered_request", None)]


class ActionAnswerUnclear(Action):
    """The NLU could not place the message: search the clauses, never guess.

    A good clause match is offered as "the closest thing our policy says";
    otherwise the bot says the policy doesn't cover it (a privacy question),
    that it can only help with privacy (not one), or asks to rephrase with
    suggested questions (answer_choice.py decides). The second unclear
    message in a row goes straight to the offer of the email handoff.
    """

    def name(self) -> Text:
        return "action_answer_unclear"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        if consecutive_fallbacks(tracker) >= 2:
            send(dispatcher, answers.repeated_fallback_answer(settings.team_email))
            return [SlotSet("offered_request", None)]
        ranking = tracker.latest_message.get("intent_ranking") or []
        choice = default_chooser().for_unclear(latest_text(tracker), ranking)
        logger.info("unclear message: %s %s", choice.kind, choice.clause_id or "")
        offer = offered_request(choice, tracker)
        send(dispatcher, reply(choice, settings, offer))
        return [SlotSet("offered_request", offer)]


class ActionNotCovered(Action):
    """A privacy question the policy does not answer (intent ask_uncovered)."""

    def name(self) -> Text:
        return "action_not_covered"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        choice = default_chooser().for_uncovered(
            latest_text(tracker), tracker.latest_message.get("intent_ranking") or []
        )
        # a portability / restriction / complaint request in the middle of another form: its law
        subject = default_topics().subject_offering(REQUEST_OF_INTENT.get(latest_intent(tracker), ""))
        if subject:
            choice = Choice("law", subject=subject, law=default_topics().law_of_subject[subject])
        offer = offered_request(choice, tracker)
        send(dispatcher, reply(choice, settings, offer))
        return [SlotSet("offered_request", offer)]


class ActionOutOfScope(Action):
    """Not a privacy question: say what the bot is for and where else to ask
    (the team address from HANDOFF_EMAIL, not written into the domain)."""

    def name(self) -> Text:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        # A name is any text, and the NLU sometimes places one ("Morgan Blake") out of scope:
        # asked for a name, a message that plainly is one is the answer, not a stray question.
        if tracker.active_loop_name == "request_form" and tracker.get_slot("requested_slot") == "requester_name":
            name = looks_like_a_name(latest_text(tracker))
            if name:
                return [SlotSet("requester_name", name)]
        send(dispatcher, reply(default_chooser().for_out_of_scope(latest_text(tracker)), Settings.from_env()))
        return []
