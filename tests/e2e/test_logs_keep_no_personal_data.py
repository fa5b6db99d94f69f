"""No shopper text, name, email or slot value in any log the real stack writes.

A full conversation through the real Rasa server, action server, intake, outbox worker and
mail sink: a request form with a distinctive name and email, the paths that used to log what
the shopper typed (an intent payload typed as text, well-formed and malformed, quoting the email
and name; a policy question mid-form; a wrong email), the request lodged and both emails sent,
and a handoff whose question carries a codeword. Then every log file of the stack is read.
"""

import re
import uuid

import pytest

from .chat import Chat
from .mailbox import mentions, wait_for_mail

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\b((?:SM|HO)-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def converse_and_read_logs(stack):
    """A request and a handoff with distinctive personal data; what of it the logs hold."""
    tag = uuid.uuid4().hex[:8]
    name = "Zebedee Quarrington"  # names nobody else in the suite uses; the logs are this session's
    email = f"zebedee.q.{tag}@example.com"
    wrong_email = f"zebedee.{tag}@@nowhere"
    other_name = "Philippa Vossler"
    other_email = f"philippa.v.{tag}@example.com"
    codeword = f"xylophonequasar{tag}"
    secrets = [name, "Quarrington", email, wrong_email, other_name, "Vossler", other_email, codeword]

    chat = Chat(stack.rasa_url)
    first = chat.say(f"please send me a copy of all the data you hold about me, my codeword is {codeword}")
    assert {"kind": "request", "request_type": "access"} in first.payloads, first.text
    # An intent payload typed as text, as a curious shopper (or the widget's buttons) would:
    # Rasa parses it itself and warns about what it cannot use, quoting it.
    chat.say(f'/request_access{{"requester_email": "{other_email}", "requester_name": "{other_name}"}}')
    chat.say(f'/request_access{{"requester_email": "{other_email}", "requester_name": "{other_name}"')
    chat.say(f'/inform{{"requester_name": "{other_name}", "nope": [1, 2')
    chat.say(name)
    # Refused as an email address, or (depending on the trained model) answered as a question
    # mid-form: either way the form asks again and the text must not reach a log.
    assert "email" in chat.say(wrong_email).text.lower()
    chat.say("do you sell my data?")
    summary = chat.say(email)
    assert email in summary.text and "Shall I send it?" in summary.text, summary.text
    done = chat.say("yes")
    reference = REFERENCE.search(done.text).group(1)
    wait_for_mail(stack.mail_dir, lambda m: email in str(m["To"]) and mentions(reference)(m))
    wait_for_mail(stack.mail_dir, lambda m: "sales@" in str(m["To"]).lower() and mentions(reference)(m))

    handoff = Chat(stack.rasa_url)
    handoff.say("let me talk to a person")
    handoff.say(other_email)
    handoff.say(f"Does {other_name} still get my {codeword} catalogue?")
    sent = handoff.say("yes")
    handoff_ref = REFERENCE.search(sent.text)
    assert handoff_ref, sent.text
    wait_for_mail(stack.mail_dir, lambda m: mentions(handoff_ref.group(1))(m))

    return logs_quoting(stack.var_dir / "log", secrets)


def logs_quoting(log_dir, secrets):
    logs = sorted(log_dir.glob("*.log"))
    names = {log.name for log in logs}
    assert {"rasa.log", "actions.log", "intake.log", "outbox.log", "mail.log"} <= names, names
    assert all(log.stat().st_size for log in logs if log.name in {"rasa.log", "actions.log"})
    leaks = []
    for log in logs:
        text = log.read_text(errors="replace").lower()
        for secret in secrets:
            if secret.lower() in text:
                line = next(line for line in text.splitlines() if secret.lower() in line)
                leaks.append(f"{log.name}: {secret!r} in {line[:300]!r}")
    return leaks


def test_a_full_conversation_leaves_no_personal_data_in_any_log(stack):
    leaks = converse_and_read_logs(stack)
    assert not leaks, "personal data in the logs:\n" + "\n".join(leaks)


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory):
    """The same stack with every service at DEBUG (Rasa and rasa_sdk read LOG_LEVEL): the
    level at which Rasa quotes every message, entity and slot."""
    from launcher import Ports, Stack

    running = Stack(
        ports=Ports.free(), var_dir=tmp_path_factory.mktemp("debug-stack"), extra_env={"LOG_LEVEL": "DEBUG"}
    ).start()
    yield running
    running.stop()


def test_even_debug_logging_leaves_no_personal_data_in_any_log(debug_stack):
    leaks = converse_and_read_logs(debug_stack)
    assert not leaks, "personal data in the debug logs:\n" + "\n".join(leaks)
    rasa_log = (debug_stack.var_dir / "log" / "rasa.log").read_text(errors="replace")
    actions_log = (debug_stack.var_dir / "log" / "actions.log").read_text(errors="replace")
    assert " DEBUG " in rasa_log and " DEBUG " in actions_log, "both servers really logged at DEBUG"
