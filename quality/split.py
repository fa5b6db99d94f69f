"""The fixed train/test split of the real questions.

Each question goes to a side by a hash of its id, so the split never moves
when labels change. Near-duplicates ("do you sell my data" / "do you sell my
data?" / "my data, do you sell it") are first grouped: two questions are
near-duplicates when their word sets have a Jaccard similarity >= 0.8 (the
same words in another order score 1.0), and a whole group goes to the side
its smallest id hashes to. So no question, and no near-duplicate of one, is
on both sides: by construction, and tests/quality/test_split.py checks it.

The `train` half may be used for anything (NLU examples, topics, keywords,
thresholds, choosing variants); the `test` half is only ever scored.
"""

from __future__ import annotations

import hashlib
import re
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from .corpus import LabelledQuestion, Question

NEAR_DUPLICATE_JACCARD = 0.8
TRAIN, TEST = "train", "test"
NEITHER = "neither"  # a shop question near-duplicate of questions on both sides (place_new)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> Set[str]:
    return set(_WORD.findall(text.lower()))


def jaccard(a: Set[str], b: Set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicates(a: str, b: str) -> bool:
    return jaccard(words(a), words(b)) >= NEAR_DUPLICATE_JACCARD


def side_of_id(question_id: str) -> str:
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return TRAIN if digest[0] % 2 == 0 else TEST


def groups(questions: Sequence[Question]) -> List[List[Question]]:
    """Near-duplicate groups (connected components of the near-duplicate relation)."""
    parent = list(range(len(questions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    word_sets = [words(q.text) for q in questions]
    for i in range(len(questions)):
        for j in range(i + 1, len(questions)):
            if jaccard(word_sets[i], word_sets[j]) >= NEAR_DUPLICATE_JACCARD:
                parent[find(i)] = find(j)
    found: Dict[int, List[Question]] = {}
    for i, question in enumerate(questions):
        found.setdefault(find(i), []).append(question)
    return list(found.values())


def assign(questions: Sequence[Question]) -> Dict[str, str]:
    """question id -> `train` or `test`."""
    sides = {}
    for group in groups(questions):
        side = side_of_id(min(q.id for q in group))
        for question in group:
            sides[question.id] = side
    return sides


def place_new(new: Sequence[Question], placed: Sequence[Tuple[Question, str]]) -> Dict[str, str]:
    """The half of each new shop question (id -> `train`, `test` or `neither`), decided once, when
    it is added, and then kept in its labels file, so a later addition never moves it.

    `placed`: the questions already on a side (the real questions, the shop's earlier ones). A new
    question that is a near-duplicate of placed ones takes their side; of ones on both sides,
    `neither` (it is neither trained on nor scored, so no near-duplicate pair ever crosses the
    split); of none, the side its id hashes to. New questions are placed one by one in id order,
    each seeing the ones before it."""
    seen = [(words(q.text), side) for q, side in placed if side != NEITHER]
    sides = {}
    for question in sorted(new, key=lambda q: q.id):
        mine = words(question.text)
        near = {side for other, side in seen if jaccard(mine, other) >= NEAR_DUPLICATE_JACCARD}
        side = NEITHER if len(near) > 1 else near.pop() if near else side_of_id(question.id)
        sides[question.id] = side
        if side != NEITHER:
            seen.append((mine, side))
    return sides


def split(items: Iterable[LabelledQuestion]) -> Dict[str, List[LabelledQuestion]]:
    items = list(items)
    sides = assign([item.question for item in items])
    halves: Dict[str, List[LabelledQuestion]] = {TRAIN: [], TEST: []}
    for item in items:
        halves[sides[item.question.id]].append(item)
    return halves


def training_leaks(questions: Iterable[str]) -> List[Tuple[str, str, str]]:
    """(NLU file, training example, question) for every question that is one of the bot's training
    examples or a near-duplicate of one: what must never hold for a question that is scored."""
    from bot.actions.training_examples import NLU_DIR, read_examples

    asked = [(question, words(question)) for question in questions]
    leaks = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for _, text, _ in read_examples(path):
            example = words(text)
            leaks += [(str(path), text, q) for q, qw in asked if jaccard(example, qw) >= NEAR_DUPLICATE_JACCARD]
    return leaks
