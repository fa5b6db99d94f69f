"""Complaints to the shop (DPA 2018 s.164A, in force since 19 June 2026).

A complaint is a request of type ``complaint``: no email verification and no one-month
clock. It must be acknowledged within 30 calendar days of receipt: the acknowledgement
email is queued with the complaint itself, so it is acknowledged at once (recorded as
``acknowledged_at`` and audited by ``workflow.open_request``). The outcome is due "without
undue delay": staff see how many days it has been open, record the outcome with a reason
(``record_outcome``: the one transition path, audited) and the complainant is emailed it.
"""

from __future__ import annotations

import datetime as dt

from . import mail, workflow
from .errors import ApiError
from .models import COMPLAINT, COMPLAINT_OUTCOMES, COMPLETED, IN_PROGRESS, DsarRequest, utcnow

#: s.164A(3)(b) DPA 2018: acknowledge within 30 days of receipt (calendar days)
ACKNOWLEDGEMENT_DAYS = 30

SUBJECT_LABELS = {
    "request_handling": "how we handled a data-rights request",
    "marketing": "marketing we sent you",
    "data_use": "how we used your personal data",
    "breach": "a possible data breach",
    "other": "how we handle personal data",
}
OUTCOME_LABELS = {
    "upheld": "upheld",
    "partly_upheld": "partly upheld",
    "not_upheld": "not upheld",
}


def acknowledgement_due(received_on: dt.date) -> dt.date:
    return received_on + dt.timedelta(days=ACKNOWLEDGEMENT_DAYS)


def days_open(req: DsarRequest, today: dt.date) -> int:
    """Calendar days since receipt (to the outcome, once recorded)."""
    end = req.closed_at.date() if req.closed_at else today
    return (end - req.received_at.date()).days


def acknowledgement_mail(cfg, req) -> tuple[str, str]:
    subject = f"Your Session Music complaint {req.reference} - received"
    return subject, mail._body(
        "complaint_acknowledgement.txt", req=req, about=SUBJECT_LABELS.get(req.complaint_subject, req.complaint_subject)
    )


def outcome_mail(cfg, req) -> tuple[str, str]:
    subject = f"Your Session Music complaint {req.reference} - outcome"
    return subject, mail._body(
        "complaint_outcome.txt",
        req=req,
        outcome=OUTCOME_LABELS[req.complaint_outcome],
        about=SUBJECT_LABELS.get(req.complaint_subject, req.complaint_subject),
    )


def record_outcome(session, cfg, req: DsarRequest, outcome: str, reason: str, actor: str) -> None:
    """Close a complaint with its outcome and reason, audited, and email the complainant.

    422 for an unknown outcome or no reason; 409 for anything but an open complaint."""
    reason = (reason or "").strip()
    fields = {}
    if outcome not in COMPLAINT_OUTCOMES:
        fields["outcome"] = f"one of {', '.join(COMPLAINT_OUTCOMES)}"
    if not reason:
        fields["reason"] = "required"
    if fields:
        raise ApiError(422, "validation_failed", "A complaint's outcome needs a decision and a reason.", fields)
    if req.request_type != COMPLAINT:
        raise ApiError(409, "not_a_complaint", "Only a complaint has an outcome to record.")
    if req.status != IN_PROGRESS:
        raise ApiError(409, "illegal_transition", f"This complaint is {req.status}; its outcome cannot be recorded.")
    now = utcnow()
    workflow.set_status(
        session,
        req,
        COMPLETED,
        actor=actor,
        action="complaint_outcome",
        reason=f"{OUTCOME_LABELS[outcome]}: {reason}",
        now=now,
    )
    req.complaint_outcome = outcome
    req.closing_reason = reason
    subject, body = outcome_mail(cfg, req)
    mail.enqueue(
        session,
        kind="complaint_outcome",
        recipient=req.requester_email,
        subject=subject,
        body=body,
        reference=req.reference,
    )
