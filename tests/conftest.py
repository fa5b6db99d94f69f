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
def scaled_stack(tmp_path_factory):
    """The production shape on free loopback ports (launcher/scaled.py): two Rasa servers and two
    action servers behind nginx, conversations in PostgreSQL, the Redis lock store, the intake under
    gunicorn on PostgreSQL with its rate limits in Redis, one outbox worker, the demo site. PostgreSQL,
    Redis and nginx are the tests' own throw-away instances. Started once per session (~1 min: two
    Rasa servers load their models at once); missing binaries fail saying what to install."""
    from launcher.local_services import ServiceMissing
    from launcher.scaled import ScaledStack

    # The configured URLs would be used as they are: these tests want their own instances.
    names = (
        "DATABASE_URL",
        "TRACKER_STORE_URL",
        "LOCK_STORE_URL",
        "INTAKE_RATELIMIT_STORAGE_URI",
        "RATELIMIT_STORAGE_URI",
    )
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        running = ScaledStack.on_free_ports(var_dir=tmp_path_factory.mktemp("scaled")).start()
    except ServiceMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        os.environ.update(saved)
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
