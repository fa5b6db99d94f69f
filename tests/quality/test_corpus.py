"""The real-question corpus: a verbatim copy, every question labelled, two passes reconciled."""

from pathlib import Path

import pytest

from quality import corpus, report

SHARED = corpus.ROOT.parent / "shared" / "real-questions"


def test_questions_are_the_shared_corpus_verbatim():
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not beside this checkout (it is in CI)")
    for name in ("privacyqa-questions.tsv", "LICENSE-PrivacyQA.txt"):
        assert (corpus.CORPUS_DIR / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_attribution_and_licence_travel_with_the_copy():
    source = (corpus.CORPUS_DIR / "SOURCE.md").read_text()
    assert "Ravichander" in source and "MIT" in source
    assert "MIT" in (corpus.CORPUS_DIR / "LICENSE-PrivacyQA.txt").read_text()


def test_every_question_has_exactly_one_valid_label():
    questions = corpus.load_questions()
    assert len(questions) == 1266
    labels = corpus.load_labels()  # raises on unknown clause ids, mixed or duplicate labels
    assert set(labels) == {q.id for q in questions}
    kinds = {label.kind for label in labels.values()}
    assert {"answer", "not_covered", "out_of_scope"} <= kinds


def test_both_passes_label_every_question_and_the_reconciliation_covers_their_disagreements():
    first = corpus.load_labels(corpus.PASSES_DIR / "pass-1.tsv")
    second = corpus.load_labels(corpus.PASSES_DIR / "pass-2.tsv")
    final = corpus.load_labels()
    assert set(first) == set(second) == set(final)
    reconciled = {row[0]: row for row in corpus.read_tsv(corpus.PASSES_DIR / "reconciled.tsv")}
    disagreements = {i for i in first if first[i].outcomes != second[i].outcomes}
    assert set(reconciled) == disagreements
    for question_id, label in final.items():
        if question_id in reconciled:
            assert str(label) == " ".join(sorted(reconciled[question_id][1].split()))
        else:  # where the passes agreed, the final label is theirs
            assert label.outcomes == first[question_id].outcomes


def test_the_readme_states_the_agreement_the_passes_have():
    readme = (corpus.ROOT / "README.md").read_text()
    assert report.agreement_text(report.agreement()) in readme.replace("\n", " ")


@pytest.mark.parametrize(
    "bad", ["", "1.types not_covered", "no-such-clause", "request:refund", "out_of_scope not_covered"]
)
def test_bad_labels_are_refused_with_a_reason(bad):
    with pytest.raises(corpus.LabelError):
        corpus.parse_label(bad, ["1.types", "cookies"], ["access"])


def test_a_labels_file_with_an_unknown_clause_says_where(tmp_path: Path):
    path = tmp_path / "labels.tsv"
    path.write_text("privacyqa_query_id\tlabel\tquestion\nq1\tcookies\tok\nq2\t9.9.9\tbad\n")
    with pytest.raises(corpus.LabelError, match=r"row 2: unknown clause id '9.9.9'"):
        corpus.load_labels(path)
