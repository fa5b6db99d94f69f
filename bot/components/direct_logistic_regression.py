"""Rasa's logistic regression intent classifier, scoring a message straight from its coefficients.

`LogisticRegressionClassifier` (Rasa 3.6) trains a multinomial scikit-learn `LogisticRegression`
on each message's sentence features (sparse n-gram counts, then the dense WordLlama vector). To
classify a message it builds a one-row sparse matrix (`hstack` + `vstack` of `csr_matrix`) and
calls `predict_proba`, whose input building and checks cost more than the arithmetic.

This subclass trains, saves and loads exactly as Rasa's does (same estimator, same files); only
`process` differs. The class scores are the coefficients of the message's non-zero sparse
features, plus the dense part's dot product, plus the intercepts, through a softmax: what
`predict_proba` computes for a multinomial model.
- Same rankings: tests/unit/test_direct_logistic_regression.py holds the two equal on messages
  featurized for real.
- Faster: `make bench` measured the NLU alone at 5.9 ms per message against 8.8 with Rasa's scoring,
  and the Rasa server's CPU per message at 15.7 ms against 20.9 (docs/answer-quality-tuning.md,
  sixth round). The products use `einsum`, not `@`: see `class_probabilities`.
A two-class or one-vs-rest model, or a message whose features don't fit the model, is left to
Rasa's own code (which says what is wrong).
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class DirectLogisticRegressionClassifier(LogisticRegressionClassifier):
    """`LogisticRegressionClassifier` with a per-message `process` that skips scikit-learn's
    input building and checks (same probabilities)."""

    def _is_multinomial(self) -> bool:
        coef = getattr(self.clf, "coef_", None)
        classes = getattr(self.clf, "classes_", None)
        return (
            coef is not None
            and classes is not None
            and len(classes) > 2
            and coef.shape[0] == len(classes)
            and self.clf.solver != "liblinear"
            and self.clf.multi_class in ("auto", "multinomial")
        )

    def class_probabilities(self, message: Message) -> Optional[np.ndarray]:
        """The regression's probability per class (`self.clf.classes_` order), or None when this
        message's features don't fit the trained model."""
        coef = self.clf.coef_
        sparse = message.get_sparse_features(attribute=TEXT)[1]
        dense = message.get_dense_features(attribute=TEXT)[1]
        scores = self.clf.intercept_.copy()
        width = 0
        if sparse is not None:
            counts = sparse.features.tocoo()
            width = counts.shape[1]
            if counts.nnz:
                # einsum, not `@`: a BLAS product here wakes OpenBLAS's thread pool, whose threads
                # spin between messages and took a whole second core under load (make bench).
                # Repeated columns add up, as in a product.
                scores += np.einsum("ij,j->i", coef[:, counts.col], counts.data)
        if dense is not None:
            vector = np.asarray(dense.features).reshape(-1)
            if width + vector.shape[0] != coef.shape[1]:
                return None
            scores += np.einsum("ij,j->i", coef[:, width:], vector)
        elif width != coef.shape[1]:
            return None
        return softmax(scores)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._is_multinomial():
            return super().process(messages)
        classes = self.clf.classes_
        length = self.config[RANKING_LENGTH]
        for message in messages:
            probabilities = self.class_probabilities(message)
            if probabilities is None:
                super().process([message])
                continue
            order = np.argsort(-probabilities, kind="stable")  # ties keep the classes' order, as Rasa's sort
            ranking = [{"name": str(classes[i]), "confidence": float(probabilities[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages
