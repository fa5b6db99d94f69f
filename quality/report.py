"""Writing the figures: docs/answer-quality.md, the README's block, labelling agreement."""

from __future__ import annotations

import datetime
import re
from typing import Dict, List

from . import answer_quality
from .corpus import PASSES_DIR, ROOT, load_labels

DOC = ROOT / "docs" / "answer-quality.md"
README = ROOT / "README.md"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"


def agreement() -> Dict[str, float]:
    first, second = load_labels(PASSES_DIR / "pass-1.tsv"), load_labels(PASSES_DIR / "pass-2.tsv")
    ids = sorted(first)
    exact = sum(first[i].outcomes == second[i].outcomes for i in ids)
    same_kind = sum(first[i].kind == second[i].kind for i in ids)
    both_answer = [i for i in ids if first[i].kind == second[i].kind == "answer"]
    overlapping = sum(bool(first[i].clauses & second[i].clauses) for i in both_answer)
    return {
        "questions": len(ids),
        "exact": exact,
        "same_kind": same_kind,
        "both_answer": len(both_answer),
        "overlapping": overlapping,
    }


def agreement_text(a: Dict[str, float]) -> str:
    n = a["questions"]
    return (
        f"{a['exact']} of {n} questions ({100 * a['exact'] / n:.1f}%) got the same label in both passes; "
        f"{a['same_kind']} ({100 * a['same_kind'] / n:.1f}%) the same kind (clauses / not covered / "
        f"out of scope); where both passes cited clauses ({a['both_answer']}), {a['overlapping']} shared at "
        f"least one. The {n - a['exact']} disagreements were reconciled by hand "
        "(quality/real_questions/passes/reconciled.tsv)."
    )


def floors_text(result: answer_quality.Report) -> str:
    f, t = answer_quality.FLOORS, answer_quality.TARGETS
    held = result.floors_failed()
    missed = result.floors_failed(t)
    return (
        f'**Targets** (what the product aims for): top-1 >= {t.top1:.0%}, covered answered "not '
        f'covered" <= {t.covered_as_not_covered:.0%}, uncovered answered with a clause <= '
        f"{t.uncovered_answered:.0%}: "
        + ("all met." if not missed else "not met (" + "; ".join(missed) + ").")
        + f" **Floors held by `make test`** (regression guards: the shipped bot's "
        f"test-half figures less 7 points, `quality/answer_quality.py`): top-1 >= {f.top1:.0%}, covered declined <= "
        f"{f.covered_as_not_covered:.0%}, uncovered answered <= {f.uncovered_answered:.0%}: "
        + ("met." if not held else "NOT met (" + "; ".join(held) + ").")
    )


def markdown(result: answer_quality.Report, split_name: str) -> str:
    stamp = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"Produced by `make eval` (`python -m quality eval --split {split_name} --write`) on {stamp}: "
            f"every question of the real-question **{split_name}** half sent to the bot over the REST "
            "channel, one fresh conversation each, scored on the message contract's payloads.",
            "",
            answer_quality.summary_table({f"real questions, {split_name} half": result}),
            "",
            floors_text(result),
        ]
    )


VARIANTS_DOC = ROOT / "docs" / "answer-quality-variants.md"


def write_variants(table: str) -> None:
    stamp = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    VARIANTS_DOC.write_text(
        "# Variants on the real-question test half\n\n"
        f"Produced by `make eval-variants` (`python -m quality variants`) on {stamp}. "
        "Each column is the bot trained on the same data (hand-written examples + the real-question "
        "training half), asked every question of the test half over REST; see quality/variants.py "
        "for what each variant is. Settings were chosen on the training half by cross-validation "
        "(quality/tuning.py); this table was computed once, after that choice.\n\n" + table + "\n",
        encoding="utf-8",
    )


def write(result: answer_quality.Report, split_name: str) -> List:
    block = markdown(result, split_name)
    DOC.write_text(
        "# Answer quality on real questions\n\n"
        + block
        + "\n\n## By OPP-115 category (the corpus's own annotation)\n\n"
        + answer_quality.category_table(result)
        + "\n\n## The twenty worst misses\n\nDeclined covered questions first, then the policy quoted for "
        "something it does not say, then wrong clauses.\n\n"
        + answer_quality.worst_table(result)
        + "\n\n## Labels\n\n"
        + agreement_text(agreement())
        + "\n",
        encoding="utf-8",
    )
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: f"{START}\n{block}\n{END}", text, flags=re.S)
        README.write_text(text, encoding="utf-8")
    return [DOC, README]
