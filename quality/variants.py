"""The variants table: what each step of the real-question work buys, on the test half.

  sparse only        DIET alone (below) without the WordLlama featurizer; the earlier BM25
                     fallback over the clause texts and keyword topic choice (CLAUSE_SEARCH=bm25)
  + dense features   DIET alone: bot/config.yml without the logistic regression averaged in,
                     at DIET's own fallback thresholds (0.5, ambiguity 0.1); same actions as above
  + hybrid fallback  the same NLU; hybrid BM25 + vector search over clauses, summaries and
                     training examples (the shipped actions)
  + averaged with    the shipped bot: DIET's intent ranking averaged with a logistic
    a regression     regression's (bot/components/intent_blend.py), at its fallback thresholds

All four are trained on the same data (hand-written + real-question training half); the
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
# What the shipped pipeline adds to DIET, and DIET's own fallback thresholds before it.
AVERAGING = (
    "components.intent_blend.IntentRankingSnapshot",
    "components.direct_logistic_regression.DirectLogisticRegressionClassifier",
    "components.intent_blend.IntentRankingBlend",
)
DIET_FALLBACK = {"threshold": 0.5, "ambiguity_threshold": 0.1}


def diet_alone_config(path: Path, dense: bool = True) -> Path:
    """bot/config.yml with DIET as the only intent classifier (and without the WordLlama
    featurizer unless `dense`)."""
    config = yaml.safe_load((BOT / "config.yml").read_text())
    dropped = set(AVERAGING) | (set() if dense else {FEATURIZER})
    missing = set(AVERAGING) - {c["name"] for c in config["pipeline"]}
    if missing:
        raise ValueError(f"bot/config.yml no longer has {sorted(missing)}: update quality/variants.py")
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] not in dropped]
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            component.update(DIET_FALLBACK)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def train(name: str, dense: bool) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    config = diet_alone_config(WORK / f"{name}-config.yml", dense)
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
            name,
        ],
        cwd=BOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_MAX_CACHE_SIZE="0"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return WORK / f"{name}.tar.gz"


def run(evaluate, items) -> Dict[str, answer_quality.Report]:
    from launcher.stack import MODEL_PATH

    sparse, diet = train("sparse", dense=False), train("diet-alone", dense=True)
    return {
        "sparse only": evaluate(items, None, sparse, {"CLAUSE_SEARCH": "bm25"}),
        "+ dense features": evaluate(items, None, diet, {"CLAUSE_SEARCH": "bm25"}),
        "+ hybrid fallback": evaluate(items, None, diet, {}),
        "+ averaged with a regression (shipped)": evaluate(items, None, MODEL_PATH, {}),
    }
