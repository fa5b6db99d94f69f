"""Search the policy clauses for a question the NLU could not place.

Hybrid: BM25 (the `bm25s` library) over spaCy lemmas, plus cosine similarity
of WordLlama sentence vectors (actions/embeddings.py). Each clause is found
through its heading and text, the summaries of the topics that cite it
first, and the training examples whose answer cites it first: "who sees my
data" is near "who can see my information" even when it shares no rare word
with the clause.

Words that occur in almost every privacy question ("data", "information",
"personal", ...) are ignored by BM25, so a lexical match has to rest on a
word that actually distinguishes a clause. Below the score threshold the
policy is taken not to cover the question, and the bot says so instead of
guessing. Threshold and weight were chosen on the training half of the real
questions (quality/tuning.py); `CLAUSE_SEARCH=bm25` switches the vectors off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

import bm25s
import numpy as np

from .language import lemmas
from .policy import Policy, default_policy

# Too common in this domain to tell clauses apart.
DOMAIN_STOP_WORDS = frozenset(
    """
    data datum information info detail personal privacy policy site website session music
    sessionmusic customer use collect hold keep store process processing give
    able want need know tell ask question please thank thanks hi hello shop
    happen mean let like time way thing people app
    """.split()
)

# BM25 scores are unbounded: s / (s + BM25_HALF) maps them to [0, 1), 0.5 at BM25_HALF.
BM25_HALF = 4.0
# Chosen on the training half (quality/tuning.py, docs/answer-quality.md).
DEFAULT_DENSE_WEIGHT = float(os.environ.get("CLAUSE_SEARCH_DENSE_WEIGHT", "0.7"))
MODE = os.environ.get("CLAUSE_SEARCH", "hybrid")
# BM25 alone: 3.0 / (3.0 + BM25_HALF), the raw BM25 threshold the earlier search used.
DEFAULT_THRESHOLD = float(os.environ.get("CLAUSE_SEARCH_THRESHOLD", "0.55" if MODE == "hybrid" else "0.43"))


@dataclass(frozen=True)
class Match:
    clause_id: str
    score: float
    terms: tuple


class ClauseIndex:
    def __init__(
        self,
        policy: Policy,
        extra_texts: Optional[Dict[str, Sequence[str]]] = None,
        vectors=None,
        dense_weight: float = DEFAULT_DENSE_WEIGHT,
    ):
        """`extra_texts`: clause id -> more texts that stand for it (summaries, examples);
        `vectors`: a WordVectors for the dense half (None: BM25 alone)."""
        self.policy = policy
        self.ids = policy.ids()
        extra_texts = extra_texts or {}
        self._doc_terms = []
        for clause_id in self.ids:
            clause = policy[clause_id]
            text = " ".join([clause.heading, clause.text, *extra_texts.get(clause_id, ())])
            self._doc_terms.append(_terms(text))
        self._vocabulary = {term for doc in self._doc_terms for term in doc}
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index([doc or ["\u2205"] for doc in self._doc_terms], show_progress=False)
        self.vectors = vectors
        self.dense_weight = dense_weight if vectors is not None else 0.0
        if vectors is not None:
            owners, texts = [], []
            for position, clause_id in enumerate(self.ids):
                clause = policy[clause_id]
                for text in [f"{clause.heading}. {clause.text}", *extra_texts.get(clause_id, ())]:
                    owners.append(position)
                    texts.append(text)
            self._owners = np.asarray(owners)
            self._text_vectors = vectors.embed(texts)

    def lexical_scores(self, question: str) -> np.ndarray:
        query = [term for term in dict.fromkeys(_terms(question)) if term in self._vocabulary]
        if not query:
            return np.zeros(len(self.ids))
        raw = np.asarray(self._bm25.get_scores(query), dtype=float)
        return raw / (raw + BM25_HALF)

    def dense_scores(self, question: str) -> np.ndarray:
        scores = np.zeros(len(self.ids))
        if self.vectors is None:
            return scores
        similarities = self._text_vectors @ self.vectors.embed([question])[0]
        np.maximum.at(scores, self._owners, similarities)
        return np.clip(scores, 0.0, 1.0)

    def scores(self, question: str) -> np.ndarray:
        lexical = self.lexical_scores(question)
        if self.vectors is None:
            return lexical
        return self.dense_weight * self.dense_scores(question) + (1 - self.dense_weight) * lexical

    def search(self, question: str, limit: int = 3) -> List[Match]:
        scores = self.scores(question)
        terms = set(_terms(question))
        order = sorted(range(len(self.ids)), key=lambda i: (-scores[i], i))
        matches = []
        for i in order[:limit]:
            if scores[i] <= 0:
                break
            hits = tuple(sorted(terms & set(self._doc_terms[i])))
            matches.append(Match(self.ids[i], round(float(scores[i]), 4), hits))
        return matches

    def best(self, question: str, threshold: Optional[float] = None) -> Optional[Match]:
        matches = self.search(question, limit=1)
        if matches and good_enough(matches[0], threshold):
            return matches[0]
        return None


def good_enough(match: Match, threshold: Optional[float] = None) -> bool:
    """Whether a match is good enough to quote as "the closest thing our policy says"."""
    return match.score >= (DEFAULT_THRESHOLD if threshold is None else threshold)


def _terms(text: str) -> List[str]:
    return [lemma for lemma in lemmas(text, drop_stop_words=True) if lemma not in DOMAIN_STOP_WORDS and len(lemma) > 1]


def clause_texts(topics, examples) -> Dict[str, List[str]]:
    """Clause id -> the summaries and training examples whose answer cites it first."""
    texts: Dict[str, List[str]] = {}
    by_id = {topic.id: topic for topic in topics.topics}
    for topic in topics.topics:
        texts.setdefault(topic.section_ids[0], []).append(topic.summary)
    for example in examples:
        topic = by_id.get(example.topic or "")
        if topic is not None and not topic.intent.startswith("request_"):
            texts.setdefault(topic.section_ids[0], []).append(example.text)
    return texts


@lru_cache(maxsize=1)
def default_index() -> ClauseIndex:
    from .embeddings import default_vectors
    from .topics import default_topics
    from .training_examples import default_examples

    if MODE == "bm25":  # the earlier search: BM25 over the clauses' own headings and texts
        return ClauseIndex(default_policy())
    return ClauseIndex(default_policy(), clause_texts(default_topics(), default_examples()), vectors=default_vectors())
