"""The REST channel the widget talks to, with its input checked before the NLU sees it.

Rasa's own RestInput hands any message to the NLU: one 100,000-character
message took the Rasa server 19 s of CPU (every other shopper waited) and grew
it by gigabytes. This channel keeps Rasa's URL and JSON (`POST
/webhooks/rest/webhook {"sender": ..., "message": ...}`) and adds:

- a message over `MAX_MESSAGE_CHARS` gets a clear reply and never reaches the NLU;
- a request without a `sender` (which Rasa would put in one shared "default"
  conversation), or with a sender or message that is not text, is refused (400);
- markup is taken out before the NLU (a `<script>` block entirely): a message
  of markup alone gets "please type your question" and is never read as a
  request (`<script>...</script>` used to start the marketing opt-out form);
- failures are logged without the shopper's text.
"""

from __future__ import annotations

import logging
import os
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# The widget's input is capped at 1,000 characters; this leaves room for other clients.
MAX_MESSAGE_CHARS = int(os.environ.get("MAX_MESSAGE_CHARS", "2000"))
MAX_SENDER_CHARS = 128
TOO_LONG = "That message is too long for me: please keep it under {limit:,} characters, or ask one question at a time."


PLAIN_TEXT_ONLY = "I can only read plain text: please type your question."
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z!][^>]*>")


def without_markup(text: str) -> str:
    """The text with HTML tags taken out (script and style blocks with their contents)."""
    return " ".join(_TAG.sub(" ", _SCRIPT.sub(" ", text)).split()) if "<" in text else text


def problem(body: Any) -> Optional[str]:
    """Why a request body can't be taken as a message, or None."""
    if not isinstance(body, dict):
        return "expected a JSON object with 'sender' and 'message'"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' is required: a conversation id of your own"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' is longer than {MAX_SENDER_CHARS} characters"
    if not isinstance(body.get("message", ""), str):
        return "'message' must be text"
    return None


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises on a body that is not JSON
                body = None
            reason = problem(body)
            if reason:
                return response.json({"error": reason}, status=400)
            sender, text = body["sender"], body.get("message") or ""
            if len(text) > MAX_MESSAGE_CHARS:
                logger.info("message of %d characters refused before the NLU", len(text))
                return response.json([{"recipient_id": sender, "text": TOO_LONG.format(limit=MAX_MESSAGE_CHARS)}])
            plain = without_markup(text)
            if text.strip() and not plain:
                return response.json([{"recipient_id": sender, "text": PLAIN_TEXT_ONLY}])
            text = plain
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata=self.get_metadata(request))
                )
            except CancelledError:
                logger.error("message handling timed out (conversation %s)", sender)
            except Exception as error:  # the shopper's text is never logged
                logger.error("message handling failed (conversation %s): %s", sender, type(error).__name__)
            return response.json(collector.messages)

        return webhook
