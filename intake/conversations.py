"""The bot's conversations as the intake sees them: Rasa 3.6's SQL tracker store (``TRACKER_STORE_URL``,
the same store the launcher gives the Rasa server), read for a transcript and deleted on erasure and by
the retention purge (``conversation_purge``).

Rasa keeps every event of a conversation as one row of its ``events`` table (``sender_id``,
``type_name``, ``timestamp`` as Unix seconds, ``data`` the event as JSON); a conversation is all the
rows of one ``sender_id``. Only the columns used here are declared, so Rasa's own columns and indexes
stay Rasa's business. SQLite and PostgreSQL both work through SQLAlchemy Core.

A SQLite store that does not exist yet (the bot never ran) holds no conversation: it is not created here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Engine, make_url

_metadata = MetaData()
#: Rasa's SQLTrackerStore.SQLEvent, the columns this module uses
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("data", Text),
)
#: how many conversation ids go into one DELETE ... WHERE sender_id IN (...)
DELETE_BATCH = 500


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store could not be read or written (the message never quotes its URL)."""


@contextlib.contextmanager
def _unavailable(what: str):
    """Any database error becomes TrackerStoreUnavailable, naming the error's type only (a driver's
    message can quote the URL, password and all)."""
    try:
        yield
    except TrackerStoreUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the store is unusable
        raise TrackerStoreUnavailable(f"the tracker store could not be {what} ({type(exc).__name__})") from None


@dataclass(frozen=True)
class Line:
    """One turn of a transcript: who said it ("shopper" or "bot"), when, and what."""

    speaker: str
    at: Optional[dt.datetime]
    text: str


@dataclass(frozen=True)
class Exchange:
    """A shopper's message and the message-contract payloads (``custom``) of the bot's reply to it,
    without the conversation id or time: what the review of unanswered questions reads."""

    text: str
    payloads: Tuple[Dict, ...]
    in_form: bool = False


class TrackerStore:
    """The tracker store at one URL. Cheap to create; the engine is made on first use."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Optional[Engine] = None

    def _sqlite_file(self) -> Optional[Path]:
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database)
        return None

    def exists(self) -> bool:
        """False while there is nothing to read: no SQLite file, or no ``events`` table yet."""
        sqlite_file = self._sqlite_file()
        if sqlite_file is not None and not sqlite_file.exists():
            return False
        with _unavailable("read"):
            return inspect(self.engine).has_table("events")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            url = make_url(self.url)
            options = {"future": True, "hide_parameters": True}
            if url.get_backend_name() == "sqlite":
                # Rasa writes the same file: wait for its write lock rather than fail
                options["connect_args"] = {"timeout": 15}
            else:
                options["pool_pre_ping"] = True
            self._engine = create_engine(url, **options)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # --- reading ---------------------------------------------------------------------------
    def transcript(self, conversation_id: str) -> List[Line]:
        """The shopper's and the bot's turns of one conversation, oldest first (empty if none stored)."""
        with _unavailable("read"):
            if not self.exists():
                return []
            query = (
                select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
                .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(("user", "bot")))
                .order_by(EVENTS.c.id)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(query).fetchall()
        lines = []
        for row in rows:
            try:
                text = json.loads(row.data or "{}").get("text")
            except ValueError:
                text = None
            if not text:
                continue  # a button press without text, an image: nothing to read out
            at = dt.datetime.fromtimestamp(row.timestamp, dt.timezone.utc) if row.timestamp is not None else None
            lines.append(Line("shopper" if row.type_name == "user" else "bot", at, str(text)))
        return lines

    def exchanges(self, since: Optional[float] = None) -> Iterator[Exchange]:
        """Every message a shopper typed since ``since`` (Unix seconds; None: all), with the payloads
        of the bot's turns up to the shopper's next message, conversation by conversation.

        Not typed, so left out: an intent sent directly (``/affirm``) and a button press (the text
        equals the payload of a button the bot's last turn offered, such as a suggested question).
        ``in_form`` says a request form was active when the shopper typed it (an answer to the form:
        a name, an email, an order number). The form state is read from each conversation's whole
        history, so a form opened before ``since`` still counts, and a new session or a restart
        ends it, as Rasa's tracker does."""
        with _unavailable("read"):
            if not self.exists():
                return
            query = (
                select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
                .where(EVENTS.c.type_name.in_(("user", "bot", "active_loop", "session_started", "restart")))
                .order_by(EVENTS.c.sender_id, EVENTS.c.id)
            )
            if since is not None:
                recent = select(EVENTS.c.sender_id).where(EVENTS.c.timestamp >= since).distinct()
                query = query.where(EVENTS.c.sender_id.in_(recent))
            with self.engine.connect() as conn:
                rows = conn.execute(query).fetchall()
        sender, pending, form_active, offered = None, None, False, set()
        for row in rows:
            try:
                data = json.loads(row.data or "{}")
            except ValueError:
                continue
            if row.sender_id != sender or row.type_name == "user":
                if pending is not None:
                    yield pending
                pending = None
            if row.sender_id != sender:
                sender, form_active, offered = row.sender_id, False, set()
            if row.type_name == "session_started":
                form_active = False  # the widget still shows the last turn's buttons
            elif row.type_name == "restart":
                form_active, offered = False, set()  # "Start over" clears the widget too
            elif row.type_name == "active_loop":
                form_active = bool(data.get("name"))
            elif row.type_name == "user":
                typed = str(data.get("text") or "").strip()
                pressed = typed in offered
                offered = set()
                recent = since is None or (row.timestamp is not None and row.timestamp >= since)
                if typed and not typed.startswith("/") and not pressed and recent:
                    pending = Exchange(typed, (), form_active)
            else:
                bot_data = data.get("data") or {}
                offered |= {str(b.get("payload")) for b in bot_data.get("buttons") or () if isinstance(b, dict)}
                custom = bot_data.get("custom")
                if pending is not None and isinstance(custom, dict) and custom.get("kind"):
                    pending = Exchange(pending.text, pending.payloads + (custom,), pending.in_form)
        if pending is not None:
            yield pending

    def last_activity(self) -> Dict[str, float]:
        """Each stored conversation's latest event time (Unix seconds)."""
        with _unavailable("read"):
            if not self.exists():
                return {}
            query = select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id)
            with self.engine.connect() as conn:
                return {sender: last for sender, last in conn.execute(query) if last is not None}

    def stored(self, conversation_ids: Iterable[str]) -> set:
        """Which of these conversations have events in the store."""
        ids = sorted(set(conversation_ids))
        found = set()
        with _unavailable("read"):
            if not ids or not self.exists():
                return found
            with self.engine.connect() as conn:
                for start in range(0, len(ids), DELETE_BATCH):
                    batch = ids[start : start + DELETE_BATCH]
                    found |= set(
                        conn.execute(
                            select(EVENTS.c.sender_id).distinct().where(EVENTS.c.sender_id.in_(batch))
                        ).scalars()
                    )
        return found

    # --- deleting --------------------------------------------------------------------------
    def delete(self, conversation_ids: Iterable[str], idle_before: Optional[float] = None) -> int:
        """Delete every event of these conversations; returns how many events went.

        ``idle_before`` (Unix seconds): delete a conversation only if none of its events is at or
        after that time, checked in the same statement, so a conversation the shopper resumed
        while the purge ran is kept whole."""
        ids = sorted(set(conversation_ids))
        deleted = 0
        with _unavailable("written"):
            if not ids or not self.exists():
                return 0
            with self.engine.begin() as conn:
                for start in range(0, len(ids), DELETE_BATCH):
                    batch = ids[start : start + DELETE_BATCH]
                    statement = delete(EVENTS).where(EVENTS.c.sender_id.in_(batch))
                    if idle_before is not None:
                        recent = select(EVENTS.c.sender_id).where(
                            EVENTS.c.sender_id.in_(batch), EVENTS.c.timestamp >= idle_before
                        )
                        # PostgreSQL and SQLite both accept a subquery on the table being deleted from
                        statement = statement.where(EVENTS.c.sender_id.notin_(recent))
                    deleted += conn.execute(statement).rowcount or 0
        return deleted


def as_text(reference: str, conversation_id: str, lines: List[Line]) -> str:
    """A transcript as plain text, for the answer to an access request."""
    out = [
        f"Chat with the Session Music privacy assistant, linked to request {reference}",
        f"Conversation id: {conversation_id}",
        "",
    ]
    if not lines:
        out.append("(No turns are stored for this conversation: it was deleted or never stored.)")
    for line in lines:
        when = line.at.strftime("%Y-%m-%d %H:%M:%S UTC") if line.at else "time unknown"
        who = "You" if line.speaker == "shopper" else "Assistant"
        out.append(f"[{when}] {who}: {line.text}")
    return "\n".join(out) + "\n"


def for_app(app) -> TrackerStore:
    """The app's tracker store (one per app, made on first use)."""
    store = app.extensions.get("intake_tracker_store")
    if store is None:
        store = app.extensions["intake_tracker_store"] = TrackerStore(app.config["TRACKER_STORE_URL"])
    return store
