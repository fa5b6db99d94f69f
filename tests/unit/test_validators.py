"""The form validators, called directly: what a shopper may type for each question."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.validators import (
    objection_choice,
    rectifiable_field,
    unless_reset,
    valid_email,
    valid_free_text,
    looks_like_a_name,
    valid_name,
)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Jane@Example.COM", "jane@example.com"),
        ("  jane.smith@example.co.uk. ", "jane.smith@example.co.uk"),
        ("jane+shop@example.com", "jane+shop@example.com"),
    ],
)
def test_an_email_address_is_trimmed_and_lower_cased(typed, expected):
    assert valid_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "jane",
        "jane@",
        "@example.com",
        "jane@example",
        "jane..smith@example.com",
        "jane@example.c0m",
        "jane@example.c",
        "jane smith@example.com",
        "my email is jane@example.com",
    ],
)
def test_what_is_not_an_email_address_is_refused(typed):
    assert valid_email(typed) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Jane Smith", "Jane Smith"),
        ("  Siân   O'Neil ", "Siân O'Neil"),
        ("Lê Văn", "Lê Văn"),
    ],
)
def test_a_name_is_kept_with_its_spacing_tidied(typed, expected):
    assert valid_name(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "J",
        "12345",
        "jane@example.com",
        "what do you mean?",
        "<b>Jane</b>",
        "a " * 9,
        "x" * 101,
        "yes",
        "OK.",
        "no",
        "Cancel",
        None,
    ],
)
def test_what_is_not_a_name_is_refused(typed):
    assert valid_name(typed) is None


@pytest.mark.parametrize(
    "typed", ["Morgan Blake", "morgan blake", "Jo O'Neill", "Will Smith", "Cher", "Anne-Marie Duff"]
)
def test_a_message_that_plainly_is_a_name_is_recognised_whatever_the_nlu_thought(typed):
    assert looks_like_a_name(typed) == typed


@pytest.mark.parametrize(
    "typed",
    ["where is my order", "delivery", "how much is the karaoke machine", "2 Acacia Avenue", "yes", "is it in stock?"],
)
def test_a_question_or_a_word_is_not_taken_for_a_name(typed):
    assert looks_like_a_name(typed) is None


def test_free_text_is_bounded_and_plain():
    assert valid_free_text("  my postal\naddress ") == "my postal address"  # line breaks become spaces
    assert valid_free_text("my   postal address") == "my postal address"
    assert valid_free_text("x" * 500) == "x" * 500
    assert valid_free_text("x" * 501) is None
    assert valid_free_text("x" * 600, limit=600) == "x" * 600
    assert valid_free_text("{json}") is None and valid_free_text("   ") is None


@pytest.mark.parametrize(
    "typed, choice",
    [
        ("stop profiling me", "profiling"),
        ("the credit check you ran", "credit_checks"),
        ("no more newsletters", "marketing"),
        ("I object", None),
    ],
)
def test_an_objection_is_placed_by_its_words(typed, choice):
    assert objection_choice(typed) == choice


def test_the_field_to_correct_is_a_whole_word():
    assert rectifiable_field("my postal address is wrong") == "address"
    assert rectifiable_field("my addresses are wrong") is None


def test_a_slot_reset_to_nothing_is_not_checked_or_complained_about():
    calls = []

    class Form:
        @unless_reset
        def validate_requester_email(self, value, dispatcher, tracker, domain):
            calls.append(value)
            return {"requester_email": valid_email(value)}

    dispatcher = CollectingDispatcher()
    assert Form().validate_requester_email(None, dispatcher, None, {}) == {"requester_email": None}
    assert calls == [] and dispatcher.messages == []
    assert Form().validate_requester_email("jane@example.com", dispatcher, None, {}) == {
        "requester_email": "jane@example.com"
    }
    assert calls == ["jane@example.com"]
