"""Facts the bot (bot/actions, run by the action server) and the DSAR intake (intake/) must
agree on, defined once: the request types and their closed choices, the reference format, the email
address rule, the signing scheme and what a conversation id looks like (plus how long conversations are kept).

Standard library only, so that both processes can import it: the intake runs from the
repository root (gunicorn, flask), the action server from bot/ with the repository root on
PYTHONPATH (launcher/stack.py). What cannot import it (web_widget/widget.js, the intake's
objection choices and the bot's words for them) is held to it by tests/unit/test_contract.py.
"""

from .conversations import DEFAULT_RETENTION_DAYS, is_valid_conversation_id
from .email_address import is_valid_email
from .request_types import (
    AUTOMATED_DECISION_SAFEGUARDS,
    COMPLAINT_SUBJECTS,
    REFERENCE_PATTERN,
    REQUEST_TYPES,
    RESTRICTION_GROUNDS,
)
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = [
    "AUTOMATED_DECISION_SAFEGUARDS",
    "COMPLAINT_SUBJECTS",
    "DEFAULT_RETENTION_DAYS",
    "REFERENCE_PATTERN",
    "REQUEST_TYPES",
    "RESTRICTION_GROUNDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "is_valid_conversation_id",
    "is_valid_email",
    "sign",
]
