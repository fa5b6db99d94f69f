"""Search the policy clauses for a question the NLU could not place.

BM25 over spaCy lemmas of each clause's heading and text. Words that occur in
almost every privacy question ("data", "information", "personal", ...) are
ignored, so a match has to rest on a word that actually distinguishes a
clause; below the score threshold the policy is taken not to cover the
question, and the bot says so instead of guessing.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional

from .language import lemmas
from .policy import Policy, default_policy

# Too common in this domain to tell clauses apart.
DOMAIN_STOP_WORDS = frozenset(
    """
    data datum information info detail personal privacy policy site website session music
    sessionmusic customer use collect hold keep store process processing give
    able want need know tell ask question please thank thanks hi hello shop
    happen mean let like time way thing people
    """.split()
)

BM25_K1 = 1.2
BM25_B = 0.75
# Minimum BM25 score for "the closest thing our policy says". Tuned on the
# unit tests' covered/uncovered question lists (tests/unit/test_clause_search.py).
DEFAULT_THRESHOLD = float(os.environ.get("CLAUSE_SEARCH_THRESHOLD", "3.0"))


@dataclass(frozen=True)
class Match:
    clause_id: str
    score: float
    terms: tuple


class ClauseIndex:
    def __init__(self, policy: Policy):
        self.policy = policy
        self._docs: Dict[str, Counter] = {}
        for clause in policy.clauses.values():
            self._docs[clause.id] = Counter(_terms(f"{clause.heading} {clause.text}"))
        lengths = [sum(doc.values()) for doc in self._docs.values()]
        self._avg_len = sum(lengths) / max(len(lengths), 1)
        document_frequency: Counter = Counter()
        for doc in self._docs.values():
            document_frequency.update(set(doc))
        n = len(self._docs)
        self._idf = {
            term: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }

    def search(self, question: str, limit: int = 3) -> List[Match]:
        query = set(_terms(question))
        matches = []
        for clause_id, doc in self._docs.items():
            length = sum(doc.values())
            score = 0.0
            hits = []
            for term in query:
                tf = doc.get(term, 0)
                if not tf:
                    continue
                hits.append(term)
                score += self._idf[term] * tf * (BM25_K1 + 1) / (
                    tf + BM25_K1 * (1 - BM25_B + BM25_B * length / self._avg_len)
                )
            if score > 0:
                matches.append(Match(clause_id, round(score, 3), tuple(sorted(hits))))
        matches.sort(key=lambda match: (-match.score, clause_id_order(self.policy, match)))
        return matches[:limit]

    def best(self, question: str, threshold: float = DEFAULT_THRESHOLD) -> Optional[Match]:
        matches = self.search(question, limit=1)
        if matches and matches[0].score >= threshold:
            return matches[0]
        return None


def clause_id_order(policy: Policy, match: Match) -> int:
    return policy.ids().index(match.clause_id)


def _terms(text: str) -> List[str]:
    return [
        lemma
        for lemma in lemmas(text, drop_stop_words=True)
        if lemma not in DOMAIN_STOP_WORDS and len(lemma) > 1
    ]


@lru_cache(maxsize=1)
def default_index() -> ClauseIndex:
    return ClauseIndex(default_policy())
