"""The tuning tool's seed runs: another DIET seed is a copy of the config, not a change to it."""

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
