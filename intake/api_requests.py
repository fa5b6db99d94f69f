"""Data-rights requests API: POST /api/v1/requests (signed) and the status look-up."""

from __future__ import annotations

import datetime as dt
import hmac
from types import SimpleNamespace

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from . import auth, complaints, deadlines, json_nesting, mail, schemas, validation, verification, workflow
from .db import get_db
from .errors import ApiError
from .models import (
    AWAITING_CLARIFICATION,
    AWAITING_VERIFICATION,
    COMPLAINT,
    TERMINAL,
    VERIFIED_TYPES,
    AuditEvent,
    ClockEvent,
    DsarRequest,
    OutboxMessage,
    SuppressedEmail,
    UsedSignature,
    Verification,
    utcnow,
)

bp = Blueprint("requests_api", __name__, url_prefix="/api/v1")


def _clean(data: dict) -> dict:
    """Checks the schema cannot express; returns the values to store."""
    rtype = data["request_type"]
    requester = data["requester"]
    fields = {}
    email = requester["email"].strip()
    if not validation.is_valid_email(email):
        fields["requester.email"] = "not a valid email address"
    if not requester["name"].strip():
        fields["requester.name"] = "must not be blank"
    if not data["source"]["text"].strip():
        fields["source.text"] = "must not be blank"
    rect, obj = data.get("rectification"), data.get("objection")
    if rtype == "rectification" and not rect:
        fields["rectification"] = "required for a rectification request (what is wrong, the correct value)"
    if rtype != "rectification" and rect:
        fields["rectification"] = "only allowed for a rectification request"
    if rect and (not rect["what"].strip() or not rect["correct_value"].strip()):
        fields["rectification"] = "what and correct_value must not be blank"
    if rtype == "objection" and not obj:
        fields["objection"] = "required for an objection (which processing: profiling, credit_checks or marketing)"
    if rtype != "objection" and obj:
        fields["objection"] = "only allowed for an objection"
    if obj and obj.get("safeguards") and obj["processing"] != "profiling":
        fields["objection.safeguards"] = "only for an objection to profiling (decisions made by computer alone)"
    fields.update(_type_sections(data))
    if fields:
        raise ApiError(422, "validation_failed", "Some fields are missing or invalid.", fields)
    phone = (requester.get("phone") or "").strip() or None
    return {
        "request_type": rtype,
        "requester_name": requester["name"].strip(),
        "requester_email": email,
        "email_hash": validation.email_hash(email),
        "requester_phone": phone,
        "details": (data.get("details") or "").strip() or None,
        "rectification_what": rect["what"].strip() if rect else None,
        "rectification_correct_value": rect["correct_value"].strip() if rect else None,
        "objection_processing": obj["processing"] if obj else None,
        "objection_safeguards": ",".join(obj.get("safeguards") or []) or None if obj else None,
        **_type_values(data),
        "source_channel": data["source"]["channel"],
        "source_conversation_id": data["source"]["conversation_id"],
        "source_text": data["source"]["text"],
        "conversation_id": data.get("conversation_id"),
        "idempotency_key": data["idempotency_key"],
        "payload_hash": validation.payload_hash(data),
    }


#: the section of the body each newer request type needs (and no other type may send)
_SECTION_OF_TYPE = {"portability": "portability", "restriction": "restriction", "complaint": "complaint"}
_SECTION_HELP = {
    "portability": "where to send the data: requester, or the organisation's name",
    "restriction": "which data, and the grounds: accuracy_contested, objection_pending, unlawful or legal_claim",
    "complaint": "what it is about, and the outcome wanted",
}


def _type_sections(data: dict) -> dict:
    """422 fields for a missing, misplaced or blank portability / restriction / complaint section."""
    fields = {}
    for rtype, section in _SECTION_OF_TYPE.items():
        given = data.get(section)
        if data["request_type"] == rtype and not given:
            fields[section] = f"required for a {rtype} request ({_SECTION_HELP[rtype]})"
        elif data["request_type"] != rtype and given:
            fields[section] = f"only allowed for a {rtype} request"
        elif given:
            blank = [k for k, v in given.items() if isinstance(v, str) and k != "reference" and not v.strip()]
            if blank:
                fields[f"{section}.{blank[0]}"] = "must not be blank"
    return fields


def _type_values(data: dict) -> dict:
    """The columns of the portability / restriction / complaint sections (None when absent)."""
    port, restr, compl = data.get("portability") or {}, data.get("restriction") or {}, data.get("complaint") or {}
    return {
        "portability_recipient": (port.get("recipient") or "").strip() or None,
        "restriction_what": (restr.get("what") or "").strip() or None,
        "restriction_grounds": restr.get("grounds"),
        "complaint_subject": compl.get("subject"),
        "complaint_reference": compl.get("reference"),
        "complaint_outcome_wanted": (compl.get("outcome_wanted") or "").strip() or None,
    }


def created_body(req) -> dict:
    return {
        "reference": req.reference,
        "request_type": req.request_type,
        "status": req.status,
        "received_at": req.received_at.isoformat().replace("+00:00", "Z"),
        "due_at": req.due_on.isoformat(),
        "verification_required": req.verification_required,
    }


T_REQ = DsarRequest.__table__
T_AUDIT = AuditEvent.__table__
T_CLOCK = ClockEvent.__table__
T_VERIFY = Verification.__table__
T_OUTBOX = OutboxMessage.__table__
T_SUPPRESS = SuppressedEmail.__table__
T_SIG = UsedSignature.__table__

_EXISTING = select(
    T_REQ.c.reference,
    T_REQ.c.request_type,
    T_REQ.c.status,
    T_REQ.c.received_at,
    T_REQ.c.due_on,
    T_REQ.c.verification_required,
    T_REQ.c.payload_hash,
)


def _prepare(values: dict, now: dt.datetime | None = None) -> dict:
    """Everything about a new request that can be worked out before taking the write lock
    (``now``: when it arrived, the present unless a test controls the clock)."""
    cfg = current_app.config
    now = now or utcnow()
    needs_verification = values["request_type"] in VERIFIED_TYPES
    complaint = values["request_type"] == COMPLAINT
    # a complaint is acknowledged at once (this mail), by the s.164A date 30 days after receipt
    ack_due = complaints.acknowledgement_due(deadlines.local_date(now, cfg["INTAKE_TIMEZONE"])) if complaint else None
    view = SimpleNamespace(
        **values,
        reference=workflow.new_reference(),
        verification_required=needs_verification,
        received_at=now,
        status=None,
        updated_at=None,
        closed_at=None,
        closing_reason=None,
        acknowledgement_due_on=ack_due,
        acknowledged_at=now if complaint else None,
        complaint_outcome=None,
    )
    # sets the due dates from the receipt clock event (provisional until identity is confirmed);
    # a complaint's due date is its s.164A acknowledgement date (workflow.open_request)
    audits, clock_events = workflow.open_request(view, now=now, tz=cfg["INTAKE_TIMEZONE"])
    row = vars(view)
    link = code = None
    if needs_verification:
        code = verification.new_code()
        link = verification.verify_link(row["reference"], code)
    mails = []
    subject, body = mail.team_new_request(cfg, view)
    mails.append(
        mail.outbox_row(
            kind="team_new_request",
            recipient=cfg["TEAM_EMAIL"],
            subject=subject,
            body=body,
            reference=row["reference"],
            now=now,
        )
    )
    if complaint:
        subject, body = complaints.acknowledgement_mail(cfg, view)
    else:
        subject, body = mail.requester_acknowledgement(cfg, view, link)
    mails.append(
        mail.outbox_row(
            kind="acknowledgement",
            recipient=row["requester_email"],
            subject=subject,
            body=body,
            reference=row["reference"],
            now=now,
        )
    )
    verify_row = None
    if code is not None:
        verify_row = dict(
            code_hash=verification.hash_code(code),
            created_at=now,
            failed_attempts=0,
            expires_at=now + dt.timedelta(seconds=cfg["VERIFICATION_TTL_SECONDS"]),
        )
    return {
        "row": row,
        "audits": audits,
        "clock_events": clock_events,
        "mails": mails,
        "verification": verify_row,
        "view": view,
    }


def _insert(conn, prepared: dict) -> None:
    row = prepared["row"]
    request_id = conn.execute(insert(T_REQ).values(**row)).inserted_primary_key[0]
    conn.execute(insert(T_AUDIT), [dict(a, request_id=request_id, handoff_id=None) for a in prepared["audits"]])
    conn.execute(insert(T_CLOCK), [dict(e, request_id=request_id) for e in prepared["clock_events"]])
    if prepared["verification"] is not None:
        conn.execute(
            insert(T_VERIFY).values(request_id=request_id, used_at=None, revoked_at=None, **prepared["verification"])
        )
    elif row["request_type"] == COMPLAINT:
        pass  # no suppression: a complaint changes nothing about marketing by itself
    else:
        exists = conn.execute(
            select(T_SUPPRESS.c.email_hash).where(T_SUPPRESS.c.email_hash == row["email_hash"])
        ).first()
        if exists is None:
            conn.execute(
                insert(T_SUPPRESS).values(
                    email_hash=row["email_hash"], added_at=row["received_at"], reference=row["reference"]
                )
            )
    conn.execute(insert(T_OUTBOX), prepared["mails"])


@bp.post("/requests")
def create_request():
    raw = validation.read_body(current_app.config["MAX_REQUEST_BYTES"])
    signature = auth.verify_machine_signature(raw)
    json_nesting.check_depth(raw)
    data = validation.validate(validation.parse_json(raw), schemas.REQUEST_CREATE)
    values = _clean(data)
    prepared = _prepare(values)
    db = get_db()
    for attempt in range(3):
        try:
            with db.write_conn() as conn:
                try:
                    conn.execute(insert(T_SIG).values(signature=signature, used_at=prepared["row"]["received_at"]))
                except IntegrityError:
                    raise auth.replayed() from None
                existing = conn.execute(_EXISTING.where(T_REQ.c.idempotency_key == values["idempotency_key"])).first()
                if existing is not None:
                    if existing.payload_hash != values["payload_hash"]:
                        raise ApiError(
                            409,
                            "idempotency_conflict",
                            "This idempotency_key was already used for a different request.",
                        )
                    body, replayed = created_body(existing), True
                else:
                    _insert(conn, prepared)
                    body, replayed = created_body(prepared["view"]), False
            break
        except IntegrityError:
            # a concurrent request with the same idempotency key (or, astronomically rarely,
            # the same new reference) won the race: go round again and find it
            if attempt == 2:
                raise
            prepared = _prepare(values)
    resp = jsonify(body)
    resp.status_code = 201
    if replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    resp.headers["Location"] = f"/api/v1/requests/{body['reference']}/status"
    return resp


_DUMMY_HASH = "0" * 64


@bp.get("/requests/<reference>/status")
def request_status(reference: str):
    email = request.args.get("email", "")
    if not email or len(email) > 254:
        raise ApiError(422, "validation_failed", "The email query parameter is required.", {"email": "required"})
    wanted = validation.email_hash(email)
    with get_db().read() as s:
        req = None
        if len(reference) <= 16:
            req = s.execute(select(DsarRequest).where(DsarRequest.reference == reference.upper())).scalar_one_or_none()
        stored = req.email_hash if req is not None else _DUMMY_HASH
        if not hmac.compare_digest(stored, wanted) or req is None:
            raise ApiError(404, "not_found", "No request matches this reference and email address.")
        clock = workflow.clock_of(s, req)
        return jsonify(status_body(req, clock))


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def status_body(req, clock) -> dict:
    """What the requester may see: status and clock, no details of the request itself."""
    paused = clock.paused_since if req.status == AWAITING_CLARIFICATION else None
    if paused is not None:
        summary = f"paused: waiting for your reply since {short_date(paused)}"
    elif req.status == AWAITING_VERIFICATION:
        summary = "waiting for you to confirm your email address (the month starts when you confirm)"
    elif req.status in TERMINAL:
        summary = f"{req.status.value.replace('_', ' ')}"
    else:
        summary = f"in progress: due by {short_date(req.due_on)}" + (" (extended)" if clock.extended else "")
    return {
        "reference": req.reference,
        "status": req.status,
        "due_at": None if paused is not None else req.due_on.isoformat(),
        "paused_since": paused.isoformat() if paused is not None else None,
        "summary": summary,
    }
