"""Where the Rasa server keeps conversations and how it orders the messages of one conversation,
from two URL settings, written as the endpoints file Rasa 3.6 reads (`rasa run/shell --endpoints`).

- ``TRACKER_STORE_URL``: Rasa's SQL tracker store. Unset: SQLite in ``<var>/conversations.sqlite3``
  (the embedded default). Production: ``postgresql://user:password@host:5432/database``. A relative
  SQLite path is taken from the repository root, as the intake's ``DATABASE_URL`` is.
- ``LOCK_STORE_URL``: unset, Rasa's in-memory lock store (one Rasa process); ``redis://[user:password@]
  host[:port][/db]`` (``rediss://`` for TLS), Rasa's ``RedisLockStore``, which several Rasa servers
  (or ``SANIC_WORKERS`` > 1) need so that one conversation's messages are handled one at a time.

Why a written file and not ``${...}`` in bot/endpoints.yml: Rasa 3.6 takes neither store as one URL.
Its SQL store wants the parts (dialect, url = host, port, db, username, password, query) and its
Redis lock store passes ``url`` to redis-py as a host name; and Rasa's ``${VAR}`` substitution has no
default value, so an embedded default could not live in the file. The launcher therefore parses the
URLs here (clear errors naming the variable, before anything starts) and writes the parts.
Passwords are not written: the file says ``password: ${RASA_TRACKER_STORE_PASSWORD}``, Rasa's YAML
loader expands it when it reads the file, and the launcher gives that variable to the Rasa process
only. Every other value is written double-quoted, so Rasa never expands anything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, urlsplit

from .processes import StartupError

TRACKER_STORE_URL = "TRACKER_STORE_URL"
LOCK_STORE_URL = "LOCK_STORE_URL"
#: Filled in by Rasa from the Rasa process's environment when it reads the endpoints file.
TRACKER_PASSWORD_VARIABLE = "RASA_TRACKER_STORE_PASSWORD"
LOCK_PASSWORD_VARIABLE = "RASA_LOCK_STORE_PASSWORD"
DEFAULT_SQLITE_NAME = "conversations.sqlite3"

_TRACKER_FORMS = "sqlite:///path/to/conversations.sqlite3 or postgresql://user:password@host:5432/database"
_LOCK_FORMS = "redis://[user:password@]host[:port][/db] or rediss://... (TLS), or unset for the in-memory lock store"


class SettingError(StartupError):
    """A store setting is not usable; the message names the variable (never its password)."""


@dataclass(frozen=True)
class RasaEndpoints:
    """The endpoints file's text and the variables the Rasa process needs to read it."""

    text: str
    env: Dict[str, str] = field(default_factory=dict)
    sqlite_path: Optional[Path] = None  # the SQLite tracker store's file, when it is one

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.text, encoding="utf-8")
        return path


def default_tracker_store_url(var_dir: Path) -> str:
    return f"sqlite:///{Path(var_dir).resolve() / DEFAULT_SQLITE_NAME}"


def tracker_store_url(settings: Mapping[str, str], var_dir: Path) -> str:
    return (settings.get(TRACKER_STORE_URL) or "").strip() or default_tracker_store_url(var_dir)


def _quoted(value: object) -> str:
    """A YAML scalar Rasa reads back as exactly this value (JSON is valid YAML; quoted strings are
    never given to Rasa's ${...} expansion)."""
    return json.dumps(value, ensure_ascii=False)


def _block(name: str, entries: List[Tuple[str, object]], password_variable: Optional[str] = None) -> str:
    lines = [f"{name}:"]
    for key, value in entries:
        if isinstance(value, dict):
            lines.append(f"  {key}:")
            lines += [f"    {_quoted(k)}: {_quoted(v)}" for k, v in value.items()]
        else:
            lines.append(f"  {key}: {_quoted(value)}")
    if password_variable:
        lines.append(f"  password: ${{{password_variable}}}")
    return "\n".join(lines) + "\n"


def tracker_store(settings: Mapping[str, str], var_dir: Path, root: Path) -> Tuple[str, Dict[str, str], Optional[Path]]:
    """The ``tracker_store`` block, the Rasa process's extra variables, the SQLite file (or None)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = tracker_store_url(settings, var_dir)
    try:
        url = make_url(raw)
    except ArgumentError:  # its message quotes the URL, password and all: not repeated here
        raise SettingError(f"{TRACKER_STORE_URL} could not be parsed as a database URL; use {_TRACKER_FORMS}") from None
    except ValueError:
        raise SettingError(f"{TRACKER_STORE_URL} has a port that is not a number; use {_TRACKER_FORMS}") from None
    backend = url.get_backend_name()
    query = {key: value if isinstance(value, str) else ",".join(value) for key, value in url.query.items()}
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise SettingError(
                f"{TRACKER_STORE_URL} names no SQLite file (an in-memory database would lose every "
                f"conversation at a restart); use {_TRACKER_FORMS}"
            )
        path = Path(url.database)
        path = path if path.is_absolute() else (Path(root) / path)
        entries: List[Tuple[str, object]] = [("type", "SQL"), ("dialect", url.drivername), ("db", str(path))]
        if query:
            entries.append(("query", query))
        return _block("tracker_store", entries), {}, path
    if backend == "postgresql":
        missing = [part for part, value in (("host", url.host), ("database name", url.database)) if not value]
        if missing:
            raise SettingError(f"{TRACKER_STORE_URL} has no {' and no '.join(missing)}; use {_TRACKER_FORMS}")
        entries = [("type", "SQL"), ("dialect", url.drivername), ("url", url.host)]
        if url.port:
            entries.append(("port", url.port))
        entries.append(("db", url.database))
        if url.username:
            entries.append(("username", url.username))
        if query:
            entries.append(("query", query))
        if url.password is None:
            return _block("tracker_store", entries), {}, None
        env = {TRACKER_PASSWORD_VARIABLE: str(url.password)}
        return _block("tracker_store", entries, TRACKER_PASSWORD_VARIABLE), env, None
    raise SettingError(
        f"{TRACKER_STORE_URL} names the database {backend!r}, which this bot does not run on "
        f"(PostgreSQL's URL scheme is 'postgresql', not 'postgres'); use {_TRACKER_FORMS}"
    )


def lock_store(settings: Mapping[str, str]) -> Tuple[str, Dict[str, str]]:
    """The ``lock_store`` block and the Rasa process's extra variables."""
    raw = (settings.get(LOCK_STORE_URL) or "").strip()
    if not raw:
        return _block("lock_store", [("type", "in_memory")]), {}
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss"):
        scheme = parts.scheme or "no scheme"
        raise SettingError(f"{LOCK_STORE_URL} must be a Redis URL, not {scheme!r}; use {_LOCK_FORMS}")
    try:
        port = parts.port or 6379
    except ValueError:
        raise SettingError(
            f"{LOCK_STORE_URL} has a port that is not a number from 1 to 65535; use {_LOCK_FORMS}"
        ) from None
    if not parts.hostname:
        raise SettingError(f"{LOCK_STORE_URL} has no host; use {_LOCK_FORMS}")
    database = parts.path.strip("/") or "0"
    if not database.isdigit():
        raise SettingError(f"{LOCK_STORE_URL}: the Redis database must be a number (/0, /1, ...); use {_LOCK_FORMS}")
    if parts.query or parts.fragment:
        raise SettingError(f"{LOCK_STORE_URL} takes no ?options or #fragment; use {_LOCK_FORMS}")
    entries: List[Tuple[str, object]] = [
        ("type", "redis"),
        ("url", parts.hostname),
        ("port", port),
        ("db", int(database)),
    ]
    if parts.username:
        entries.append(("username", unquote(parts.username)))
    if parts.scheme == "rediss":
        entries.append(("use_ssl", True))
    if parts.password is None:
        return _block("lock_store", entries), {}
    return (_block("lock_store", entries, LOCK_PASSWORD_VARIABLE), {LOCK_PASSWORD_VARIABLE: unquote(parts.password)})


def rasa_endpoints(settings: Mapping[str, str], var_dir: Path, root: Path, actions_url: str) -> RasaEndpoints:
    """The endpoints file for `rasa run` and `rasa shell`: the action server, the tracker store and
    the lock store. Raises SettingError (naming the variable) on a setting it cannot use."""
    tracker_text, tracker_env, sqlite_path = tracker_store(settings, var_dir, root)
    lock_text, lock_env = lock_store(settings)
    header = (
        "# Written by the launcher (launcher/conversation_store.py) from TRACKER_STORE_URL and\n"
        "# LOCK_STORE_URL at every start; edit those settings, not this file.\n"
    )
    action = _block("action_endpoint", [("url", f"{actions_url}/webhook")])
    return RasaEndpoints(header + action + tracker_text + lock_text, {**tracker_env, **lock_env}, sqlite_path)
