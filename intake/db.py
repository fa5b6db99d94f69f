"""Engine and session handling.

SQLite (the embedded default) runs in WAL mode with ``synchronous=NORMAL`` and a busy
timeout; transactions that write start with ``BEGIN IMMEDIATE`` so concurrent writers from
several gunicorn workers queue on the busy timeout instead of failing with "database is
locked" when a read snapshot would have to be upgraded.  PostgreSQL is used through
``DATABASE_URL`` unchanged.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

SQLITE_BUSY_TIMEOUT_MS = 15000


def _prepare_sqlite_path(url) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def make_engine(database_url: str, **kwargs) -> Engine:
    """Create an engine with the service's settings (used by the app and by migrations)."""
    url = make_url(database_url)
    options = {"future": True, "hide_parameters": True}
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_path(url)
        options.update(
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=20,
        )
    else:
        options.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
    options.update(kwargs)
    if options.get("poolclass") is not None and options["poolclass"] is not QueuePool:
        options.pop("pool_size", None)
        options.pop("max_overflow", None)
    engine = create_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        _install_sqlite_hooks(engine)
    return engine


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        # Let SQLAlchemy's "begin" event decide how a transaction starts.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")  # erased personal data is overwritten, not left in free pages
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial
        if conn.get_execution_options().get("intake_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class _SqliteWriteLock:
    """One writer at a time across threads and processes (gunicorn workers, the outbox worker).

    SQLite allows one writer anyway; its busy handler waits by sleeping in growing steps
    (1, 2, 5, 10 ... ms), which shows up as latency spikes under concurrent writes.  A blocking
    ``flock`` on a file beside the database hands the write lock over as soon as it is free.
    """

    def __init__(self, database_path: str):
        self.path = database_path + ".writelock"
        self._thread_lock = threading.Lock()
        self._fd = None
        self._pid = None

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def __enter__(self):
        self._thread_lock.acquire()
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc):
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


class Database:
    """Holds the engine and two session factories: one for reads, one for writes."""

    def __init__(self, database_url: str):
        self.url = make_url(database_url)
        self.engine = make_engine(database_url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        write_engine = self.engine.execution_options(intake_write=True)
        self._reader = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)
        self._writer = sessionmaker(bind=write_engine, future=True, expire_on_commit=False)
        self._write_engine = write_engine
        database = self.url.database
        if (
            self.is_sqlite
            and fcntl is not None
            and database
            and database != ":memory:"
            and not database.startswith("file:")
        ):
            self._write_lock = _SqliteWriteLock(str(Path(database).expanduser().resolve()))
        else:
            self._write_lock = contextlib.nullcontext()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        session = self._reader()
        try:
            yield session
        finally:
            session.close()  # ends the transaction; loaded objects stay readable (detached)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a write transaction, committed when the block ends without error."""
        with self._write_lock:
            session = self._writer()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextlib.contextmanager
    def write_conn(self) -> Iterator[Connection]:
        """A Core connection in a write transaction (the fast path for request creation)."""
        with self._write_lock:
            with self._write_engine.begin() as conn:
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def get_db() -> Database:
    return current_app.extensions["intake_db"]


def init_app(app) -> Database:
    db = Database(app.config["DATABASE_URL"])
    app.extensions["intake_db"] = db
    return db
