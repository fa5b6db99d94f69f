"""Request lifecycle: references, allowed transitions, extensions and the audit trail.

received -> awaiting_verification -> in_progress -> completed | refused | withdrawn
(refused needs a reason; an extension of two further months needs a reason and is only
possible while the request is in progress and not past its first due date).  Anything else
is a 409.  Every change appends an AuditEvent; nothing updates or deletes those (the database
refuses it with triggers, see the initial migration).
"""
from __future__ import annotations

import datetime as dt
import secrets

from . import deadlines
from .errors import ApiError
from .models import (
    AWAITING_VERIFICATION,
    COMPLETED,
    IN_PROGRESS,
    RECEIVED,
    REFUSED,
    TERMINAL,
    WITHDRAWN,
    AuditEvent,
    DsarRequest,
    utcnow,
)

# Crockford base32 without I, L, O, U: easy to read out and type, 40 bits per reference.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str = "SM") -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


#: transitions the system makes itself
SYSTEM_TRANSITIONS = {
    RECEIVED: {AWAITING_VERIFICATION, IN_PROGRESS, COMPLETED},
    AWAITING_VERIFICATION: {IN_PROGRESS},
}
#: transitions staff may make (awaiting_verification -> in_progress = verified by other means)
STAFF_TRANSITIONS = {
    RECEIVED: {REFUSED, WITHDRAWN},
    AWAITING_VERIFICATION: {IN_PROGRESS, REFUSED, WITHDRAWN},
    IN_PROGRESS: {COMPLETED, REFUSED, WITHDRAWN},
}
REASON_REQUIRED = {
    (AWAITING_VERIFICATION, IN_PROGRESS),  # verified by some other means: say how
    (RECEIVED, REFUSED), (AWAITING_VERIFICATION, REFUSED), (IN_PROGRESS, REFUSED),
}


def staff_options(req: DsarRequest) -> list[str]:
    return sorted(STAFF_TRANSITIONS.get(req.status, set()))


def can_extend(req: DsarRequest, today: dt.date) -> bool:
    return req.status == IN_PROGRESS and req.extended_at is None and today <= req.first_due_on


def audit(session, *, actor: str, action: str, request_id=None, handoff_id=None,
          from_status=None, to_status=None, reason=None, at=None) -> AuditEvent:
    ev = AuditEvent(request_id=request_id, handoff_id=handoff_id, at=at or utcnow(), actor=actor,
                    action=action, from_status=from_status, to_status=to_status, reason=reason)
    session.add(ev)
    return ev


def set_status(session, req: DsarRequest, to: str, *, actor: str, reason: str | None = None,
               action: str = "status_change", now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    frm = req.status
    req.status = to
    req.updated_at = now
    if to in TERMINAL:
        req.closed_at = now
        req.closing_reason = reason
    audit(session, actor=actor, action=action, request_id=req.id, from_status=frm, to_status=to,
          reason=reason, at=now)


def start_clock(req: DsarRequest, day: dt.date) -> None:
    req.clock_start_on = day
    req.first_due_on = deadlines.due_date(day)
    req.due_on = req.first_due_on


def staff_transition(session, req: DsarRequest, to: str, reason: str | None, actor: str,
                     tz: str) -> None:
    """Apply a staff-requested status change or raise 409/422."""
    allowed = STAFF_TRANSITIONS.get(req.status, set())
    if to not in allowed:
        raise ApiError(
            409, "illegal_transition",
            f"A request that is {req.status} cannot move to {to}."
            + (f" Allowed: {', '.join(sorted(allowed))}." if allowed else " It is closed."),
        )
    reason = (reason or "").strip() or None
    if (req.status, to) in REASON_REQUIRED and not reason:
        raise ApiError(422, "reason_required", f"Moving to {to} needs a reason.", {"reason": "required"})
    now = utcnow()
    if req.status == AWAITING_VERIFICATION and to == IN_PROGRESS:
        req.verified_at = now
        start_clock(req, deadlines.local_date(now, tz))
        set_status(session, req, to, actor=actor, reason=reason, action="verified_by_staff", now=now)
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
