"""The requests a shopper can lodge (API value of `request_type`) and the closed choices
some of them carry, defined once for the bot and the intake.

`complaint` is a complaint to the shop (DPA 2018 s.164A: acknowledged within 30 days, an
outcome without undue delay); the other seven are data-rights requests with the one-month clock.
"""

import re

REQUEST_TYPES = (
    "access",
    "erasure",
    "rectification",
    "marketing_opt_out",
    "objection",
    "portability",
    "restriction",
    "complaint",
)

#: what a complaint is about
COMPLAINT_SUBJECTS = ("request_handling", "marketing", "data_use", "breach", "other")

#: why processing should be restricted (UK GDPR Art 18(1)(a)-(d))
RESTRICTION_GROUNDS = ("accuracy_contested", "objection_pending", "unlawful", "legal_claim")

#: the safeguards a shopper can ask for against a decision made by computer alone (Art 22C)
AUTOMATED_DECISION_SAFEGUARDS = ("human_review", "express_view", "contest")

#: a request reference as the intake issues it (Crockford base32 without I, L, O, U)
REFERENCE_PATTERN = re.compile(r"SM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
