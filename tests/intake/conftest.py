"""Fixtures for the intake service tests.

Everything is real: a migrated database (a SQLite file per test; PostgreSQL too for the tests
marked ``postgres``: a database of its own per test, copied from a migrated template, in the
session's own PostgreSQL (``postgres_server``, tests/services.py); every test runs on PostgreSQL
too, in a schema of its own per test, when DATABASE_URL points at one), the Flask app served by
werkzeug on a free loopback port in a thread, an aiosmtpd SMTP server on a free port
storing .eml files (the service's own mail sink), and the outbox worker run for real.
Helpers live in intake_support.py.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rasa_conversations import RasaConversations
from intake_support import (  # tests/intake is on pytest's pythonpath (pyproject.toml)
    PG_URL,
    LiveApp,
    Mailbox,
    ServerThread,
    free_port,
    make_config,
)

from intake import create_app
from intake import migrate as intake_migrate


# --- databases ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    intake_migrate.upgrade(f"sqlite:///{path}")
    # fold the WAL back into the main file so a plain copy is complete
    eng = create_engine(f"sqlite:///{path}")
    with eng.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        c.exec_driver_sql("PRAGMA journal_mode=DELETE")
    eng.dispose()
    return path


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL)
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    return str(url.set(query=query).render_as_string(hide_password=False))


def pytest_generate_tests(metafunc):
    """``db_url`` is SQLite, and PostgreSQL too for a test marked ``postgres`` (every test when
    DATABASE_URL names a PostgreSQL)."""
    if "db_url" not in metafunc.fixturenames:
        return
    backends = ["sqlite"]
    if PG_URL.startswith("postgresql") or metafunc.definition.get_closest_marker("postgres"):
        backends.append("postgresql")
    metafunc.parametrize("db_url", backends, indirect=True)


PG_TEMPLATE = "intake_template"


@pytest.fixture(scope="session")
def pg_template(postgres_server) -> str:
    """A database migrated once in the session's PostgreSQL, copied for each test (CREATE DATABASE
    ... TEMPLATE): the name of the template."""
    url = postgres_server.create_database(PG_TEMPLATE)
    intake_migrate.upgrade(url)  # NullPool engine: no connection stays open on the template
    return PG_TEMPLATE


@pytest.fixture
def pg_db_url(request) -> str:
    """A migrated, empty PostgreSQL database for this test alone (the session's own server)."""
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("pg_template")
    name = "t_" + uuid.uuid4().hex[:12]
    url = server.create_database(name, template=template)
    yield url
    server.drop_database(name)


@pytest.fixture
def db_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "intake.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL.startswith("postgresql"):
        yield request.getfixturevalue("pg_db_url")
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_schema_url(schema)
    intake_migrate.upgrade(url)
    yield url
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """SQLite only (for tests about the embedded default itself)."""
    path = tmp_path / "intake-sqlite-only.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


# --- SMTP -----------------------------------------------------------------------------------


@pytest.fixture
def mailbox(tmp_path):
    box = Mailbox(tmp_path / "mail", free_port()).start()
    yield box
    box.stop()


# --- the app served on loopback -------------------------------------------------------------


@pytest.fixture
def app_factory(tmp_path, mailbox):
    """Start the app on a free loopback port with the given database and config overrides."""
    started = []

    def start(db_url: str, **extra) -> LiveApp:
        app = create_app(make_config(db_url, mailbox, tmp_path, **extra))
        srv = ServerThread(app).__enter__()
        started.append((srv, app))
        return LiveApp(app, f"http://127.0.0.1:{srv.port}", db_url)

    yield start
    for srv, app in started:
        srv.__exit__(None, None, None)
        app.extensions["intake_db"].dispose()


@pytest.fixture
def live(app_factory, db_url) -> LiveApp:
    return app_factory(db_url)


@pytest.fixture
def rasa(tmp_path):
    """A Rasa conversation store of the test's own (SQLite, Rasa's own schema: rasa_conversations.py),
    for the intake's transcripts, erasure and purge."""
    store = RasaConversations(tmp_path / "conversations.sqlite3")
    yield store
    store.close()
