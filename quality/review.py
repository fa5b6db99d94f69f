"""Shoppers' questions the bot could not answer, labelled by staff, so the bot learns from them.

The real-question corpus (PrivacyQA) is all the labelled real questions the project may use; more can
only come from this shop's own shoppers. The loop:

1. `make review-questions` (`python -m quality review-export`) reads the bot's conversations (the
   tracker store, ``TRACKER_STORE_URL``) and writes ``var/review/questions-to-label.tsv``: each
   distinct question of the last ``--days`` days that the bot answered "not covered", asked to
   rephrase, or called "not privacy" (``--all``: answered questions too), how often it was asked, and
   what the bot replied. No conversation id, no time, nothing typed into a request form, and personal
   data replaced by placeholders (quality/redaction.py). The file is for staff only and is not kept in the repository.
2. Staff fill in the `label` column with the scheme of quality/real_questions/LABELLING.md (clause ids,
   `not_covered`, `out_of_scope`, `request:<type>`), leaving a question they cannot label blank and
   deleting what is still personal.
3. `make add-labels FILE=...` (`python -m quality review-import FILE`) checks every labelled row and
   adds them to quality/shop_questions/labels.tsv; one bad row (an unknown clause id, personal data a
   pattern still finds, a question already labelled otherwise) stops the whole import with every
   problem listed, and nothing is written.
4. `make real-nlu` then puts the training half of them into bot/data/nlu/shop_questions.yml, and
   `make eval-shop` scores the bot on the test half. The halves are fixed by a hash of the question id
   and keep near-duplicates together, also with the real questions (quality/split.py `assign_shop`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

from .corpus import (
    ROOT,
    SHOP_HEADER,
    SHOP_LABELS_FILE,
    LabelError,
    LabelledQuestion,
    _vocabulary,
    labelled_questions,
    load_shop_questions,
    parse_label,
    read_tsv,
)
from .redaction import personal_data_in, redact
from .split import assign_shop, split

EXPORT_FILE = ROOT / "var" / "review" / "questions-to-label.tsv"
EXPORT_HEADER = ["id", "label", "asked", "bot_reply", "question"]
#: the replies that mean the bot did not answer: what the default export is made of
UNANSWERED = ("not_covered", "clarify", "out_of_scope")
#: the replies to a question (`--all`); a request, a handoff or a form's next question are not
QUESTIONS = ("answer",) + UNANSWERED
DEFAULT_DAYS = 30


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def question_id(text: str) -> str:
    """A shop question's id: a hash of its normalised text (so the same question asked twice, or
    exported twice, is one question)."""
    return "shop-" + hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()[:12]


def clean(text: str) -> str:
    """One line, no tabs: what a TSV cell can hold."""
    return " ".join(text.replace("\t", " ").split())


def reply_of(payloads: Sequence[dict]) -> str:
    """The bot's reply as staff read it: its first payload's kind, and the clauses an answer cited."""
    if not payloads:
        return "none"
    first = payloads[0]
    kind = str(first.get("kind"))
    if kind == "answer" and first.get("sections"):
        return f"answer {' '.join(first['sections'])}"
    if kind == "not_covered" and first.get("nearest"):
        return f"not_covered (nearest {first['nearest']})"
    if kind == "request":
        return f"request {first.get('request_type')}"
    return kind


@dataclass
class ToLabel:
    id: str
    question: str
    bot_reply: str
    asked: int = 1


def collect(exchanges: Iterable, kinds: Sequence[str] = UNANSWERED, known: Iterable[str] = ()) -> List[ToLabel]:
    """The distinct redacted questions whose reply's first payload is of one of `kinds`, without
    those whose id is in `known`; most asked first. Nothing typed into a request form is taken."""
    known = set(known)
    found: Dict[str, ToLabel] = {}
    for exchange in exchanges:
        if exchange.in_form or not (exchange.payloads and exchange.payloads[0].get("kind") in kinds):
            continue
        text = clean(redact(exchange.text))
        if not text:
            continue
        qid = question_id(text)
        if qid in known:
            continue
        if qid in found:
            found[qid].asked += 1
        else:
            found[qid] = ToLabel(qid, text, reply_of(exchange.payloads))
    return sorted(found.values(), key=lambda item: (-item.asked, item.question))


def export_text(rows: Sequence[ToLabel]) -> str:
    """Tab-separated, one question per line (`clean` has taken tabs and line breaks out)."""
    lines = ["\t".join(EXPORT_HEADER)]
    lines += ["\t".join((row.id, "", str(row.asked), row.bot_reply, row.question)) for row in rows]
    return "\n".join(lines) + "\n"


def export(
    store, out: Path, days: Optional[int] = DEFAULT_DAYS, everything: bool = False, now: Optional[dt.datetime] = None
) -> List[ToLabel]:
    """Write the questions to label to `out` (see the module's docstring); returns them."""
    since = None
    if days is not None:
        now = now or dt.datetime.now(dt.timezone.utc)
        since = (now - dt.timedelta(days=days)).timestamp()
    known = {item.question.id for item in load_shop_questions()}
    rows = collect(store.exchanges(since), QUESTIONS if everything else UNANSWERED, known)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(export_text(rows), encoding="utf-8")
    return rows


class LabelImportError(LabelError):
    """A labelled file that cannot be imported; the message lists every problem found."""


def import_labels(source: Path, target: Path = SHOP_LABELS_FILE) -> int:
    """Add the labelled rows of `source` (an export with its `label` column filled in) to `target`.
    Returns how many were added. All or nothing: any bad row raises LabelImportError listing every bad
    row, and `target` is left as it was."""
    try:
        rows = read_tsv(source)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabelImportError(f"{source}: cannot be read ({error})") from None
    if not rows or rows[0][: len(EXPORT_HEADER)] != EXPORT_HEADER:
        raise LabelImportError(f"{source}: expected the header {EXPORT_HEADER} of `make review-questions`'s file")
    clause_ids, request_types = _vocabulary()
    existing = {item.question.id: item for item in load_shop_questions(target)}
    problems: List[str] = []
    new: Dict[str, List[str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(EXPORT_HEADER):
            problems.append(f"line {number}: expected {len(EXPORT_HEADER)} tab-separated columns, found {len(row)}")
            continue
        label_text, question = row[1].strip(), clean(row[4])
        if not label_text:
            continue  # not labelled: left for another time
        if not question:
            problems.append(f"line {number}: the question is empty")
            continue
        try:
            label = parse_label(label_text, clause_ids, request_types)
        except LabelError as error:
            problems.append(f"line {number}: {error}")
            continue
        left = personal_data_in(question)
        if left:
            problems.append(f"line {number}: the question still holds personal data ({', '.join(left)}): {question!r}")
            continue
        qid = question_id(question)  # the text staff kept, whatever they edited
        before = existing.get(qid)
        if before is not None:
            if before.label != label:
                problems.append(f"line {number}: {question!r} is already labelled {before.label}, not {label}")
            continue
        if qid in new and new[qid][1] != str(label):
            problems.append(f"line {number}: {question!r} is labelled twice in this file, differently")
            continue
        new[qid] = [qid, str(label), question]
    if problems:
        raise LabelImportError(
            f"{source}: nothing was imported; fix these and run it again:\n  " + "\n  ".join(problems)
        )
    if new:
        target.parent.mkdir(parents=True, exist_ok=True)
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        lines = [] if text.strip() else ["\t".join(SHOP_HEADER)]
        lines += ["\t".join(row) for row in sorted(new.values(), key=lambda r: r[2])]
        if text and not text.endswith("\n"):
            text += "\n"
        partial = target.with_suffix(".tsv.partial")
        partial.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
        partial.replace(target)  # atomic: the labels file is never half written
    return len(new)


def shop_halves(path: Path = SHOP_LABELS_FILE) -> Dict[str, List[LabelledQuestion]]:
    """The shop's labelled questions, split into `train` and `test` (quality/split.py `assign_shop`)."""
    shop = load_shop_questions(path)
    real = [item.question for item in labelled_questions()]
    return split(shop, assign_shop([item.question for item in shop], real))
