"""Choosing the pipeline and thresholds on the TRAINING half only (cross-validation).

The training half of the real questions is cut into 3 folds (near-duplicate
groups stay together). For each fold an NLU model is trained on the
hand-written data plus the other two folds, and every question of the fold
is parsed by it. The reply is then decided for many settings at once by the
bot's own decision code (bot/actions/answer_choice.py), with the fold's
questions also taken out of the examples the search and topic choice use,
and scored like `make eval` scores the running bot. The test half is never
touched here.

  python -m quality.tuning parse --config bot/config.yml --name dense   (trains and parses, ~15 min)
  python -m quality.tuning grid --name dense                           (scores the settings)

One DIET model is one draw: retrained with another random seed (or on data
that differs by a few examples) the same configuration moves the criterion
by up to about 0.03 and the hand-written held-out accuracy by up to 3 points.
To compare settings by more than one draw, parse the same configuration with
other seeds and score them together; the grid then ranks settings by their
mean error over the runs and prints each run's error beside it:

  python -m quality.tuning parse --name s7 --seed 7
  python -m quality.tuning grid --name app,s7,s1234

The default folds share apps (PrivacyQA asked about 35 apps, and both halves
hold questions about all of them), so they flatter a model that learned an
app's concerns. `--folds app` keeps every app in one fold: each fold is
scored by a model that never saw a question about its apps, nearer to what a
new shopper asks (docs/answer-quality-tuning.md, fourth round).

  python -m quality.tuning parse --name byapp --folds app
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from . import training_data
from .answer_quality import Outcome, Report, Scored
from .corpus import ROOT, labelled_questions
from .split import TRAIN, groups, split

FOLDS = 3
WORK = ROOT / "var" / "tuning"
BOT = ROOT / "bot"


def app_of(question_id: str) -> str:
    """The app a PrivacyQA question was asked about: its id is "<app name>_<n>_<k>"."""
    return re.sub(r"_\d+_\d+$", "", question_id).strip()


def folds(by: str = "question") -> List[list]:
    """The training half in FOLDS folds. `question`: near-duplicate groups hashed apart (the
    default); `app`: every question about one app in one fold, so each fold's questions are
    about apps the model never saw, as a new shopper's words are."""
    items = split(labelled_questions())[TRAIN]
    result: List[list] = [[] for _ in range(FOLDS)]
    if by == "app":
        for item in items:
            result[int(hashlib.sha256(app_of(item.question.id).encode()).hexdigest(), 16) % FOLDS].append(item)
        return result
    if by != "question":
        raise ValueError(f"folds by 'question' or 'app', not {by!r}")
    by_id = {item.question.id: item for item in items}
    for group in groups([item.question for item in items]):
        key = min(q.id for q in group)
        fold = int(hashlib.sha256(key.encode()).hexdigest(), 16) % FOLDS
        result[fold].extend(by_id[q.id] for q in group)
    return result


def _nlu_dir(held_out: list, into: Path) -> Path:
    from bot.actions.topics import default_topics

    into.mkdir(parents=True, exist_ok=True)
    for path in (BOT / "data" / "nlu").glob("*.yml"):
        if path.name != training_data.OUTPUT.name:
            shutil.copy(path, into / path.name)
    held = {item.question.id for item in held_out}
    keep = [item for item in split(labelled_questions())[TRAIN] if item.question.id not in held]
    (into / training_data.OUTPUT.name).write_text(
        yaml.safe_dump(training_data.document(keep, default_topics()), sort_keys=False, width=1000)
    )
    return into


def with_seed(config: Path, seed: int, into: Path) -> Path:
    """A copy of `config` whose DIETClassifier trains with `random_seed: seed`."""
    document = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    classifiers = [c for c in document.get("pipeline") or () if c.get("name") == "DIETClassifier"]
    if not classifiers:
        raise ValueError(f"{config} has no DIETClassifier to give a seed to")
    for component in classifiers:
        component["random_seed"] = seed
    into.parent.mkdir(parents=True, exist_ok=True)
    into.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return into


def fold_paths(name: str) -> List[Path]:
    """The parsed folds of the run `name` (written by `parse` or `average`), in fold order."""
    return sorted((WORK / name).glob("fold-*.json"))


def config_file(config: Path) -> Path:
    """`config` as an absolute path, checked: `parse` changes directory into the bot after its first
    fold, so a relative path would name another file (and Rasa silently trains its default
    pipeline when the file is missing)."""
    resolved = Path(config).resolve()
    if not resolved.is_file():
        raise ValueError(f"no Rasa config at {resolved}")
    return resolved


def parse(config: Path, name: str, seed: Optional[int] = None, by: str = "question") -> Path:
    config = config_file(config)
    out = WORK / name
    out.mkdir(parents=True, exist_ok=True)
    if seed is not None:
        config = with_seed(config, seed, out / "config.yml")
    env = dict(
        os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false", RASA_MAX_CACHE_SIZE="0"
    )  # never reuse a fold model trained on other lemmas
    for k, fold in enumerate(folds(by)):
        with tempfile.TemporaryDirectory() as tmp:
            data = _nlu_dir(fold, Path(tmp) / "nlu")
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "rasa"),
                    "train",
                    "nlu",
                    "--config",
                    str(config),
                    "--nlu",
                    str(data),
                    "--out",
                    tmp,
                    "--fixed-model-name",
                    "fold",
                ],
                cwd=BOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            parses = asyncio.run(_parse_all(Path(tmp) / "fold.tar.gz", [i.question.text for i in fold]))
        (out / f"fold-{k}.json").write_text(
            json.dumps([{"id": item.question.id, "parse": p} for item, p in zip(fold, parses)])
        )
        print(f"fold {k}: {len(fold)} questions parsed", flush=True)
    return out


def average(first: str, second: str, first_weight: float, name: str) -> Path:
    """A run whose every parse is the weighted average of two parsed runs' intent rankings, as
    bot/components/intent_blend.py averages DIET's and the regression's in the running bot, so
    that `grid` can choose the weight and the fallback thresholds without training again. Both
    runs must hold the same folds (the same `--folds`)."""
    from bot.components.intent_blend import blend

    if not 0.0 <= first_weight <= 1.0:
        raise ValueError(f"the first run's weight must be from 0 to 1, not {first_weight}")
    runs = []
    for run in (first, second):
        paths = fold_paths(run)
        if not paths:
            raise ValueError(f"no parsed folds under {WORK / run}: run `parse --name {run}` first")
        runs.append([json.loads(path.read_text()) for path in paths])
    ids = [[[p["id"] for p in fold] for fold in run] for run in runs]
    if ids[0] != ids[1]:
        raise ValueError(f"{first} and {second} hold different folds: parse both with the same --folds")
    out = WORK / name
    out.mkdir(parents=True, exist_ok=True)
    for k, (fold_a, fold_b) in enumerate(zip(*runs)):
        averaged = []
        for a, b in zip(fold_a, fold_b):
            rankings = [[r for r in p["parse"]["intent_ranking"] if r["name"] != "nlu_fallback"] for p in (a, b)]
            averaged.append({"id": a["id"], "parse": {"intent_ranking": blend(*rankings, first_weight)}})
        (out / f"fold-{k}.json").write_text(json.dumps(averaged))
    return out


async def _parse_all(model: Path, texts: List[str]) -> List[dict]:
    sys.path.insert(0, str(BOT))  # the model's custom components (components/) load from bot/
    os.chdir(BOT)  # the pipeline's paths (build/spacy-en) are relative to the bot
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        results.append(
            {
                "intent_ranking": [
                    {"name": r["name"], "confidence": float(r["confidence"])} for r in parsed.get("intent_ranking", [])
                ]
            }
        )
    return results


# --- deciding the reply for a parsed question ---------------------------------------
def decide(chooser, text: str, ranking: List[dict], threshold: float, ambiguity: float) -> Outcome:
    """The reply the bot's rules and actions give for this parse (see bot/data/rules)."""
    ranking = [r for r in ranking if r["name"] != "nlu_fallback"]
    top = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 0.0}
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    intent = top["name"]
    if top["confidence"] < threshold or top["confidence"] - second < ambiguity:
        choice = chooser.for_unclear(text, ranking)
    elif intent == "ask_uncovered":
        choice = chooser.for_uncovered(text, ranking)
    elif intent == "out_of_scope":
        choice = chooser.for_out_of_scope(text)
    elif intent.startswith("request_"):
        return Outcome("request", request_type=intent[len("request_") :])
    elif intent.startswith("ask_"):
        choice = chooser.for_intent(intent, text)
    else:
        return Outcome("none")
    if choice.kind == "topic":
        return Outcome("answer", choice.topic.section_ids)
    if choice.kind == "closest":
        return Outcome("answer", [choice.clause_id])
    if choice.kind == "law":  # answered from UK law: the policy doesn't cover it, and says so
        return Outcome("not_covered")
    return Outcome(choice.kind)


def chooser_without(held_out: list, dense_weight: float, search_threshold: float, topic_mode: str, use_vectors: bool):
    from bot.actions import answer_choice, clause_search
    from bot.actions.embeddings import default_vectors
    from bot.actions.policy import default_policy
    from bot.actions.topics import default_topics
    from bot.actions.training_examples import default_examples

    held = {training_data.clean(item.question.text) for item in held_out}
    examples = [e for e in default_examples() if e.text not in held]
    vectors = default_vectors() if use_vectors else None
    texts = clause_search.clause_texts(default_topics(), examples) if use_vectors else None
    index = clause_search.ClauseIndex(default_policy(), texts, vectors=vectors, dense_weight=dense_weight)
    clause_search.DEFAULT_THRESHOLD = search_threshold  # the search's threshold for this run
    chooser = answer_choice.AnswerChooser(default_topics(), index, examples, vectors, topic_mode=topic_mode)
    # The same questions are decided under many thresholds: remember what does not depend on them.
    index.scores = functools.lru_cache(maxsize=None)(index.scores)
    chooser.choose_topic = functools.lru_cache(maxsize=None)(chooser.choose_topic)
    topics = chooser.topics
    if not hasattr(topics.uncovered_subject, "cache_info"):
        topics.uncovered_subject = functools.lru_cache(maxsize=None)(topics.uncovered_subject)
    return chooser


SEARCH_THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7)
FALLBACK_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
AMBIGUITIES = (0.0, 0.05, 0.1)  # the FallbackClassifier's ambiguity_threshold
OVERRIDES = (0.75, 1.01)  # 1.01: ask_uncovered is never answered
UNSURE = ("clarify", "not_covered")


SETTINGS = (  # a grid row's settings, in the order of its key in grids()
    "vectors",
    "dense_weight",
    "topic_mode",
    "search_threshold",
    "fallback_threshold",
    "ambiguity_threshold",
    "uncovered_override",
    "unsure_guess",
)


def grids(names: List[str]) -> List[List[dict]]:
    """Every setting scored on each parsed run in `names`: one list of rows per run. A fold's
    search index and topic choice are built once per search and shared by every run that holds
    the same fold (runs of one configuration with other seeds do)."""
    from bot.actions import answer_choice, clause_search

    by_id = {item.question.id: item for fold in folds() for item in fold}
    runs = [[json.loads(p.read_text()) for p in fold_paths(name)] for name in names]
    searches = [(False, 0.0, "keywords")] + [
        (True, weight, mode) for weight in (0.5, 0.7, 0.85) for mode in ("keywords", "keywords+vectors", "vectors")
    ]
    results: List[Dict[tuple, List[Scored]]] = [{} for _ in names]
    for use_vectors, weight, topic_mode in searches:
        choosers: Dict[frozenset, object] = {}
        for run, fold_parses in enumerate(runs):
            for parses in fold_parses:
                held = [by_id[p["id"]] for p in parses]
                fold_ids = frozenset(p["id"] for p in parses)
                if fold_ids not in choosers:
                    choosers[fold_ids] = chooser_without(held, weight, 0.0, topic_mode, use_vectors)
                chooser = choosers[fold_ids]
                for search_threshold, threshold, ambiguity, override, unsure in itertools.product(
                    SEARCH_THRESHOLDS, FALLBACK_THRESHOLDS, AMBIGUITIES, OVERRIDES, UNSURE
                ):
                    clause_search.DEFAULT_THRESHOLD = search_threshold
                    answer_choice.UNCOVERED_OVERRIDE = override
                    answer_choice.UNSURE_POLICY_GUESS = unsure
                    key = (use_vectors, weight, topic_mode, search_threshold, threshold, ambiguity, override, unsure)
                    for p, item in zip(parses, held):
                        outcome = decide(
                            chooser, item.question.text, p["parse"]["intent_ranking"], threshold, ambiguity
                        )
                        results[run].setdefault(key, []).append(Scored(item, outcome))
    return [
        [{**dict(zip(SETTINGS, key)), **Report(scored).metrics()} for key, scored in run.items()] for run in results
    ]


def grid(name: str) -> List[dict]:
    return grids([name])[0]


def grid_over(names: List[str]) -> List[dict]:
    """The grid of every run in `names` (the same configuration parsed with other seeds),
    one row per setting: each metric's mean over the runs, and each run's error."""
    by_setting: Dict[tuple, List[dict]] = {}
    for rows in grids(names):
        for row in rows:
            by_setting.setdefault(tuple(row[k] for k in SETTINGS), []).append(row)
    combined = []
    for setting, rows in by_setting.items():
        if len(rows) != len(names):
            continue
        mean = {
            k: sum(r[k] for r in rows) / len(rows)
            for k, v in rows[0].items()
            if k not in SETTINGS and isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        combined.append({**dict(zip(SETTINGS, setting)), **mean, "run_errors": [round(error(r), 4) for r in rows]})
    return combined


def error(row: dict) -> float:
    """The criterion settings are chosen by: the three floors' error rates added up
    (top-1 misses + covered questions declined + uncovered questions answered)."""
    return (1 - row["top1"]) + row["covered_as_not_covered"] + row["uncovered_answered"]


def best(rows: List[dict]) -> dict:
    return min(rows, key=error)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quality.tuning")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse")
    p.add_argument("--config", type=Path, default=BOT / "config.yml")
    p.add_argument("--name", required=True)
    p.add_argument("--seed", type=int, help="train DIET with this random_seed instead of the config's")
    p.add_argument("--folds", choices=("question", "app"), default="question", help="app: no app in two folds")
    a = sub.add_parser("average", help="average two parsed runs' intent rankings (DIET's and the regression's)")
    a.add_argument("--first", required=True, help="a parsed run (DIET alone)")
    a.add_argument("--second", required=True, help="a parsed run of the same folds (the regression alone)")
    a.add_argument("--first-weight", type=float, required=True)
    a.add_argument("--name", required=True)
    g = sub.add_parser("grid")
    g.add_argument("--name", required=True, help="a parsed run, or several separated by commas (mean over them)")
    args = parser.parse_args(argv)
    if args.command == "parse":
        try:
            print(parse(args.config, args.name, args.seed, args.folds))
        except ValueError as error_:
            parser.error(str(error_))
    elif args.command == "average":
        try:
            print(average(args.first, args.second, args.first_weight, args.name))
        except ValueError as error_:
            parser.error(str(error_))
    else:
        names = [n for n in args.name.split(",") if n]
        missing = [n for n in names if not fold_paths(n)]
        if missing:
            parser.error(f"no parsed folds under {WORK} for {', '.join(missing)}: run `parse --name NAME` first")
        rows = grid(names[0]) if len(names) == 1 else grid_over(names)
        (WORK / f"{'+'.join(names)}-grid.json").write_text(json.dumps(rows, indent=1))
        keys = SETTINGS + (
            "top1",
            "any3",
            "covered_as_not_covered",
            "uncovered_answered",
            "out_of_scope_correct",
            "run_errors",
        )
        for row in sorted(rows, key=error)[:10]:
            print({k: (round(row[k], 3) if isinstance(row[k], float) else row[k]) for k in keys if k in row})
    return 0


if __name__ == "__main__":
    sys.exit(main())
