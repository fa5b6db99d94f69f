"""DIET's intent ranking averaged with the logistic regression's (bot/components/intent_blend.py),
on real Rasa messages; the trained pipeline itself is exercised by tests/bot and tests/quality."""

import pytest
import yaml
from components.intent_blend import SNAPSHOT_KEY, IntentRankingBlend, IntentRankingSnapshot, blend
from rasa.shared.nlu.training_data.message import Message

from tests.bot.rasa_cli import BOT_DIR


def ranking(**scores):
    return [{"name": name, "confidence": value} for name, value in scores.items()]


def test_blend_weighs_each_ranking_and_counts_a_missing_intent_as_zero():
    out = blend(ranking(a=0.6, b=0.4), ranking(b=0.9, c=0.1), 0.5)
    assert [r["name"] for r in out] == ["b", "a", "c"]
    assert [r["confidence"] for r in out] == pytest.approx([0.65, 0.30, 0.05])


def test_the_weight_decides_a_disagreement():
    first, second = ranking(a=0.7, b=0.3), ranking(a=0.2, b=0.8)
    assert blend(first, second, 0.8)[0]["name"] == "a"
    assert blend(first, second, 0.2)[0]["name"] == "b"
    assert blend(first, second, 1.0)[0]["confidence"] == pytest.approx(0.7)


def test_snapshot_then_blend_sets_the_intent_and_ranking_the_fallback_reads():
    message = Message(data={"text": "who sees my data"})
    message.set("intent", {"name": "ask_uncovered", "confidence": 0.55}, add_to_output=True)
    message.set("intent_ranking", ranking(ask_uncovered=0.55, ask_data_sharing=0.45), add_to_output=True)
    IntentRankingSnapshot({}).process([message])
    # the regression overwrites intent and ranking, as LogisticRegressionClassifier does
    message.set("intent", {"name": "ask_data_sharing", "confidence": 0.85}, add_to_output=True)
    message.set("intent_ranking", ranking(ask_data_sharing=0.85, ask_uncovered=0.15), add_to_output=True)
    IntentRankingBlend({"first_weight": 0.5}).process([message])
    assert message.get("intent")["name"] == "ask_data_sharing"
    assert message.get("intent")["confidence"] == pytest.approx(0.65)
    output = message.as_dict(only_output_properties=True)
    assert [r["name"] for r in output["intent_ranking"]] == ["ask_data_sharing", "ask_uncovered"]
    assert SNAPSHOT_KEY not in output  # DIET's own ranking stays out of the parse


@pytest.mark.parametrize("weight", [1.5, -0.1, "half"])
def test_a_weight_outside_0_to_1_is_refused_clearly(weight):
    with pytest.raises(ValueError, match="first_weight must be a number from 0 to 1"):
        IntentRankingBlend({"first_weight": weight})


def test_blend_without_a_snapshot_says_what_is_missing():
    message = Message(data={"text": "hello"})
    message.set("intent_ranking", ranking(greet=1.0), add_to_output=True)
    with pytest.raises(ValueError, match="IntentRankingSnapshot"):
        IntentRankingBlend({}).process([message])


def test_the_shipped_pipeline_snapshots_diet_then_blends_the_regression_before_the_fallback():
    names = [c["name"] for c in yaml.safe_load((BOT_DIR / "config.yml").read_text())["pipeline"]]
    order = [
        "DIETClassifier",
        "components.intent_blend.IntentRankingSnapshot",
        "components.direct_logistic_regression.DirectLogisticRegressionClassifier",
        "components.intent_blend.IntentRankingBlend",
        "FallbackClassifier",
    ]
    assert [n for n in names if n in order] == order
