"""Reading the conversation so far (the tracker's events) and sending messages: helpers the
policy, request and handoff actions share."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def send(dispatcher: CollectingDispatcher, messages: List[Dict[str, Any]]) -> None:
    """Each message as its own bot turn (keyword arguments of `utter_message`)."""
    for message in messages:
        dispatcher.utter_message(**message)


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def shopper_messages_newest_first(tracker: Tracker) -> Iterator[Tuple[str, str]]:
    """(intent name, text) of each message the shopper sent, the latest first."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            yield intent, event.get("text") or ""


def events_since(tracker: Tracker, action_name: str) -> List[Dict[str, Any]]:
    """The events after the latest run of the action `action_name` (all of them when it
    never ran), oldest first."""
    events: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == action_name:
            break
        events.append(event)
    return events[::-1]


def payloads_sent(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The machine-readable payloads (`custom`) of the bot's messages among `events`."""
    return [
        (event.get("data") or {})["custom"]
        for event in events
        if event.get("event") == "bot" and isinstance((event.get("data") or {}).get("custom"), dict)
    ]
