"""Shared test set-up. The import paths (the repository root, bot/ for the bot's `actions`
package) are pytest's `pythonpath` in pyproject.toml. Development mode (INTAKE_DEVELOPMENT=1:
the secrets may be missing, see intake/config.py) unless a test says otherwise."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("INTAKE_DEVELOPMENT", "1")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real product on free loopback ports: mail sink, intake (gunicorn),
    outbox worker, action server, Rasa server (REST channel) and demo site.
    Started once per test session (loading the model takes ~20 s)."""
    from launcher import Ports, Stack

    running = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
