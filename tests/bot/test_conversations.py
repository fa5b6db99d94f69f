"""Data validation and conversation tests with the Rasa CLI."""

from .rasa_cli import ROOT, rasa, require_model


def test_rasa_data_validate_finds_no_errors():
    result = rasa("data", "validate", "--data", "data/nlu", "data/rules")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_conversation_stories_pass_without_prediction_errors(tmp_path):
    model = require_model()
    result = rasa(
        "test",
        "core",
        "--stories",
        str(ROOT / "tests" / "stories"),
        "-m",
        str(model),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:] + details[-3000:]
