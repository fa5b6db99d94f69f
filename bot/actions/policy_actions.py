"""Rasa actions that answer from the privacy policy."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import answers
from .clause_search import default_index
from .policy import default_policy
from .request_types import OFFERING_INTENTS, REQUEST_LABELS
from .settings import Settings
from .topics import default_topics

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
# Below this intent confidence, a question that names a subject the policy does
# not address ("...will I be told if you get hacked?") is declined rather than
# answered with the nearest topic.
SURE_ENOUGH = 0.9


def send(dispatcher: CollectingDispatcher, messages: List[answers.Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**message)


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def latest_confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user turns in a row the NLU could not place."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
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
        topics = default_topics()
        text, intent = latest_text(tracker), latest_intent(tracker)
        subject = topics.uncovered_subject(text)
        if subject and latest_confidence(tracker) < SURE_ENOUGH:
            logger.info("declining: intent %s is unsure and the question names %s", intent, subject)
            send(dispatcher, answers.not_covered_answer(settings.team_email, subject))
            return []
        topic = topics.select(intent, text)
        if topic is None:
            logger.warning("no topic maps intent %s", intent)
            send(dispatcher, answers.not_covered_answer(settings.team_email))
            return []
        logger.info("answering intent %s with topic %s", topic.intent, topic.id)
        send(dispatcher, answers.topic_answer(topic, default_policy(), settings.policy_url))
        request_type = OFFERING_INTENTS.get(intent)
        if request_type and not tracker.active_loop_name:
            dispatcher.utter_message(
                text=f"Shall I lodge a request for you now ({REQUEST_LABELS[request_type]})? It's free.",
                buttons=[{"title": "Yes, start it", "payload": "/affirm"},
                         {"title": "No, thanks", "payload": "/deny"}],
            )
        return []


class ActionAnswerUnclear(Action):
    """The NLU could not place the message: search the clauses, never guess.

    A good clause match is offered as "the closest thing our policy says";
    otherwise the bot says the policy doesn't cover it and offers the email
    handoff. The second unclear message in a row goes straight to the offer.
    """

    def name(self) -> Text:
        return "action_answer_unclear"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        if consecutive_fallbacks(tracker) >= 2:
            send(dispatcher, answers.repeated_fallback_answer(settings.team_email))
            return []
        text = latest_text(tracker)
        subject = default_topics().uncovered_subject(text)
        match = None if subject else default_index().best(text)
        if match is None:
            send(dispatcher, answers.not_covered_answer(settings.team_email, subject))
        else:
            logger.info("closest clause %s (score %.2f)", match.clause_id, match.score)
            send(
                dispatcher,
                answers.closest_clause_answer(
                    default_policy(), match.clause_id, settings.policy_url, settings.team_email
                ),
            )
        return []


class ActionNotCovered(Action):
    """A privacy question the policy does not answer (intent ask_uncovered)."""

    def name(self) -> Text:
        return "action_not_covered"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = Settings.from_env()
        subject = default_topics().uncovered_subject(latest_text(tracker))
        send(dispatcher, answers.not_covered_answer(settings.team_email, subject))
        return []
