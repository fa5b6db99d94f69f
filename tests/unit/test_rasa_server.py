"""bot/rasa_server.py: each fix keeps Rasa's behaviour (the action-reply check, the event types, the
SQL tracker store's save against SQLite and a real PostgreSQL)."""

import asyncio
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

import rasa_server

DOMAIN = Domain.load(Path(rasa_server.__file__).parent / "domain.yml")
#: Rasa's own versions, taken before any test installs the fixes
RASA_SAVE = SQLTrackerStore.save
RASA_ADDITIONAL_EVENTS = SQLTrackerStore._additional_events
RASA_RETRIEVE = SQLTrackerStore._retrieve
RASA_RESOLVE_BY_TYPE = Event.resolve_by_type

GOOD_REPLY = {
    "events": [{"event": "slot", "name": "request_type", "value": "access"}],
    "responses": [{"text": "hello", "custom": {"kind": "answer", "sections": ["cookies"]}}],
}
BAD_REPLIES = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"responses": "not a list"},
]


@pytest.fixture
def installed(monkeypatch):
    """The fixes installed for one test; Rasa's versions back afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(RASA_RESOLVE_BY_TYPE))
    monkeypatch.setattr(SQLTrackerStore, "save", RASA_SAVE)
    monkeypatch.setattr(SQLTrackerStore, "_additional_events", RASA_ADDITIONAL_EVENTS)
    monkeypatch.setattr(SQLTrackerStore, "_retrieve", RASA_RETRIEVE)
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RulePolicy._get_possible_keys)
    rasa_server.install()
    return RemoteAction("action_answer_policy", None)


def test_the_fixes_replace_rasas_code(installed):
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result
    assert Event.resolve_by_type is rasa_server.resolve_event_type
    assert SQLTrackerStore.save is rasa_server.save_new_events_in_one_statement
    assert SQLTrackerStore._additional_events is rasa_server.additional_events
    assert SQLTrackerStore._retrieve is rasa_server.retrieve_events_data
    assert RulePolicy._get_possible_keys is rasa_server.get_possible_keys


def test_a_valid_reply_passes(installed):
    assert installed._validate_action_result(GOOD_REPLY) is True


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_an_invalid_reply_is_still_refused_like_rasa_refuses_it(installed, reply):
    with pytest.raises(ValidationError) as fixed:
        installed._validate_action_result(reply)
    assert "Failed to validate Action server response" in fixed.value.message


@pytest.mark.parametrize("reply", BAD_REPLIES + [GOOD_REPLY])
def test_same_verdict_as_jsonschema_validate(reply):
    from jsonschema import validate

    schema = RemoteAction.action_response_format_spec()
    try:
        validate(reply, schema)
        expected = True
    except ValidationError:
        expected = False
    assert rasa_server.action_reply_validator().is_valid(reply) is expected


# --- event types ------------------------------------------------------------------------------


def test_every_event_type_resolves_to_rasas_class(installed):
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started"} <= names
    for _ in range(2):  # the second time from what the fix remembered
        for name in names:
            assert Event.resolve_by_type(name) is RASA_RESOLVE_BY_TYPE(name)


def test_an_unknown_event_type_is_still_rasas_default_or_error(installed):
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert "no_such_event" not in rasa_server._EVENT_TYPES


# --- SQL tracker store save -------------------------------------------------------------------


def conversation_steps():
    """The events each message adds, as the Rasa server adds and saves them (fresh timestamps), with
    a second session part-way and one save with nothing new."""
    return [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [
            UserUttered("do you sell my data?", {"name": "ask_data_selling", "confidence": 0.93}),
            ActionExecuted("action_answer_policy"),
            BotUttered("We never sell it.", {"custom": {"kind": "answer", "sections": ["no-sale"]}}),
            ActionExecuted("action_listen"),
        ],
        [],
        [
            UserUttered("I want a copy of my data", {"name": "request_access", "confidence": 0.88}),
            SlotSet("request_type", "access"),
            ActionExecuted("action_listen"),
        ],
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [UserUttered("thanks", {"name": "thank", "confidence": 0.99}), ActionExecuted("utter_thank")],
    ]


def stored_rows(store, sender):
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
                "WHERE sender_id = :sender ORDER BY id"
            ),
            {"sender": sender},
        )
        return [tuple(row) for row in rows]


def save_with(store, save, sender):
    """Each step as the Rasa server does it: read the tracker (its latest session), add, save.
    Before each save, the fix's count of the events not stored yet is checked against Rasa's."""
    for events in conversation_steps():
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
        for event in events:
            tracker.update(event)
        with store.session_scope() as session:
            new = list(rasa_server.additional_events(store, session, tracker))
            assert new == list(RASA_ADDITIONAL_EVENTS(store, session, tracker))
            assert new == events, "just this step's events are new"
        asyncio.run(save(store, tracker))
    return stored_rows(store, sender)


def without_timestamps(rows):
    """The rows with the timestamps (fresh in each run) taken out, after checking each row's own."""
    kept = []
    for _sender, type_name, timestamp, intent, action, data in rows:
        data = json.loads(data)
        assert data.pop("timestamp") == timestamp
        kept.append((type_name, intent, action, data))
    return kept


def check_same_rows_as_rasa(store):
    ours = save_with(store, rasa_server.save_new_events_in_one_statement, "ours")
    rasas = save_with(store, RASA_SAVE, "rasas")
    assert len(rasas) == 15, "every event stored once"
    assert without_timestamps(ours) == without_timestamps(rasas)
    assert [row[0] for row in ours] == ["ours"] * 15
    assert [row[3] for row in ours if row[1] == "user"] == ["ask_data_selling", "request_access", "thank"]
    ours_read, rasas_read = (asyncio.run(store.retrieve(sender)).events for sender in ("ours", "rasas"))
    assert [type(e).__name__ for e in ours_read] == [type(e).__name__ for e in rasas_read]
    assert [type(e).__name__ for e in ours_read] == [
        "SessionStarted",
        "ActionExecuted",
        "UserUttered",
        "ActionExecuted",
    ]
    for sender in ("ours", "rasas", "nobody"):  # the fix reads back what Rasa's code reads back
        for all_sessions in (False, True):
            rasas_tracker = asyncio.run(RASA_RETRIEVE(store, sender, all_sessions))
            ours_tracker = asyncio.run(rasa_server.retrieve_events_data(store, sender, all_sessions))
            if sender == "nobody":
                assert rasas_tracker is None and ours_tracker is None
                continue
            assert [e.as_dict() for e in ours_tracker.events] == [e.as_dict() for e in rasas_tracker.events]
            assert ours_tracker.current_slot_values() == rasas_tracker.current_slot_values()
            assert len(ours_tracker.events) == (15 if all_sessions else 4)


def test_save_stores_the_same_rows_as_rasa_in_sqlite(tmp_path):
    check_same_rows_as_rasa(SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "conversations.db")))


def test_save_stores_the_same_rows_as_rasa_in_postgresql(postgres_server):
    url = sa.engine.make_url(postgres_server.create_database("fix_save"))
    store = SQLTrackerStore(
        DOMAIN,
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
        password=url.password,
    )
    check_same_rows_as_rasa(store)
