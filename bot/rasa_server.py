"""The `rasa` command as this bot runs it: Rasa 3.6.21 with one measured fix, and its logs kept
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
reply. Nothing else in Rasa changes. The launcher (`make run`, `make shell`)
starts the server through this module: `python -m rasa_server run ...`.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text


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


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    import log_privacy

    log_privacy.install()
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
