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


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL of the tests' own on a free loopback port, once per session (tests/services.py).
    Missing binaries fail the test saying what to install: never a quiet skip."""
    from tests.services import PostgresServer, ServiceMissing

    try:
        server = PostgresServer().start()
    except ServiceMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A Redis of the tests' own on a free loopback port, once per session (tests/services.py)."""
    from tests.services import RedisServer, ServiceMissing

    try:
        server = RedisServer().start()
    except ServiceMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()
