"""The validators of the portability, restriction, complaint, Art 22C and status questions,
called directly: what a shopper may type, and what is asked again."""

import pytest

from actions.validators import (
    NOT_GIVEN,
    complaint_subject,
    optional_reference,
    portability_recipient,
    request_reference,
    restriction_grounds,
    safeguards,
)
from dsar_contract import AUTOMATED_DECISION_SAFEGUARDS, COMPLAINT_SUBJECTS, RESTRICTION_GROUNDS


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("SM-AB12-CD34", "SM-AB12-CD34"),
        ("where's my request sm-ab12-cd34?", "SM-AB12-CD34"),
        ("it's SM-AB12-CDO4", "SM-AB12-CD04"),  # a letter O typed for a zero
        ("SM-7KQ2-M9XD, thanks", "SM-7KQ2-M9XD"),
    ],
)
def test_a_reference_is_found_in_what_the_shopper_typed(typed, expected):
    assert request_reference(typed) == expected


@pytest.mark.parametrize("typed", [None, "", "SM-1234", "SM-ABCD-EFG", "AB12-CD34", "HO-AB12-CD34", "SM-AB12-CDU4"])
def test_what_is_not_a_reference_is_refused(typed):
    assert request_reference(typed) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("none", NOT_GIVEN),
        ("No", NOT_GIVEN),
        ("I don't have one", NOT_GIVEN),
        ("n/a", NOT_GIVEN),
        ("SM-AB12-CD34", "SM-AB12-CD34"),
        ("maybe later", None),
        ("SM-12", None),
    ],
)
def test_a_complaints_reference_is_optional_but_checked_when_given(typed, expected):
    assert optional_reference(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("a person to review it", "human_review"),
        ("I want to challenge it and explain my side", "express_view,contest"),
        ("all of them", ",".join(AUTOMATED_DECISION_SAFEGUARDS)),
        ("human review", "human_review"),
        ("none", NOT_GIVEN),
        ("banana", None),
    ],
)
def test_art_22c_safeguards_are_read_from_the_shoppers_words(typed, expected):
    assert safeguards(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("to me", "requester"),
        ("Me please", "requester"),
        ("requester", "requester"),
        ("Currys PC World", "Currys PC World"),
        ("<script>", None),
        ("", None),
    ],
)
def test_portability_goes_to_the_shopper_or_a_named_organisation(typed, expected):
    assert portability_recipient(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("my address is wrong", "accuracy_contested"),
        ("I've objected and I'm waiting", "objection_pending"),
        ("you're not allowed to use it", "unlawful"),
        ("I need it for a court case", "legal_claim"),
        ("legal_claim", "legal_claim"),
        ("because", None),
    ],
)
def test_restriction_grounds_are_one_of_the_four_in_art_18(typed, expected):
    assert restriction_grounds(typed) == expected
    assert expected is None or expected in RESTRICTION_GROUNDS


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("you ignored my access request", "request_handling"),
        ("spam emails after I unsubscribed", "marketing"),
        ("my details were leaked", "breach"),
        ("how you shared my data", "data_use"),
        ("data_use", "data_use"),
        ("something else", "other"),
        ("grr", None),
    ],
)
def test_a_complaint_is_about_one_of_the_contracts_subjects(typed, expected):
    assert complaint_subject(typed) == expected
    assert expected is None or expected in COMPLAINT_SUBJECTS
