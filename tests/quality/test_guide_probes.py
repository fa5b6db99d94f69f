"""The guide probes (quality/guide_probes): questions written from the labelling guide alone.

They are never trained on (no probe is an NLU example or a near-duplicate of one), their file
is refused with the line at fault when it is malformed, and the running bot holds floors on
them. They were read to find the bot's gaps, so they are a regression set for the shop's own
kind of wording, not an unseen measure (the real questions' test half is that).
"""

import pytest
from quality import answer_quality, corpus, split


def test_probes_load_with_one_id_each_and_several_sets():
    probes = corpus.load_probe_questions()
    assert len(probes) >= 500
    assert len({p.question.id for p in probes}) == len(probes)
    assert len({p.question.id.split("-")[0] for p in probes}) >= 6
    assert {"answer", "not_covered", "out_of_scope", "request"} <= {p.label.kind for p in probes}


def test_no_probe_is_a_training_example_or_a_near_duplicate_of_one():
    leaks = split.training_leaks(p.question.text for p in corpus.load_probe_questions())
    assert not leaks, leaks[:5]


@pytest.mark.parametrize(
    "lines, error",
    [
        (["id\tlabel\tquestion", "A\tcookies\tdo you use cookies?"], "expected the header"),
        (["set\tlabel\tquestion", "A\tno-such-clause\tdo you use cookies?"], "line 2: unknown clause id"),
        (["set\tlabel\tquestion", "A\tcookies"], "line 2: expected a set, a label and a question"),
        (
            ["set\tlabel\tquestion", "A\tcookies\tdo you use cookies?", "B\tcookies\tDo you use  cookies?"],
            "line 3: the same question as line 2",
        ),
        (["set\tlabel\tquestion", "A\tnot_covered cookies\tdo you use cookies?"], "cannot be combined"),
    ],
)
def test_a_malformed_probe_file_is_refused_with_the_line_at_fault(tmp_path, lines, error):
    path = tmp_path / "probes.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(corpus.LabelError, match=error):
        corpus.load_probe_questions(path)


@pytest.mark.slow
def test_guide_probes_meet_their_floors(stack):
    items = corpus.load_probe_questions()
    report = answer_quality.Report(answer_quality.run(stack.rasa_url, items))
    print()
    print(answer_quality.summary_table({"guide probes": report}))
    print(answer_quality.worst_table(report))
    assert report.metrics()["questions"] == len(items)
    assert not report.floors_failed(answer_quality.PROBE_FLOORS), report.floors_failed(answer_quality.PROBE_FLOORS)
