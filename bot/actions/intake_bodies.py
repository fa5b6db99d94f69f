"""The JSON bodies the bot posts to the intake, built from a form's slots (pure functions:
the same slots give the same body, so a retry with the same idempotency key is the same
submission to the intake)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from dsar_contract import is_valid_conversation_id

TRANSCRIPT_LIMIT = 50
TRANSCRIPT_LINE_LIMIT = 2000

# Where the intake reports a field it refused (422 `fields`), and the form slot that holds it.
REQUEST_FIELD_SLOTS = {
    "requester.email": "requester_email",
    "requester.name": "requester_name",
    "rectification.what": "rectification_what",
    "rectification.correct_value": "rectification_value",
    "objection.processing": "objection_processing",
    "objection.safeguards": "objection_safeguards",
    "portability.recipient": "portability_recipient",
    "restriction.what": "restriction_what",
    "restriction.grounds": "restriction_grounds",
    "complaint.subject": "complaint_subject",
    "complaint.reference": "complaint_reference",
    "complaint.outcome_wanted": "complaint_outcome",
}
NOT_GIVEN = "none"  # validators.NOT_GIVEN: an optional question answered "none"


def _given(value: Any) -> Any:
    return None if value in (None, NOT_GIVEN) else value


HANDOFF_FIELD_SLOTS = {"email": "handoff_email", "question": "handoff_question"}


def linked_conversation(conversation_id: Optional[str]) -> Optional[str]:
    """The conversation the intake links the request or handoff to (its transcript is then part
    of an access answer and goes with an erasure): the sender id when the intake accepts it as a
    conversation id (dsar_contract), else None, so an odd sender id never blocks the request."""
    return conversation_id if is_valid_conversation_id(conversation_id) else None


def request_body(slots: Mapping[str, Any], channel: Optional[str], conversation_id: str, key: str) -> Dict[str, Any]:
    """POST /api/v1/requests body of the confirmed request held in the request form's slots."""
    request_type = slots.get("request_type")
    body: Dict[str, Any] = {
        "request_type": request_type,
        "requester": {"name": slots.get("requester_name"), "email": slots.get("requester_email")},
        "source": {
            "channel": channel or "unknown",
            "conversation_id": conversation_id,
            "text": slots.get("request_text") or f"(request started from the chat: {request_type})",
        },
        "conversation_id": linked_conversation(conversation_id),
        "idempotency_key": key,
    }
    if request_type == "rectification":
        body["rectification"] = {
            "what": slots.get("rectification_what"),
            "correct_value": slots.get("rectification_value"),
        }
    if request_type == "objection":
        body["objection"] = {"processing": slots.get("objection_processing")}
        chosen = _given(slots.get("objection_safeguards"))
        if chosen and slots.get("objection_processing") == "profiling":
            body["objection"]["safeguards"] = chosen.split(",")
    if request_type == "portability":
        body["portability"] = {"recipient": slots.get("portability_recipient")}
    if request_type == "restriction":
        body["restriction"] = {"what": slots.get("restriction_what"), "grounds": slots.get("restriction_grounds")}
    if request_type == "complaint":
        body["complaint"] = {
            "subject": slots.get("complaint_subject"),
            "reference": _given(slots.get("complaint_reference")),
            "outcome_wanted": slots.get("complaint_outcome"),
        }
    return body


def transcript(events: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The latest lines of the conversation, shopper's and bot's, for the team."""
    lines = [
        {"sender": event["event"], "text": str(event["text"])[:TRANSCRIPT_LINE_LIMIT]}
        for event in events
        if event.get("event") in ("user", "bot") and event.get("text")
    ]
    return lines[-TRANSCRIPT_LIMIT:]


def handoff_body(
    slots: Mapping[str, Any], channel: Optional[str], conversation_id: str, key: str, events: List[Dict[str, Any]]
) -> Dict[str, Any]:
    """POST /api/v1/handoffs body; the transcript only when the shopper consented."""
    consent = bool(slots.get("handoff_consent"))
    body: Dict[str, Any] = {
        "email": slots.get("handoff_email"),
        "question": slots.get("handoff_question"),
        "consent_to_transcript": consent,
        "source": {
            "channel": channel or "unknown",
            "conversation_id": conversation_id,
            "text": slots.get("handoff_question"),
        },
        "conversation_id": linked_conversation(conversation_id),
        "idempotency_key": key,
    }
    if consent:
        body["transcript"] = transcript(events)
    return body


def slot_of_refused_field(fields: Mapping[str, str], field_slots: Mapping[str, str]) -> Optional[str]:
    """The form slot the shopper can answer again to fix a 422, when the intake named one."""
    for field in fields:
        for prefix, slot in field_slots.items():
            if field == prefix or field.startswith(prefix + ".") or prefix.startswith(field + "."):
                return slot
    return None
