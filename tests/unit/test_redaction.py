"""quality/redaction.py: what identifies a shopper is replaced before staff read a question."""

import pytest

from quality.redaction import PLACEHOLDERS, personal_data_in, redact

PERSONAL = [
    ("my email is jo.bloggs+shop@example.co.uk, what do you keep?", "jo.bloggs", "[email]"),
    ("call me on 07700 900123 about my data", "900123", "[number]"),
    ("ring +44 (0)20 7946 0958 please", "7946", "[number]"),
    ("order #1042 - who saw my address?", "1042", "[number]"),
    ("my card 4111-1111-1111-1111 was it stored?", "4111", "[number]"),
    ("I live at SW1A 1AA, do you share that?", "SW1A", "[postcode]"),
    ("delivery to m1 1ae - who sees it", "m1 1ae", "[postcode]"),
    ("I moved from 12 High Street, can you update it", "High Street", "[address]"),
    ("what happened to request SM-7Q2C-9XKD?", "SM-7Q2C-9XKD", "[reference]"),
    ("see https://example.com/orders/abc?x=1 is that my data", "example.com", "[link]"),
    ("my name is Jo Bloggs, what do you hold on me", "Bloggs", "[name]"),
    ("hi, I'm called Priya, can you delete my account", "Priya", "[name]"),
    ("jo at example dot com - what do you keep?", "example", "[email]"),
    ("mail jo.bloggs @ example.com back", "bloggs", "[email]"),
    ("text +44 7700 900123 or 07700-900-123", "7700", "[number]"),
    ("my postcode SW1A1AA - shared?", "SW1A1AA", "[postcode]"),
    ("what data is on order 1042?", "1042", "[number]"),
    ("order no. 987 - who saw it", "987", "[number]"),
    ("my DOB 12/03/1985 is wrong", "1985", "[date]"),
    ("status of SM7Q2C9XKD?", "SM7Q2C9XKD", "[reference]"),
    ("is example.com/orders/12 my data", "example.com", "[link]"),
    ("I\u2019m called Priya", "Priya", "[name]"),  # the apostrophe phone keyboards type
    ("my name\u2019s Priya, what data", "Priya", "[name]"),
    ("my  name is Jo, hi", "Jo", "[name]"),
    ("I am Jo Bloggs, delete me", "Bloggs", "[name]"),
    ("Name: Jo Bloggs. what do you hold", "Bloggs", "[name]"),
    ("my name is Mary-Jane O\u2019Neil", "Neil", "[name]"),
]


@pytest.mark.parametrize("text, secret, placeholder", PERSONAL)
def test_personal_data_is_replaced_by_its_placeholder(text, secret, placeholder):
    redacted = redact(text)
    assert secret not in redacted, redacted
    assert placeholder in redacted, redacted
    assert personal_data_in(text), "the pattern that redacts it also finds it"
    assert personal_data_in(redacted) == [], "placeholders are not personal data"


ORDINARY = [
    "do you keep my data for more than 30 days?",
    "is this still the 2018 policy?",
    "who sees my data",
    "can I use the shop without an account?",
    "do you store my card details",
    "what is my name used for?",
    "what about GDPR article 15",
    "what if my name is wrong on the order",
    "my name is used for what?",
    "what is the name's purpose",
    "is the 2020-2021 policy still valid",
    "can I order 3 mics without an account",
    "do you use 2fa",
    "is support 24/7?",
    "look at my data and tell me",
    "I'm UK based, does GDPR apply",
]


def test_a_name_keeps_the_words_around_it():
    assert redact("My name is Jo and I live in Leeds") == "My name is [name] and I live in Leeds"


@pytest.mark.parametrize("text", ORDINARY)
def test_an_ordinary_question_is_left_as_it_is(text):
    assert redact(text) == text
    assert personal_data_in(text) == []


def test_every_placeholder_is_distinct_and_bracketed():
    assert len(set(PLACEHOLDERS)) == len(PLACEHOLDERS)
    assert all(p.startswith("[") and p.endswith("]") for p in PLACEHOLDERS)
