"""Request lifecycle: references, the one transition path, extensions and the audit trail.

received -> awaiting_verification -> in_progress -> completed | refused | withdrawn
(an opt-out goes received -> completed at once; refused needs a reason; an extension of two
further months needs a reason and is only possible while the request is in progress and not
past its first due date).  ``TRANSITIONS`` lists every move and who may make it; ``transition``
is the only code that changes a request's status (creation, verification and staff all go
through it) and every move appends an AuditEvent.  Anything else is a 409.  Nothing updates
or deletes audit events (the database refuses it with triggers, see the initial migration).
"""
from __future__ import annotations

import datetime as dt
import secrets

from . import deadlines
from .errors import ApiError
from .models import (
    AWAITING_VERIFICATION,
    COMPLAINT,
    COMPLETED,
    IN_PROGRESS,
    RECEIVED,
    REFUSED,
    TERMINAL,
    WITHDRAWN,
    AuditEvent,
    DsarRequest,
    RequestStatus,
    utcnow,
)

# Crockford base32 without I, L, O, U: easy to read out and type, 40 bits per reference.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str = "SM") -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


# --- who moves a request --------------------------------------------------------------------
#: the action server lodging a request
API_CLIENT = "api-client"
#: the service itself (what follows from the request type)
SYSTEM = "system"
#: the requester, by the verification link
REQUESTER = "requester"
#: any staff member (audited as "staff:<username>", see ``auth.StaffIdentity.actor``)
STAFF = "staff"


def _mover(actor: str) -> str:
    """Which of the movers above an audit actor is."""
    return STAFF if actor.startswith(STAFF + ":") else actor


#: every allowed move (from None: a new request) and who may make it;
#: awaiting_verification -> in_progress by staff = verified by other means
TRANSITIONS: dict[RequestStatus | None, dict[RequestStatus, frozenset[str]]] = {
    None: {RECEIVED: frozenset({API_CLIENT})},
    RECEIVED: {AWAITING_VERIFICATION: frozenset({SYSTEM}), COMPLETED: frozenset({SYSTEM}),
               IN_PROGRESS: frozenset({SYSTEM}),  # a complaint, acknowledged at once
               REFUSED: frozenset({STAFF}), WITHDRAWN: frozenset({STAFF})},
    AWAITING_VERIFICATION: {IN_PROGRESS: frozenset({REQUESTER, STAFF}),
                            REFUSED: frozenset({STAFF}), WITHDRAWN: frozenset({STAFF})},
    IN_PROGRESS: {COMPLETED: frozenset({STAFF}), REFUSED: frozenset({STAFF}),
                  WITHDRAWN: frozenset({STAFF})},
}
REASON_REQUIRED = {
    (AWAITING_VERIFICATION, IN_PROGRESS),  # verified by some other means: say how
    (RECEIVED, REFUSED), (AWAITING_VERIFICATION, REFUSED), (IN_PROGRESS, REFUSED),
}


def allowed_moves(status: RequestStatus | None, actor: str) -> list[RequestStatus]:
    """Where ``actor`` (an audit actor such as "system" or "staff:alex") may move a request from ``status``."""
    mover = _mover(actor)
    return sorted(to for to, who in TRANSITIONS.get(status, {}).items() if mover in who)


def staff_options(req: DsarRequest) -> list[RequestStatus]:
    return allowed_moves(req.status, STAFF + ":")


def can_extend(req: DsarRequest, today: dt.date) -> bool:
    return req.status == IN_PROGRESS and req.extended_at is None and today <= req.first_due_on


def audit(session, *, actor: str, action: str, request_id=None, handoff_id=None,
          from_status=None, to_status=None, reason=None, at=None) -> AuditEvent:
    """Append an audit event that is not a status change (those come from ``transition``)."""
    ev = AuditEvent(request_id=request_id, handoff_id=handoff_id, at=at or utcnow(), actor=actor,
                    action=action, from_status=from_status, to_status=to_status, reason=reason)
    session.add(ev)
    return ev


def transition(req, to, *, actor: str, reason: str | None = None, action: str = "status_change",
               now: dt.datetime | None = None) -> dict:
    """Move ``req`` to ``to`` if ``actor`` may; return the audit event's column values.

    ``req`` is a ``DsarRequest`` or, for a request being created, any object with its
    attributes (``status`` None).  A move that ``TRANSITIONS`` does not allow this actor is
    a 409 and changes nothing.
    """
    frm = req.status
    try:
        target = RequestStatus(to)
    except ValueError:
        target = None
    allowed = allowed_moves(frm, actor)
    if target not in allowed:
        raise ApiError(
            409, "illegal_transition",
            f"A request that is {frm or 'new'} cannot move to {to}."
            + (f" Allowed: {', '.join(allowed)}." if allowed else " It is closed." if frm in TERMINAL else ""),
        )
    now = now or utcnow()
    req.status = target
    req.updated_at = now
    if target in TERMINAL:
        req.closed_at = now
        req.closing_reason = reason
    return dict(at=now, actor=actor, action=action, from_status=frm, to_status=target, reason=reason)


def set_status(session, req: DsarRequest, to, *, actor: str, reason: str | None = None,
               action: str = "status_change", now: dt.datetime | None = None) -> None:
    """``transition`` for a stored request: the audit event joins the session."""
    session.add(AuditEvent(request_id=req.id, handoff_id=None,
                           **transition(req, to, actor=actor, reason=reason, action=action, now=now)))


def open_request(req, *, now: dt.datetime) -> list[dict]:
    """A new request's first moves: received, then awaiting verification or (an opt-out) completed.

    Returns the audit events' column values, for the caller to insert with the request.
    """
    events = [transition(req, RECEIVED, actor=API_CLIENT, action="created",
                         reason=f"via {req.source_channel}", now=now)]
    if req.verification_required:
        events.append(transition(req, AWAITING_VERIFICATION, actor=SYSTEM, reason="verification email sent", now=now))
    elif req.request_type == COMPLAINT:
        events.append(transition(
            req, IN_PROGRESS, actor=SYSTEM, action="acknowledged", now=now,
            reason=f"acknowledgement email sent (s.164A: due by {req.acknowledgement_due_on.isoformat()})"))
    else:
        events.append(transition(req, COMPLETED, actor=SYSTEM,
                                 reason="address added to the marketing suppression list", now=now))
    return events


def start_clock(req: DsarRequest, day: dt.date) -> None:
    req.clock_start_on = day
    req.first_due_on = deadlines.due_date(day)
    req.due_on = req.first_due_on


def staff_transition(session, req: DsarRequest, to: str, reason: str | None, actor: str,
                     tz: str) -> None:
    """Apply a staff-requested status change or raise 409/422."""
    reason = (reason or "").strip() or None
    if to in allowed_moves(req.status, actor) and (req.status, to) in REASON_REQUIRED and not reason:
        raise ApiError(422, "reason_required", f"Moving to {to} needs a reason.", {"reason": "required"})
    if req.request_type == COMPLAINT and to == COMPLETED:
        raise ApiError(409, "outcome_required", "A complaint is closed by recording its outcome, with a reason.")
    now = utcnow()
    if req.status == AWAITING_VERIFICATION and to == IN_PROGRESS:
        set_status(session, req, to, actor=actor, reason=reason, action="verified_by_staff", now=now)
        req.verified_at = now
        start_clock(req, deadlines.local_date(now, tz))
        return
    set_status(session, req, to, actor=actor, reason=reason, now=now)


def extend(session, req: DsarRequest, reason: str, actor: str, tz: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(422, "reason_required", "An extension needs a reason.", {"reason": "required"})
    today = deadlines.local_date(utcnow(), tz)
    if req.status != IN_PROGRESS:
        raise ApiError(409, "illegal_transition", f"Only a request in progress can be extended (this one is {req.status}).")
    if req.extended_at is not None:
        raise ApiError(409, "already_extended", "This request has already been extended once.")
    if today > req.first_due_on:
        raise ApiError(409, "too_late_to_extend",
                       f"The first due date ({req.first_due_on.isoformat()}) has passed; it can no longer be extended.")
    now = utcnow()
    old_due = req.due_on
    req.due_on = deadlines.extended_due_date(req.clock_start_on)
    req.extended_at = now
    req.extension_reason = reason
    req.updated_at = now
    audit(session, actor=actor, action="extended", request_id=req.id, from_status=req.status,
          to_status=req.status, reason=f"{reason} (due {old_due.isoformat()} -> {req.due_on.isoformat()})", at=now)


def mark(req: DsarRequest, today: dt.date) -> str | None:
    """'overdue', 'due_soon' (within 7 days) or None, for open requests."""
    if req.status in TERMINAL or req.status == AWAITING_VERIFICATION:
        return None  # closed, or the clock has not started yet
    if req.due_on < today:
        return "overdue"
    if req.due_on <= today + dt.timedelta(days=7):
        return "due_soon"
    return None
