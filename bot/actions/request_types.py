"""The requests a shopper can lodge: which intents lead to which, and how to name them."""

# Which request an intent leads to: the request intents themselves, and the
# informational questions whose answer offers to start that request. (Portability,
# restriction and complaints are offered after a law answer instead: topics.yml
# `not_covered` entries with `offers`, remembered in the `offered_request` slot.)
REQUEST_OF_INTENT = {
    "request_access": "access",
    "ask_right_access": "access",
    "request_erasure": "erasure",
    "ask_right_erasure": "erasure",
    "request_rectification": "rectification",
    "ask_right_rectification": "rectification",
    "request_marketing_opt_out": "marketing_opt_out",
    "ask_marketing_opt_out": "marketing_opt_out",
    "request_objection": "objection",
    "ask_profiling": "objection",
    "request_portability": "portability",
    "request_restriction": "restriction",
    "request_complaint": "complaint",
}

REQUEST_LABELS = {
    "access": "a copy of your personal data",
    "erasure": "deleting your personal data",
    "rectification": "correcting your personal data",
    "marketing_opt_out": "no more marketing",
    "objection": "an objection to processing",
    "portability": "your data in a portable format (data portability)",
    "restriction": "restricting the use of your data",
    "complaint": "a complaint to Session Music",
}

# Informational questions whose answer ends by offering to start the request.
OFFERING_INTENTS = {intent: kind for intent, kind in REQUEST_OF_INTENT.items() if intent.startswith("ask_")}
