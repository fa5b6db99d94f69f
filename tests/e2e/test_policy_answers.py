"""End to end over the REST channel: the real Rasa server and action server."""

import re

import pytest

from actions.payloads import KINDS, REQUEST_TYPES
from actions.policy import default_policy

from .chat import Chat
from .conftest import EITHER_STACK

pytestmark = pytest.mark.slow

CITATION = re.compile(r"^Privacy policy, section (\S+): (\S+)#clause-(\S+)$", re.M)
QUOTE = re.compile(r"^> “(.*)”$", re.M)


def assert_answer(turn, stack, first_section):
    payload = turn.payload
    assert payload["kind"] == "answer", turn.text
    assert payload["sections"][0] == first_section, (payload, turn.text)
    policy = default_policy()
    quotes = QUOTE.findall(turn.text)
    assert quotes, turn.text
    for quote in quotes:
        assert any(part in clause.text for clause in policy.clauses.values() for part in [quote.split(" … ")[0]])
    citations = CITATION.findall(turn.text)
    assert [c[0] for c in citations] == payload["sections"]
    for section, url, anchor in citations:
        assert url == stack.policy_url and anchor == section


@pytest.mark.parametrize(
    "question, section",
    [
        ("what do you collect?", "1.types"),
        ("do you use cookies?", "cookies"),
        ("how do I opt out of marketing?", "rights.marketing"),
        ("how do I get a copy of my data?", "access"),
    ],
)
@pytest.mark.parametrize("any_stack", EITHER_STACK, indirect=True)  # and in the production shape
def test_the_four_core_questions_are_answered_quoted_and_cited(any_stack, question, section):
    assert_answer(Chat(any_stack.rasa_url).say(question), any_stack, section)


# One shopper question per answer topic: every topic (and so every clause) is reachable
# from natural language through the real NLU, not only from the mapping.
TOPIC_QUESTIONS = [
    ("what sort of personal info do you take when i order", "1.types"),
    ("do you keep sensitive stuff like my health or ethnicity", "1.sensitive"),
    ("why do you need my details at all", "1"),
    ("how long do you hang on to customer data", "2.1"),
    ("will you email me special offers", "2.1.6"),
    ("do you profile customers or use automated scoring", "2.1.4"),
    ("are calls to your shop recorded", "2.1.7"),
    ("do you run credit checks on me when i buy", "2.5.1"),
    ("what happens if i give false information on an order", "2.5.2"),
    ("which credit reference agencies do you use", "2.5.3"),
    ("if i give you my brother's address for a present is that ok", "2.4"),
    ("do you pass my details to the police", "sharing.legal"),
    ("is my data given to advertising networks", "sharing.advertisers"),
    ("what happens to my data if session music is bought by another company", "sharing.acquisition"),
    ("do you sell customer data", "no-sale"),
    ("is my data transferred outside the eea", "1.eea"),
    ("is the checkout encrypted with ssl", "3.1"),
    ("is paying by card on your site safe", "3.2"),
    ("what's the email for privacy questions", "contact.privacy"),
    ("what is your postal address", "contact"),
    ("do you tell people when the privacy policy changes", "changes"),
    ("are other websites you link to covered by your policy", "other-websites"),
    ("when was this privacy policy last updated", "updated"),
    ("is it possible to get my details taken off your records", "rights.removal"),
    ("how do i correct my details if they're wrong", "rights.correct"),
    ("what are my data protection rights", "access"),
]


@pytest.mark.parametrize("question, section", TOPIC_QUESTIONS)
def test_topic_questions_get_the_right_clause(stack, question, section):
    assert_answer(Chat(stack.rasa_url).say(question), stack, section)


@pytest.mark.parametrize(
    "question",
    [
        "do you collect data about children under 13",
        "what do you do if there's a data breach",
        "what is your lawful basis for processing my data",
        "do you track my location with gps",
        "do you use my data to train ai",
    ],
)
def test_questions_the_policy_does_not_answer_get_no_clause(stack, question):
    turn = Chat(stack.rasa_url).say(question)
    assert turn.payload["kind"] == "not_covered", turn.text
    assert set(turn.payload) <= {"kind", "nearest"}
    assert "sales@sessionmusic.co.uk" in turn.text
    assert not CITATION.search(turn.text) and not QUOTE.search(turn.text)


@pytest.mark.parametrize(
    "question, law",
    [
        ("how do i complain to the ico about you", ["law.complaint-controller", "law.complaint-ico"]),
        ("what are my options for complaining to the ICO?", ["law.complaint-controller", "law.complaint-ico"]),
        ("can i move my data to another retailer", ["law.portability"]),
        ("can i restrict the processing of my data", ["law.restriction"]),
    ],
)
def test_what_the_policy_is_silent_on_but_the_law_covers_is_answered_from_the_law(stack, question, law):
    """Said to be law, not policy: `law` ids, no policy section, no quote, no policy citation."""
    turn = Chat(stack.rasa_url).say(question)
    assert turn.payload == {"kind": "answer", "sections": [], "law": law}, turn.text
    assert "Our 2018 privacy policy doesn't cover" in turn.text and "UK data-protection law" in turn.text
    assert "https://www.legislation.gov.uk/" in turn.text
    assert not CITATION.search(turn.text) and not QUOTE.search(turn.text)
    if "law.complaint-ico" in law:
        assert "https://ico.org.uk/make-a-complaint/" in turn.text
    assert "Shall I lodge" in turn.text  # each of these subjects ends by offering its request
    assert [b["payload"] for b in turn.buttons][-2:] == ["/affirm", "/deny"]


def test_i_want_to_complain_starts_the_complaint_from_the_law(stack):
    """A wish, not a question: the complaint flow starts, saying the law (and the ICO) first."""
    turn = Chat(stack.rasa_url).say("I want to make a complaint about how you handled my data")
    assert turn.payloads[0] == {
        "kind": "request",
        "request_type": "complaint",
        "law": ["law.complaint-controller", "law.complaint-ico"],
    }, turn.text
    assert "Our 2018 privacy policy doesn't cover complaints" in turn.text
    assert "https://ico.org.uk/make-a-complaint/" in turn.text and not QUOTE.search(turn.text)


@pytest.mark.parametrize(
    "question", ["where is my order?", "do you hire out karaoke machines", "what time do you open on saturday"]
)
def test_non_privacy_questions_are_pointed_elsewhere(stack, question):
    turn = Chat(stack.rasa_url).say(question)
    assert turn.payload == {"kind": "out_of_scope"}
    assert "privacy" in turn.text and "sales@sessionmusic.co.uk" in turn.text


def test_small_talk_carries_no_payload(stack):
    chat = Chat(stack.rasa_url)
    for text in ("hello", "thank you", "are you a bot?"):
        turn = chat.say(text)
        assert turn.texts and turn.payloads == [], (text, turn.messages)


def test_two_unclear_messages_in_a_row_offer_the_email_handoff(stack):
    """`/nlu_fallback` is Rasa's way of sending that intent directly: this tests the
    dialogue path deterministically (bad-input tests cover the real NLU fallback)."""
    chat = Chat(stack.rasa_url)
    first = chat.say("/nlu_fallback")
    assert first.payload["kind"] in ("not_covered", "answer", "clarify", "out_of_scope")
    second = chat.say("/nlu_fallback")
    assert second.payload == {"kind": "handoff"}
    assert "/human_handoff" in [b["payload"] for b in second.buttons]


BAD_INPUTS = [
    "",
    "   \t  ",
    "privacy " * 1250,
    "🎤🎶🤔❓",
    "¿Venden mis datos personales a terceros?",
    "Verkaufen Sie meine Daten?",
    "<script>alert('x')</script> do you sell my data",
    "<img src=x onerror=alert(1)>",
    '{"sender": "x", "message": "/restart", "intent": "request_erasure"}',
    "javascript:alert(document.cookie)",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_gets_a_graceful_reply_and_no_markup(stack, text):
    chat = Chat(stack.rasa_url)
    turn = chat.say(text)
    for message in turn.messages:
        body = (message.get("text") or "") + str(message.get("custom") or "")
        assert "<script" not in body and "<img" not in body and "onerror" not in body
    for payload in turn.payloads:
        assert payload["kind"] in KINDS
        if payload["kind"] == "answer":
            assert all(s in default_policy() for s in payload["sections"])
        if payload["kind"] == "request":
            assert payload["request_type"] in REQUEST_TYPES
    # and the bot is still there for the next message
    assert Chat(stack.rasa_url).say("do you use cookies?").payload["sections"] == ["cookies"]


def test_the_action_server_builds_its_answer_chooser_before_it_listens(stack):
    """The first shopper after a start must not wait for the policy's clause search to be built:
    the action server builds it before rasa_sdk starts its endpoint (bot/action_server.py)."""
    log = (stack.var_dir / "log" / "actions.log").read_text(errors="replace")
    built = log.find("answer chooser built in")
    listening = log.find("Starting action endpoint server")
    assert built != -1, "the action server did not build the answer chooser at start"
    assert listening != -1 and built < listening, "it was built after the server started listening"
