"""Answer quality on the real-question TEST half, asked of the running bot over REST.

The targets are the product's promise on questions nobody here wrote (first cited
clause right for >= 80% of answerable questions; a covered question answered "not
covered" <= 5%; an uncovered question answered with a clause <= 10%); they are not
met yet. The floors this suite holds are regression guards (quality/answer_quality.py):
the shipped bot's test-half figures less 7 points, so a regression fails here.
"""

import pytest

from quality import answer_quality, corpus, split
from quality.answer_quality import Outcome, Scored, outcome_of


def item(label: str, text: str = "q") -> corpus.LabelledQuestion:
    return corpus.LabelledQuestion(corpus.Question("id", text), corpus.Label(frozenset(label.split())))


def test_outcome_is_read_from_the_first_payload():
    messages = [
        {"text": "hello"},
        {"custom": {"kind": "answer", "sections": ["cookies", "3"]}},
        {"custom": {"kind": "request", "request_type": "access"}},
    ]
    assert outcome_of(messages).kind == "answer" and outcome_of(messages).sections == ["cookies", "3"]
    assert outcome_of([{"custom": {"kind": "not_covered", "nearest": "cookies"}}]).kind == "not_covered"
    assert outcome_of([{"text": "hi there"}]).kind == "none"


def test_scoring_counts_only_the_first_clause_for_top1():
    right_second = Scored(item("cookies"), Outcome("answer", ["1.types", "cookies"]))
    assert not right_second.top1 and right_second.any3 and not right_second.correct
    right_first = Scored(item("cookies 3"), Outcome("answer", ["3", "1.types"]))
    assert right_first.top1 and right_first.correct
    declined = Scored(item("cookies"), Outcome("not_covered"))
    assert not declined.top1 and declined.severity == 0
    quoted = Scored(item("not_covered"), Outcome("answer", ["cookies"]))
    assert not quoted.correct and quoted.severity == 1
    request = Scored(item("request:erasure"), Outcome("request", request_type="erasure"))
    assert request.correct


def test_metrics_and_floors():
    scored = (
        [Scored(item("cookies"), Outcome("answer", ["cookies"]))] * 8
        + [Scored(item("cookies"), Outcome("not_covered"))] * 2
        + [Scored(item("not_covered"), Outcome("not_covered"))] * 9
        + [Scored(item("not_covered"), Outcome("answer", ["1"]))]
    )
    report = answer_quality.Report(scored)
    m = report.metrics()
    assert m["top1"] == 0.8 and m["covered_as_not_covered"] == 0.2 and m["uncovered_answered"] == 0.1
    assert m["not_covered_precision"] == 9 / 11
    assert report.floors_failed(answer_quality.TARGETS) == ["covered questions answered 'not covered' 0.200 > 0.05"]
    strict = answer_quality.Floors(top1=0.9, covered_as_not_covered=0.3, uncovered_answered=0.05)
    assert report.floors_failed(strict) == [
        "top-1 on answerable questions 0.800 < 0.9",
        "uncovered questions answered with a clause 0.100 > 0.05",
    ]


@pytest.mark.slow
def test_real_question_test_half_meets_the_floors(stack):
    items = split.split(corpus.labelled_questions())[split.TEST]
    report = answer_quality.Report(answer_quality.run(stack.rasa_url, items))
    print()
    print(answer_quality.summary_table({"real questions, test half": report}))
    print(answer_quality.worst_table(report))
    assert report.metrics()["questions"] == len(items)
    assert not report.floors_failed(), report.floors_failed()
