"""A shopper's conversation over the bot's REST channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List

import requests


@dataclass
class Turn:
    messages: List[Dict[str, Any]]

    @property
    def texts(self) -> List[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def payloads(self) -> List[Dict[str, Any]]:
        return [m["custom"] for m in self.messages if m.get("custom")]

    @property
    def payload(self) -> Dict[str, Any]:
        assert len(self.payloads) == 1, f"expected one payload, got {self.payloads}: {self.text}"
        return self.payloads[0]

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]


@dataclass
class Chat:
    bot_url: str
    sender: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")

    def say(self, text: str, timeout: float = 30) -> Turn:
        response = requests.post(
            f"{self.bot_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=timeout,
        )
        assert response.status_code == 200, response.text
        return Turn(response.json())
