"""A Rasa dense featurizer: WordLlama vectors beside the sparse word counts.

Word and character n-gram counts can't know that "who sees my data" is about
sharing. Pretrained vectors can: WordLlama's token embeddings (see
actions/embeddings.py) give every token of the message a 256-d vector (the
mean of the WordLlama sub-word tokens that overlap it) and the message one
sentence vector (the mean over all its sub-word tokens, as WordLlama embeds a
sentence). DIET concatenates them with the sparse features.

Not trainable: it only reads the vectors, so it adds nothing to the model
archive and costs a table look-up per message.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.embeddings import WORDLLAMA_DIR, WordVectors

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class WordLlamaFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sequence and sentence features from WordLlama token embeddings."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["safetensors", "tokenizers"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Folder with the two WordLlama files; default: bot/build/wordllama.
            "model_dir": None,
        }

    def __init__(self, config: Dict[Text, Any], name: Text, vectors: Optional[WordVectors] = None) -> None:
        super().__init__(name, config)
        self.vectors = vectors or WordVectors.load(config.get("model_dir") or WORDLLAMA_DIR)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not text or not tokens:
            return
        sequence = self.vectors.span_vectors(text, [(t.start, t.end) for t in tokens])
        sentence = self.vectors.embed([text], normalise=False)
        self.add_features_to_message(
            sequence=sequence, sentence=sentence.astype(np.float32), attribute=TEXT, message=message
        )
