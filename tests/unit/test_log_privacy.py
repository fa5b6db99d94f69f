"""bot/log_privacy.py: what Rasa, rasa_sdk and structlog would log of a shopper's words, and
what reaches the log once the filter is installed. Each case drives Rasa's own code (its
intent-payload parser, its structlog set-up) in a child process, as `install()` changes the
process's logging for good."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import action_server
import log_privacy

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
NAME, EMAIL = "Zebedee Quarrington", "zebedee.q@example.com"

# Rasa's real code paths that quoted the shopper: its payload parser's warning (a message typed
# as /request_access{...}), a structlog event with text= (the REST channel's failure), a
# structlog exception, a library's debug line, and a stdlib exception whose message quotes him.
CHILD = textwrap.dedent(f"""
    import logging, os, sys
    if os.environ.get("INSTALL") == "1":
        import log_privacy
        log_privacy.install()
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message
    from rasa.utils.log_utils import configure_structlog
    import structlog

    configure_structlog(logging.DEBUG)
    logging.getLogger().handlers[0].setStream(sys.stderr)
    domain = Domain.from_yaml("intents: [request_access]")
    for text in ['/request_access{{"requester_email": "{EMAIL}", "requester_name": "{NAME}"}}',
                 '/request_access{{"requester_name": "{NAME}", "requester_email": "{EMAIL}"']:
        YAMLStoryReader.unpack_regex_message(Message(data={{"text": text}}), domain)
    log = structlog.get_logger("rasa.core.channels.rest")
    log.error("rest.message.received.failure", text="my name is {NAME}", sender_id="abc", n=3)
    try:
        raise ValueError("no slot for {NAME} <{EMAIL}>")
    except ValueError:
        log.exception("rest.message.received.failure", text="{EMAIL}")
        logging.getLogger("rasa_sdk.endpoint").exception("action failed")
    logging.getLogger("rasa.core.processor").debug(
        "Received user message '{NAME}' with intent '{{'name': 'inform'}}' and entities "
        "'[{{'entity': 'requester_name', 'value': '{NAME}'}}]'")
    logging.getLogger("rasa_sdk.executor").debug("Received request to run 'action_submit_request'")
""")


def run_child(install: bool) -> str:
    env = {
        "PYTHONPATH": str(BOT_DIR),
        "INSTALL": "1" if install else "0",
        "PATH": "/usr/bin:/bin",
        "PYTHONWARNINGS": "default",
        "FORCE_JSON_LOGGING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def unfiltered():
    return run_child(install=False)


@pytest.fixture(scope="module")
def filtered():
    return run_child(install=True)


def test_without_the_filter_rasa_logs_the_shoppers_name_and_email(unfiltered):
    """The cases reproduce the leak: otherwise the next test would prove nothing."""
    assert NAME in unfiltered and EMAIL in unfiltered


def test_with_the_filter_no_name_or_email_reaches_the_log(filtered):
    assert NAME not in filtered and "Quarrington" not in filtered
    assert EMAIL not in filtered and "@example.com" not in filtered


def test_what_the_filtered_log_still_says(filtered):
    assert "Failed to parse arguments in line '/request_access{[redacted]}" in filtered
    assert '"event": "rest.message.received.failure"' in filtered and '"text": "[redacted]"' in filtered
    assert '"sender_id": "abc"' in filtered and '"n": 3' in filtered
    assert "ValueError: (message withheld" in filtered and 'File "<string>", line' in filtered
    assert "Received user message [rest withheld]" in filtered
    assert "Received request to run 'action_submit_request'" in filtered


@pytest.mark.parametrize(
    "text, expected",
    [
        ("write to jane.smith@example.com today", "write to [redacted] today"),
        ("broken jane@@nowhere address", "broken [redacted] address"),
        ('line \'/inform@0.9{"name": "Jane"\' here', "line '/inform@0.9{[redacted]}"),
        ("slot 'requester_name' of 'request_form'", "slot 'requester_name' of 'request_form'"),
        ("model 'build/spacy-en'", "model 'build/spacy-en'"),
        ("value 'Jane Smith' set", "value '[redacted]' set"),
        ('value "jane" set', 'value "[redacted]" set'),
    ],
)
def test_scrub(text, expected):
    assert log_privacy.scrub(text) == expected


def test_log_level_debug_reaches_the_action_server_unless_its_flags_say_otherwise():
    assert action_server.with_log_level(["--actions", "actions"], "DEBUG") == ["--actions", "actions", "--debug"]
    assert action_server.with_log_level(["--actions", "actions"], "info") == ["--actions", "actions"]
    assert action_server.with_log_level(["--quiet"], "DEBUG") == ["--quiet"]
