"""The policy loader: the project's copy of the policy, parsed into clauses."""

from pathlib import Path

import pytest
import yaml

from actions.policy import POLICY_FILE, PolicyError, default_policy, fingerprint, parse_policy

SHARED_POLICY = Path(__file__).resolve().parents[3] / "shared" / "policy" / "privacy-policy.yml"


def test_loads_all_fifty_clauses_with_unique_ids():
    policy = default_policy()
    assert len(policy.ids()) == 50
    assert len(set(policy.ids())) == 50
    for clause_id in ("2.1.6", "cookies", "rights.marketing", "access", "contact.privacy"):
        assert clause_id in policy


@pytest.mark.skipif(not SHARED_POLICY.exists(), reason="no shared/ checkout beside this repo")
def test_project_copy_is_a_plain_copy_of_the_shared_policy():
    assert POLICY_FILE.read_bytes() == SHARED_POLICY.read_bytes()


def test_clause_text_is_verbatim_with_whitespace_folded():
    raw = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    policy = default_policy()
    for entry in raw["clauses"]:
        assert policy[entry["id"]].text == " ".join(entry["text"].split())


def test_quote_of_selected_sentences_is_verbatim_and_marks_gaps():
    clause = default_policy()["2.5.1"]
    sentences = clause.sentences()
    assert " ".join(sentences) == clause.text
    assert clause.quote([1, 2]) == f"{sentences[0]} {sentences[1]}"
    assert clause.quote([1, 3]) == f"{sentences[0]} … {sentences[2]}"
    with pytest.raises(PolicyError):
        clause.quote([99])


@pytest.mark.parametrize(
    "document, problem",
    [
        ({}, "clauses"),
        ({"clauses": [{"id": "a", "text": ""}]}, "id and text"),
        ({"clauses": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}, "duplicate"),
    ],
)
def test_malformed_policy_is_refused_with_a_clear_error(document, problem):
    with pytest.raises(PolicyError, match=problem):
        parse_policy(document)


def test_fingerprint_ignores_whitespace_but_not_words():
    assert fingerprint("We may  use\ncookies") == fingerprint("We may use cookies")
    assert fingerprint("We may use cookies") != fingerprint("We may not use cookies")
