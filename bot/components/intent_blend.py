"""Two intent classifiers, one answer: DIET's intent ranking averaged with a logistic regression's.

DIET (a small transformer) and Rasa's `LogisticRegressionClassifier` read the same features
(word and character n-grams, WordLlama vectors) and make different mistakes: DIET is a new
draw with every seed or data change (the hand-written held-out accuracy swung from 0.933 to
0.959 between seeds), the regression is the same every time. Averaged, the held-out set stays
above its floor whatever DIET's seed, and real questions are answered as well as by DIET alone
(docs/answer-quality-tuning.md, fifth round).

Rasa's pipeline is a chain: each classifier overwrites the message's `intent` and
`intent_ranking`. So the pipeline is

    DIETClassifier -> IntentRankingSnapshot -> DirectLogisticRegressionClassifier
    -> IntentRankingBlend -> FallbackClassifier

(DirectLogisticRegressionClassifier is Rasa's `LogisticRegressionClassifier`, scored straight from
its coefficients: components/direct_logistic_regression.py.)

`IntentRankingSnapshot` keeps DIET's ranking aside (not in the parse output), and
`IntentRankingBlend` replaces the regression's ranking with the weighted average, so the
FallbackClassifier, the rules and the actions all read the blended confidences.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

SNAPSHOT_KEY = "first_classifier_intent_ranking"
RANKING_LENGTH = 10


def blend(first: List[Dict[str, Any]], second: List[Dict[str, Any]], first_weight: float) -> List[Dict[str, Any]]:
    """`first_weight` x the first ranking's confidence + the rest x the second's, per intent
    (an intent missing from a ranking counts as 0), best first."""
    scores: Dict[str, float] = {}
    for ranking, weight in ((first, first_weight), (second, 1.0 - first_weight)):
        for entry in ranking:
            scores[entry["name"]] = scores.get(entry["name"], 0.0) + weight * float(entry["confidence"])
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [{"name": name, "confidence": confidence} for name, confidence in ordered]


class _Stateless(GraphComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_Stateless":
        return cls(config)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRankingSnapshot(_Stateless):
    """Keeps the intent ranking so far (DIET's) for IntentRankingBlend."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(SNAPSHOT_KEY, list(message.get(INTENT_RANKING_KEY) or []), add_to_output=False)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRankingBlend(_Stateless):
    """The snapshot's ranking and the current one averaged, weighted `first_weight` : the rest."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"first_weight": 0.5}  # bot/config.yml sets the shipped weight

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        weight = self.config["first_weight"]
        if not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
            raise ValueError(f"IntentRankingBlend: first_weight must be a number from 0 to 1, not {weight!r}")

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            first = message.get(SNAPSHOT_KEY)
            if first is None:
                raise ValueError("IntentRankingBlend needs IntentRankingSnapshot earlier in the pipeline")
            ranking = blend(first, message.get(INTENT_RANKING_KEY) or [], self.config["first_weight"])
            if not ranking:
                continue
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:RANKING_LENGTH], add_to_output=True)
        return messages
