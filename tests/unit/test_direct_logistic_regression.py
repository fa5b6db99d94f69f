"""The direct-scoring regression (bot/components/direct_logistic_regression.py) gives the same
intent and ranking as Rasa's LogisticRegressionClassifier, both trained for real on featurized
messages; the shipped model itself is exercised by tests/bot and tests/quality."""

import numpy as np
import pytest
import scipy.sparse
from components.direct_logistic_regression import DirectLogisticRegressionClassifier
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

INTENTS = ["ask_cookies", "ask_data_sharing", "ask_security", "greet", "out_of_scope"]
SPARSE_WIDTH, DENSE_WIDTH = 40, 8


def featurized(rng, intent=None, dense_width=DENSE_WIDTH):
    """A message with sparse sentence counts and a dense sentence vector that depend on its intent,
    as the pipeline's featurizers give DIET and the regression."""
    data = {"text": "a message"}
    if intent:
        data["intent"] = intent
    message = Message(data=data)
    shift = INTENTS.index(intent) if intent else int(rng.integers(len(INTENTS)))
    counts = rng.poisson(0.3, SPARSE_WIDTH).astype(float)
    counts[shift * 5 : shift * 5 + 5] += rng.poisson(1.0, 5)
    cols = np.append(np.flatnonzero(counts), 0)  # column 0 twice: its scores must add up
    values = np.append(counts[counts != 0], 1.0)
    sparse = scipy.sparse.coo_matrix((values, (np.zeros(len(cols), dtype=int), cols)), shape=(1, SPARSE_WIDTH))
    message.add_features(Features(sparse, "sentence", "text", "CountVectorsFeaturizer"))
    message.add_features(Features(rng.normal(shift, 1.0, (1, dense_width)), "sentence", "text", "WordLlama"))
    return message


def trained(cls, tmp_path, training, **config):
    (tmp_path / cls.__name__).mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / cls.__name__)
    context = ExecutionContext(GraphSchema({}), node_name="regression")
    component = cls.create(
        {**cls.get_default_config(), "max_iter": 500, **config}, storage, Resource("regression"), context
    )
    component.train(training)
    return component


@pytest.fixture(scope="module")
def training():
    rng = np.random.default_rng(3)
    return TrainingData([featurized(rng, INTENTS[i % len(INTENTS)]) for i in range(120)])


@pytest.mark.parametrize("ranking_length", [0, 3, 10])
def test_same_intent_and_ranking_as_rasas_own_regression(tmp_path, training, ranking_length):
    rasas = trained(LogisticRegressionClassifier, tmp_path, training, ranking_length=ranking_length)
    direct = trained(DirectLogisticRegressionClassifier, tmp_path, training, ranking_length=ranking_length)
    rng = np.random.default_rng(11)
    for _ in range(40):
        message = featurized(rng)
        copy = Message(data=dict(message.data), features=list(message.features))
        rasas.process([message])
        direct.process([copy])
        assert copy.get("intent")["name"] == message.get("intent")["name"]
        assert [r["name"] for r in copy.get("intent_ranking")] == [r["name"] for r in message.get("intent_ranking")]
        assert [r["confidence"] for r in copy.get("intent_ranking")] == pytest.approx(
            [r["confidence"] for r in message.get("intent_ranking")], abs=1e-12
        )
        assert len(copy.get("intent_ranking")) == min(ranking_length or len(INTENTS), len(INTENTS))


def test_a_message_featurized_for_another_model_gets_rasas_own_error(tmp_path, training):
    direct = trained(DirectLogisticRegressionClassifier, tmp_path, training)
    wrong = featurized(np.random.default_rng(5), dense_width=DENSE_WIDTH + 3)
    with pytest.raises(ValueError, match="features"):
        direct.process([wrong])


def test_a_two_class_model_is_scored_by_rasas_code(tmp_path):
    rng = np.random.default_rng(4)
    two = TrainingData([featurized(rng, INTENTS[i % 2]) for i in range(40)])
    direct = trained(DirectLogisticRegressionClassifier, tmp_path, two)
    message = featurized(rng)
    direct.process([message])
    ranking = message.get("intent_ranking")
    assert {r["name"] for r in ranking} == set(INTENTS[:2])
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
