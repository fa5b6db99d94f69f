"""JSON Schemas of the API bodies (one source for validation and for /openapi.json).

The schemas are written in the OpenAPI 3.0 dialect (``nullable``); ``to_json_schema``
turns them into plain JSON Schema for validation with ``jsonschema``.
"""

from __future__ import annotations

import copy

from dsar_contract.conversations import CONVERSATION_ID_MAX_LENGTH, CONVERSATION_ID_PATTERN
from dsar_contract import REFERENCE_PATTERN

from .models import (
    AUTOMATED_DECISION_SAFEGUARDS,
    COMPLAINT_OUTCOMES,
    COMPLAINT_SUBJECTS,
    OBJECTION_PROCESSING,
    REQUEST_TYPES,
    RESTRICTION_GROUNDS,
    STATUSES,
)

#: one line of text: no control characters (so never CR/LF)
LINE_PATTERN = r"^[^\u0000-\u001f\u007f]*$"
#: free text: line breaks and tabs allowed, other control characters (and NUL) refused
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"


def line(max_length: int, min_length: int = 1, **extra) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": LINE_PATTERN, **extra}


def text(max_length: int, min_length: int = 1, **extra) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": TEXT_PATTERN, **extra}


EMAIL = {
    "type": "string",
    "format": "email",
    "minLength": 3,
    "maxLength": 254,
    "description": "A deliverable-looking address (local@domain.tld, ASCII).",
}

IDEMPOTENCY_KEY = {
    "type": "string",
    "minLength": 8,
    "maxLength": 200,
    "pattern": r"^[\u0021-\u007e]+$",
    "description": "Client-chosen key (8-200 visible ASCII characters, e.g. a UUID). "
    "Sending the same key again returns the original request instead of a new one.",
}

SOURCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["channel", "conversation_id", "text"],
    "properties": {
        "channel": line(64, description="Channel the shopper used, e.g. web_widget."),
        "conversation_id": line(200),
        "text": text(5000, description="The shopper's own words."),
    },
}

#: the bot's conversation in its tracker store that this request or handoff came from: its
#: transcript is then part of an access answer and is deleted when an erasure completes
CONVERSATION_ID = {
    "type": "string",
    "nullable": True,
    "minLength": 1,
    "maxLength": CONVERSATION_ID_MAX_LENGTH,
    "pattern": CONVERSATION_ID_PATTERN,
    "x-invalid": "must be letters, digits and _ . : - only, starting with a letter or digit",
    "description": "The chat conversation kept by the bot (Rasa's sender id): letters, digits and _ . : - "
    f"(starting with a letter or digit), at most {CONVERSATION_ID_MAX_LENGTH} characters. "
    "Omit or null when the request did not come from a stored conversation.",
}

HANDOFF_SOURCE = copy.deepcopy(SOURCE)
HANDOFF_SOURCE["required"] = ["channel", "conversation_id"]
HANDOFF_SOURCE["properties"]["text"] = dict(text(5000), nullable=True)

REQUESTER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "email"],
    "properties": {
        "name": line(200),
        "email": EMAIL,
        "phone": dict(line(40, min_length=0), nullable=True),
    },
}

REQUEST_CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["request_type", "requester", "source", "idempotency_key"],
    "properties": {
        "request_type": {"type": "string", "enum": list(REQUEST_TYPES)},
        "requester": REQUESTER,
        "details": dict(text(5000, min_length=0), nullable=True),
        "rectification": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["what", "correct_value"],
            "description": "Required for (and only for) request_type rectification.",
            "properties": {"what": text(2000), "correct_value": text(2000)},
        },
        "objection": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["processing"],
            "description": "Required for (and only for) request_type objection.",
            "properties": {
                "processing": {"type": "string", "enum": list(OBJECTION_PROCESSING)},
                "safeguards": {
                    "type": "array",
                    "nullable": True,
                    "uniqueItems": True,
                    "maxItems": 3,
                    "items": {"type": "string", "enum": list(AUTOMATED_DECISION_SAFEGUARDS)},
                    "description": "Only with processing profiling: the Art 22C safeguards asked for "
                    "against decisions made by computer alone.",
                },
            },
        },
        "portability": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["recipient"],
            "description": "Required for (and only for) request_type portability.",
            "properties": {
                "recipient": line(200, description='"requester" (send it to me) or the organisation to send it to.')
            },
        },
        "restriction": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["what", "grounds"],
            "description": "Required for (and only for) request_type restriction.",
            "properties": {"what": text(2000), "grounds": {"type": "string", "enum": list(RESTRICTION_GROUNDS)}},
        },
        "complaint": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["subject", "outcome_wanted"],
            "description": "Required for (and only for) request_type complaint.",
            "properties": {
                "subject": {"type": "string", "enum": list(COMPLAINT_SUBJECTS)},
                "reference": {
                    "type": "string",
                    "nullable": True,
                    "pattern": f"^{REFERENCE_PATTERN.pattern}$",
                    "description": "The request complained about, if any.",
                },
                "outcome_wanted": text(2000),
            },
        },
        "source": SOURCE,
        "conversation_id": CONVERSATION_ID,
        "idempotency_key": IDEMPOTENCY_KEY,
    },
}

HANDOFF_CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "question", "consent_to_transcript", "source", "idempotency_key"],
    "properties": {
        "email": EMAIL,
        "question": text(5000),
        "transcript": {
            "type": "array",
            "nullable": True,
            "maxItems": 500,
            "description": "Only with consent_to_transcript true.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sender", "text"],
                "properties": {
                    "sender": {"type": "string", "enum": ["user", "bot"]},
                    "text": text(5000, min_length=0),
                },
            },
        },
        "consent_to_transcript": {"type": "boolean"},
        "source": HANDOFF_SOURCE,
        "conversation_id": CONVERSATION_ID,
        "idempotency_key": IDEMPOTENCY_KEY,
    },
}

TRANSITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["to"],
    "properties": {
        "to": {"type": "string", "enum": list(STATUSES)},
        "reason": dict(text(2000, min_length=0), nullable=True),
    },
}

COMPLAINT_OUTCOME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["outcome", "reason"],
    "properties": {"outcome": {"type": "string", "enum": list(COMPLAINT_OUTCOMES)}, "reason": text(2000)},
}

EXTENSION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {"reason": text(2000)},
}

CLARIFICATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["question"],
    "properties": {
        "question": text(
            2000,
            description="What the shop needs to know; emailed to the requester "
            "with a reply link. The clock stops until the answer.",
        )
    },
}

CLARIFICATION_RECEIVED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["answer"],
    "properties": {
        "answer": text(
            5000, description="The requester's answer (or how it came, e.g. by phone). The clock runs again from today."
        )
    },
}

#: fields the server owns; sending them is a client bug worth a clear message
SERVER_OWNED = frozenset(
    {
        "id",
        "reference",
        "status",
        "received_at",
        "due_at",
        "due_on",
        "first_due_at",
        "created_at",
        "updated_at",
        "verified_at",
        "verification_required",
        "closed_at",
        "extended_at",
        "audit",
        "email_hash",
        "acknowledgement_due_on",
        "acknowledged_at",
    }
)


def to_json_schema(schema):
    """OpenAPI 3.0 ``nullable`` -> JSON Schema type lists (recursively)."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: to_json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
    return out
