"""Identity verification by a one-time email link.

Codes come from ``secrets``, only their sha256 is stored, they expire after
``VERIFICATION_TTL_SECONDS`` (24 h), are compared in constant time and stop working for a
client after ``VERIFICATION_MAX_ATTEMPTS`` (5) wrong tries from it: the count is per link and
client address (``VerificationFailure``), so someone who knows a reference cannot lock the
requester out.  A confirmation from a browser signed in as staff is audited as that staff
member, not as the requester.  The link opens a page with a confirm button
(a POST), so mail scanners that prefetch links do not consume it.  On success the request
moves to in_progress and the one-month clock starts that day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from . import auth, deadlines, mail, workflow
from .db import get_db
from .models import AWAITING_VERIFICATION, IN_PROGRESS, DsarRequest, Verification, VerificationFailure, utcnow

bp = Blueprint("verify", __name__)

CODE_BYTES = 24


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def issue_code(session, req: DsarRequest, now: dt.datetime | None = None) -> str:
    """Create a fresh code for ``req`` (revoking earlier ones) and return it in clear, once."""
    now = now or utcnow()
    for old in session.execute(
        select(Verification).where(
            Verification.request_id == req.id, Verification.used_at.is_(None), Verification.revoked_at.is_(None)
        )
    ).scalars():
        old.revoked_at = now
    code = new_code()
    ttl = current_app.config["VERIFICATION_TTL_SECONDS"]
    session.add(
        Verification(
            request_id=req.id,
            code_hash=hash_code(code),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
            failed_attempts=0,
        )
    )
    return code


def verify_link(reference: str, code: str) -> str:
    return f"{current_app.config['INTAKE_PUBLIC_URL']}/verify/{reference}?code={code}"


_CODE_IN_LINK = re.compile(r"(/(?:verify|clarify|download)/[^\s?/]+\?code=)[^\s&\"'<>]+")
#: the delivery code's own email (``delivery.py``)
ONE_TIME_CODE = re.compile(r"(one-time code: )[0-9A-Z]{4}-[0-9A-Z]{4}")
HIDDEN = "[hidden]"


def blank_codes(text: str) -> str:
    """``text`` with the one-time code of every verification, clarification or download link, and a
    delivery's one-time code, replaced by ``[hidden]``."""
    text = _CODE_IN_LINK.sub(lambda m: m.group(1) + HIDDEN, text)
    return ONE_TIME_CODE.sub(lambda m: m.group(1) + HIDDEN, text)


# outcomes
VERIFIED, INVALID, EXPIRED, LOCKED = "verified", "invalid", "expired", "locked"


def client_key(address: str | None) -> str:
    """A keyed hash of the client's address: enough to count its wrong codes, not to recover it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def check_code(
    reference: str, code: str, client: str = "unknown", actor: str = "requester"
) -> tuple[str, DsarRequest | None]:
    """Check ``code`` for ``reference`` from ``client`` (its address); ``actor`` is audited."""
    cfg = current_app.config
    max_attempts = cfg["VERIFICATION_MAX_ATTEMPTS"]
    db = get_db()
    with db.write() as s:
        req = s.execute(
            select(DsarRequest).where(DsarRequest.reference == reference).with_for_update()
        ).scalar_one_or_none()
        if req is None or req.status != AWAITING_VERIFICATION:
            hmac.compare_digest(hash_code(code), "0" * 64)  # same work either way
            return INVALID, None
        ver = s.execute(
            select(Verification)
            .where(Verification.request_id == req.id, Verification.used_at.is_(None), Verification.revoked_at.is_(None))
            .order_by(Verification.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if ver is None:
            return INVALID, None
        now = utcnow()
        failures = s.execute(
            select(VerificationFailure).where(
                VerificationFailure.verification_id == ver.id, VerificationFailure.client_hash == client_key(client)
            )
        ).scalar_one_or_none()
        if failures is not None and failures.failures >= max_attempts:
            return LOCKED, None
        if now >= ver.expires_at:
            return EXPIRED, None
        if not hmac.compare_digest(hash_code(code), ver.code_hash):
            ver.failed_attempts += 1  # every client's wrong tries, for the record
            if failures is None:
                failures = VerificationFailure(verification_id=ver.id, client_hash=client_key(client), failures=0)
                s.add(failures)
            failures.failures += 1
            if failures.failures >= max_attempts:
                workflow.note(
                    s,
                    req,
                    actor=actor,
                    action="verification_locked",
                    reason=f"{max_attempts} wrong verification codes from one client",
                )
                return LOCKED, None
            return INVALID, None
        ver.used_at = now
        req.verified_at = now
        workflow.start_clock(req, deadlines.local_date(now, cfg["INTAKE_TIMEZONE"]))
        how = "identity verified by email link" if actor == "requester" else "email link confirmed from a staff session"
        workflow.set_status(s, req, IN_PROGRESS, actor=actor, action="verified", reason=how, now=now)
        subject, body = mail.team_verified(cfg, req)
        mail.enqueue(
            s, kind="team_verified", recipient=cfg["TEAM_EMAIL"], subject=subject, body=body, reference=req.reference
        )
        return VERIFIED, req


@bp.get("/verify/<reference>")
def confirm_page(reference: str):
    code = request.args.get("code", "")
    return render_template("verify.html", reference=reference, code=code, outcome=None)


@bp.post("/verify/<reference>")
def confirm(reference: str):
    code = request.form.get("code", "")
    if not code or len(code) > 200:
        return render_template("verify.html", reference=reference, code="", outcome=INVALID), 400
    staff = auth.current_staff()  # a staff browser's confirmation is the staff member's act
    outcome, req = check_code(reference, code, client=request.remote_addr, actor=staff.actor if staff else "requester")
    status = {VERIFIED: 200, INVALID: 400, EXPIRED: 410, LOCKED: 423}[outcome]
    return render_template(
        "verify.html", reference=reference, code="", outcome=outcome, due_on=req.due_on if req else None
    ), status
