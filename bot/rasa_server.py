"""The `rasa` command as this bot runs it: Rasa 3.6.21 with measured fixes, and its logs kept
free of shopper text (bot/log_privacy.py: Rasa quotes messages in warnings, structlog events and
debug lines).

After every custom action, Rasa checks the action server's reply with
`jsonschema.validate(reply, schema)` (rasa/core/actions/action.py,
`RemoteAction._validate_action_result`). With jsonschema 4.17 that call first
checks the schema itself against the Draft 2020-12 meta-schema, every time:
about 16 ms of CPU per custom action on this machine, spent on the Rasa
server's event loop, where it blocks every other conversation. This bot runs a
custom action for nearly every message, so it was the largest single cost per
message (see docs/benchmarks.md, `ours-plain-rasa`).

The fix checks the schema once and validates each reply with a validator built
from it (about 0.2 ms): the same schema, the same `ValidationError` for a bad
reply.

Smaller costs, found with a CPU profile of `Agent.handle_message` against the
production shape's PostgreSQL tracker store. Together the fixes below cut the
Rasa servers' CPU per message at 8 conversations on 2 Rasa servers from 18.6
to 14.4 ms, messages per second rose from 80 to 97 and p95 fell from 177 to
146 ms (two stacks per version, the versions alternating, three loads of 600
messages on each; nginx already balancing by least connections):

- `Event.resolve_by_type` walks every subclass of `Event` (and calls
  `inspect.isabstract` on each) for every event of every tracker it loads:
  about 0.5 ms per message. The fix remembers the class found for each type
  name; a name never found still goes to Rasa's code (its default or its
  ValueError).
- `SQLTrackerStore.save` adds the new events through the ORM, which sends one
  `INSERT ... RETURNING id` per event (about six per message). The fix inserts
  the same rows, in the same order, with one executemany statement (psycopg2
  sends it as one multi-row INSERT). Same table, same columns, same values.
- `SQLTrackerStore._additional_events` and `_retrieve` build their ORM query
  from scratch for every message. The fix builds the same SQL (the latest
  `session_started`, the events since it, ordered by id) once per store; a
  read takes only the `data` column, no ORM objects. Save 1.9 -> 1.1 ms, read
  1.35 -> 0.7 ms of CPU per message.
- `RulePolicy._get_possible_keys` checks every one of the bot's ~240 rules
  against the conversation's latest state, several times per message (1.1 ms
  per message). The fix first narrows the rules to those whose latest state
  asks for the conversation's previous action and intent (or asks for none),
  then applies Rasa's own `_is_rule_applicable` to those, turn by turn as Rasa
  does: a rule it leaves out is one Rasa's check would refuse at the first
  turn. 0.1 ms per message.

Nothing else in Rasa changes (but for two debug lines of the tracker store's
save and read, which the fixes do not repeat). The launcher (`make run`, `make shell`) starts
the server through this module: `python -m rasa_server run ...`.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Optional, Text


@functools.lru_cache(maxsize=None)
def action_reply_validator():
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """Drop-in for RemoteAction._validate_action_result, with the validator built once."""
    from jsonschema import ValidationError

    from rasa.shared.constants import DOCS_BASE_URL

    try:
        action_reply_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


_EVENT_TYPES: Dict[Text, type] = {}


@functools.lru_cache(maxsize=None)
def _rasa_resolve_by_type():
    """Rasa's own Event.resolve_by_type (taken before install() replaces it)."""
    from rasa.shared.core.events import Event

    assert Event.resolve_by_type is not resolve_event_type, "install() ran before Rasa's version was kept"
    return Event.resolve_by_type


def resolve_event_type(type_name: Text, default: Optional[type] = None) -> Optional[type]:
    """Drop-in for Event.resolve_by_type: Rasa's answer for a type name, remembered once found
    (never its default or its None: a name Rasa did not find is asked again)."""
    found = _EVENT_TYPES.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type()(type_name, default)
        if found is not None and found is not default:
            _EVENT_TYPES[type_name] = found
    return found


def event_row(sender_id: Text, event: Any) -> Dict[Text, Any]:
    """The `events` row Rasa's SQLTrackerStore.save writes for an event (the same columns and values)."""
    import json

    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def event_statements(events_table) -> Dict[Text, Any]:
    """The statements Rasa's `_event_query` builds for every call, built once (``:sender_id``):
    ``latest_count``, the number of a conversation's stored events since its latest
    `session_started` (all of them when it has none); ``latest`` and ``all``, the `data` of those
    events / of every event of the conversation, in the order they were stored."""
    import sqlalchemy as sa
    from rasa.shared.core.events import SessionStarted

    sender = sa.bindparam("sender_id")
    of_sender = events_table.c.sender_id == sender
    latest_start = (
        sa.select(sa.func.max(events_table.c.timestamp))
        .where(of_sender, events_table.c.type_name == SessionStarted.type_name)
        .correlate(None)  # its own query on the table, never tied to the outer one
        .scalar_subquery()
    )
    in_latest_session = sa.or_(events_table.c.timestamp >= latest_start, latest_start.is_(None))
    data = sa.select(events_table.c.data)
    return {
        "latest_count": sa.select(sa.func.count()).select_from(events_table).where(of_sender, in_latest_session),
        "latest": data.where(of_sender, in_latest_session).order_by(events_table.c.id),
        "all": data.where(of_sender).order_by(events_table.c.id),
    }


def _statements(store) -> Dict[Text, Any]:
    found = store.__dict__.get("_event_statements")
    if found is None:
        found = store.__dict__["_event_statements"] = event_statements(store.SQLEvent.__table__)
    return found


def additional_events(self, session, tracker):
    """Drop-in for SQLTrackerStore._additional_events: the tracker's events not stored yet."""
    import itertools

    stored = session.execute(_statements(self)["latest_count"], {"sender_id": tracker.sender_id}).scalar()
    return itertools.islice(tracker.events, stored, len(tracker.events))


async def retrieve_events_data(self, sender_id: Text, fetch_events_from_all_sessions: bool):
    """Drop-in for SQLTrackerStore._retrieve: the same tracker, read with a statement built once."""
    import json

    from rasa.shared.core.trackers import DialogueStateTracker

    statement = _statements(self)["all" if fetch_events_from_all_sessions else "latest"]
    with self.session_scope() as session:  # the tracker built inside it, as Rasa builds it
        events = [json.loads(data) for data in session.execute(statement, {"sender_id": sender_id}).scalars()]
        if self.domain and len(events) > 0:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None


async def save_new_events_in_one_statement(self, tracker) -> None:
    """Drop-in for SQLTrackerStore.save: the same new events, inserted with one statement."""
    await self.stream_events(tracker)
    with self.session_scope() as session:
        rows = [event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
        if rows:
            session.execute(self.SQLEvent.__table__.insert(), rows)
        session.commit()


class RuleIndex:
    """A rule lookup's keys grouped by what their latest state requires of the conversation's
    latest state: the previous action's name and the user's intent (``ANY`` when the rule does not
    require one). Rules whose latest state has no previous action (conversation starters) apart."""

    ANY = object()

    def __init__(self, policy, lookup: Dict[Text, Text]):
        from collections import defaultdict

        from rasa.shared.core.constants import PREVIOUS_ACTION, USER
        from rasa.shared.nlu.constants import ACTION_NAME, INTENT

        self.keys = set(lookup)
        self.starters: list = []
        self.groups: Dict[tuple, list] = defaultdict(list)
        for key in lookup:
            latest = policy._rule_key_to_state(key)[-1]
            previous_action = latest.get(PREVIOUS_ACTION)
            if not previous_action:
                self.starters.append(key)
            else:
                action = self.required(previous_action, ACTION_NAME)
                self.groups[(action, self.required(latest.get(USER) or {}, INTENT))].append(key)

    @classmethod
    def required(cls, sub_state: Dict[Text, Any], name: Text) -> Any:
        """The value a rule requires (Rasa's check: set, and not SHOULD_NOT_BE_SET), else ANY."""
        from rasa.shared.core.constants import SHOULD_NOT_BE_SET

        value = sub_state.get(name)
        if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET:
            return value
        return cls.ANY

    def candidates(self, state: Dict[Text, Any]) -> list:
        """The keys Rasa's check could accept for this latest state (a superset of them)."""
        from rasa.shared.core.constants import PREVIOUS_ACTION, USER
        from rasa.shared.nlu.constants import ACTION_NAME, INTENT

        previous_action = state.get(PREVIOUS_ACTION)
        if not previous_action:
            return self.starters  # every other rule needs a previous action
        action, intent = previous_action.get(ACTION_NAME), (state.get(USER) or {}).get(INTENT)
        found = list(self.groups.get((self.ANY, self.ANY), ()))
        if isinstance(action, str):
            found += self.groups.get((action, self.ANY), ())
        if isinstance(intent, str):
            found += self.groups.get((self.ANY, intent), ())
            if isinstance(action, str):
                found += self.groups.get((action, intent), ())
        return found


def get_possible_keys(self, lookup: Dict[Text, Text], states: list) -> set:
    """Drop-in for RulePolicy._get_possible_keys: the same keys, fewer of them checked."""
    if not states:
        return set(lookup.keys())
    indexes = self.__dict__.setdefault("_rule_indexes", {})
    index = indexes.get(id(lookup))
    if index is None or index.keys != lookup.keys():  # a new or changed lookup (training builds them)
        index = indexes[id(lookup)] = RuleIndex(self, lookup)
    latest = states[-1]
    possible_keys = {key for key in index.candidates(latest) if self._is_rule_applicable(key, 0, latest)}
    for turn, state in enumerate(reversed(states[:-1]), start=1):
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn, state)}
    return possible_keys


def install() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = validate_action_result
    _rasa_resolve_by_type()  # remembered before it is replaced
    Event.resolve_by_type = staticmethod(resolve_event_type)
    SQLTrackerStore.save = save_new_events_in_one_statement
    SQLTrackerStore._additional_events = additional_events
    SQLTrackerStore._retrieve = retrieve_events_data
    RulePolicy._get_possible_keys = get_possible_keys


def main() -> None:
    import log_privacy

    log_privacy.install()
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
