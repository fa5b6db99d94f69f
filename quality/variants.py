"""The variants table: what each step of the real-question work buys, on the test half.

  sparse only        bot/config.yml without the WordLlama featurizer; the earlier BM25
                     fallback over the clause texts and keyword topic choice (CLAUSE_SEARCH=bm25)
  + dense features   the shipped NLU (WordLlama dense features for DIET); same actions as above
  + hybrid fallback  the shipped bot: hybrid BM25 + vector search over clauses, summaries and
                     training examples, vectors in the choice between topics

All three are trained on the same data (hand-written + real-question training half); the
settings were chosen on the training half (quality/tuning.py). `make eval-variants`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict

import yaml

from . import answer_quality
from .corpus import ROOT

BOT = ROOT / "bot"
WORK = ROOT / "var" / "variants"
FEATURIZER = "components.wordllama_featurizer.WordLlamaFeaturizer"


def sparse_config(path: Path) -> Path:
    config = yaml.safe_load((BOT / "config.yml").read_text())
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] != FEATURIZER]
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def train_sparse() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    config = sparse_config(WORK / "sparse-config.yml")
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "--config",
            str(config),
            "--data",
            "data/nlu",
            "data/rules",
            "--out",
            str(WORK),
            "--fixed-model-name",
            "sparse",
        ],
        cwd=BOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_MAX_CACHE_SIZE="0"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return WORK / "sparse.tar.gz"


def run(evaluate, items) -> Dict[str, answer_quality.Report]:
    from launcher.stack import MODEL_PATH

    sparse = train_sparse()
    return {
        "sparse only": evaluate(items, None, sparse, {"CLAUSE_SEARCH": "bm25"}),
        "+ dense features": evaluate(items, None, MODEL_PATH, {"CLAUSE_SEARCH": "bm25"}),
        "+ hybrid fallback (shipped)": evaluate(items, None, MODEL_PATH, {}),
    }
