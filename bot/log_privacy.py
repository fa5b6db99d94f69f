"""Keep what shoppers type out of the Rasa server's and the action server's logs.

Rasa 3.6 and rasa_sdk quote the shopper in several places: Python warnings from
Rasa's intent-payload parser (a message typed as `/request_access{"requester_email":
...}` is quoted whole, name and email included), structlog events that carry
`text=`, `response=`, `slot_values=` and so on (rasa.core.channels.rest, the
processor, forms), stdlib debug lines ("Received user message '...'"), and
exception messages. `install()` (called by bot/rasa_server.py and
bot/action_server.py before Rasa or rasa_sdk start) closes each path:

- every log record, from any logger, is scrubbed when it is created (a log record
  factory, so handlers Rasa, Sanic or coloredlogs add later are covered too):
  an intent payload keeps its intent name and loses its arguments, anything with
  an `@` is taken out, and a quoted string survives only if it is an identifier
  (an intent, action or slot name, a file path);
- an exception keeps its type and traceback, never its message;
- a debug line from a library (Rasa, rasa_sdk, Sanic, ...) keeps only its words
  before the first quote, bracket, brace or colon, where the values start (quoted
  identifiers excepted): Rasa nests quotes in them, so quotes alone are no guide;
- structlog events (Rasa configures structlog in its `main`): every field is
  redacted except the event name and a few bookkeeping keys; Rasa's own
  `_anonymizer` hook, which does nothing without Rasa Pro, is where this runs;
- Python warnings go through logging (`logging.captureWarnings`), so they are
  scrubbed like any other record.

Numbers, booleans, intent and action names stay: enough to follow a conversation
by its sender id without reading it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from typing import Any, Dict, Optional

REDACTED = "[redacted]"
WITHHELD = "[rest withheld]"
# Loggers of this project's own code: they never log shopper text (reviewed), so their
# debug lines are kept whole. Everything else is a library.
OWN_LOGGERS = ("actions", "channels", "components", "rasa_server", "action_server", "log_privacy")

# `/intent{...}` or `/intent@0.9{...}`: the name stays, the arguments go (to the end of the line,
# as a malformed payload has no reliable end).
_INTENT_PAYLOAD = re.compile(r"(/[A-Za-z_][\w-]*(?:@[0-9.]+)?)\{[^\n]*")
# Anything with an @ (a malformed email too), but not an intent payload's `@confidence{`.
_AT_SIGN = re.compile(r"[^\s'\"<>(){}\[\],;]*@(?![0-9.]*\{)[^\s'\"<>(){}\[\],;]*")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
# Intent, action and slot names (snake_case) and paths: safe to keep inside quotes.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[\w.-]*/[\w./-]*")
_VALUES_START = re.compile(r"['\"{\[:]")

# structlog fields that are bookkeeping, never shopper data.
_SAFE_EVENT_KEYS = {
    "event",
    "event_info",
    "event_key",
    "log_level",
    "level",
    "timestamp",
    "logger",
    "logger_name",
    "docs",
    "stack_info",
    "action_name",
    "policy_name",
    "sender_id",
}


def _quoted(match: "re.Match[str]") -> str:
    quote, inner = match.group(0)[0], match.group(0)[1:-1]
    return match.group(0) if _IDENTIFIER.fullmatch(inner) or not inner else f"{quote}{REDACTED}{quote}"


def scrub(text: str, quotes: bool = True) -> str:
    """`text` without intent-payload arguments, email-like strings or (unless `quotes` is
    False) free-text quotes."""
    text = _INTENT_PAYLOAD.sub(lambda m: m.group(1) + "{" + REDACTED + "}", text)
    text = _AT_SIGN.sub(REDACTED, text)
    return _QUOTED.sub(_quoted, text) if quotes else text


def up_to_first_value(message: str) -> str:
    """A library's debug line up to where its values start (the first quote, bracket, brace
    or colon), except that quoted identifiers ('action_answer_policy') are kept."""
    position = 0
    while True:
        start = _VALUES_START.search(message, position)
        if not start:
            return message
        quoted = _QUOTED.match(message, start.start())
        if quoted and _IDENTIFIER.fullmatch(quoted.group(0)[1:-1]):
            position = quoted.end()
            continue
        return message[: start.start()].rstrip() + " " + WITHHELD


def exception_without_message(exc_info) -> str:
    """The traceback of `exc_info` with the exception's type but not its message."""
    kind, _, tb = exc_info
    frames = "".join(traceback.format_tb(tb)) if tb else ""
    name = getattr(kind, "__qualname__", str(kind))
    return f"Traceback (most recent call last):\n{frames}{name}: (message withheld: it may quote the shopper)"


def _is_structlog_json(message: str) -> bool:
    if not message.startswith("{"):
        return False
    try:
        return "event" in json.loads(message)
    except ValueError:
        return False


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite `record` in place so it carries no shopper text; returns it."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep the template only
        message = str(record.msg)
    own = record.name.split(".")[0] in OWN_LOGGERS
    structured = _is_structlog_json(message)  # already redacted field by field (redact_event)
    if record.levelno < logging.INFO and not own and not structured:
        message = up_to_first_value(message)
    record.msg, record.args = scrub(message, quotes=not structured), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = exception_without_message(record.exc_info)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text)
    return record


def redact_event(_logger: Any, method: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    """structlog processor: every field but the event name and bookkeeping is redacted
    (numbers and booleans stay); an exception keeps its type and traceback, not its message
    (structlog would otherwise render the message and every frame's local variables)."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is None and method == "exception":
        exc_info = True
    for key, value in list(event_dict.items()):
        if key in _SAFE_EVENT_KEYS or value is None or isinstance(value, (bool, int, float)):
            continue
        event_dict[key] = REDACTED
    for key in ("event", "event_info"):  # texts written by Rasa, scrubbed all the same
        if isinstance(event_dict.get(key), str):
            event_dict[key] = scrub(event_dict[key])
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        if isinstance(exc_info, tuple) and exc_info[0] is not None:
            event_dict["exception"] = exception_without_message(exc_info)
    event_dict["exc_info"] = False  # handled: structlog's set_exc_info and renderers leave it
    return event_dict


_installed: Optional[Any] = None


def install() -> None:
    """Scrub every log record of this process from now on (idempotent)."""
    global _installed
    if _installed is not None:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)
    try:  # Rasa's structlog set-up calls this hook first for every event (rasa.utils.log_utils)
        import rasa.utils.log_utils as rasa_log_utils

        rasa_log_utils._anonymizer = redact_event
    except ImportError:  # the action server alone needs no Rasa
        pass
    _installed = factory
