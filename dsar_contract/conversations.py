"""The chat conversations the bot keeps (Rasa's tracker store) as the intake links and erases them.

- ``CONVERSATION_ID``: what a conversation id the bot sends with a request or handoff may look
  like (Rasa's sender id). The widget's ids are 32 hex digits, ``rasa shell``'s a uuid4 hex, the
  tests' ``test-<hex>``: letters, digits and ``_ . : -``, starting with a letter or digit, at most
  128 characters. The intake refuses anything else (422); the bot sends no id (null) rather than
  one the intake would refuse, so an odd channel's sender id never blocks a shopper's request.
- ``DEFAULT_RETENTION_DAYS``: how long a conversation is kept after its last event when no open
  request links to it (``CONVERSATION_RETENTION_DAYS``; the reason for 90 is in the README).
"""

import re

CONVERSATION_ID_MAX_LENGTH = 128
#: ``(?!\n)``: Python's ``$`` (jsonschema uses ``re.search``) also matches before a final line break
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$(?!\n)"
_CONVERSATION_ID = re.compile(CONVERSATION_ID_PATTERN)

DEFAULT_RETENTION_DAYS = 90
RETENTION_VARIABLE = "CONVERSATION_RETENTION_DAYS"
#: a retention below one day would delete conversations still in progress; above ten years is a typo
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 3650


def is_valid_conversation_id(value: object) -> bool:
    """True for a conversation id the intake stores (no trimming is done here)."""
    return isinstance(value, str) and _CONVERSATION_ID.fullmatch(value) is not None


def retention_days(raw: object) -> int:
    """``CONVERSATION_RETENTION_DAYS`` as a number of days (unset or blank: the default);
    ValueError naming the variable for anything else."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return DEFAULT_RETENTION_DAYS
    if not text.isdigit() or not MIN_RETENTION_DAYS <= int(text) <= MAX_RETENTION_DAYS:
        raise ValueError(
            f"{RETENTION_VARIABLE} must be a whole number of days from {MIN_RETENTION_DAYS} "
            f"to {MAX_RETENTION_DAYS}, not {text[:20]!r}"
        )
    return int(text)
