"""Conversations written by Rasa's own SQLTrackerStore (Rasa 3.6), the store the bot runs on, so the
intake's reading and deleting are tested against the table Rasa really writes (not a copy of its schema)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import List, Sequence, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


class RasaConversations:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(self.path))

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def add(self, sender: str, turns: Sequence[Tuple[dt.datetime, str, str]]) -> None:
        """Save a conversation of (time, what the shopper said, what the bot answered) turns."""
        events: List = []
        for at, said, answer in turns:
            t = at.timestamp()
            events += [
                ActionExecuted("action_listen", timestamp=t),
                UserUttered(said, intent={"name": "greet", "confidence": 1.0}, timestamp=t),
                BotUttered(answer, timestamp=t + 1),
            ]
        tracker = DialogueStateTracker.from_events(sender, events)
        asyncio.run(self.store.save(tracker))

    def senders(self) -> set:
        return set(asyncio.run(self.store.keys()))

    def events_of(self, sender: str) -> list:
        tracker = asyncio.run(self.store.retrieve_full_tracker(sender))
        return [] if tracker is None else list(tracker.events)

    def close(self) -> None:
        self.store.engine.dispose()
