"""Clause search (hybrid BM25 + WordLlama vectors): good matches for covered
questions, nothing for uncovered ones, and BM25 alone still works."""

import numpy as np
import pytest

from actions.clause_search import ClauseIndex, default_index
from actions.policy import default_policy
from actions.topics import default_topics

COVERED = [
    ("do you record phone calls", "2.1.7"),
    ("who hosts your servers", "sharing.service-providers"),
    ("what about the computer misuse act", "sharing.offences"),
    ("do you keep a record of what i search for", "cookies"),
    ("secure sockets layer", "3.1"),
    ("shared computer sign off", "3.4"),
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
    "newsletter frequency",
]


@pytest.mark.parametrize("question, clause", COVERED)
def test_covered_question_finds_its_clause(question, clause):
    match = default_index().best(question)
    assert match is not None and match.clause_id == clause, default_index().search(question)


@pytest.mark.parametrize("question", UNCOVERED)
def test_uncovered_question_gets_no_clause(question):
    """Either a not-covered subject is recognised or no clause scores high enough."""
    subject = default_topics().uncovered_subject(question)
    match = default_index().best(question)
    assert subject is not None or match is None, f"{question!r} would be answered with {match}"


def test_generic_words_alone_give_bm25_nothing():
    """BM25 ignores the words every privacy question has; only the vectors can still
    place such a message (and may: see the README's note on pure-vector matches)."""
    index = default_index()
    assert not index.lexical_scores("personal data information privacy policy").any()
    assert ClauseIndex(default_policy()).best("personal data information privacy policy") is None


def test_results_are_ranked_best_first_and_scores_bounded():
    ranked = default_index().search("cookie browser track", limit=3)
    assert ranked[0].clause_id == "cookies"
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert all(0 < m.score <= 1 for m in ranked)


def test_vectors_find_what_shares_no_word_with_the_clause():
    """ "who sees my data" shares no distinguishing word with the sharing clauses:
    BM25 alone finds nothing, the hybrid search finds them."""
    lexical_only = ClauseIndex(default_policy())
    assert lexical_only.best("who sees my data", threshold=0.3) is None
    match = default_index().search("who sees my data", limit=1)[0]
    assert match.clause_id in {"no-sale", "2.2", "2.3", "sharing.third-parties", "sharing"}


def test_extra_texts_lead_to_their_clause():
    index = ClauseIndex(default_policy(), {"updated": ["zebra crossing questions"]})
    assert index.search("zebra crossing", limit=1)[0].clause_id == "updated"
    assert np.argmax(index.lexical_scores("zebra")) == index.ids.index("updated")
