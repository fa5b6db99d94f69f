"""Shared test set-up: the bot's actions package is importable as `actions`; development mode
(INTAKE_DEVELOPMENT=1: the secrets may be missing, see intake/config.py) unless a test says otherwise."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT_DIR = ROOT / "bot"
for path in (str(BOT_DIR), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

os.environ.setdefault("INTAKE_DEVELOPMENT", "1")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real product on free loopback ports: mail sink, intake (gunicorn),
    outbox worker, action server, Rasa server (REST channel) and demo site.
    Started once per test session (loading the model takes ~20 s)."""
    from launcher import Ports, Stack

    running = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
