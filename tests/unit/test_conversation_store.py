"""TRACKER_STORE_URL / LOCK_STORE_URL -> the endpoints file Rasa reads (launcher/conversation_store.py).

Every file is read back with Rasa 3.6's own endpoint reader and store factories, so these tests
check what Rasa will build, not what the launcher meant to write."""

import asyncio

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy.engine import make_url

from launcher import conversation_store
from launcher.conversation_store import SettingError
from launcher.shell import SHELL_SERVICES, shell_command
from launcher.stack import ROOT, Ports, Stack

PASSWORD = "p@ss$word/1"  # characters that need %-encoding in a URL, and a dollar sign


@pytest.fixture(autouse=True)
def no_operator_settings(monkeypatch):
    for name in ("TRACKER_STORE_URL", "LOCK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)


def endpoints_for(tmp_path, monkeypatch, **settings):
    """Write the endpoints file for these settings and give Rasa's reader the process's variables."""
    endpoints = conversation_store.rasa_endpoints(settings, tmp_path / "var", ROOT, "http://127.0.0.1:5055")
    for name, value in endpoints.env.items():
        monkeypatch.setenv(name, value)
    return endpoints, str(endpoints.write(tmp_path / "endpoints.yml"))


def test_by_default_rasa_keeps_conversations_in_sqlite_under_var_and_locks_in_memory(tmp_path, monkeypatch):
    endpoints, path = endpoints_for(tmp_path, monkeypatch)
    assert endpoints.sqlite_path == (tmp_path / "var" / "conversations.sqlite3").resolve()
    assert read_endpoint_config(path, "action_endpoint").url == "http://127.0.0.1:5055/webhook"
    assert isinstance(LockStore.create(read_endpoint_config(path, "lock_store")), InMemoryLockStore)

    endpoints.sqlite_path.parent.mkdir(parents=True)
    domain = Domain.load(str(ROOT / "bot" / "domain.yml"))
    store = create_tracker_store(read_endpoint_config(path, "tracker_store"), domain)
    assert isinstance(store, SQLTrackerStore)
    assert store.engine.url.database == str(endpoints.sqlite_path)
    tracker = DialogueStateTracker.from_events(
        "shopper-1", [UserUttered("hi"), SlotSet("requester_name", "x")], slots=domain.slots
    )
    asyncio.run(store.save(tracker))
    store.engine.dispose()
    # A second store on the same file (a restarted server) finds the conversation.
    again = create_tracker_store(read_endpoint_config(path, "tracker_store"), domain)
    kept = asyncio.run(again.retrieve("shopper-1"))
    assert kept is not None and kept.get_slot("requester_name") == "x"
    again.engine.dispose()


def test_a_relative_sqlite_path_is_taken_from_the_repository_root(tmp_path, monkeypatch):
    endpoints, _ = endpoints_for(tmp_path, monkeypatch, TRACKER_STORE_URL="sqlite:///var/other.sqlite3")
    assert endpoints.sqlite_path == ROOT / "var" / "other.sqlite3"


def test_a_postgresql_url_becomes_the_parts_rasa_joins_back_into_the_same_url(tmp_path, monkeypatch):
    url = "postgresql://rasa:p%40ss%24word%2F1@db.internal:5433/conversations?sslmode=require"
    endpoints, path = endpoints_for(tmp_path, monkeypatch, TRACKER_STORE_URL=url)
    assert PASSWORD not in endpoints.text and "p%40ss" not in endpoints.text, "no password in the file"
    assert endpoints.env == {"RASA_TRACKER_STORE_PASSWORD": PASSWORD}
    assert endpoints.sqlite_path is None

    config = read_endpoint_config(path, "tracker_store")  # Rasa expands ${RASA_TRACKER_STORE_PASSWORD}
    assert config.type == "SQL"
    # What SQLTrackerStore.__init__ does with the endpoint (host=url, the rest as keywords), without
    # connecting: no PostgreSQL server is started by this unit test.
    keywords = {
        k: v for k, v in config.kwargs.items() if k in ("dialect", "port", "db", "username", "password", "query")
    }
    built = SQLTrackerStore.get_db_url(host=config.url, **keywords)
    assert built == make_url(url)
    assert built.password == PASSWORD


def test_a_redis_url_gives_rasas_redis_lock_store_with_its_host_port_db_and_password(tmp_path, monkeypatch):
    endpoints, path = endpoints_for(
        tmp_path, monkeypatch, LOCK_STORE_URL="rediss://locker:p%40ss%24word%2F1@cache.internal:6380/2"
    )
    assert PASSWORD not in endpoints.text
    store = LockStore.create(read_endpoint_config(path, "lock_store"))  # redis-py connects lazily
    assert isinstance(store, RedisLockStore)
    pool = store.red.connection_pool
    assert {k: pool.connection_kwargs[k] for k in ("host", "port", "db", "username", "password")} == {
        "host": "cache.internal",
        "port": 6380,
        "db": 2,
        "username": "locker",
        "password": PASSWORD,
    }
    assert pool.connection_class.__name__ == "SSLConnection", "rediss:// means TLS"

    _, plain = endpoints_for(tmp_path, monkeypatch, LOCK_STORE_URL="redis://127.0.0.1")
    pool = LockStore.create(read_endpoint_config(plain, "lock_store")).red.connection_pool
    assert (pool.connection_kwargs["port"], pool.connection_kwargs["db"], pool.connection_kwargs["password"]) == (
        6379,
        0,
        None,
    )
    assert pool.connection_class.__name__ == "Connection"


@pytest.mark.parametrize(
    "variable, value, says",
    [
        ("TRACKER_STORE_URL", "postgres://rasa:s3cret-pw@db/conv", "'postgresql', not 'postgres'"),
        ("TRACKER_STORE_URL", "mysql://rasa:s3cret-pw@db/conv", "does not run on"),
        ("TRACKER_STORE_URL", "postgresql//rasa:s3cret-pw@db/conv", "could not be parsed"),
        ("TRACKER_STORE_URL", "postgresql://rasa:s3cret-pw@db:port/conv", "port"),
        ("TRACKER_STORE_URL", "postgresql://rasa:s3cret-pw@db", "has no database name"),
        ("TRACKER_STORE_URL", "sqlite://", "names no SQLite file"),
        ("TRACKER_STORE_URL", "sqlite:///:memory:", "names no SQLite file"),
        ("LOCK_STORE_URL", "memcached://:s3cret-pw@cache:11211", "must be a Redis URL"),
        ("LOCK_STORE_URL", "cache.internal:6379", "must be a Redis URL"),
        ("LOCK_STORE_URL", "redis://:s3cret-pw@cache:63a9/0", "port"),
        ("LOCK_STORE_URL", "redis://:s3cret-pw@/0", "no host"),
        ("LOCK_STORE_URL", "redis://:s3cret-pw@cache:6379/locks", "must be a number"),
        ("LOCK_STORE_URL", "redis://:s3cret-pw@cache:6379/0?ssl=true", "no ?options"),
    ],
)
def test_an_unusable_url_is_refused_naming_the_variable_and_never_the_password(tmp_path, variable, value, says):
    with pytest.raises(SettingError) as refused:
        conversation_store.rasa_endpoints({variable: value}, tmp_path, ROOT, "http://127.0.0.1:5055")
    message = str(refused.value)
    assert message.startswith(variable) and says in message, message
    assert "s3cret-pw" not in message


def test_a_bad_setting_stops_the_stack_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCK_STORE_URL", "localhost:6379")
    ports = Ports.free()
    stack = Stack(ports=ports, var_dir=tmp_path, services=("mail", "intake", "actions", "rasa"))
    with pytest.raises(SettingError, match="^LOCK_STORE_URL"):
        stack.start()
    assert stack._running == []
    assert not (tmp_path / "log").exists() and not (tmp_path / "intake.sqlite3").exists()
    assert not (tmp_path / "endpoints.yml").exists()


def test_the_staff_shell_reads_the_same_stores_as_the_rasa_server(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://rasa:pw@db.internal/conversations")
    monkeypatch.setenv("LOCK_STORE_URL", "redis://cache.internal:6379/1")
    served = Stack(ports=Ports.free(), var_dir=tmp_path)
    shell = Stack(ports=Ports.free(), var_dir=tmp_path, services=SHELL_SERVICES)
    command, env = shell_command(shell)
    assert command[-2] == "--endpoints" and "shell" in command
    shell_file = command[-1]
    run_file = served.rasa_endpoints().write(tmp_path / "run-endpoints.yml")
    monkeypatch.setenv("RASA_TRACKER_STORE_PASSWORD", env["RASA_TRACKER_STORE_PASSWORD"])
    for kind in ("tracker_store", "lock_store"):
        in_shell, in_run = read_endpoint_config(shell_file, kind), read_endpoint_config(str(run_file), kind)
        assert (in_shell.type, in_shell.url, in_shell.kwargs) == (in_run.type, in_run.url, in_run.kwargs)
    assert env["RASA_TRACKER_STORE_PASSWORD"] == "pw"
    assert read_endpoint_config(shell_file, "action_endpoint").url == f"{shell.actions_url}/webhook"


@pytest.mark.parametrize("setting", [None, "sqlite:///var/other.sqlite3"])
def test_the_intake_reads_and_erases_the_store_the_rasa_server_writes(tmp_path, monkeypatch, setting):
    from intake.config import load_config

    if setting:
        monkeypatch.setenv("TRACKER_STORE_URL", setting)
    stack = Stack(ports=Ports.free(), var_dir=tmp_path)
    rasa_file = stack.rasa_endpoints().sqlite_path
    intake_url = make_url(load_config(stack.env())["TRACKER_STORE_URL"])
    assert intake_url.get_backend_name() == "sqlite" and intake_url.database == str(rasa_file)
