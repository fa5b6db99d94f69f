"""Mail the service sends: each message is composed from a text template under
``templates/email/`` and written to the ``outbox`` table in the caller's transaction;
``outbox_worker.OutboxWorker`` sends it later, so an SMTP outage delays mail but loses none.

Subjects carry only the reference, the request type and the due date.  User-supplied text
only ever goes into message bodies; header values are checked for CR/LF when the message is
queued and again when it is built, so no field can add headers.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template

from .models import OutboxMessage, utcnow

TYPE_LABELS = {
    "access": "a copy of your personal data (subject access request)",
    "erasure": "erasure of your personal data",
    "rectification": "correction of your personal data",
    "marketing_opt_out": "no more direct marketing",
    "objection": "an objection to how we use your personal data",
    "portability": "your personal data in a portable, machine-readable form (data portability)",
    "restriction": "restricting how we use your personal data (restriction of processing)",
    "complaint": "a complaint about how we handle personal data",
}

RESTRICTION_LABELS = {
    "accuracy_contested": "you say the data is inaccurate",
    "objection_pending": "you have objected and are waiting for our decision",
    "unlawful": "you say our use of it is unlawful but want it kept, not erased",
    "legal_claim": "you need it kept for a legal claim",
}

SAFEGUARD_LABELS = {
    "human_review": "a person to review the decision",
    "express_view": "a chance to give your side",
    "contest": "a way to challenge the decision",
}

OBJECTION_LABELS = {
    "profiling": "profiling / automated scoring",
    "credit_checks": "credit and fraud checks",
    "marketing": "marketing",
}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y} ({day:%A})"


class HeaderInjection(ValueError):
    pass


def header_value(value: str) -> str:
    """``value`` if it is safe in a mail header, else ``HeaderInjection``."""
    if "\r" in value or "\n" in value or "\x00" in value:
        raise HeaderInjection("line break in a mail header value")
    return value


# --- enqueueing -----------------------------------------------------------------------------


def outbox_row(
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    reference: str | None = None,
    reply_to: str | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """The column values of an outbox message; header values are checked here."""
    header_value(recipient)
    header_value(subject)
    if reply_to:
        header_value(reply_to)
    now = now or utcnow()
    return dict(
        created_at=now,
        kind=kind,
        reference=reference,
        recipient=recipient,
        reply_to=reply_to,
        subject=subject,
        body=body,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        locked_until=None,
        last_error=None,
        sent_at=None,
    )


def enqueue(
    session,
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    reference: str | None = None,
    reply_to: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox within the caller's (ORM) transaction."""
    msg = OutboxMessage(
        **outbox_row(kind=kind, recipient=recipient, subject=subject, body=body, reference=reference, reply_to=reply_to)
    )
    session.add(msg)
    return msg


# --- composing ------------------------------------------------------------------------------


def staff_url(cfg, path: str) -> str:
    return cfg["INTAKE_PUBLIC_URL"] + path


def _request_page(cfg, req) -> str:
    return staff_url(cfg, "/staff/requests/" + req.reference)


def _body(template: str, **context) -> str:
    """A plain-text body from ``templates/email/<template>``, ending in one newline."""
    return render_template(f"email/{template}", long_date=long_date, **context).rstrip("\n") + "\n"


def team_new_request(cfg, req) -> tuple[str, str]:
    subject = f"[DSAR] {req.reference} {req.request_type} - due {req.due_on.isoformat()}"
    return subject, _body("team_new_request.txt", req=req, staff_link=_request_page(cfg, req))


def requester_acknowledgement(cfg, req, verify_link: str | None) -> tuple[str, str]:
    subject = f"Your Session Music data request {req.reference} - due {req.due_on.isoformat()}"
    what = TYPE_LABELS[req.request_type]
    if req.request_type == "objection" and req.objection_processing:
        what += f" ({OBJECTION_LABELS.get(req.objection_processing, req.objection_processing)})"
    if req.request_type == "restriction" and req.restriction_grounds:
        what += f" ({RESTRICTION_LABELS.get(req.restriction_grounds, req.restriction_grounds)})"
    safeguards = [
        SAFEGUARD_LABELS.get(s, s) for s in (getattr(req, "objection_safeguards", None) or "").split(",") if s
    ]
    return subject, _body(
        "requester_acknowledgement.txt", req=req, what=what, verify_link=verify_link, safeguards=safeguards
    )


def team_verified(cfg, req) -> tuple[str, str]:
    subject = f"[DSAR] {req.reference} {req.request_type} - verified, due {req.due_on.isoformat()}"
    return subject, _body("team_verified.txt", req=req, staff_link=_request_page(cfg, req))


def requester_extension(cfg, req) -> tuple[str, str]:
    subject = f"Your Session Music data request {req.reference} - extended, due {req.due_on.isoformat()}"
    return subject, _body("requester_extension.txt", req=req)


def queue_extension_notice(session, cfg, req) -> OutboxMessage:
    """Tell the requester their request was extended, and why (in the caller's transaction)."""
    subject, body = requester_extension(cfg, req)
    return enqueue(
        session, kind="extension", recipient=req.requester_email, subject=subject, body=body, reference=req.reference
    )


def requester_clarification(cfg, req, question: str, reply_link: str) -> tuple[str, str]:
    subject = f"Your Session Music data request {req.reference} - a question for you"
    return subject, _body(
        "requester_clarification.txt",
        req=req,
        question=question,
        reply_link=reply_link,
        wait_days=cfg["CLARIFICATION_WAIT_DAYS"],
    )


def queue_clarification_question(session, cfg, req, question: str, reply_link: str) -> OutboxMessage:
    """Send the requester the question, with the link to answer it (in the caller's transaction)."""
    subject, body = requester_clarification(cfg, req, question, reply_link)
    return enqueue(
        session,
        kind="clarification",
        recipient=req.requester_email,
        subject=subject,
        body=body,
        reference=req.reference,
    )


def queue_team_clarification_received(session, cfg, req) -> OutboxMessage:
    """Tell the team an answer came by the reply link (the answer itself is on the staff page)."""
    subject = f"[DSAR] {req.reference} {req.request_type} - clarification received, due {req.due_on.isoformat()}"
    body = _body("team_clarification_received.txt", req=req, staff_link=_request_page(cfg, req))
    return enqueue(
        session,
        kind="team_clarification_received",
        recipient=cfg["TEAM_EMAIL"],
        subject=subject,
        body=body,
        reference=req.reference,
    )


def team_handoff(cfg, handoff, transcript: list | None) -> tuple[str, str]:
    subject = f"[Handoff] {handoff.reference} question - reply within 2 working days"
    return subject, _body(
        "team_handoff.txt",
        handoff=handoff,
        transcript=transcript,
        staff_link=staff_url(cfg, "/staff/handoffs/" + handoff.reference),
    )
