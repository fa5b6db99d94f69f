"""`python -m quality ...`: the real-question corpus, training data and answer quality.

eval      ask the bot every question of a labelled set and score the answers
          (`make eval`: the real-question test split, written to docs/answer-quality.md)
nlu       regenerate bot/data/nlu/real_questions.yml (and shop_questions.yml) from the training halves
agreement the two labelling passes' agreement
review-export  the questions the bot could not answer, redacted, for staff to label (`make review-questions`)
review-import  add a labelled export to quality/shop_questions/labels.tsv (`make add-labels FILE=...`)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from . import answer_quality, corpus, report, review, split, training_data, variants


def selected(which: str, source: str = "real") -> List[corpus.LabelledQuestion]:
    if source == "probes":  # never trained on, never split: every probe, whatever `which`
        return corpus.load_probe_questions()
    if source == "shop":
        halves = review.shop_halves()
        return halves["train"] + halves["test"] if which == "all" else halves[which]
    items = corpus.labelled_questions()
    if which == "all":
        return items
    return split.split(items)[which]


def evaluate(items, bot_url: Optional[str], model: Optional[Path], extra_env: Dict[str, str]) -> answer_quality.Report:
    if bot_url:
        return answer_quality.Report(answer_quality.run(bot_url, items))
    from launcher import Ports, Stack
    from launcher.stack import MODEL_PATH

    with tempfile.TemporaryDirectory(prefix="quality-") as var_dir:
        stack = Stack(
            ports=Ports.free(),
            var_dir=Path(var_dir),
            services=("actions", "rasa"),
            model_path=Path(model or MODEL_PATH),
            extra_env=extra_env,
        )
        with stack:
            return answer_quality.Report(answer_quality.run(stack.rasa_url, items))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quality", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ev = commands.add_parser("eval", help="score the bot on a labelled set")
    ev.add_argument("--split", choices=("test", "train", "all"), default="test")
    ev.add_argument(
        "--corpus",
        choices=("real", "shop", "probes"),
        default="real",
        help="real: the PrivacyQA questions (default); shop: the shop's own labelled questions; "
        "probes: questions written from the labelling guide (quality/guide_probes)",
    )
    ev.add_argument("--bot-url", help="a running bot (default: start one on free ports)")
    ev.add_argument("--model", type=Path, help="model archive (default: bot/models/privacy-bot.tar.gz)")
    ev.add_argument("--name", help="column title (default: the corpus and the half)")
    ev.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="setting for the action server (repeatable), e.g. CLAUSE_SEARCH=bm25",
    )
    ev.add_argument("--write", action="store_true", help="write docs/answer-quality.md and the README's figures")
    commands.add_parser("variants", help="sparse only / + dense / + hybrid / + averaged on the test half")
    commands.add_parser("nlu", help="regenerate bot/data/nlu/real_questions.yml")
    commands.add_parser("agreement", help="agreement of the two labelling passes")
    ex = commands.add_parser("review-export", help="the questions the bot could not answer, for labelling")
    ex.add_argument("--out", type=Path, default=review.EXPORT_FILE, help=f"default: {review.EXPORT_FILE}")
    ex.add_argument("--days", type=int, default=review.DEFAULT_DAYS, help="how far back (default: 30 days)")
    ex.add_argument("--all", action="store_true", help="every question, answered ones too")
    im = commands.add_parser("review-import", help="add a labelled export to quality/shop_questions/labels.tsv")
    im.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.command == "review-export":
        return review_export(args)
    if args.command == "review-import":
        try:
            added = review.import_labels(args.file)
        except corpus.LabelError as error:
            print(error, file=sys.stderr)
            return 1
        print(
            f"added {added} labelled question(s) to {corpus.SHOP_LABELS_FILE}; `make real-nlu` puts them into training"
        )
        return 0

    if args.command == "nlu":
        for path in training_data.write():
            print(f"wrote {path}")
        return 0
    if args.command == "agreement":
        print(report.agreement_text(report.agreement()))
        return 0

    if args.command == "variants":
        reports = variants.run(evaluate, selected("test"))
        table = answer_quality.summary_table(reports)
        print(table)
        report.write_variants(table)
        return 0

    extra_env = dict(item.split("=", 1) for item in args.env)
    if args.write and args.corpus != "real":
        parser.error("--write is for the real questions (the README's figures)")
    items = selected(args.split, args.corpus)
    if not items:
        print(f"no labelled questions in the {args.corpus} corpus's {args.split} half yet: nothing to score")
        return 0
    what = {"real": "real questions", "shop": "shop questions", "probes": "guide probes"}[args.corpus]
    whole = args.split == "all" or args.corpus == "probes"
    args.name = args.name or (what if whole else f"{what}, {args.split} half")
    result = evaluate(items, args.bot_url, args.model, extra_env)
    print(answer_quality.summary_table({args.name: result}))
    if args.corpus == "real":  # the shop's questions have no OPP-115 categories
        print()
        print(answer_quality.category_table(result))
    print()
    print("Worst misses:")
    print(answer_quality.worst_table(result))
    if args.corpus == "real":  # make test holds the floors on the real questions' test half
        failed = result.floors_failed()
        print("\nfloors held by make test: " + ("all met" if not failed else "; ".join(failed)))
    missed = result.floors_failed(answer_quality.TARGETS)
    print("targets (80% / 5% / 10%): " + ("all met" if not missed else "; ".join(missed)))
    if args.write:
        written = report.write(result, args.split)
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


def review_export(args) -> int:
    from intake.config import load_config
    from intake.conversations import TrackerStore, TrackerStoreUnavailable

    if args.days is not None and args.days <= 0:
        print("--days must be a positive number of days", file=sys.stderr)
        return 2
    try:
        store = TrackerStore(load_config()["TRACKER_STORE_URL"])
    except ValueError as error:
        print(f"review-export: {error}", file=sys.stderr)
        return 2
    try:
        rows = review.export(store, args.out, days=args.days, everything=args.all)
    except TrackerStoreUnavailable as error:
        print(f"review-export: {error}; check TRACKER_STORE_URL", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    what = "questions" if args.all else "questions the bot did not answer"
    print(f"wrote {args.out}: {len(rows)} {what} of the last {args.days} days, not yet labelled")
    print("fill in the label column (quality/real_questions/LABELLING.md), then: make add-labels FILE=" + str(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
