"""Clause search: good matches for covered questions, nothing for uncovered ones."""
import pytest

from actions.clause_search import default_index
from actions.topics import default_topics

COVERED = [
    ("do you record phone calls", "2.1.7"),
    ("who hosts your servers", "sharing.service-providers"),
    ("what about the computer misuse act", "sharing.offences"),
    ("do you keep a record of searches", "2.5.1"),
    ("secure sockets layer", "3.1"),
    ("shared computer sign off", "3.4"),
    ("companies act 2006 holding company", "sharing"),
]

UNCOVERED = [
    "do you collect data about children",
    "what do you do if there is a data breach",
    "what is your lawful basis",
    "how do i complain to the ico",
    "do you track my location with gps",
    "do you use my data to train ai models",
    "can i port my data to another retailer",
    "can i restrict processing of my data",
    "is my chat history kept?",
    "newsletter frequency",
]


@pytest.mark.parametrize("question, clause", COVERED)
def test_covered_question_finds_its_clause(question, clause):
    match = default_index().best(question)
    assert match is not None and match.clause_id == clause


@pytest.mark.parametrize("question", UNCOVERED)
def test_uncovered_question_gets_no_clause(question):
    """Either a not-covered subject is recognised or no clause scores high enough."""
    subject = default_topics().uncovered_subject(question)
    match = default_index().best(question)
    assert subject is not None or match is None, f"{question!r} would be answered with {match}"


def test_search_ranks_best_first_and_ignores_generic_words():
    results = default_index().search("personal data information privacy policy")
    assert results == []
    ranked = default_index().search("cookie browser track", limit=3)
    assert ranked[0].clause_id == "cookies"
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
