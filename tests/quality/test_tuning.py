"""The tuning tool: DIET seed runs (a copy of the config, not a change to it), folds by app, averaged runs."""

import json
from pathlib import Path

import pytest
import yaml

from quality import tuning


def without_diet_seed(config: dict) -> dict:
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component.pop("random_seed", None)
    return config


def test_with_seed_gives_only_diet_another_random_seed(tmp_path):
    shipped_text = (tuning.BOT / "config.yml").read_text(encoding="utf-8")
    copy = tuning.with_seed(tuning.BOT / "config.yml", 7, tmp_path / "seeded" / "config.yml")
    seeded = yaml.safe_load(copy.read_text(encoding="utf-8"))
    diet = [c for c in seeded["pipeline"] if c["name"] == "DIETClassifier"]
    assert diet and all(c["random_seed"] == 7 for c in diet)
    assert without_diet_seed(seeded) == without_diet_seed(yaml.safe_load(shipped_text))  # nothing else changed
    assert (tuning.BOT / "config.yml").read_text(encoding="utf-8") == shipped_text  # the shipped file untouched


def test_with_seed_refuses_a_config_without_diet(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: WhitespaceTokenizer\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no DIETClassifier"):
        tuning.with_seed(config, 7, tmp_path / "out.yml")


def test_grid_over_runs_never_parsed_says_which_and_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tuning, "WORK", tmp_path)
    with pytest.raises(SystemExit) as exit_:
        tuning.main(["grid", "--name", "nothing-here,nor-here"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "nothing-here, nor-here" in err and "parse --name" in err


def test_folds_by_app_keep_each_app_in_one_fold_and_cover_the_training_half():
    by_question = tuning.folds()
    by_app = tuning.folds("app")
    ids = sorted(item.question.id for fold in by_question for item in fold)
    assert sorted(item.question.id for fold in by_app for item in fold) == ids
    assert all(by_app), "a fold with no questions"
    home = {}
    for k, fold in enumerate(by_app):
        for item in fold:
            assert home.setdefault(tuning.app_of(item.question.id), k) == k, item.question.id
    assert len(home) > tuning.FOLDS  # apps, not one app per question or one for all
    assert tuning.app_of("Cake Web Browser _1_22") == "Cake Web Browser"


def test_folds_by_anything_else_is_refused():
    with pytest.raises(ValueError, match="'question' or 'app'"):
        tuning.folds("category")


def write_run(work, name, folds):
    (work / name).mkdir(parents=True)
    for k, fold in enumerate(folds):
        rows = [{"id": qid, "parse": {"intent_ranking": ranking}} for qid, ranking in fold]
        (work / name / f"fold-{k}.json").write_text(json.dumps(rows))


def test_average_of_two_runs_weighs_each_ranking_and_drops_the_fallback(tmp_path, monkeypatch):
    monkeypatch.setattr(tuning, "WORK", tmp_path)
    diet = [("q1", [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "a", "confidence": 0.3}])]
    regression = [("q1", [{"name": "b", "confidence": 0.9}, {"name": "a", "confidence": 0.1}])]
    write_run(tmp_path, "diet", [diet])
    write_run(tmp_path, "regression", [regression])
    assert (
        tuning.main(["average", "--first", "diet", "--second", "regression", "--first-weight", "0.6", "--name", "avg"])
        == 0
    )
    (row,) = json.loads((tmp_path / "avg" / "fold-0.json").read_text())
    assert row["id"] == "q1"
    ranking = {r["name"]: r["confidence"] for r in row["parse"]["intent_ranking"]}
    assert ranking == pytest.approx({"b": 0.36, "a": 0.22})  # 0.4 x 0.9; 0.6 x 0.3 + 0.4 x 0.1


def test_average_refuses_runs_of_different_folds_or_a_bad_weight(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tuning, "WORK", tmp_path)
    write_run(tmp_path, "by-question", [[("q1", [])], [("q2", [])]])
    write_run(tmp_path, "by-app", [[("q2", [])], [("q1", [])]])
    for argv, message in (
        (["--first", "by-question", "--second", "by-app", "--first-weight", "0.5"], "different folds"),
        (["--first", "by-question", "--second", "by-question", "--first-weight", "1.5"], "from 0 to 1"),
        (["--first", "by-question", "--second", "missing", "--first-weight", "0.5"], "parse --name missing"),
    ):
        with pytest.raises(SystemExit) as exit_:
            tuning.main(["average", *argv, "--name", "out"])
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_relative_config_names_the_callers_file_even_after_parse_moves_into_the_bot(tmp_path, monkeypatch):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "lr.yml").write_text((tuning.BOT / "config.yml").read_text())
    monkeypatch.chdir(tmp_path)
    resolved = tuning.config_file(Path("configs/lr.yml"))
    monkeypatch.chdir(tuning.BOT)  # as parse does after its first fold
    assert resolved == tmp_path / "configs" / "lr.yml" and resolved.is_file()


def test_parse_with_a_missing_config_says_which_and_starts_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tuning, "WORK", tmp_path / "runs")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        tuning.main(["parse", "--config", "bot/config-typo.yml", "--name", "lr"])
    assert exit_.value.code == 2
    assert f"no Rasa config at {tmp_path / 'bot' / 'config-typo.yml'}" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()  # no run folder left half-made
