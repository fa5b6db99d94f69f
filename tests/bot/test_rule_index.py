"""bot/rasa_server.py's rule index: on the trained model's own rules, RulePolicy finds the same
rules with the fix as with Rasa's code, for conversation states that match rules, states that
almost match them and states that match none."""

from __future__ import annotations

import copy
import json
import tarfile

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema

import rasa_server

from .rasa_cli import require_model

RASA_GET_POSSIBLE_KEYS = RulePolicy._get_possible_keys


@pytest.fixture(scope="module")
def policy():
    with tarfile.open(require_model()) as model:
        member = next(m for m in model.getmembers() if m.name.endswith("RulePolicy0/rule_policy.json"))
        lookup = json.load(model.extractfile(member))["lookup"]
    context = ExecutionContext(GraphSchema({}), "rule-index-test")
    return RulePolicy(RulePolicy.get_default_config(), None, None, context, lookup=lookup)


def rule_states(key):
    return json.loads(key)


def variants(states, intents, actions):
    """The rule's own states, and the same with the latest intent or previous action swapped,
    the intent replaced by text (as Rasa's text prediction has it), and without a previous action."""
    yield states
    latest = states[-1]
    for intent in intents:
        changed = copy.deepcopy(states)
        changed[-1].setdefault("user", {})["intent"] = intent
        yield changed
    for action in actions:
        changed = copy.deepcopy(states)
        changed[-1]["prev_action"] = {"action_name": action}
        yield changed
    if "user" in latest:
        changed = copy.deepcopy(states)
        changed[-1]["user"] = {"text": "do you sell my data?"}
        yield changed
    changed = copy.deepcopy(states)
    changed[-1].pop("prev_action", None)
    yield changed
    yield [{"prev_action": {"action_name": "action_listen"}}, *copy.deepcopy(states)]  # a longer history


@pytest.mark.parametrize("lookup_name", [RULES, RULES_FOR_LOOP_UNHAPPY_PATH])
def test_the_fix_finds_the_same_rules_as_rasa(policy, lookup_name):
    lookup = policy.lookup[lookup_name]
    keys = list(lookup)
    assert len(keys) > 20, "the trained model's rules"
    latest = [rule_states(key)[-1] for key in keys]
    intents = sorted({s["user"]["intent"] for s in latest if "intent" in s.get("user", {})})[:12] + ["nlu_fallback"]
    actions = sorted({s["prev_action"]["action_name"] for s in latest if "action_name" in s.get("prev_action", {})})[:8]
    checked = matched = 0
    for key in keys:
        for states in variants(rule_states(key), intents, actions):
            expected = RASA_GET_POSSIBLE_KEYS(policy, lookup, states)
            assert rasa_server.get_possible_keys(policy, lookup, states) == expected, states
            checked += 1
            matched += bool(expected)
    assert rasa_server.get_possible_keys(policy, lookup, []) == set(keys)  # no history: every rule, as Rasa
    assert checked >= 15 * len(keys) and matched > len(keys) // 2, (checked, matched)


def test_a_changed_lookup_is_indexed_again(policy):
    lookup = dict(policy.lookup[RULES])
    key = next(k for k in lookup if "intent" in rule_states(k)[-1].get("user", {}))
    states = rule_states(key)
    assert key in rasa_server.get_possible_keys(policy, lookup, states)
    del lookup[key]
    assert key not in rasa_server.get_possible_keys(policy, lookup, states)
    assert rasa_server.get_possible_keys(policy, lookup, states) == RASA_GET_POSSIBLE_KEYS(policy, lookup, states)
