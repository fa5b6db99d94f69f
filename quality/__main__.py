"""`python -m quality ...`: the real-question corpus, training data and answer quality.

eval      ask the bot every question of a labelled set and score the answers
          (`make eval`: the real-question test split, written to docs/answer-quality.md)
nlu       regenerate bot/data/nlu/real_questions.yml from the training half
agreement the two labelling passes' agreement
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from . import answer_quality, corpus, report, split, training_data, variants


def selected(which: str) -> List[corpus.LabelledQuestion]:
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
    ev.add_argument("--bot-url", help="a running bot (default: start one on free ports)")
    ev.add_argument("--model", type=Path, help="model archive (default: bot/models/privacy-bot.tar.gz)")
    ev.add_argument("--name", default="real questions, test half", help="column title")
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
    args = parser.parse_args(argv)

    if args.command == "nlu":
        path = training_data.write()
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
    items = selected(args.split)
    result = evaluate(items, args.bot_url, args.model, extra_env)
    print(answer_quality.summary_table({args.name: result}))
    print()
    print(answer_quality.category_table(result))
    print()
    print("Worst misses:")
    print(answer_quality.worst_table(result))
    failed = result.floors_failed()
    print("\nfloors held by make test: " + ("all met" if not failed else "; ".join(failed)))
    missed = result.floors_failed(answer_quality.TARGETS)
    print("targets (80% / 5% / 10%): " + ("all met" if not missed else "; ".join(missed)))
    if args.write:
        written = report.write(result, args.split)
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
