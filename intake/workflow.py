"""Request lifecycle: references, the one transition path, the clock, extensions and the audit trail.

received -> awaiting_verification -> in_progress -> completed | refused | withdrawn, and
in_progress <-> awaiting_clarification (the clock stops while the shop waits for an answer it
reasonably needs; with no answer within ``CLARIFICATION_WAIT_DAYS`` staff may close the request as
withdrawn).  An opt-out goes received -> completed at once; refused needs a reason; an extension
of two further months needs a reason and is only possible once, before the first due date (which
pauses lengthen).

The clock (UK GDPR Art 12A): the moves that start or stop it (``CLOCK_EVENT_OF_MOVE``) and an
extension each append a ``ClockEvent`` beside their audit event, and the due dates stored on the
request are recomputed from those events by ``deadlines.clock`` every time (``_recompute``):
nothing else writes them.  ``TRANSITIONS`` lists every move and who may make it; ``transition``
is the only code that changes a request's status (creation, verification and staff all go
through it) and every move appends an AuditEvent.  Anything else is a 409.  Nothing updates
or deletes audit events (the database refuses it with triggers, see the initial migration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app, has_app_context
from sqlalchemy import select

from . import deadlines
from .errors import ApiError
from .models import (
    AWAITING_CLARIFICATION,
    AWAITING_VERIFICATION,
    COMPLAINT,
    COMPLETED,
    IN_PROGRESS,
    RECEIVED,
    REFUSED,
    TERMINAL,
    WITHDRAWN,
    AuditEvent,
    ClockEvent,
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
#: Shopify's privacy webhooks (``shopify_webhooks.py``): the store owner made the request in
#: Shopify's admin on the customer's behalf, so it starts in progress, without an email check
SHOPIFY = "shopify"


def _mover(actor: str) -> str:
    """Which of the movers above an audit actor is."""
    return STAFF if actor.startswith(STAFF + ":") else actor


#: every allowed move (from None: a new request) and who may make it;
#: awaiting_verification -> in_progress by staff = verified by other means
TRANSITIONS: dict[RequestStatus | None, dict[RequestStatus, frozenset[str]]] = {
    None: {RECEIVED: frozenset({API_CLIENT, SHOPIFY})},
    RECEIVED: {
        AWAITING_VERIFICATION: frozenset({SYSTEM}),
        COMPLETED: frozenset({SYSTEM}),
        IN_PROGRESS: frozenset({SHOPIFY, SYSTEM}),  # Shopify-vouched; a complaint, acknowledged at once
        REFUSED: frozenset({STAFF}),
        WITHDRAWN: frozenset({STAFF}),
    },
    AWAITING_VERIFICATION: {
        IN_PROGRESS: frozenset({REQUESTER, STAFF}),
        REFUSED: frozenset({STAFF}),
        WITHDRAWN: frozenset({STAFF}),
    },
    IN_PROGRESS: {
        COMPLETED: frozenset({STAFF}),
        REFUSED: frozenset({STAFF}),
        WITHDRAWN: frozenset({STAFF}),
        AWAITING_CLARIFICATION: frozenset({STAFF}),
    },
    # back to in_progress: the answer came (the reply link, or staff recording it);
    # withdrawn: only once CLARIFICATION_WAIT_DAYS have passed without an answer
    AWAITING_CLARIFICATION: {
        IN_PROGRESS: frozenset({REQUESTER, STAFF}),
        REFUSED: frozenset({STAFF}),
        WITHDRAWN: frozenset({STAFF}),
    },
}
REASON_REQUIRED = {
    (AWAITING_VERIFICATION, IN_PROGRESS),  # verified by some other means: say how
    (IN_PROGRESS, AWAITING_CLARIFICATION),  # the question
    (AWAITING_CLARIFICATION, IN_PROGRESS),  # staff recording the answer: what it was, how it came
    (RECEIVED, REFUSED),
    (AWAITING_VERIFICATION, REFUSED),
    (IN_PROGRESS, REFUSED),
    (AWAITING_CLARIFICATION, REFUSED),
}
#: the moves that start or stop the clock, and the clock event each one records
CLOCK_EVENT_OF_MOVE = {
    (None, RECEIVED): deadlines.RECEIVED,
    (AWAITING_VERIFICATION, IN_PROGRESS): deadlines.IDENTITY_CONFIRMED,
    (IN_PROGRESS, AWAITING_CLARIFICATION): deadlines.CLARIFICATION_ASKED,
    (AWAITING_CLARIFICATION, IN_PROGRESS): deadlines.CLARIFICATION_RECEIVED,
}
#: default for INTAKE_CLARIFICATION_WAIT_DAYS: days without an answer after which staff may close as withdrawn
CLARIFICATION_WAIT_DAYS = 30


def allowed_moves(status: RequestStatus | None, actor: str) -> list[RequestStatus]:
    """Where ``actor`` (an audit actor such as "system" or "staff:alex") may move a request from ``status``."""
    mover = _mover(actor)
    return sorted(to for to, who in TRANSITIONS.get(status, {}).items() if mover in who)


def staff_options(req: DsarRequest) -> list[RequestStatus]:
    """The status buttons staff get (asking a clarification has its own form: it needs the question
    and sends it)."""
    return [to for to in allowed_moves(req.status, STAFF + ":") if to != AWAITING_CLARIFICATION]


#: statuses in which the clock has started and an extension may be given
EXTENDABLE = frozenset({IN_PROGRESS, AWAITING_CLARIFICATION})


def can_extend(req: DsarRequest, today: dt.date, clock: deadlines.Clock | None = None) -> bool:
    """``clock``: the request's clock counted up to ``today`` (else the stored first due date)."""
    first_due = clock.first_due_on if clock is not None else req.first_due_on
    return req.status in EXTENDABLE and req.extended_at is None and today <= first_due


def can_ask_clarification(req: DsarRequest) -> bool:
    return AWAITING_CLARIFICATION in allowed_moves(req.status, STAFF + ":")


def audit(
    session,
    *,
    actor: str,
    action: str,
    request_id=None,
    handoff_id=None,
    from_status=None,
    to_status=None,
    reason=None,
    at=None,
) -> AuditEvent:
    """Append an audit event that is not a status change (those come from ``transition``)."""
    ev = AuditEvent(
        request_id=request_id,
        handoff_id=handoff_id,
        at=at or utcnow(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
    session.add(ev)
    return ev


def note(session, req: DsarRequest, *, actor: str, action: str, reason: str | None = None, at=None) -> AuditEvent:
    """Audit something done on a request that leaves its status as it is (from and to: its status now)."""
    return audit(
        session,
        actor=actor,
        action=action,
        request_id=req.id,
        from_status=req.status,
        to_status=req.status,
        reason=reason,
        at=at,
    )


def transition(
    req, to, *, actor: str, reason: str | None = None, action: str = "status_change", now: dt.datetime | None = None
) -> dict:
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
            409,
            "illegal_transition",
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


def _tz(tz: str | None) -> str:
    if tz:
        return tz
    return current_app.config["INTAKE_TIMEZONE"] if has_app_context() else "Europe/London"


def clock_event(
    req,
    kind: str,
    *,
    actor: str,
    now: dt.datetime,
    tz: str | None = None,
    note: str | None = None,
    code_hash: str | None = None,
    answers_id: int | None = None,
) -> dict:
    """The column values of a clock event (``request_id`` left to the caller)."""
    if kind not in deadlines.CLOCK_EVENT_KINDS:
        raise ValueError(f"unknown clock event {kind!r}")
    return dict(
        kind=kind,
        on_date=deadlines.local_date(now, _tz(tz)),
        at=now,
        actor=actor,
        note=note,
        code_hash=code_hash,
        answers_id=answers_id,
    )


def clock_events(session, req: DsarRequest) -> list[ClockEvent]:
    return list(
        session.execute(select(ClockEvent).where(ClockEvent.request_id == req.id).order_by(ClockEvent.id)).scalars()
    )


def clock_of(session, req: DsarRequest, today: dt.date | None = None) -> deadlines.Clock:
    """The request's clock, from its events (an open pause counted up to ``today`` when given)."""
    return deadlines.clock(
        [(e.kind, e.on_date) for e in clock_events(session, req)],
        identity_required=req.verification_required,
        today=today,
    )


def _recompute(session, req: DsarRequest) -> deadlines.Clock:
    """Store what the events say (the list sorts by ``due_on`` in SQL): the only writer of the dates."""
    c = clock_of(session, req)
    req.clock_start_on = c.started_on
    _set_due(req, c)
    return c


def _set_due(req, c: deadlines.Clock) -> None:
    """A request's due dates from its clock; a complaint's is its s.164A acknowledgement date
    (its outcome is due "without undue delay": it has no one-month clock)."""
    if req.request_type == COMPLAINT:
        req.first_due_on = req.due_on = req.acknowledgement_due_on
    else:
        req.first_due_on, req.due_on = c.first_due_on, c.due_on


def _record_clock(session, req: DsarRequest, kind: str, **event) -> ClockEvent:
    ev = ClockEvent(request_id=req.id, **clock_event(req, kind, **event))
    session.add(ev)
    session.flush()
    _recompute(session, req)
    return ev


def set_status(
    session,
    req: DsarRequest,
    to,
    *,
    actor: str,
    reason: str | None = None,
    action: str = "status_change",
    now: dt.datetime | None = None,
    tz: str | None = None,
    note: str | None = None,
    code_hash: str | None = None,
    answers_id: int | None = None,
) -> None:
    """``transition`` for a stored request: the audit event joins the session and, for a move that
    starts or stops the clock, its clock event too (``note``: what the clock event records, the
    audit reason by default), and the due dates are recomputed."""
    frm = req.status
    now = now or utcnow()
    session.add(
        AuditEvent(
            request_id=req.id,
            handoff_id=None,
            **transition(req, to, actor=actor, reason=reason, action=action, now=now),
        )
    )
    kind = CLOCK_EVENT_OF_MOVE.get((frm, req.status))
    if kind is not None:
        _record_clock(
            session,
            req,
            kind,
            actor=actor,
            now=now,
            tz=tz,
            note=reason if note is None else note,
            code_hash=code_hash,
            answers_id=answers_id,
        )


def open_request(req, *, now: dt.datetime, tz: str | None = None) -> tuple[list[dict], list[dict]]:
    """A new request's first moves: received, then awaiting verification or (an opt-out) completed.

    Returns the audit events' and the clock events' column values, for the caller to insert with
    the request (whose due dates it sets from those clock events).
    """
    events = [
        transition(req, RECEIVED, actor=API_CLIENT, action="created", reason=f"via {req.source_channel}", now=now)
    ]
    clock = [clock_event(req, deadlines.RECEIVED, actor=API_CLIENT, now=now, tz=tz, note=f"via {req.source_channel}")]
    c = deadlines.clock([(e["kind"], e["on_date"]) for e in clock], identity_required=req.verification_required)
    req.clock_start_on = c.started_on
    _set_due(req, c)
    if req.verification_required:
        events.append(transition(req, AWAITING_VERIFICATION, actor=SYSTEM, reason="verification email sent", now=now))
    elif req.request_type == COMPLAINT:
        events.append(
            transition(
                req,
                IN_PROGRESS,
                actor=SYSTEM,
                action="acknowledged",
                now=now,
                reason=f"acknowledgement email sent (s.164A: due by {req.acknowledgement_due_on.isoformat()})",
            )
        )
    else:
        events.append(
            transition(req, COMPLETED, actor=SYSTEM, reason="address added to the marketing suppression list", now=now)
        )
    return events, clock


def start_clock(req: DsarRequest, day: dt.date) -> None:
    """What the identity_confirmed event will say (``set_status`` recomputes it from the events)."""
    req.clock_start_on = day
    req.first_due_on = deadlines.due_date(day)
    req.due_on = req.first_due_on


def open_clarification(session, req: DsarRequest) -> ClockEvent | None:
    """The clarification question still waiting for its answer, if any."""
    events = clock_events(session, req)
    answered = {e.answers_id for e in events if e.kind == deadlines.CLARIFICATION_RECEIVED}
    asked = [e for e in events if e.kind == deadlines.CLARIFICATION_ASKED and e.id not in answered]
    return asked[-1] if asked else None


def clarification_wait_ends(asked_on: dt.date, wait_days: int) -> dt.date:
    """The first day staff may close an unanswered request as withdrawn."""
    return asked_on + dt.timedelta(days=wait_days)


def _wait_days() -> int:
    return (
        current_app.config.get("CLARIFICATION_WAIT_DAYS", CLARIFICATION_WAIT_DAYS)
        if has_app_context()
        else CLARIFICATION_WAIT_DAYS
    )


def staff_transition(
    session, req: DsarRequest, to: str, reason: str | None, actor: str, tz: str, now: dt.datetime | None = None
) -> None:
    """Apply a staff-requested status change or raise 409/422."""
    reason = (reason or "").strip() or None
    if to == AWAITING_CLARIFICATION:
        raise ApiError(
            422,
            "use_clarification",
            "Ask a clarification with its own form (POST .../clarification): the question is emailed "
            "to the requester with a reply link.",
            {"to": "ask with POST .../clarification"},
        )
    if to in allowed_moves(req.status, actor) and (req.status, to) in REASON_REQUIRED and not reason:
        raise ApiError(422, "reason_required", f"Moving to {to} needs a reason.", {"reason": "required"})
    if req.request_type == COMPLAINT and to == COMPLETED:
        raise ApiError(409, "outcome_required", "A complaint is closed by recording its outcome, with a reason.")
    now = now or utcnow()
    if req.status == AWAITING_VERIFICATION and to == IN_PROGRESS:
        set_status(session, req, to, actor=actor, reason=reason, action="verified_by_staff", now=now, tz=tz)
        req.verified_at = now
        return
    if req.status == AWAITING_CLARIFICATION and to == IN_PROGRESS:
        receive_clarification(session, req, reason, actor=actor, tz=tz, now=now)
        return
    if req.status == AWAITING_CLARIFICATION and to == WITHDRAWN:
        asked = open_clarification(session, req)
        wait = _wait_days()
        allowed_from = clarification_wait_ends(asked.on_date, wait)
        if deadlines.local_date(now, tz) < allowed_from:
            raise ApiError(
                409,
                "clarification_wait_not_over",
                f"The clarification was asked on {asked.on_date.isoformat()}; without an answer the "
                f"request can be closed as withdrawn from {allowed_from.isoformat()} ({wait} days).",
            )
        why = f"no answer within {wait} days to the clarification asked on {asked.on_date.isoformat()}"
        set_status(
            session,
            req,
            to,
            actor=actor,
            reason=why + (f": {reason}" if reason else ""),
            action="withdrawn_no_clarification",
            now=now,
            tz=tz,
        )
        _delivery_hook(session, req, actor, now)
        return
    from . import erasure_checklist  # here: it imports this module

    if req.request_type == "erasure" and to == COMPLETED:
        erasure_checklist.require_complete(session, req)  # every source erased or kept with a reason
    set_status(session, req, to, actor=actor, reason=reason, now=now, tz=tz)
    from .conversation_erasure import erase_linked_conversation  # here: it imports this module

    erase_linked_conversation(session, req, actor=actor, now=now)  # an erasure's chat goes with it
    erasure_checklist.on_completed(session, req, actor=actor, now=now)  # ticks the chat, emails the requester
    _delivery_hook(session, req, actor, now)


def _delivery_hook(session, req: DsarRequest, actor: str, now: dt.datetime) -> None:
    """A completed access or portability request's files are linked to the requester; a refused or
    withdrawn one's are deleted (``delivery.on_status_change``)."""
    from . import delivery  # here: it imports this module

    delivery.on_status_change(session, req, actor=actor, now=now)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def ask_clarification(
    session,
    req: DsarRequest,
    question: str | None,
    *,
    actor: str,
    tz: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Stop the clock and record the question; returns the reply link's one-time code (in clear,
    once: only its sha256 is stored) for the caller to email with the question."""
    question = (question or "").strip()
    if not question:
        raise ApiError(
            422,
            "question_required",
            "A clarification needs the question to ask the requester.",
            {"question": "required"},
        )
    now = now or utcnow()
    if req.status == IN_PROGRESS and deadlines.local_date(now, _tz(tz)) > req.due_on:
        # a pause must not move a due date that has already passed
        raise ApiError(
            409,
            "past_due",
            f"The due date ({req.due_on.isoformat()}) has passed: answer the request "
            "(or refuse it, with the reason) instead of pausing it.",
        )
    code = secrets.token_urlsafe(24)
    set_status(
        session,
        req,
        AWAITING_CLARIFICATION,
        actor=actor,
        reason=question,
        action="clarification_asked",
        now=now,
        tz=tz,
        code_hash=hash_code(code),
    )
    return code


def receive_clarification(
    session,
    req: DsarRequest,
    answer: str | None,
    *,
    actor: str,
    tz: str | None = None,
    now: dt.datetime | None = None,
    asked: ClockEvent | None = None,
) -> ClockEvent:
    """Restart the clock: the answer to the open question (from the reply link or recorded by staff)."""
    answer = (answer or "").strip()
    if not answer:
        raise ApiError(422, "answer_required", "Record the answer (or how it came).", {"answer": "required"})
    if req.status != AWAITING_CLARIFICATION:
        raise ApiError(
            409,
            "not_awaiting_clarification",
            f"This request is {req.status}: no clarification is waiting for an answer.",
        )
    asked = asked or open_clarification(session, req)
    by_link = _mover(actor) == REQUESTER
    set_status(
        session,
        req,
        IN_PROGRESS,
        actor=actor,
        action="clarification_received",
        reason="answered by the reply link" if by_link else answer,
        note=answer,
        now=now,
        tz=tz,
        answers_id=asked.id,
    )
    return asked


def check_reply_code(session, req: DsarRequest, code: str) -> ClockEvent | None:
    """The clarification question whose reply link carries ``code`` (answered or not), or None."""
    wanted = hash_code(code)
    found = None
    for ev in clock_events(session, req):
        if ev.kind == deadlines.CLARIFICATION_ASKED and ev.code_hash and hmac.compare_digest(ev.code_hash, wanted):
            found = ev
    return found


def extend(session, req: DsarRequest, reason: str, actor: str, tz: str, now: dt.datetime | None = None) -> None:
    """Two further months, once, with a reason, no later than the first due date (the requester is
    told at once, with the reason: ``mail.queue_extension_notice``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(422, "reason_required", "An extension needs a reason.", {"reason": "required"})
    now = now or utcnow()
    today = deadlines.local_date(now, tz)
    if req.status not in EXTENDABLE:
        raise ApiError(
            409, "illegal_transition", f"Only a request in progress can be extended (this one is {req.status})."
        )
    if req.extended_at is not None:
        raise ApiError(409, "already_extended", "This request has already been extended once.")
    first_due = clock_of(session, req, today=today).first_due_on  # an open pause counted up to today
    if today > first_due:
        raise ApiError(
            409,
            "too_late_to_extend",
            f"The first due date ({first_due.isoformat()}) has passed; it can no longer be extended.",
        )
    old_due = req.due_on
    req.extended_at = now
    req.extension_reason = reason
    req.updated_at = now
    _record_clock(session, req, deadlines.EXTENDED, actor=actor, now=now, tz=tz, note=reason)
    note(
        session,
        req,
        actor=actor,
        action="extended",
        reason=f"{reason} (due {old_due.isoformat()} -> {req.due_on.isoformat()})",
        at=now,
    )


def mark(req: DsarRequest, today: dt.date) -> str | None:
    """'paused', 'overdue', 'due_soon' (within 7 days) or None, for open requests."""
    if req.status in TERMINAL or req.status == AWAITING_VERIFICATION:
        return None  # closed, or the clock has not started yet
    if req.status == AWAITING_CLARIFICATION:
        return "paused"  # the clock is stopped: the due date moves when the answer comes
    if req.due_on < today:
        return "overdue"
    if req.due_on <= today + dt.timedelta(days=7):
        return "due_soon"
    return None
