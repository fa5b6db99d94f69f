"""The slots each form fills (reset when a flow starts, is sent, or is cancelled)."""

REQUEST_SLOTS = (
    "request_type",
    "request_key",
    "request_text",
    "requester_name",
    "requester_email",
    "rectification_what",
    "rectification_value",
    "objection_processing",
    "objection_safeguards",
    "portability_recipient",
    "restriction_what",
    "restriction_grounds",
    "complaint_subject",
    "complaint_reference",
    "complaint_outcome",
    "request_confirmed",
    "offered_request",
)
STATUS_SLOTS = ("status_reference", "status_email")

# The questions each request type asks after the name and the email address, in order.
# (objection_safeguards only when the objection is to profiling: request_actions.py.)
TYPE_SLOTS = {
    "rectification": ("rectification_what", "rectification_value"),
    "objection": ("objection_processing",),
    "portability": ("portability_recipient",),
    "restriction": ("restriction_what", "restriction_grounds"),
    "complaint": ("complaint_subject", "complaint_reference", "complaint_outcome"),
}
HANDOFF_SLOTS = ("handoff_email", "handoff_question", "handoff_consent", "handoff_key")
