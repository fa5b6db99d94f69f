"""The slots each form fills (reset when a flow starts, is sent, or is cancelled)."""

REQUEST_SLOTS = (
    "request_type", "request_key", "request_text", "requester_name", "requester_email",
    "rectification_what", "rectification_value", "objection_processing", "request_confirmed",
)
HANDOFF_SLOTS = ("handoff_email", "handoff_question", "handoff_consent", "handoff_key")
