"""What the bot says to a privacy question: the decision, apart from the wording.

`AnswerChooser` turns what the NLU made of a message (intent, confidence,
ranking) and the shopper's words into a `Choice`:

- `topic`: answer from the policy with this topic (summary, quotes, citations);
- `closest`: the NLU could not place the message, but one clause matches it
  well (hybrid search): quote it as "the closest thing our policy says";
- `not_covered`: a privacy question the policy does not answer; `nearest`
  names the nearest thing the policy does say when there is one;
- `law`: a question on a subject the 2018 policy is silent on but UK law
  speaks to (complaints, portability, restriction: topics.yml `not_covered`
  entries with `law`): say the policy doesn't cover it, answer from the law;
- `out_of_scope`: not a privacy question;
- `clarify`: not understood: ask to rephrase, with suggested questions.

The actions (policy_actions.py) only word and send the choice, so the same
decision can be measured on many questions without a running server
(quality/tuning.py chooses the thresholds on the training half).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .clause_search import ClauseIndex, Match, good_enough
from .phrase_rules import (
    OUT_OF_SCOPE,
    PERIOD_SUBJECT,
    UNCOVERED,
    about_personal_data,
    asks_for_a_period,
    confirmed_guess,
    corrected_intent,
    not_privacy,
)
from .topics import Topic, TopicMap

# A not-covered reply names the nearest clause when the search scores it at least this.
NEAREST_THRESHOLD = float(os.environ.get("NEAREST_CLAUSE_THRESHOLD", "0.5"))
# A message the NLU files under `ask_uncovered` whose best clause still scores at least
# this is answered with that clause ("the closest thing our policy says"); above 1: never.
UNCOVERED_OVERRIDE = float(os.environ.get("UNCOVERED_OVERRIDE_THRESHOLD", "1.01"))
# What an unplaced message gets when the NLU's best (unsure) guess is a policy question and no
# clause matches well: `clarify` (ask to rephrase, with suggestions) or `not_covered`.
# "Not covered" is a claim about the policy; chosen on the training half (quality/tuning.py).
UNSURE_POLICY_GUESS = os.environ.get("UNSURE_POLICY_GUESS", "clarify")
# An `ask_uncovered` message naming no not-covered subject is answered with the NLU's next policy
# intent when that intent's topic has a clause among the clause search's best this-many; 0: never.
RUNNER_UP_AGREEMENT = int(os.environ.get("UNCOVERED_RUNNER_UP_AGREEMENT", "2"))
FALLBACK_INTENT = "nlu_fallback"
SUGGESTIONS = 3


@dataclass(frozen=True)
class Choice:
    kind: str
    topic: Optional[Topic] = None
    clause_id: Optional[str] = None
    subject: Optional[str] = None
    nearest: Optional[str] = None
    suggestions: Tuple[str, ...] = ()
    law: Tuple[str, ...] = ()


class AnswerChooser:
    def __init__(
        self, topics: TopicMap, index: ClauseIndex, examples: Sequence = (), vectors=None, topic_mode: str = "keywords"
    ):
        """`examples`: training examples (text, intent, topic); `vectors`: WordVectors.

        `topic_mode` chooses between the topics of one intent: `keywords` (topics.yml),
        `vectors` (the topic whose examples are nearest), `keywords+vectors` (vectors
        when no keyword decides). Cross-validated on the training half, `keywords` was as
        good as either (quality/tuning.py), so it stays the default."""
        self.topics = topics
        self.index = index
        self.vectors = vectors
        self.topic_mode = topic_mode if vectors is not None else "keywords"
        self._by_topic: Dict[str, np.ndarray] = {}
        self._suggestions: List[str] = []
        if vectors is not None:
            grouped: Dict[str, List[str]] = {}
            for example in examples:
                if example.topic:
                    grouped.setdefault(example.topic, []).append(example.text)
            for topic in topics.topics:
                grouped.setdefault(topic.id, []).append(topic.summary)
            self._by_topic = {topic: vectors.embed(texts) for topic, texts in grouped.items()}
            self._suggestions = list(topics.suggested_questions.values())
            self._suggestion_vectors = vectors.embed(self._suggestions)

    # --- the topic of an intent ----------------------------------------------------
    def choose_topic(self, intent: str, text: str) -> Optional[Topic]:
        candidates = self.topics.topics_for(intent)
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        by_keywords = self.topics.select(intent, text)
        if self.topic_mode == "keywords":
            return by_keywords
        if self.topic_mode == "keywords+vectors" and by_keywords is not candidates[0]:
            return by_keywords
        question = self.vectors.embed([text])[0]
        best, best_score = candidates[0], -1.0
        for topic in candidates:
            vectors = self._by_topic.get(topic.id)
            if vectors is None or not len(vectors):
                continue
            score = float(np.max(vectors @ question))
            if score > best_score:
                best, best_score = topic, score
        return best

    # --- the three situations the actions meet ------------------------------------------
    def for_intent(self, intent: str, text: str) -> Choice:
        """The NLU placed the message as a policy question (an `ask_*` intent).

        A question that names a subject the policy is silent on (children, location,
        breaches, portability, ... : topics.yml `not_covered`) is declined however sure
        the NLU is, never answered with the nearest topic. (On the training half, declining
        only below 0.9 confidence made no difference: quality/tuning.py.) A near miss the
        labelling guide settles by its phrasing ("where is my data stored?" placed under what we
        collect) is answered as the question it is (phrase_rules.py)."""
        subject = self.topics.uncovered_subject(text)
        if subject:
            return self.not_covered(text, subject)
        if not_privacy(text):
            return Choice("out_of_scope")
        intent = corrected_intent(intent, text)
        period = self.period_declined(intent, text)
        if period is not None:
            return period
        topic = self.choose_topic(intent, text)
        if topic is None:
            return self.not_covered(text)
        return Choice("topic", topic=topic)

    def for_unclear(self, text: str, ranking: Sequence[dict] = ()) -> Choice:
        """The NLU could not place the message (nlu_fallback).

        Declined on a silent subject; else the clause the search matches well; else the NLU's
        unsure guess when a phrase rule names the same question (two signals agree); else "not
        privacy" / "not covered" / "please rephrase" by that guess."""
        subject = self.topics.uncovered_subject(text)
        if subject:
            return self.not_covered(text, subject)
        top = self.index.search(text, limit=1)  # searched once: the answer, or the nearest clause
        if top and good_enough(top[0]):
            return Choice("closest", clause_id=top[0].clause_id)
        if not_privacy(text):
            return Choice("out_of_scope")
        guess = next((r.get("name") for r in ranking if r.get("name") != FALLBACK_INTENT), None)
        if guess == "out_of_scope":
            return Choice("out_of_scope")
        period = self.period_declined(guess, text)  # an unsure retention guess naming a period
        if period is not None:
            return period
        confirmed = confirmed_guess(guess, text)
        topic = self.choose_topic(confirmed, text) if confirmed else None
        if topic is not None:  # the NLU's unsure guess and a phrase rule agree
            return Choice("topic", topic=topic)
        if guess == "ask_uncovered" or (guess and guess.startswith("ask_") and UNSURE_POLICY_GUESS == "not_covered"):
            return declined(top)
        return Choice("clarify", suggestions=self.suggest(text))

    def for_uncovered(self, text: str, ranking: Sequence[dict] = ()) -> Choice:
        """The NLU placed the message as a privacy question the policy does not answer.

        Declined when it names a subject the policy is silent on. When it names none, the
        NLU's `ask_uncovered` is a weaker claim (that class is learned from app questions
        the policy can't answer, and pulls in near neighbours it can): the policy question
        the NLU ranked next is answered when two independent signals agree on it, its
        topic (by keywords) sharing a clause with the clause search's best RUNNER_UP_AGREEMENT.
        On the training half (quality/tuning.py, docs/answer-quality-tuning.md) this took covered
        questions declined from 15.5% to 7.1% and top-1 from 63.5% to 69.4%, for uncovered ones
        answered 8.7% -> 17.0%. A message naming no such subject that is not a privacy question
        at all (price, adverts shown, how the software runs: phrase_rules.py) is said to be so."""
        subject = self.topics.uncovered_subject(text)
        if subject is None:
            if not_privacy(text):
                return Choice("out_of_scope")
            ruled = self.ruled_topic(UNCOVERED, text)
            if ruled is not None:
                return ruled
            match = self.index.best(text, threshold=UNCOVERED_OVERRIDE)
            if match is not None:
                return Choice("closest", clause_id=match.clause_id)
            agreed = self.agreed_runner_up(text, ranking)
            if agreed is not None:
                return agreed
        return self.not_covered(text, subject)

    def period_declined(self, intent: Optional[str], text: str) -> Optional[Choice]:
        """A retention question naming a period in numbers ("deleted after 6 months?"), which the
        policy never gives: declined, naming the retention answer ("no longer than necessary")
        as the nearest thing it says."""
        if not intent or not asks_for_a_period(intent, text):
            return None
        topic = self.choose_topic(intent, text)
        return Choice("not_covered", subject=PERIOD_SUBJECT, nearest=topic.section_ids[0]) if topic else None

    def for_out_of_scope(self, text: str) -> Choice:
        """The NLU placed the message as not a privacy question. It is one when it names a subject
        the policy is silent on ("do you keep data on under 16s?": declined, as at any intent) or
        a phrase the guide answers from a clause ("I forgot to log out on a library computer")."""
        if not about_personal_data(text):  # "do you sell kids' karaoke machines?" is not about children's data
            return Choice("out_of_scope")
        subject = self.topics.uncovered_subject(text)
        if subject:
            return self.not_covered(text, subject)
        return self.ruled_topic(OUT_OF_SCOPE, text) or Choice("out_of_scope")

    def ruled_topic(self, intent: str, text: str) -> Optional[Choice]:
        """The topic a phrase rule gives a message the NLU placed under `intent`, if any."""
        ruled = corrected_intent(intent, text)
        topic = self.choose_topic(ruled, text) if ruled != intent else None
        return Choice("topic", topic=topic) if topic is not None else None

    def agreed_runner_up(self, text: str, ranking: Sequence[dict]) -> Optional[Choice]:
        if RUNNER_UP_AGREEMENT <= 0:
            return None
        # the policy question the NLU ranked highest after "not covered"
        runner_up = next(
            (
                r.get("name")
                for r in ranking
                if r.get("name", "").startswith("ask_") and r.get("name") != "ask_uncovered"
            ),
            None,
        )
        topic = self.choose_topic(runner_up, text) if runner_up else None
        if topic is None:
            return None
        searched = {match.clause_id for match in self.index.search(text, limit=RUNNER_UP_AGREEMENT)}
        return Choice("topic", topic=topic) if searched & set(topic.section_ids) else None

    def not_covered(self, text: str, subject: Optional[str] = None) -> Choice:
        law = self.topics.law_of_subject.get(subject) if subject else None
        if law:
            return Choice("law", subject=subject, law=law)
        return declined(self.index.search(text, limit=1), subject)

    def suggest(self, text: str) -> Tuple[str, ...]:
        """The three suggested questions (topics.yml) nearest the message."""
        if not self._suggestions:
            return ()
        order = np.argsort(-(self._suggestion_vectors @ self.vectors.embed([text])[0]), kind="stable")
        return tuple(self._suggestions[i] for i in order[:SUGGESTIONS])


def declined(top: Sequence[Match], subject: Optional[str] = None) -> Choice:
    """ "Not covered", naming the best match as the nearest clause when it scores high enough."""
    nearest = top[0].clause_id if top and top[0].score >= NEAREST_THRESHOLD else None
    return Choice("not_covered", subject=subject, nearest=nearest)


@lru_cache(maxsize=1)
def default_chooser() -> AnswerChooser:
    from .clause_search import MODE, default_index
    from .embeddings import default_vectors
    from .topics import default_topics
    from .training_examples import default_examples

    vectors = default_vectors() if MODE != "bm25" else None
    return AnswerChooser(default_topics(), default_index(), default_examples(), vectors)
