"""The REST channel's checks, as pure functions (the live channel: tests/e2e/test_channel_guards.py)."""

import pytest

from channels.guarded_rest import MAX_SENDER_CHARS, problem, without_markup


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"sender": "abc", "message": "hi"}, None),
        ({"sender": "abc"}, None),  # an empty message is Rasa's business (it answers it)
        ({"message": "hi"}, "'sender' is required"),
        ({"sender": "  ", "message": "hi"}, "'sender' is required"),
        ({"sender": 7, "message": "hi"}, "'sender' is required"),
        ({"sender": "x" * (MAX_SENDER_CHARS + 1), "message": "hi"}, "longer than"),
        ({"sender": "abc", "message": ["hi"]}, "'message' must be text"),
        ("just a string", "expected a JSON object"),
        (None, "expected a JSON object"),
    ],
)
def test_problem(body, expected):
    found = problem(body)
    assert (found is None) if expected is None else (expected in found)


@pytest.mark.parametrize(
    "text, plain",
    [
        ("do you sell my data?", "do you sell my data?"),
        ("<script>alert('x')</script>", ""),
        ("<script>alert('x')</script> do you sell my data", "do you sell my data"),
        ("<img src=x onerror=alert(1)>", ""),
        ("<b>cookies</b>?", "cookies ?"),
        ("is 3 < 4 and 5 > 2", "is 3 < 4 and 5 > 2"),
        ("<SCRIPT src=x>", ""),
    ],
)
def test_markup_is_taken_out(text, plain):
    assert without_markup(text) == plain
