"""bot/rasa_server.py: the action-reply validation fix keeps Rasa's behaviour."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import rasa_server

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
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_server.install()
    return RemoteAction("action_answer_policy", None)


def test_the_fix_replaces_rasas_validation(installed):
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result


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
