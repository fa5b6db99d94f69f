"""WordLlama vectors as the bot reads them, and the Rasa featurizer built on them."""

import numpy as np
import pytest

from actions.embeddings import DIMENSIONS, VectorsMissing, WordVectors, default_vectors


def test_sentence_vectors_are_normalised_and_carry_meaning():
    vectors = default_vectors().embed(
        ["who sees my data", "who do you share my information with", "what is the weather tomorrow"]
    )
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_empty_text_gives_a_zero_vector_not_nan():
    vector = default_vectors().embed([""])[0]
    assert not vector.any() and not np.isnan(vector).any()


def test_span_vectors_follow_the_words_of_another_tokenizer():
    text = "Do you store cookies?"
    spans = [(0, 2), (3, 6), (7, 12), (13, 20), (20, 21), (21, 21)]
    vectors = default_vectors().span_vectors(text, spans)
    assert vectors.shape == (len(spans), DIMENSIONS)
    assert vectors[:5].any(axis=1).all()
    assert not vectors[5].any()  # an empty span overlaps no token
    same_word = default_vectors().span_vectors("cookies", [(0, 7)])[0]
    assert np.allclose(vectors[3], same_word, atol=1e-6)


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(VectorsMissing, match="make setup"):
        WordVectors.load(tmp_path)


def test_featurizer_adds_dense_features_to_each_token_and_the_sentence():
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    from components.wordllama_featurizer import WordLlamaFeaturizer

    message = Message(data={"text": "who sees my data"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    featurizer = WordLlamaFeaturizer(
        {**WordLlamaFeaturizer.get_default_config()}, "wordllama", vectors=default_vectors()
    )
    featurizer.process([message])
    sequence, sentence = message.get_dense_features("text", [])
    assert sequence.features.shape == (4, DIMENSIONS)
    assert sentence.features.shape == (1, DIMENSIONS)
    expected = default_vectors().embed(["who sees my data"], normalise=False)[0]
    assert np.allclose(sentence.features[0], expected, atol=1e-6)
