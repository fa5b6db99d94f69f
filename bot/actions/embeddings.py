"""Pretrained word meaning: WordLlama's static token embeddings.

WordLlama (MIT licence, Lee Miller) is the token-embedding layer of a large
language model, trained further so that the average of a text's token vectors
is a good sentence embedding. Its author ships 256-dimension weights and the
matching tokenizer inside the `wordllama` wheel; `fetch_wordllama.py` takes
those two files out at set-up and this module reads them with `safetensors`
and `tokenizers`, exactly the way WordLlama itself embeds a text (tokenize
without special tokens, look up each token's vector, average).

Used by the NLU (components/wordllama_featurizer.py, dense features for DIET)
and by the actions (the hybrid clause search and the choice between topics).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

BOT_DIR = Path(__file__).resolve().parent.parent
WORDLLAMA_DIR = Path(os.environ.get("WORDLLAMA_DIR", BOT_DIR / "build" / "wordllama"))
WEIGHTS_FILE = "l2_supercat_256.safetensors"
TOKENIZER_FILE = "l2_supercat_tokenizer_config.json"
# Paths inside the wheel.
MODEL_FILES = (f"weights/{WEIGHTS_FILE}", f"tokenizers/{TOKENIZER_FILE}")
TENSOR_KEY = "embedding.weight"
DIMENSIONS = 256
# A message longer than this is cut before embedding (the REST channel bounds input too).
MAX_CHARS = 2000


class VectorsMissing(RuntimeError):
    """The WordLlama files are not where the set-up puts them."""


class WordVectors:
    def __init__(self, matrix: np.ndarray, tokenizer) -> None:
        if matrix.ndim != 2 or matrix.shape[1] != DIMENSIONS:
            raise ValueError(f"expected a (vocabulary, {DIMENSIONS}) matrix, got {matrix.shape}")
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.tokenizer = tokenizer

    @classmethod
    def load(cls, directory: Path = WORDLLAMA_DIR) -> "WordVectors":
        from safetensors import safe_open
        from tokenizers import Tokenizer

        weights, tokenizer = Path(directory) / WEIGHTS_FILE, Path(directory) / TOKENIZER_FILE
        if not weights.exists() or not tokenizer.exists():
            raise VectorsMissing(
                f"WordLlama files not found in {directory}: run `make setup` "
                "(python bot/fetch_wordllama.py takes them from the wordllama wheel)"
            )
        with safe_open(str(weights), framework="np") as handle:
            matrix = handle.get_tensor(TENSOR_KEY)
        return cls(matrix, Tokenizer.from_file(str(tokenizer)))

    def _tokens(self, text: str) -> Tuple[np.ndarray, List[Tuple[int, int]]]:
        text = text[:MAX_CHARS]
        lowered = text.lower()
        if len(lowered) == len(text):  # offsets must still point into `text`
            text = lowered
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, self.matrix.shape[0] - 1)
        return ids, list(encoding.offsets)

    def embed(self, texts: Sequence[str], normalise: bool = True) -> np.ndarray:
        """One vector per text: the mean of its token vectors (zeros for an empty text)."""
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            ids, _ = self._tokens(text)
            if len(ids):
                result[row] = self.matrix[ids].mean(axis=0)
        if normalise:
            norms = np.linalg.norm(result, axis=1, keepdims=True)
            result = np.divide(result, norms, out=np.zeros_like(result), where=norms > 0)
        return result

    def span_vectors(self, text: str, spans: Sequence[Tuple[int, int]]) -> np.ndarray:
        """One vector per character span (a word of another tokenizer): the mean of
        the vectors of the sub-word tokens that overlap it; zeros where none does."""
        ids, offsets = self._tokens(text)
        result = np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        for row, (start, end) in enumerate(spans):
            rows = [ids[i] for i, (s, e) in enumerate(offsets) if s < end and e > start]
            if rows:
                result[row] = self.matrix[rows].mean(axis=0)
        return result


@lru_cache(maxsize=1)
def default_vectors() -> WordVectors:
    return WordVectors.load()
