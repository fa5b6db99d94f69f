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
   `make eval-shop` scores the bot on the test half. Each question's half is decided when it is added
   and kept in the labels file: a near-duplicate's side (of a real or an earlier shop question), else
   a hash of its id; near-duplicates on both sides put it in neither (quality/split.py `place_new`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .corpus import (
    ROOT,
    SHOP_HEADER,
    Label,
    LabelError,
    Question,
    ShopQuestion,
    _vocabulary,
    labelled_questions,
    load_shop_questions,
    parse_label,
)
from . import corpus, training_data
from .redaction import MAX_CHARS, personal_data_in, redact
from .split import NEAR_DUPLICATE_JACCARD, TEST, TRAIN, jaccard, place_new, split, words

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


def collect(exchanges: Iterable, kinds: Sequence[str] = UNANSWERED, labelled: Iterable[str] = ()) -> List[ToLabel]:
    """The distinct redacted questions whose reply's first payload is of one of `kinds`, most asked
    first. Nothing typed into a request form is taken, nor a question already `labelled` (given as
    texts) or a near-duplicate of one (staff may have edited a name out of it)."""
    labelled_words = [words(text) for text in labelled]
    found: Dict[str, ToLabel] = {}
    for exchange in exchanges:
        if exchange.in_form or not (exchange.payloads and exchange.payloads[0].get("kind") in kinds):
            continue
        if len(exchange.text) > MAX_CHARS:
            continue  # longer than the widget sends: not a question to label
        text = clean(redact(exchange.text))
        if not text:
            continue
        qid = question_id(text)
        if qid in found:
            found[qid].asked += 1
            continue
        mine = words(text)
        if any(jaccard(mine, other) >= NEAR_DUPLICATE_JACCARD for other in labelled_words):
            continue
        found[qid] = ToLabel(qid, text, reply_of(exchange.payloads))
    return sorted(found.values(), key=lambda item: (-item.asked, item.question))


def export_text(rows: Sequence[ToLabel]) -> str:
    """Tab-separated, one question per line, quoted as a spreadsheet quotes (a cell holding a double
    quote is put in quotes, its quotes doubled), so saving it from a spreadsheet changes nothing."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for row in rows:
        writer.writerow([row.id, "", row.asked, row.bot_reply, row.question])
    return out.getvalue()


def export(
    store, out: Path, days: Optional[int] = DEFAULT_DAYS, everything: bool = False, now: Optional[dt.datetime] = None
) -> List[ToLabel]:
    """Write the questions to label to `out` (see the module's docstring), readable by its owner
    only; returns them."""
    since = None
    if days is not None:
        now = now or dt.datetime.now(dt.timezone.utc)
        since = (now - dt.timedelta(days=days)).timestamp()
    labelled = [item.question.text for item in load_shop_questions()]
    rows = collect(store.exchanges(since), QUESTIONS if everything else UNANSWERED, labelled)
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_private(out, export_text(rows))
    return rows


def _write_private(path: Path, text: str) -> None:
    """Write `path` with owner-only permissions (0600), also when it already exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


class LabelImportError(LabelError):
    """A labelled file that cannot be imported; the message lists every problem found."""


def _read_export(source: Path) -> List[Tuple[int, List[str]]]:
    """(line number, cells) of each non-blank line."""
    try:
        # utf-8-sig: a spreadsheet saving "UTF-8 text" puts a byte-order mark first
        with open(source, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t")
            return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabelImportError(f"{source}: cannot be read ({type(error).__name__}: {error})") from None


HELD_OUT_NLU = ROOT / "tests" / "nlu" / "test_nlu.yml"


def held_out_nlu_texts() -> List[str]:
    """The hand-written NLU test set (held out from training; the NLU floor is measured on it)."""
    from bot.actions.training_examples import read_examples

    return [text for _, text, _ in read_examples(HELD_OUT_NLU)] if HELD_OUT_NLU.exists() else []


def training_texts() -> List[str]:
    """Every NLU example the bot trains on apart from the shop's own questions: the hand-written
    examples and the real questions' training half (bot/data/nlu/)."""
    from bot.actions.training_examples import read_examples

    paths = sorted(training_data.OUTPUT.parent.glob("*.yml"))
    return [text for path in paths if path != training_data.SHOP_OUTPUT for _, text, _ in read_examples(path)]


def import_labels(source: Path, target: Optional[Path] = None) -> int:
    """Add the labelled rows of `source` (an export with its `label` column filled in) to `target`,
    each with the half it is placed in now and keeps (quality/split.py `place_new`). Returns how
    many were added. All or nothing: any bad row raises LabelImportError listing every bad row by
    line (never quoting a question, which may hold personal data), and `target` is left as it was."""
    target = target or corpus.SHOP_LABELS_FILE
    rows = _read_export(source)
    if not rows or rows[0][1][: len(EXPORT_HEADER)] != EXPORT_HEADER:
        raise LabelImportError(
            f"{source}: expected the tab-separated header {' '.join(EXPORT_HEADER)} of `make review-questions`'s file"
        )
    clause_ids, request_types = _vocabulary()
    existing = {item.question.id: (item, number) for number, item in enumerate(load_shop_questions(target), start=2)}
    problems: List[str] = []
    new: Dict[str, Tuple[Question, Label, int]] = {}
    near_labels = {
        f"{target.name}, line {where}": (words(item.question.text), item.label) for item, where in existing.values()
    }
    for number, row in rows[1:]:
        if len(row) != len(EXPORT_HEADER):
            problems.append(f"line {number}: expected {len(EXPORT_HEADER)} tab-separated columns, found {len(row)}")
            continue
        label_text, text = row[1].strip(), clean(row[4])
        if not label_text:
            continue  # not labelled: left for another time
        if not text:
            problems.append(f"line {number}: the question is empty")
            continue
        if len(text) > MAX_CHARS:
            problems.append(f"line {number}: the question is longer than {MAX_CHARS} characters")
            continue
        found = len(problems)
        try:
            label = parse_label(label_text, clause_ids, request_types)
        except LabelError as error:
            problems.append(f"line {number}: {error}")
        left = personal_data_in(text)
        if left:
            problems.append(f"line {number}: the question still holds personal data ({', '.join(left)}): edit it out")
        if len(problems) > found:
            continue
        qid = question_id(text)  # of the text staff kept, whatever they edited
        if qid in existing:
            before, where = existing[qid]
            if before.label != label:
                problems.append(
                    f"line {number}: this question is already labelled {before.label} ({target.name}, line {where})"
                )
            continue
        if qid in new:
            if new[qid][1] != label:
                problems.append(f"line {number}: the same question as line {new[qid][2]}, labelled differently")
            continue
        # near-duplicates ("do you sell my data" / "do you sell my data?") must agree
        mine = words(text)
        clash = next(
            (
                n
                for n, (w, other) in near_labels.items()
                if other != label and jaccard(mine, w) >= NEAR_DUPLICATE_JACCARD
            ),
            None,
        )
        if clash is not None:
            problems.append(f"line {number}: a near-duplicate of {clash}, which is labelled differently")
            continue
        near_labels[f"line {number}"] = (mine, label)
        new[qid] = (Question(qid, text), label, number)
    if problems:
        raise LabelImportError(
            f"{source}: nothing was imported; fix these and run it again:\n  " + "\n  ".join(problems)
        )
    if not new:
        return 0
    # placed already: the real questions, the shop's earlier ones, and every other training example
    placed = [(item.question, side) for side, items in split(labelled_questions()).items() for item in items]
    placed += [(item.question, item.half) for item, _ in existing.values()]
    placed += [(Question(f"nlu-{n}", text), TRAIN) for n, text in enumerate(training_texts())]
    # and the hand-written NLU test set, which is never trained on (tests/bot/test_nlu_quality.py)
    placed += [(Question(f"nlu-test-{n}", text), TEST) for n, text in enumerate(held_out_nlu_texts())]
    halves = place_new([question for question, _, _ in new.values()], placed)
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    lines = [] if text.strip() else ["\t".join(SHOP_HEADER)]
    if text.strip() and not text.endswith("\n"):
        text += "\n"
    for question, label, _ in sorted(new.values(), key=lambda entry: entry[0].text):
        lines.append("\t".join((question.id, str(label), halves[question.id], question.text)))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
        partial.replace(target)  # atomic: the labels file is never half written
    finally:
        partial.unlink(missing_ok=True)
    return len(new)


def shop_halves(path: Optional[Path] = None) -> Dict[str, List[ShopQuestion]]:
    """The shop's labelled questions by the half each was placed in when it was added (`train`,
    `test`; those placed in `neither` are in neither)."""
    halves: Dict[str, List[ShopQuestion]] = {TRAIN: [], TEST: []}
    for item in load_shop_questions(path):
        if item.half in halves:
            halves[item.half].append(item)
    return halves
