"""The privacy policy as data: load `bot/data/policy/privacy-policy.yml`.

The YAML is the single source of truth. Clause text is verbatim from the
shop's policy page; every answer quotes it from here, never retyped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence

import yaml

POLICY_DIR = Path(__file__).resolve().parent.parent / "data" / "policy"
POLICY_FILE = POLICY_DIR / "privacy-policy.yml"

# A sentence ends at . ! or ? followed by white space and a capital letter or
# a quote; "1998)." style endings count, list bullets and abbreviations do not.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


class PolicyError(ValueError):
    """The policy file is malformed (missing ids, duplicate ids, empty text)."""


@dataclass(frozen=True)
class Clause:
    id: str
    heading: str
    text: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    def sentences(self) -> List[str]:
        return [s for s in _SENTENCE_END.split(self.text) if s.strip()]

    def quote(self, sentence_numbers: Sequence[int] = ()) -> str:
        """Verbatim text of the clause, or of the chosen sentences (1-based).

        Non-adjacent sentences are joined with an ellipsis so the quote never
        suggests words are consecutive when they are not.
        """
        if not sentence_numbers:
            return self.text
        sentences = self.sentences()
        parts: List[str] = []
        previous = None
        for number in sentence_numbers:
            if not 1 <= number <= len(sentences):
                raise PolicyError(f"clause {self.id} has {len(sentences)} sentences, not {number}")
            if previous is not None and number != previous + 1:
                parts.append("…")
            parts.append(sentences[number - 1])
            previous = number
        return " ".join(parts)


def fingerprint(text: str) -> str:
    """Short, stable fingerprint of clause text (whitespace-insensitive)."""
    folded = " ".join(text.split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Policy:
    source: str
    updated: str
    clauses: Dict[str, Clause]

    def __contains__(self, clause_id: str) -> bool:
        return clause_id in self.clauses

    def __getitem__(self, clause_id: str) -> Clause:
        return self.clauses[clause_id]

    def ids(self) -> List[str]:
        return list(self.clauses)


def parse_policy(document: dict) -> Policy:
    if not isinstance(document, dict) or not isinstance(document.get("clauses"), list):
        raise PolicyError("policy YAML needs a top-level 'clauses' list")
    clauses: Dict[str, Clause] = {}
    for index, raw in enumerate(document["clauses"]):
        clause_id = str(raw.get("id", "")).strip()
        text = " ".join(str(raw.get("text", "")).split())
        if not clause_id or not text:
            raise PolicyError(f"clause #{index + 1} needs both an id and text")
        if clause_id in clauses:
            raise PolicyError(f"duplicate clause id {clause_id!r}")
        clauses[clause_id] = Clause(clause_id, str(raw.get("heading", "")).strip(), text)
    return Policy(
        source=str(document.get("source", "")),
        updated=str(document.get("updated", "")),
        clauses=clauses,
    )


def load_policy(path: Path = POLICY_FILE) -> Policy:
    with open(path, encoding="utf-8") as handle:
        return parse_policy(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return load_policy()
