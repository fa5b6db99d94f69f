"""Tracker fixtures in the financial-demo style: a tracker in, events and messages out."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_event(text, intent, confidence=0.9, ranking=None):
    parse_data = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    if ranking is not None:
        parse_data["intent_ranking"] = [{"name": name, "confidence": c} for name, c in ranking]
    return {"event": "user", "text": text, "parse_data": parse_data}


def make_tracker(text, intent, history=(), slots=None, active_loop=None, confidence=0.95, ranking=None):
    latest = user_event(text, intent, confidence, ranking)
    events = [{"event": "action", "name": "action_listen"}]
    for past_text, past_intent in history:
        events += [
            user_event(past_text, past_intent),
            {"event": "bot", "text": "..."},
            {"event": "action", "name": "action_listen"},
        ]
    events.append(latest)
    return Tracker(
        sender_id="test-conversation",
        slots=slots or {},
        latest_message=latest["parse_data"],
        events=events,
        paused=False,
        followup_action=None,
        active_loop=active_loop or {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()


@pytest.fixture
def tracker_for():
    return make_tracker


@pytest.fixture
def domain():
    return {}


@pytest.fixture(autouse=True)
def policy_url(monkeypatch):
    monkeypatch.setenv("POLICY_URL", "https://www.sessionmusic.co.uk/pages/privacy-policy")
    return "https://www.sessionmusic.co.uk/pages/privacy-policy"


# --- the intake service, running for real on a local port (gunicorn, SQLite) -----------------


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    from launcher import Ports, Stack

    running = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("intake"), services=["intake"]).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def stopped_intake(tmp_path_factory):
    """An intake that was running and has been stopped: its port refuses connections."""
    from launcher import Ports, Stack

    stack = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("stopped"), services=["intake"]).start()
    stack.stop()
    return stack


@pytest.fixture
def use_intake(monkeypatch):
    def point_at(stack, retries="1"):
        monkeypatch.setenv("INTAKE_URL", stack.intake_url)
        monkeypatch.setenv("INTAKE_API_SECRET", stack.env()["INTAKE_API_SECRET"])  # what the launcher gave it
        monkeypatch.setenv("INTAKE_RETRIES", retries)
        monkeypatch.setenv("INTAKE_TIMEOUT", "3")

    return point_at
