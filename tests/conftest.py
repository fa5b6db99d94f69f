"""Shared test set-up: the bot's actions package is importable as `actions`."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT_DIR = ROOT / "bot"
for path in (str(BOT_DIR), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)
