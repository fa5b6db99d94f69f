"""Answer topics: which clauses answer which intent (`data/policy/topics.yml`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from .language import lemmas, plain
from .payloads import MAX_SECTIONS
from .policy import POLICY_DIR, Policy, PolicyError, default_policy, fingerprint

WORD = re.compile(r"[\w'’-]+")

TOPICS_FILE = POLICY_DIR / "topics.yml"


@dataclass(frozen=True)
class SectionRef:
    id: str
    fingerprint: str
    sentences: Tuple[int, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    intent: str
    summary: str
    sections: Tuple[SectionRef, ...]
    keywords: Tuple[str, ...] = ()

    @property
    def section_ids(self) -> List[str]:
        return [section.id for section in self.sections]


@dataclass(frozen=True)
class StaleSection:
    topic: str
    clause: str
    recorded: str
    current: str


class TopicMap:
    def __init__(
        self,
        topics: Sequence[Topic],
        policy: Policy,
        not_covered: Sequence[Tuple[str, Tuple[str, ...]]] = (),
        suggested_questions: Optional[Dict[str, str]] = None,
        law_of_subject: Optional[Dict[str, Tuple[str, ...]]] = None,
        request_of_subject: Optional[Dict[str, str]] = None,
        answered_when: Optional[Dict[str, Tuple[str, ...]]] = None,
    ):
        self.topics = list(topics)
        self.suggested_questions = dict(suggested_questions or {})
        self.policy = policy
        self.not_covered = list(not_covered)
        # Not-covered subjects on which UK law speaks: subject -> law entry ids (uk-law.yml).
        self.law_of_subject = dict(law_of_subject or {})
        # Not-covered subjects whose law answer offers to start a request: subject -> request type.
        self.request_of_subject = dict(request_of_subject or {})
        # Each not-covered subject with its terms and the words with which a question on it is one the
        # policy does answer (topics.yml `answered_when`: protecting against a breach is security).
        answered_when = answered_when or {}
        self._not_covered_forms = [
            (subject, _keyword_forms(terms), _keyword_forms(answered_when.get(subject, ())))
            for subject, terms in self.not_covered
        ]
        self._by_intent: Dict[str, List[Topic]] = {}
        for topic in self.topics:
            self._by_intent.setdefault(topic.intent, []).append(topic)
        self._keyword_lemmas = {topic.id: _keyword_forms(topic.keywords) for topic in self.topics}

    def intents(self) -> List[str]:
        return list(self._by_intent)

    def topics_for(self, intent: str) -> List[Topic]:
        return self._by_intent.get(intent, [])

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    def select(self, intent: str, message: str) -> Optional[Topic]:
        """The intent's topic whose keywords best match `message`.

        The first topic of an intent is its default: it wins ties and is chosen
        when no keyword of another topic occurs in the message.
        """
        candidates = self.topics_for(intent)
        if not candidates:
            return None
        words, text = _normalise(message)
        best, best_score = candidates[0], 0
        for topic in candidates:
            score = _count_hits(self._keyword_lemmas[topic.id], words, text)
            if score > best_score:
                best, best_score = topic, score
        return best

    def subject_offering(self, request_type: str) -> Optional[str]:
        """The not-covered subject whose law answer offers `request_type` (topics.yml `offers`)."""
        return next((subject for subject, offered in self.request_of_subject.items() if offered == request_type), None)

    def uncovered_subject(self, message: str) -> Optional[str]:
        """The not-covered subject `message` mentions, if any."""
        words, text = _normalise(message)
        for subject, forms, answered in self._not_covered_forms:
            if _count_hits(forms, words, text) and not _count_hits(answered, words, text):
                return subject
        return None

    def stale_sections(self) -> List[StaleSection]:
        """Sections whose clause text changed since the summary was checked."""
        stale = []
        for topic in self.topics:
            for section in topic.sections:
                current = self.policy[section.id].fingerprint
                if current != section.fingerprint:
                    stale.append(StaleSection(topic.id, section.id, section.fingerprint, current))
        return stale


def _normalise(message: str) -> Tuple[set, str]:
    """The message's lemmas and its own lower-case words (punctuation dropped, so that
    "contacts?" is the word "contacts"), as a set and as text to find phrases in."""
    message = plain(message)
    raw = WORD.findall(message)
    found = lemmas(message)
    return set(found) | set(raw), " " + " ".join(found) + " " + " ".join(raw) + " "


def _count_hits(forms: Sequence[Tuple[str, str]], words: set, text: str) -> int:
    return sum(1 for single, phrase in forms if (single and single in words) or (phrase and f" {phrase} " in text))


def _keyword_forms(keywords: Sequence[str]) -> List[Tuple[str, str]]:
    forms = []
    for keyword in keywords:
        keyword = keyword.lower().strip()
        if " " in keyword:
            forms.append(("", keyword))
        else:
            lemma = lemmas(keyword)
            # The lookup table has odd entries for short words ("ai" -> "have"): keep a lemma only
            # when it is recognisably the same word, and one word ("two-step" is two: "two" alone
            # must not match it).
            if len(lemma) == 1 and lemma[0][:2] == keyword[:2]:
                forms.append((lemma[0], ""))
            forms.append((keyword, ""))
    return forms


def parse_topics(document: dict, policy: Policy, law=None) -> TopicMap:
    """`law` (a LawBook, optional): when given, the law ids the file names must exist in it."""
    if not isinstance(document, dict) or not isinstance(document.get("topics"), list):
        raise PolicyError("topics YAML needs a top-level 'topics' list")
    topics: List[Topic] = []
    seen = set()
    for raw in document["topics"]:
        topic_id = str(raw.get("id", "")).strip()
        if not topic_id or topic_id in seen:
            raise PolicyError(f"topic id missing or duplicated: {topic_id!r}")
        seen.add(topic_id)
        sections = []
        for section in raw.get("sections") or []:
            clause_id = str(section["id"])
            if clause_id not in policy:
                raise PolicyError(f"topic {topic_id} cites unknown clause {clause_id!r}")
            sentences = tuple(int(n) for n in section.get("sentences") or ())
            policy[clause_id].quote(sentences)  # validates sentence numbers
            sections.append(SectionRef(clause_id, str(section.get("fingerprint", "")), sentences))
        if not 1 <= len(sections) <= MAX_SECTIONS:
            raise PolicyError(f"topic {topic_id} must cite 1 to {MAX_SECTIONS} clauses")
        summary = " ".join(str(raw.get("summary", "")).split())
        if not summary or not raw.get("intent"):
            raise PolicyError(f"topic {topic_id} needs an intent and a summary")
        topics.append(
            Topic(
                id=topic_id,
                intent=str(raw["intent"]),
                summary=summary,
                sections=tuple(sections),
                keywords=tuple(str(k) for k in raw.get("keywords") or ()),
            )
        )
    not_covered = [(str(entry["subject"]), _word_list(entry, "terms")) for entry in document.get("not_covered") or ()]
    law_of_subject = {
        str(entry["subject"]): tuple(str(law_id) for law_id in entry["law"])
        for entry in document.get("not_covered") or ()
        if entry.get("law")
    }
    request_of_subject = {
        str(entry["subject"]): str(entry["offers"])
        for entry in document.get("not_covered") or ()
        if entry.get("offers")
    }
    answered_when = {
        str(entry["subject"]): _word_list(entry, "answered_when")
        for entry in document.get("not_covered") or ()
        if "answered_when" in entry
    }
    from dsar_contract import REQUEST_TYPES

    for subject, request_type in request_of_subject.items():
        if request_type not in REQUEST_TYPES or subject not in law_of_subject:
            raise PolicyError(
                f"not-covered subject {subject!r} offers {request_type!r}: needs a request type and `law`"
            )
    if law is not None:
        for subject, law_ids in law_of_subject.items():
            unknown = [law_id for law_id in law_ids if law_id not in law]
            if unknown:
                raise PolicyError(f"not-covered subject {subject!r} names unknown law entries {unknown}")
    suggested = {str(k): str(v) for k, v in (document.get("suggested_questions") or {}).items()}
    intents = {topic.intent for topic in topics}
    unknown = sorted(set(suggested) - intents)
    if unknown:
        raise PolicyError(f"suggested questions for intents without topics: {unknown}")
    return TopicMap(topics, policy, not_covered, suggested, law_of_subject, request_of_subject, answered_when)


def _word_list(entry: dict, key: str) -> Tuple[str, ...]:
    """A not-covered subject's `terms` or `answered_when`: a non-empty list of words (none if absent)."""
    words = entry.get(key)
    if words is None:
        return ()
    if not isinstance(words, list) or not words or not all(str(word).strip() for word in words):
        raise PolicyError(f"not-covered subject {entry.get('subject')!r}: `{key}` must be a list of words")
    return tuple(str(word) for word in words)


def load_topics(path: Path = TOPICS_FILE, policy: Optional[Policy] = None, law=None) -> TopicMap:
    with open(path, encoding="utf-8") as handle:
        return parse_topics(yaml.safe_load(handle), policy or default_policy(), law)


@lru_cache(maxsize=1)
def default_topics() -> TopicMap:
    from .law import default_law

    return load_topics(law=default_law())


__all__ = ["TopicMap", "Topic", "SectionRef", "load_topics", "default_topics", "fingerprint"]
