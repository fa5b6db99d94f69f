"""quality/redaction.py: what identifies a shopper is replaced before staff read a question."""

import pytest

from quality.redaction import MAX_CHARS, PLACEHOLDERS, personal_data_in, redact

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
    ("my name is jo bloggs, in lower case", "bloggs", "[name]"),
    ("i'm called jo bloggs and I want my data", "bloggs", "[name]"),
    ("my full name is Jo Bloggs", "Bloggs", "[name]"),
    ("my surname is Bloggs - what do you hold", "Bloggs", "[name]"),
    ("DOB 12 March 1985", "1985", "[date]"),
    ("born March 12th, 1985", "1985", "[date]"),
    ("EC1A  1BB is my postcode", "1BB", "[postcode]"),
    ("SW1A-1AA", "SW1A", "[postcode]"),
    ("card 4111/1111/1111/1111", "4111", "[number]"),
    ("jo at example dot fr", "example", "[email]"),
    ("jo dot bloggs at outlook dot com", "bloggs", "[email]"),
    ("jo\uff20example.com", "example", "[email]"),  # a full-width @
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
    "how long do you keep my data for 6 months?",
    "is my info sold to 3rd parties",
    "what is article 6(1)(f)",
    "my name is on the mailing list, remove it",
    "do you follow ISO 27001",
    "do you use Mailchimp.com for emails",
    "cookies on sessionmusic.co.uk",
    "I am Not Happy With This",
    "I'm Really Worried About My Data",
    "what is my name's use",
    "is a £1,299.99 order checked for fraud",
    "I looked at it. Then I asked",
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


def test_brackets_that_are_not_placeholders_are_refused():
    assert personal_data_in("my name is [jo bloggs]") == ["[...]"]
    assert personal_data_in("my name is [name], email [email]") == []


def test_a_long_message_is_cut_before_redaction():
    """(The cut is what bounds the patterns' work on adversarial input such as "a." * 5000.)"""
    for text in ("a." * 5000, "jo dot " * 2000 + "at", "I am Jo " * 2000):
        assert len(redact(text)) <= MAX_CHARS
