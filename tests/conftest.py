"""Shared test set-up. The import paths (the repository root, bot/ for the bot's `actions`
package) are pytest's `pythonpath` in pyproject.toml."""
import pytest


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real product on free loopback ports: mail sink, intake (gunicorn),
    outbox worker, action server, Rasa server (REST channel) and demo site.
    Started once per test session (loading the model takes ~20 s)."""
    from launcher import Ports, Stack

    running = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
