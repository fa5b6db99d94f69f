"""Lemmatisation with the project's own blank English spaCy pipeline.

The same pipeline serves Rasa's SpacyNLP (training) and the actions (topic
selection and clause search), so a word is normalised the same way everywhere.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import List

import spacy
from spacy.lang.en.stop_words import STOP_WORDS

PIPELINE_DIR = Path(
    os.environ.get(
        "SPACY_PIPELINE_DIR",
        Path(__file__).resolve().parent.parent / "build" / "spacy-en",
    )
)

_WORD = re.compile(r"[a-z0-9£][a-z0-9£'\-]*")


def build_pipeline() -> "spacy.language.Language":
    """Blank English tokenizer + lookup lemmatizer (tables from spacy-lookups-data)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "session_music_blank"
    nlp.meta["description"] = "Blank English tokenizer + lookup lemmatizer (built locally)"
    return nlp


@lru_cache(maxsize=1)
def pipeline() -> "spacy.language.Language":
    if (PIPELINE_DIR / "config.cfg").exists():
        return spacy.load(PIPELINE_DIR)
    return build_pipeline()


def plain(text: str) -> str:
    """Lower case, with typographic apostrophes ("i\u2019m", as phones type them) made plain."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def lemmas(text: str, drop_stop_words: bool = False) -> List[str]:
    """Lower-case lemmas of the words in `text` (punctuation dropped)."""
    doc = pipeline()(text.lower()[:5000])
    result = []
    for token in doc:
        lemma = (token.lemma_ or token.text).lower()
        if not _WORD.fullmatch(lemma):
            continue
        if drop_stop_words and (lemma in STOP_WORDS or token.text in STOP_WORDS):
            continue
        result.append(lemma)
    return result
