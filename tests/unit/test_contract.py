"""The facts the bot and the intake must agree on: defined once in dsar_contract where both
runtimes can import it, and held together here where they cannot (widget.js, the intake's
objection choices, timeouts of the processes around the bot's call to the intake)."""

import json
import re
from pathlib import Path

import pytest

import dsar_contract

ROOT = Path(__file__).resolve().parents[2]


def widget_source():
    return (ROOT / "web_widget" / "widget.js").read_text(encoding="utf-8")


# --- request types ---------------------------------------------------------------------------


def test_the_bot_and_the_intake_use_the_one_list_of_request_types():
    from actions import payloads
    from intake import models, schemas

    assert payloads.REQUEST_TYPES is dsar_contract.REQUEST_TYPES
    assert models.REQUEST_TYPES is dsar_contract.REQUEST_TYPES
    assert schemas.REQUEST_CREATE["properties"]["request_type"]["enum"] == list(dsar_contract.REQUEST_TYPES)


def test_the_bot_names_and_starts_every_request_type_and_no_other():
    from actions.request_types import REQUEST_LABELS, REQUEST_OF_INTENT

    assert set(REQUEST_LABELS) == set(dsar_contract.REQUEST_TYPES)
    assert set(REQUEST_OF_INTENT.values()) == set(dsar_contract.REQUEST_TYPES)


def test_the_widget_names_every_request_type_and_no_other():
    block = re.search(r"var REQUEST_NAMES = \{(.*?)\};", widget_source(), re.S)
    assert block, "web_widget/widget.js: REQUEST_NAMES not found"
    names = re.findall(r"(\w+)\s*:\s*'", block.group(1))
    assert sorted(names) == sorted(dsar_contract.REQUEST_TYPES)


# --- objection choices -----------------------------------------------------------------------


def test_the_bot_recognises_exactly_the_objections_the_intake_accepts():
    from actions.validators import OBJECTION_CHOICES
    from intake.models import OBJECTION_PROCESSING

    assert tuple(OBJECTION_CHOICES) == tuple(OBJECTION_PROCESSING)


# --- the email rule --------------------------------------------------------------------------

ADDRESSES = [
    "jane@example.com",
    "Jane.Smith+shop@mail.example.co.uk",
    "o'neil@example.ie",
    "a@b.io",
    "jane..smith@example.com",
    "jane@example.c0m",
    "jane@example.c",
    ".jane@example.com",
    "jane.@example.com",
    "jane@-example.com",
    "jane@example-.com",
    "jane@example..com",
    "jane@localhost",
    "jane smith@example.com",
    "jane@exa mple.com",
    "jane@@example.com",
    "jané@example.com",
    "jane@exämple.com",
    "x" * 65 + "@example.com",
    "j@" + "a" * 250 + ".com",
    "jane@example.com\n",
    "<jane@example.com>",
    "",
]


@pytest.mark.parametrize("typed", ADDRESSES)
def test_the_bot_accepts_an_email_address_exactly_when_the_intake_would(typed):
    from actions.validators import valid_email
    from intake.validation import is_valid_email

    cleaned = valid_email(typed)
    assert (cleaned is not None) == is_valid_email(typed.strip().strip(".").lower())
    if cleaned is not None:
        assert is_valid_email(cleaned)


@pytest.mark.parametrize("typed", ["jane..smith@example.com", "jane@example.c0m", "jane@example.c"])
def test_addresses_the_intake_refuses_are_refused_by_the_bot_too(typed):
    from actions.validators import valid_email
    from intake.validation import is_valid_email

    assert not is_valid_email(typed)
    assert valid_email(typed) is None


def test_both_sides_use_the_one_email_rule():
    from intake import validation

    assert validation.is_valid_email is dsar_contract.is_valid_email


# --- signing scheme --------------------------------------------------------------------------


def test_the_bot_signs_with_the_scheme_the_intake_verifies():
    from actions import intake_client
    from intake import signing

    assert intake_client.sign is signing.sign is dsar_contract.sign
    body = json.dumps({"request_type": "access"}).encode()
    headers = signing.signed_headers("secret", body, timestamp=1_700_000_000)
    assert set(headers) == {dsar_contract.TIMESTAMP_HEADER, dsar_contract.SIGNATURE_HEADER}
    assert signing.verify("secret", "1700000000", body, headers[dsar_contract.SIGNATURE_HEADER], now=1_700_000_010)
    assert not signing.verify("other", "1700000000", body, headers[dsar_contract.SIGNATURE_HEADER], now=1_700_000_010)


def test_the_shared_package_needs_nothing_but_the_standard_library():
    for path in (ROOT / "dsar_contract").glob("*.py"):
        imports = re.findall(r"^\s*(?:from|import) (\S+)", path.read_text(encoding="utf-8"), re.M)
        assert all(name.startswith(".") or name in {"hashlib", "hmac", "re"} for name in imports), (path, imports)


# --- conversation ids and their retention ----------------------------------------------------

CONVERSATION_IDS = [
    "0123456789abcdef0123456789abcdef",
    "test-0123abcd",
    "a",
    "Z" * 128,
    "rasa:shell.1_2",
    "",
    "Z" * 129,
    "conv 1",
    "-conv",
    "conv\n",
    "convé",
    "../x",
    None,
    42,
]


@pytest.mark.parametrize("sender", CONVERSATION_IDS)
def test_the_bot_links_a_conversation_exactly_when_the_intake_would_store_its_id(sender):
    import jsonschema

    from actions.intake_bodies import linked_conversation
    from intake import schemas

    schema = schemas.to_json_schema(schemas.CONVERSATION_ID)
    intake_accepts = sender is not None and jsonschema.Draft7Validator(schema).is_valid(sender)
    assert (linked_conversation(sender) is not None) == intake_accepts == dsar_contract.is_valid_conversation_id(sender)


def test_the_requests_and_handoffs_columns_hold_the_longest_id():
    from dsar_contract.conversations import CONVERSATION_ID_MAX_LENGTH
    from intake.models import DsarRequest, Handoff

    assert DsarRequest.__table__.c.conversation_id.type.length == CONVERSATION_ID_MAX_LENGTH
    assert Handoff.__table__.c.conversation_id.type.length == CONVERSATION_ID_MAX_LENGTH


def test_the_widget_states_the_retention_the_purge_applies_by_default():
    default = re.search(r"var DEFAULT_RETENTION_DAYS = (\d+);", widget_source())
    assert default, "web_widget/widget.js: DEFAULT_RETENTION_DAYS not found"
    assert int(default.group(1)) == dsar_contract.DEFAULT_RETENTION_DAYS


# --- timeouts around the bot's call to the intake --------------------------------------------


def test_the_bot_gives_up_on_the_intake_before_the_widget_and_rasa_give_up_on_the_bot():
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    from actions.settings import Settings

    widget_default = re.search(r"var timeoutMs = .*?Number\(ds\.timeout\) \|\| (\d+)", widget_source())
    assert widget_default, "web_widget/widget.js: the default timeout was not found"
    deadline = Settings.from_env().intake_deadline
    turn_overhead = 3  # NLU, policies and the form's own action calls in the same turn, under load
    assert deadline + turn_overhead <= int(widget_default.group(1))
    assert deadline < DEFAULT_REQUEST_TIMEOUT


def test_an_answer_cites_as_many_clauses_as_a_topic_may():
    from actions import payloads, topics

    assert topics.MAX_SECTIONS is payloads.MAX_SECTIONS


# --- the newer request types' choices, the reference format, the ICO's address --------------


def test_the_bot_reads_exactly_the_choices_the_intake_accepts():
    from actions.validators import COMPLAINT_CHOICES, RESTRICTION_CHOICES, SAFEGUARD_CHOICES
    from intake import schemas

    props = schemas.REQUEST_CREATE["properties"]
    assert tuple(RESTRICTION_CHOICES) == dsar_contract.RESTRICTION_GROUNDS
    assert props["restriction"]["properties"]["grounds"]["enum"] == list(dsar_contract.RESTRICTION_GROUNDS)
    assert set(COMPLAINT_CHOICES) == set(dsar_contract.COMPLAINT_SUBJECTS)
    assert props["complaint"]["properties"]["subject"]["enum"] == list(dsar_contract.COMPLAINT_SUBJECTS)
    assert tuple(SAFEGUARD_CHOICES) == dsar_contract.AUTOMATED_DECISION_SAFEGUARDS
    assert props["objection"]["properties"]["safeguards"]["items"]["enum"] == list(
        dsar_contract.AUTOMATED_DECISION_SAFEGUARDS
    )


def test_the_reference_format_is_the_one_the_intake_issues():
    from intake.workflow import new_reference

    assert all(dsar_contract.REFERENCE_PATTERN.fullmatch(new_reference()) for _ in range(200))


def test_the_intakes_complaint_emails_give_the_ico_address_of_the_law_file():
    from actions.law import default_law

    regulator = default_law().regulator
    for name in ("_ico_complaint.txt", "complaint_acknowledgement.txt", "complaint_outcome.txt"):
        text = (ROOT / "intake" / "templates" / "email" / name).read_text(encoding="utf-8")
        assert regulator.complaint_url in text and regulator.helpline in text, name


def test_every_request_type_the_bot_offers_after_a_law_answer_is_a_contract_type():
    from actions.topics import default_topics

    offered = set(default_topics().request_of_subject.values())
    assert offered == {"portability", "restriction", "complaint"}
