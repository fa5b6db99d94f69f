"""Answer quality: ask the running bot every question of a labelled set and
score the message contract's payloads.

Each question goes to a fresh conversation over the REST channel, exactly as
the widget sends it; the first payload of the reply decides the outcome:
an `answer` (its `sections`, most relevant first), `not_covered`,
`out_of_scope`, `request` (with `request_type`), `handoff`, `clarify`
("didn't understand, try one of these"), or nothing (small talk).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import requests

from .corpus import NOT_COVERED, OUT_OF_SCOPE, LabelledQuestion


@dataclass(frozen=True)
class Floors:
    top1: float  # at least, on answerable questions
    covered_as_not_covered: float  # at most
    uncovered_answered: float  # at most


# What the product aims for on real questions (the floors). Not met yet: see
# docs/answer-quality.md and the README.
TARGETS = Floors(top1=0.80, covered_as_not_covered=0.05, uncovered_answered=0.10)
# What `make test` holds on the real-question test half: regression guards, not a choice of
# anything (settings are chosen on the training half only, quality/tuning.py). Until 2026-11-27
# they were the training-half cross-validation estimate less 7 points; since the not-covered
# subjects of topics.yml were widened from the training half's questions, that estimate is
# optimistic for uncovered questions (the subject lists fit the questions they were read from
# better than unseen ones), so the guards are the shipped bot's own test-half figures (`make eval`,
# 2026-11-27, third round: top-1 68.4%, covered declined 7.7%, uncovered answered 25.2%) with
# about 7 points of slack for a model retrained on another machine.
FLOORS = Floors(top1=0.61, covered_as_not_covered=0.15, uncovered_answered=0.33)
# What `make test` holds on the guide probes (quality/guide_probes): questions in the shop's and app
# users' words, written from the labelling guide alone and never trained on, but read to find the
# bot's gaps, so a regression guard for that wording, not a measure of reach. Shipped figures
# (`make eval-probes`, 2026-11-28): top-1 93.7%, covered declined 0.6%, uncovered answered 4.0%;
# the guards leave room for a model retrained on another machine.
PROBE_FLOORS = Floors(top1=0.85, covered_as_not_covered=0.05, uncovered_answered=0.10)


@dataclass
class Outcome:
    kind: str  # answer, not_covered, out_of_scope, request, handoff, clarify, none
    sections: List[str] = field(default_factory=list)
    request_type: Optional[str] = None
    text: str = ""

    def describe(self) -> str:
        if self.kind == "answer":
            return "answer " + " ".join(self.sections)
        if self.kind == "request":
            return f"request:{self.request_type}"
        return self.kind


def outcome_of(messages: Sequence[dict]) -> Outcome:
    text = "\n".join(m.get("text") or "" for m in messages).strip()
    payloads = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    for payload in payloads:
        if payload.get("kind") == "answer" and payload.get("sections"):
            return Outcome("answer", list(payload["sections"]), text=text)
        if payload.get("kind") == "answer":
            # Answered from UK law alone: the reply says the policy doesn't cover it.
            return Outcome(NOT_COVERED, text=text)
    for payload in payloads:
        kind = payload.get("kind")
        if kind:
            return Outcome(kind, request_type=payload.get("request_type"), text=text)
    return Outcome("none", text=text)


def ask(bot_url: str, question: str, timeout: float = 60) -> Outcome:
    response = requests.post(
        f"{bot_url}/webhooks/rest/webhook",
        json={"sender": f"eval-{uuid.uuid4().hex}", "message": question},
        timeout=timeout,
    )
    response.raise_for_status()
    return outcome_of(response.json())


@dataclass
class Scored:
    item: LabelledQuestion
    outcome: Outcome

    @property
    def kind(self) -> str:
        return self.item.label.kind

    @property
    def top1(self) -> bool:
        return (
            self.outcome.kind == "answer"
            and self.outcome.sections[:1] != []
            and self.outcome.sections[0] in self.item.label.clauses
        )

    @property
    def any3(self) -> bool:
        return self.outcome.kind == "answer" and bool(set(self.outcome.sections) & self.item.label.clauses)

    @property
    def correct(self) -> bool:
        kind = self.kind
        if kind == "answer":
            return self.top1
        if kind == "request":
            return self.outcome.kind == "request" and self.outcome.request_type == self.item.label.request_type
        return self.outcome.kind == kind

    @property
    def severity(self) -> int:
        """How bad a miss is, for the list of worst misses (lower is worse)."""
        if self.kind == "answer" and self.outcome.kind == NOT_COVERED:
            return 0  # a covered question declined
        if self.kind in (NOT_COVERED, OUT_OF_SCOPE) and self.outcome.kind == "answer":
            return 1  # the policy quoted for something it does not say
        if self.kind == "answer" and self.outcome.kind == "answer" and not self.any3:
            return 2  # only wrong clauses
        return 3


def run(bot_url: str, items: Sequence[LabelledQuestion], workers: int = 4) -> List[Scored]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda item: ask(bot_url, item.question.text), items))
    return [Scored(item, outcome) for item, outcome in zip(items, outcomes)]


def ratio(numerator: int, denominator: int) -> Optional[float]:
    return numerator / denominator if denominator else None


@dataclass
class Report:
    scored: List[Scored]

    def of_kind(self, kind: str) -> List[Scored]:
        return [s for s in self.scored if s.kind == kind]

    def metrics(self) -> Dict[str, Optional[float]]:
        answerable = self.of_kind("answer")
        uncovered = self.of_kind(NOT_COVERED)
        out_of_scope = self.of_kind(OUT_OF_SCOPE)
        requests_ = self.of_kind("request")
        said_not_covered = [s for s in self.scored if s.outcome.kind == NOT_COVERED]
        return {
            "questions": len(self.scored),
            "answerable": len(answerable),
            "top1": ratio(sum(s.top1 for s in answerable), len(answerable)),
            "any3": ratio(sum(s.any3 for s in answerable), len(answerable)),
            "covered_as_not_covered": ratio(sum(s.outcome.kind == NOT_COVERED for s in answerable), len(answerable)),
            "covered_as_clarify": ratio(sum(s.outcome.kind == "clarify" for s in answerable), len(answerable)),
            "uncovered": len(uncovered),
            "not_covered_recall": ratio(sum(s.outcome.kind == NOT_COVERED for s in uncovered), len(uncovered)),
            "not_covered_precision": ratio(sum(s.kind == NOT_COVERED for s in said_not_covered), len(said_not_covered)),
            "uncovered_answered": ratio(sum(s.outcome.kind == "answer" for s in uncovered), len(uncovered)),
            "out_of_scope": len(out_of_scope),
            "out_of_scope_correct": ratio(sum(s.correct for s in out_of_scope), len(out_of_scope)),
            "out_of_scope_answered": ratio(sum(s.outcome.kind == "answer" for s in out_of_scope), len(out_of_scope)),
            "requests": len(requests_),
            "requests_correct": ratio(sum(s.correct for s in requests_), len(requests_)),
        }

    def by_category(self) -> List[Dict[str, object]]:
        groups: Dict[str, List[Scored]] = defaultdict(list)
        for s in self.scored:
            for category in s.item.question.categories or ("(none)",):
                groups[category].append(s)
        rows = []
        for category, members in sorted(groups.items()):
            answerable = [s for s in members if s.kind == "answer"]
            rows.append(
                {
                    "category": category,
                    "questions": len(members),
                    "answerable": len(answerable),
                    "top1": ratio(sum(s.top1 for s in answerable), len(answerable)),
                    "correct": ratio(sum(s.correct for s in members), len(members)),
                }
            )
        return rows

    def worst(self, limit: int = 20) -> List[Scored]:
        misses = [s for s in self.scored if not s.correct and s.severity < 3]
        misses += [s for s in self.scored if not s.correct and s.severity == 3]
        return sorted(misses, key=lambda s: (s.severity, s.item.question.id))[:limit]

    def outcome_counts(self) -> Counter:
        return Counter((s.kind, s.outcome.kind) for s in self.scored)

    def floors_failed(self, floors: Floors = FLOORS) -> List[str]:
        m = self.metrics()
        failed = []
        if m["top1"] is not None and m["top1"] < floors.top1:
            failed.append(f"top-1 on answerable questions {m['top1']:.3f} < {floors.top1}")
        if m["covered_as_not_covered"] is not None and m["covered_as_not_covered"] > floors.covered_as_not_covered:
            failed.append(
                f"covered questions answered 'not covered' {m['covered_as_not_covered']:.3f} > {floors.covered_as_not_covered}"
            )
        if m["uncovered_answered"] is not None and m["uncovered_answered"] > floors.uncovered_answered:
            failed.append(
                f"uncovered questions answered with a clause {m['uncovered_answered']:.3f} > {floors.uncovered_answered}"
            )
        return failed


def pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def summary_table(reports: Dict[str, Report]) -> str:
    """One column per labelled set (or variant)."""
    names = list(reports)
    rows = [
        ("questions", lambda m: str(m["questions"])),
        ("answerable (policy answers it)", lambda m: str(m["answerable"])),
        ("**top-1** (first cited clause right)", lambda m: pct(m["top1"])),
        ("any of the cited clauses right", lambda m: pct(m["any3"])),
        ('covered, answered "not covered"', lambda m: pct(m["covered_as_not_covered"])),
        ("covered, asked to rephrase", lambda m: pct(m["covered_as_clarify"])),
        ("not covered by the policy", lambda m: str(m["uncovered"])),
        ("uncovered, answered with a clause", lambda m: pct(m["uncovered_answered"])),
        (
            '"not covered": recall / precision',
            lambda m: f"{pct(m['not_covered_recall'])} / {pct(m['not_covered_precision'])}",
        ),
        ("not privacy (out of scope)", lambda m: str(m["out_of_scope"])),
        (
            "out of scope: said so / answered with a clause",
            lambda m: f"{pct(m['out_of_scope_correct'])} / {pct(m['out_of_scope_answered'])}",
        ),
        ("requests: right flow started", lambda m: f"{pct(m['requests_correct'])} of {m['requests']}"),
    ]
    metrics = {name: reports[name].metrics() for name in names}
    lines = ["| | " + " | ".join(f"`{n}`" for n in names) + " |", "|---" * (len(names) + 1) + "|"]
    for title, cell in rows:
        lines.append(f"| {title} | " + " | ".join(cell(metrics[n]) for n in names) + " |")
    return "\n".join(lines)


def category_table(report: Report) -> str:
    lines = ["| OPP-115 category | questions | answerable | top-1 | all outcomes right |", "|---|---|---|---|---|"]
    for row in report.by_category():
        lines.append(
            f"| {row['category']} | {row['questions']} | {row['answerable']} | {pct(row['top1'])} | {pct(row['correct'])} |"
        )
    return "\n".join(lines)


def worst_table(report: Report, limit: int = 20) -> str:
    lines = ["| question | labelled | bot |", "|---|---|---|"]
    for s in report.worst(limit):
        question = s.item.question.text.replace("|", "\\|")
        lines.append(f"| {question} | {s.item.label} | {s.outcome.describe()} |")
    return "\n".join(lines)
