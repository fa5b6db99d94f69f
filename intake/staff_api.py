"""Staff JSON API (Bearer tokens from ``flask --app intake create-staff-token``).

viewer: read; caseworker: also change status / extend; admin: also the outbox overview.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import func, select

from . import clarification, json_nesting, mail, queries, schemas, validation, workflow
from .auth import token_required
from .db import get_db
from .errors import ApiError
from .models import AWAITING_CLARIFICATION, STATUSES, AuditEvent, DsarRequest, OutboxMessage

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1/staff")


def _iso(ts):
    return ts.isoformat().replace("+00:00", "Z") if ts else None


def request_summary(req: DsarRequest, today) -> dict:
    return {
        "reference": req.reference,
        "request_type": req.request_type,
        "status": req.status,
        "received_at": _iso(req.received_at),
        "due_at": req.due_on.isoformat(),
        "mark": workflow.mark(req, today),
        "requester_name": req.requester_name,
    }


def audit_dict(ev: AuditEvent) -> dict:
    return {
        "at": _iso(ev.at),
        "actor": ev.actor,
        "action": ev.action,
        "from_status": ev.from_status,
        "to_status": ev.to_status,
        "reason": ev.reason,
    }


def _day(d):
    return d.isoformat() if d else None


def clock_dict(s, req: DsarRequest, clock, today) -> dict:
    """The request's clock as its events give it (``workflow.clock_of``, open pause counted to today)."""
    asked = workflow.open_clarification(s, req) if req.status == AWAITING_CLARIFICATION else None
    wait = current_app.config["CLARIFICATION_WAIT_DAYS"]
    return {
        "started_on": _day(clock.started_on),
        "provisional": clock.provisional,
        "paused_since": _day(clock.paused_since) if asked else None,
        "pauses": [{"asked_on": _day(p.start), "answered_on": _day(p.end)} for p in clock.pauses],
        "paused_days": clock.paused_days(today),
        "extended": clock.extended,
        "first_due_at": _day(clock.first_due_on),
        "due_at": _day(clock.due_on),
        "withdraw_possible_from": _day(workflow.clarification_wait_ends(asked.on_date, wait)) if asked else None,
        "open_question": asked.note if asked else None,
    }


def request_detail(s, req: DsarRequest, today) -> dict:
    clock = workflow.clock_of(s, req, today=today)
    return {
        **request_summary(req, today),
        "requester": {"name": req.requester_name, "email": req.requester_email, "phone": req.requester_phone},
        "details": req.details,
        "rectification": (
            {"what": req.rectification_what, "correct_value": req.rectification_correct_value}
            if req.request_type == "rectification"
            else None
        ),
        "objection": {"processing": req.objection_processing} if req.request_type == "objection" else None,
        "source": {
            "channel": req.source_channel,
            "conversation_id": req.source_conversation_id,
            "text": req.source_text,
        },
        "verification_required": req.verification_required,
        "verified_at": _iso(req.verified_at),
        "clock_start_on": req.clock_start_on.isoformat() if req.clock_start_on else None,
        "first_due_at": req.first_due_on.isoformat(),
        "extended_at": _iso(req.extended_at),
        "extension_reason": req.extension_reason,
        "closed_at": _iso(req.closed_at),
        "closing_reason": req.closing_reason,
        "allowed_transitions": workflow.staff_options(req),
        "can_extend": workflow.can_extend(req, today, clock),
        "can_ask_clarification": workflow.can_ask_clarification(req),
        "clock": clock_dict(s, req, clock, today),
        "audit": [audit_dict(e) for e in queries.audit_trail(s, req)],
    }


def _get_request(s, reference: str, for_update: bool = False) -> DsarRequest:
    req = queries.request_by_reference(s, reference, for_update)
    if req is None:
        raise ApiError(404, "not_found", "No request with this reference.")
    return req


def _json_body(schema: dict) -> dict:
    raw = validation.read_body(16 * 1024)
    json_nesting.check_depth(raw)
    return validation.validate(validation.parse_json(raw), schema, server_owned=False)


@bp.get("/requests")
@token_required("viewer")
def list_requests():
    status = request.args.get("status")
    if status is not None and status not in STATUSES and status != "open":
        raise ApiError(
            422,
            "validation_failed",
            "Unknown status filter.",
            {"status": "must be open or one of: " + ", ".join(STATUSES)},
        )
    today = queries.today()
    with get_db().read() as s:
        rows = queries.requests_by_due_date(s, status or None, limit=1000)
        return jsonify({"requests": [request_summary(r, today) for r in rows]})


@bp.get("/requests/<reference>")
@token_required("viewer")
def get_request(reference: str):
    with get_db().read() as s:
        return jsonify(request_detail(s, _get_request(s, reference), queries.today()))


def _change(reference: str, change) -> dict:
    """Run ``change(session, request)`` in a write transaction; return the request's new detail."""
    with get_db().write() as s:
        req = _get_request(s, reference, for_update=True)
        change(s, req)
        s.flush()
        return request_detail(s, req, queries.today())


@bp.post("/requests/<reference>/transition")
@token_required("caseworker")
def transition(reference: str):
    body = _json_body(schemas.TRANSITION)
    tz = current_app.config["INTAKE_TIMEZONE"]

    def change(s, req):
        workflow.staff_transition(s, req, body["to"], body.get("reason"), g.staff.actor, tz)

    return jsonify(_change(reference, change))


@bp.post("/requests/<reference>/extension")
@token_required("caseworker")
def extension(reference: str):
    body = _json_body(schemas.EXTENSION)
    cfg = current_app.config

    def change(s, req):
        workflow.extend(s, req, body["reason"], g.staff.actor, cfg["INTAKE_TIMEZONE"])
        mail.queue_extension_notice(s, cfg, req)

    return jsonify(_change(reference, change))


@bp.post("/requests/<reference>/clarification")
@token_required("caseworker")
def ask_clarification(reference: str):
    """Stop the clock and email the requester the question with a one-time reply link."""
    body = _json_body(schemas.CLARIFICATION)
    cfg = current_app.config

    def change(s, req):
        code = workflow.ask_clarification(s, req, body["question"], actor=g.staff.actor, tz=cfg["INTAKE_TIMEZONE"])
        mail.queue_clarification_question(
            s, cfg, req, body["question"].strip(), clarification.reply_link(req.reference, code)
        )

    return jsonify(_change(reference, change))


@bp.post("/requests/<reference>/clarification-received")
@token_required("caseworker")
def clarification_received(reference: str):
    """Staff record the answer (by phone, by email...): the clock runs again."""
    body = _json_body(schemas.CLARIFICATION_RECEIVED)
    tz = current_app.config["INTAKE_TIMEZONE"]

    def change(s, req):
        workflow.receive_clarification(s, req, body["answer"], actor=g.staff.actor, tz=tz)

    return jsonify(_change(reference, change))


@bp.get("/handoffs")
@token_required("viewer")
def list_handoffs():
    with get_db().read() as s:
        rows = queries.latest_handoffs(s, limit=1000)
        return jsonify(
            {
                "handoffs": [
                    {"reference": h.reference, "received_at": _iso(h.received_at), "email": h.email} for h in rows
                ]
            }
        )


@bp.get("/handoffs/<reference>")
@token_required("viewer")
def get_handoff(reference: str):
    with get_db().read() as s:
        h = queries.handoff_by_reference(s, reference)
        if h is None:
            raise ApiError(404, "not_found", "No handoff with this reference.")
        return jsonify(
            {
                "reference": h.reference,
                "received_at": _iso(h.received_at),
                "email": h.email,
                "question": h.question,
                "consent_to_transcript": h.consent_to_transcript,
                "transcript": json.loads(h.transcript) if h.transcript else None,
                "source": {
                    "channel": h.source_channel,
                    "conversation_id": h.source_conversation_id,
                    "text": h.source_text,
                },
            }
        )


@bp.get("/outbox")
@token_required("admin")
def outbox_overview():
    with get_db().read() as s:
        counts = dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        failing = (
            s.execute(
                select(OutboxMessage)
                .where(OutboxMessage.status != "sent", OutboxMessage.attempts > 0)
                .order_by(OutboxMessage.id)
                .limit(100)
            )
            .scalars()
            .all()
        )
        return jsonify(
            {
                "counts": {k: counts.get(k, 0) for k in ("pending", "sent", "failed")},
                "failing": [
                    {
                        "id": m.id,
                        "kind": m.kind,
                        "reference": m.reference,
                        "status": m.status,
                        "attempts": m.attempts,
                        "last_error": m.last_error,
                        "next_attempt_at": _iso(m.next_attempt_at),
                    }
                    for m in failing
                ],
            }
        )
