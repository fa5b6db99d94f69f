"""The real-question corpus and its labels.

`real_questions/privacyqa-questions.tsv` is a verbatim copy of the 1,266 real
questions of `../shared/real-questions/` (PrivacyQA, MIT licence: see
`real_questions/SOURCE.md` and `LICENSE-PrivacyQA.txt`). `labels.tsv` gives
each question its label against this shop's policy (LABELLING.md says how);
`passes/` keeps the two independent labelling passes it was reconciled from.

A label is a set of acceptable outcomes: clause ids (each a correct first
citation), or exactly one of `not_covered`, `out_of_scope`, `request:<type>`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(__file__).resolve().parent / "real_questions"
QUESTIONS_FILE = CORPUS_DIR / "privacyqa-questions.tsv"
LABELS_FILE = CORPUS_DIR / "labels.tsv"
PASSES_DIR = CORPUS_DIR / "passes"
# Questions shoppers asked this shop's bot, labelled by staff (quality/review.py): same label scheme.
SHOP_LABELS_FILE = Path(__file__).resolve().parent / "shop_questions" / "labels.tsv"
SHOP_HEADER = ["id", "label", "half", "question"]
SHOP_HALVES = ("train", "test", "neither")  # quality/split.py place_new
# Questions written from the labelling guide alone, in shoppers' and app users' words (guide_probes/README.md):
# never trained on; read to find the bot's gaps, so a regression set, not an unseen measure.
PROBES_FILE = Path(__file__).resolve().parent / "guide_probes" / "probes.tsv"
PROBES_HEADER = ["set", "label", "question"]

NOT_COVERED = "not_covered"
OUT_OF_SCOPE = "out_of_scope"
REQUEST_PREFIX = "request:"


class LabelError(ValueError):
    """A label that does not fit the labelling scheme."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    categories: tuple = ()


@dataclass(frozen=True)
class Label:
    outcomes: FrozenSet[str]

    @property
    def kind(self) -> str:
        """`answer`, `not_covered`, `out_of_scope` or `request`."""
        (first, *_) = sorted(self.outcomes)
        if first in (NOT_COVERED, OUT_OF_SCOPE):
            return first
        if first.startswith(REQUEST_PREFIX):
            return "request"
        return "answer"

    @property
    def clauses(self) -> FrozenSet[str]:
        return self.outcomes if self.kind == "answer" else frozenset()

    @property
    def request_type(self) -> Optional[str]:
        if self.kind != "request":
            return None
        return next(iter(self.outcomes))[len(REQUEST_PREFIX) :]

    def __str__(self) -> str:
        return " ".join(sorted(self.outcomes))


def parse_label(text: str, clause_ids: Iterable[str], request_types: Iterable[str]) -> Label:
    outcomes = frozenset(text.split())
    if not outcomes:
        raise LabelError("empty label")
    special = {o for o in outcomes if o in (NOT_COVERED, OUT_OF_SCOPE) or o.startswith(REQUEST_PREFIX)}
    if special and len(outcomes) > 1:
        raise LabelError(f"{sorted(special)} cannot be combined with anything else: {text!r}")
    known_clauses, known_types = set(clause_ids), set(request_types)
    for outcome in outcomes - special:
        if outcome not in known_clauses:
            raise LabelError(f"unknown clause id {outcome!r} in {text!r}")
    for outcome in special:
        if outcome.startswith(REQUEST_PREFIX) and outcome[len(REQUEST_PREFIX) :] not in known_types:
            raise LabelError(f"unknown request type in {text!r}")
    return Label(outcomes)


def label_at(where: str, text: str, clause_ids: Iterable[str], request_types: Iterable[str]) -> Label:
    """parse_label, its error prefixed with where the label was found ("FILE, line N")."""
    try:
        return parse_label(text, clause_ids, request_types)
    except LabelError as error:
        raise LabelError(f"{where}: {error}") from None


def read_tsv(path: Path) -> List[List[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def load_questions(path: Path = QUESTIONS_FILE) -> List[Question]:
    rows = read_tsv(path)
    if rows[0][:2] != ["privacyqa_query_id", "question"]:
        raise LabelError(f"{path}: unexpected header {rows[0]}")
    return [
        Question(row[0], row[1], tuple(c for c in (row[2] if len(row) > 2 else "").split(",") if c)) for row in rows[1:]
    ]


def _vocabulary():
    """The clause ids of the policy and the request types of the bot."""
    from bot.actions.payloads import REQUEST_TYPES
    from bot.actions.policy import default_policy

    return default_policy().ids(), REQUEST_TYPES


def load_labels(path: Path = LABELS_FILE) -> Dict[str, Label]:
    """question id -> Label, validated against the policy's clause ids.

    `labels.tsv` has a header (`privacyqa_query_id`, `label`, `question`); a
    labelling pass (`passes/*.tsv`) is plain `id<TAB>label` lines."""
    clause_ids, request_types = _vocabulary()
    rows = read_tsv(path)
    label_column = 1
    if rows and rows[0][0] == "privacyqa_query_id":
        label_column = rows[0].index("label")
        rows = rows[1:]
    labels: Dict[str, Label] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) <= label_column:
            raise LabelError(f"{path}, row {number}: expected an id and a label")
        if row[0] in labels:
            raise LabelError(f"{path}, row {number}: question {row[0]!r} labelled twice")
        labels[row[0]] = label_at(f"{path}, row {number}", row[label_column], clause_ids, request_types)
    return labels


@dataclass(frozen=True)
class LabelledQuestion:
    question: Question
    label: Label


def labelled_questions() -> List[LabelledQuestion]:
    labels = load_labels()
    questions = load_questions()
    missing = [q.id for q in questions if q.id not in labels]
    if missing:
        raise LabelError(f"{len(missing)} questions have no label, e.g. {missing[:3]}")
    return [LabelledQuestion(q, labels[q.id]) for q in questions]


@dataclass(frozen=True)
class ShopQuestion(LabelledQuestion):
    """A question a shopper asked this bot, labelled by staff; `half` was fixed when it was added."""

    half: str = "neither"


def load_shop_questions(path: Optional[Path] = None) -> List[ShopQuestion]:
    """The shop's own labelled questions (`id<TAB>label<TAB>half<TAB>question`, with a header;
    default: SHOP_LABELS_FILE)."""
    path = path or SHOP_LABELS_FILE
    clause_ids, request_types = _vocabulary()
    rows = read_tsv(path) if path.exists() else []
    if rows and rows[0] != SHOP_HEADER:
        raise LabelError(f"{path}: expected the header {SHOP_HEADER}, found {rows[0]}")
    items, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(SHOP_HEADER):
            raise LabelError(f"{path}, line {number}: expected an id, a label, a half and a question")
        qid, label_text, half, text = row
        if qid in seen:
            raise LabelError(f"{path}, line {number}: question {qid!r} labelled twice")
        if half not in SHOP_HALVES:
            raise LabelError(f"{path}, line {number}: half {half!r} is not one of {', '.join(SHOP_HALVES)}")
        seen.add(qid)
        label = label_at(f"{path}, line {number}", label_text, clause_ids, request_types)
        items.append(ShopQuestion(Question(qid, text), label, half))
    return items


def load_probe_questions(path: Optional[Path] = None) -> List[LabelledQuestion]:
    """The guide probes (`set<TAB>label<TAB>question`, with a header; default: PROBES_FILE), with ids
    `<set>-<number within the set>`."""
    path = path or PROBES_FILE
    clause_ids, request_types = _vocabulary()
    rows = read_tsv(path)
    if not rows or rows[0] != PROBES_HEADER:
        raise LabelError(f"{path}: expected the header {PROBES_HEADER}, found {rows[0] if rows else 'an empty file'}")
    items: List[LabelledQuestion] = []
    numbers: Dict[str, int] = {}
    seen: Dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(PROBES_HEADER) or not row[0].strip() or not row[2].strip():
            raise LabelError(f"{path}, line {line}: expected a set, a label and a question")
        set_name, label_text, text = row
        key = " ".join(text.lower().split())
        if key in seen:
            raise LabelError(f"{path}, line {line}: the same question as line {seen[key]}")
        seen[key] = line
        label = label_at(f"{path}, line {line}", label_text, clause_ids, request_types)
        numbers[set_name] = numbers.get(set_name, 0) + 1
        items.append(LabelledQuestion(Question(f"{set_name}-{numbers[set_name]}", text), label))
    return items
