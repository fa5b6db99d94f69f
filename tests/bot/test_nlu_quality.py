"""NLU on the held-out test set (never trained on): accuracy >= 0.95, macro F1 >= 0.93."""

import json
from pathlib import Path

import yaml
from actions.training_examples import entries

from .rasa_cli import BOT_DIR, ROOT, rasa, require_model

TEST_SET = ROOT / "tests" / "nlu" / "test_nlu.yml"
MIN_ACCURACY = 0.95
MIN_MACRO_F1 = 0.93


def examples(path):
    found = {}
    for block in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["nlu"]:
        for text, _ in entries(block):
            found[text.lower()] = block["intent"]
    return found


def training_examples():
    found = {}
    for path in (BOT_DIR / "data" / "nlu").glob("*.yml"):
        found.update(examples(path))
    return found


def test_test_set_is_held_out_and_covers_every_intent_with_8_examples():
    test = examples(TEST_SET)
    overlap = set(test) & set(training_examples())
    assert not overlap, f"test examples also in the training data: {sorted(overlap)}"
    domain = yaml.safe_load((BOT_DIR / "domain.yml").read_text())["intents"]
    counts = {}
    for intent in test.values():
        counts[intent] = counts.get(intent, 0) + 1
    # `inform` (form answers) is exercised end to end by the request flows instead.
    missing = {i: counts.get(i, 0) for i in domain if i != "inform" and counts.get(i, 0) < 8}
    assert not missing, f"intents with fewer than 8 test examples: {missing}"


def test_policy_intents_have_at_least_25_training_examples():
    counts = {}
    for intent in training_examples().values():
        counts[intent] = counts.get(intent, 0) + 1
    thin = {i: n for i, n in counts.items() if i.startswith(("ask_", "request_")) and n < 25}
    assert not thin


def test_intent_accuracy_and_macro_f1_on_the_held_out_set(tmp_path):
    model = require_model()
    result = rasa("test", "nlu", "--nlu", str(TEST_SET), "-m", str(model), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    accuracy = report["accuracy"]
    macro_f1 = report["macro avg"]["f1-score"]
    print(f"held-out NLU: accuracy {accuracy:.4f}, macro F1 {macro_f1:.4f}")
    assert accuracy >= MIN_ACCURACY, f"intent accuracy {accuracy:.3f} < {MIN_ACCURACY}"
    assert macro_f1 >= MIN_MACRO_F1, f"macro F1 {macro_f1:.3f} < {MIN_MACRO_F1}"
