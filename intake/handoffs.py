"""POST /api/v1/handoffs: a question the bot could not answer, mailed to the team."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import auth, json_nesting, mail, schemas, validation, workflow
from .db import get_db
from .errors import ApiError
from .models import Handoff, utcnow

bp = Blueprint("handoffs", __name__, url_prefix="/api/v1")


def _clean(data: dict) -> dict:
    fields = {}
    email = data["email"].strip()
    if not validation.is_valid_email(email):
        fields["email"] = "not a valid email address"
    if not data["question"].strip():
        fields["question"] = "must not be blank"
    transcript = data.get("transcript") or None
    if transcript and not data["consent_to_transcript"]:
        fields["transcript"] = "only send the transcript when the shopper consented (consent_to_transcript: true)"
    if fields:
        raise ApiError(422, "validation_failed", "Some fields are missing or invalid.", fields)
    return {
        "email": email,
        "question": data["question"].strip(),
        "consent_to_transcript": data["consent_to_transcript"],
        "transcript": json.dumps(transcript) if transcript else None,
        "source_channel": data["source"]["channel"],
        "source_conversation_id": data["source"]["conversation_id"],
        "source_text": data["source"].get("text") or None,
        "conversation_id": data.get("conversation_id"),
        "idempotency_key": data["idempotency_key"],
        "payload_hash": validation.payload_hash(data),
    }


def created_body(h: Handoff) -> dict:
    return {"reference": h.reference, "received_at": h.received_at.isoformat().replace("+00:00", "Z")}


@bp.post("/handoffs")
def create_handoff():
    cfg = current_app.config
    raw = validation.read_body(cfg["MAX_HANDOFF_BYTES"])
    signature = auth.verify_machine_signature(raw)
    json_nesting.check_depth(raw)
    data = validation.validate(validation.parse_json(raw), schemas.HANDOFF_CREATE)
    values = _clean(data)
    db = get_db()
    for attempt in range(3):
        try:
            with db.write() as s:
                auth.consume_signature(s, signature)
                h = s.execute(
                    select(Handoff).where(Handoff.idempotency_key == values["idempotency_key"])
                ).scalar_one_or_none()
                replayed = h is not None
                if h is not None and h.payload_hash != values["payload_hash"]:
                    raise ApiError(
                        409, "idempotency_conflict", "This idempotency_key was already used for a different handoff."
                    )
                if h is None:
                    now = utcnow()
                    h = Handoff(reference=workflow.new_reference("HO"), received_at=now, **values)
                    s.add(h)
                    s.flush()
                    workflow.audit(
                        s,
                        actor=workflow.API_CLIENT,
                        action="handoff_created",
                        handoff_id=h.id,
                        at=now,
                        reason=f"via {h.source_channel}",
                    )
                    transcript = json.loads(h.transcript) if h.transcript else None
                    subject, body = mail.team_handoff(cfg, h, transcript)
                    mail.enqueue(
                        s,
                        kind="team_handoff",
                        recipient=cfg["HANDOFF_EMAIL"],
                        subject=subject,
                        body=body,
                        reference=h.reference,
                        reply_to=h.email,
                    )
                body = created_body(h)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    resp = jsonify(body)
    resp.status_code = 201
    if replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp
