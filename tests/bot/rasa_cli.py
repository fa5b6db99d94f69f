"""Run the Rasa CLI on the trained model from tests."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT_DIR = ROOT / "bot"
MODEL = BOT_DIR / "models" / "privacy-bot.tar.gz"
RASA = Path(sys.executable).parent / "rasa"


def require_model() -> Path:
    assert MODEL.exists(), f"no trained model at {MODEL}: run `make train` (make test does it)"
    return MODEL


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, TF_CPP_MIN_LOG_LEVEL="3", RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1"
    )
    return subprocess.run([str(RASA), *args], cwd=BOT_DIR, env=env, capture_output=True, text=True, timeout=timeout)
