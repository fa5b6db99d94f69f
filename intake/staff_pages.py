"""Server-rendered staff pages: login, request list/detail with transitions, handoffs, mail sink."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from . import auth, clarification, complaints, delivery, mail, queries, verification, workflow
from .auth import login_required
from .db import get_db
from .errors import ApiError
from .models import AWAITING_CLARIFICATION, AWAITING_VERIFICATION, COMPLAINT, IN_PROGRESS, DsarRequest, StaffUser

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def _csrf():
    if request.method == "POST":
        if request.endpoint not in ("staff.login", "staff.logout") and auth.current_staff() is None:
            abort(401)  # no credential: 401 before anything else
        auth.check_csrf()


@bp.app_context_processor
def _inject():
    return {"csrf_token": auth.csrf_token, "current_staff": auth.current_staff}


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return url_for("staff.request_list")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "")[:80]
        password = request.form.get("password", "")[:200]
        with get_db().read() as s:
            user = auth.authenticate(s, username, password)
            if user is not None:
                auth.start_session(user)
                current_app.logger.info("staff login ok (user id %s)", user.id)
                return redirect(_safe_next(request.args.get("next")))
        current_app.logger.info("staff login failed")
        error = "Wrong username or password."
    return render_template("staff/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    staff = auth.current_staff()
    if staff is not None:  # end this account's sessions everywhere, copies of the cookie included
        with get_db().write() as s:
            user = s.get(StaffUser, staff.id)
            if user is not None:
                auth.revoke_sessions(user)
    session.clear()
    return redirect(url_for("staff.login"))


@bp.get("/")
@login_required("viewer")
def request_list():
    show = request.args.get("show", "open")
    today = queries.today()
    with get_db().read() as s:
        rows = queries.requests_by_due_date(s, None if show == "all" else "open", limit=2000)
        paused = queries.paused_since(s, [r.id for r in rows if r.status == AWAITING_CLARIFICATION])
        items = [
            (r, workflow.mark(r, today), paused.get(r.id)) for r in rows if r.request_type != COMPLAINT
        ]  # complaints have their own list
    return render_template("staff/list.html", items=items, show=show, today=today)


@bp.get("/complaints")
@login_required("viewer")
def complaint_list():
    """Complaints with both clocks: acknowledgement (30 days, s.164A) and days open (outcome
    without undue delay); oldest first."""
    show = request.args.get("show", "open")
    today = queries.today()
    with get_db().read() as s:
        rows = queries.requests_by_due_date(s, None if show == "all" else "open", limit=2000)
        items = sorted(
            ((r, complaints.days_open(r, today)) for r in rows if r.request_type == COMPLAINT),
            key=lambda item: item[0].received_at,
        )
    return render_template(
        "staff/complaints.html", items=items, show=show, today=today, subjects=complaints.SUBJECT_LABELS
    )


@bp.post("/requests/<reference>/outcome")
@login_required("caseworker")
def complaint_outcome(reference: str):
    outcome = request.form.get("outcome", "")
    reason = request.form.get("reason", "")[:2000]
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        complaints.record_outcome(s, cfg, req, outcome, reason, staff.actor)
        flash(f"{req.reference}: outcome recorded; the complainant is being emailed it.", "ok")

    return _apply(reference, fn)


def _load(s, reference: str, for_update=False) -> DsarRequest:
    req = queries.request_by_reference(s, reference, for_update)
    if req is None:
        abort(404)
    return req


def _render_detail(reference: str, error: str | None = None):
    today = queries.today()
    with get_db().read() as s:
        req = _load(s, reference)
        events = queries.audit_trail(s, req)
        staff = auth.current_staff()
        can_act = auth.ROLE_RANK[staff.role] >= auth.ROLE_RANK["caseworker"]
        clock = workflow.clock_of(s, req, today=today)
        asked = workflow.open_clarification(s, req) if req.status == AWAITING_CLARIFICATION else None
        withdraw_from = (
            workflow.clarification_wait_ends(asked.on_date, current_app.config["CLARIFICATION_WAIT_DAYS"])
            if asked
            else None
        )
        answers = {e.answers_id: e for e in workflow.clock_events(s, req) if e.answers_id}
        return render_template(
            "staff/detail.html",
            req=req,
            events=events,
            mark=workflow.mark(req, today),
            error=error,
            clock=clock,
            today=today,
            asked=asked,
            withdraw_from=withdraw_from,
            clock_events=workflow.clock_events(s, req),
            answers=answers,
            can_ask=can_act and workflow.can_ask_clarification(req),
            options=workflow.staff_options(req) if can_act else [],
            can_extend=can_act and workflow.can_extend(req, today, clock),
            can_resend=can_act and req.status == AWAITING_VERIFICATION,
            reason_required=workflow.REASON_REQUIRED,
            can_read_transcript=can_act,
            days_open=complaints.days_open(req, today) if req.request_type == COMPLAINT else None,
            can_record_outcome=can_act and req.request_type == COMPLAINT and req.status == IN_PROGRESS,
            complaint_outcomes=complaints.OUTCOME_LABELS,
            complaint_subjects=complaints.SUBJECT_LABELS,
            **_erasure_checklist_context(s, req, can_act),
            **delivery.staff_context(s, req, can_act, current_app.config),
        )


def _erasure_checklist_context(s, req, can_act: bool) -> dict:
    """The erasure checklist card's data (``erasure_checklist``); empty for other request types."""
    from . import erasure_checklist

    if req.request_type != "erasure":
        return {"erasure_items": None}
    return {
        "erasure_items": erasure_checklist.items(s, req),
        "erasure_tax_reason": erasure_checklist.TAX_REASON,
        "erasure_can_decide": can_act and req.status in erasure_checklist.OPEN_FOR_DECISIONS,
        "erasure_missing": erasure_checklist.missing(s, req),
    }


@bp.get("/requests/<reference>")
@login_required("viewer")
def request_detail(reference: str):
    return _render_detail(reference)


def _apply(reference: str, fn):
    """Run ``fn(session, request)`` in a write transaction; on a 409/422 show the page with the error."""
    try:
        with get_db().write() as s:
            req = _load(s, reference, for_update=True)
            fn(s, req)
    except ApiError as exc:
        return _render_detail(reference, error=exc.message), exc.status
    return redirect(url_for("staff.request_detail", reference=reference.upper()), code=303)


@bp.post("/requests/<reference>/transition")
@login_required("caseworker")
def transition(reference: str):
    to = request.form.get("to", "")
    reason = request.form.get("reason", "")[:2000]
    staff = auth.current_staff()
    tz = current_app.config["INTAKE_TIMEZONE"]

    def fn(s, req):
        workflow.staff_transition(s, req, to, reason, staff.actor, tz)
        flash(f"{req.reference} is now {req.status}.", "ok")

    return _apply(reference, fn)


@bp.post("/requests/<reference>/extend")
@login_required("caseworker")
def extend(reference: str):
    reason = request.form.get("reason", "")[:2000]
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        workflow.extend(s, req, reason, staff.actor, cfg["INTAKE_TIMEZONE"])
        mail.queue_extension_notice(s, cfg, req)
        flash(f"Extended: now due {req.due_on.isoformat()}; the requester is being told why.", "ok")

    return _apply(reference, fn)


@bp.post("/requests/<reference>/clarification")
@login_required("caseworker")
def ask_clarification(reference: str):
    question = request.form.get("question", "")[:2000]
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        code = workflow.ask_clarification(s, req, question, actor=staff.actor, tz=cfg["INTAKE_TIMEZONE"])
        mail.queue_clarification_question(s, cfg, req, question.strip(), clarification.reply_link(req.reference, code))
        flash(f"{req.reference}: the question is on its way to the requester; the clock is paused.", "ok")

    return _apply(reference, fn)


@bp.post("/requests/<reference>/erasure-checklist")
@login_required("caseworker")
def erasure_checklist_decide(reference: str):
    """Staff tick one source of an erasure request as erased, or record it as kept with the reason (audited)."""
    from . import erasure_checklist

    source = request.form.get("source", "")[:40]
    decision = request.form.get("decision", "")[:10]
    reason = request.form.get("reason", "")[:2000]
    staff = auth.current_staff()

    def fn(s, req):
        flash(
            f"{req.reference}: " + erasure_checklist.decide(s, req, source, decision, reason, actor=staff.actor), "ok"
        )

    return _apply(reference, fn)


@bp.post("/requests/<reference>/resend-verification")
@login_required("caseworker")
def resend_verification(reference: str):
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        if req.status != AWAITING_VERIFICATION:
            raise ApiError(409, "illegal_transition", "This request is not awaiting verification.")
        link = verification.verify_link(req.reference, verification.issue_code(s, req))
        subject, body = mail.requester_acknowledgement(cfg, req, link)
        mail.enqueue(
            s,
            kind="acknowledgement",
            recipient=req.requester_email,
            subject=subject,
            body=body,
            reference=req.reference,
        )
        workflow.note(
            s,
            req,
            actor=staff.actor,
            action="verification_resent",
            reason="new link sent",
        )
        flash("A new verification link is on its way to the requester.", "ok")

    return _apply(reference, fn)


@bp.get("/requests/<reference>/transcript")
@login_required("caseworker")
def request_transcript(reference: str):
    """The linked chat conversation, read from the bot's tracker store, for an access request's answer:
    shown, or with ``?format=text`` downloaded as plain text. Every view and export is audited (the
    conversation id and the number of turns, never the text)."""
    from . import conversations

    export = request.args.get("format") == "text"
    staff = auth.current_staff()
    with get_db().write() as s:
        req = _load(s, reference)
        if not req.conversation_id:
            abort(404)
        try:
            lines = conversations.for_app(current_app).transcript(req.conversation_id)
        except conversations.TrackerStoreUnavailable as exc:
            return render_template("staff/transcript.html", req=req, lines=None, error=str(exc)), 503
        workflow.note(
            s,
            req,
            actor=staff.actor,
            action="transcript_exported" if export else "transcript_viewed",
            reason=f"conversation {req.conversation_id}: {len(lines)} turns",
        )
        ref, conversation_id = req.reference, req.conversation_id
        if not export:
            return render_template("staff/transcript.html", req=req, lines=lines, error=None)
    text = conversations.as_text(ref, conversation_id, lines)
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=f"{ref}-conversation.txt",
        max_age=0,
    )


@bp.get("/handoffs")
@login_required("viewer")
def handoff_list():
    with get_db().read() as s:
        rows = queries.latest_handoffs(s, limit=2000)
    return render_template("staff/handoffs.html", rows=rows)


@bp.get("/handoffs/<reference>")
@login_required("viewer")
def handoff_detail(reference: str):
    with get_db().read() as s:
        h = queries.handoff_by_reference(s, reference)
        if h is None:
            abort(404)
    transcript = json.loads(h.transcript) if h.transcript else None
    return render_template("staff/handoff.html", h=h, transcript=transcript)


# --- the local mail sink's messages (embedded defaults) ---------------------------------

_EML_NAME = re.compile(r"^[0-9A-Za-z_.-]+\.eml$")


def _mail_dir() -> Path:
    return Path(current_app.config["MAIL_DIR"])


@bp.get("/mail")
@login_required("admin")
def mailbox():
    folder = _mail_dir()
    files = sorted(folder.glob("*.eml"), reverse=True)[:500] if folder.is_dir() else []
    items = []
    for f in files:
        with f.open("rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        items.append(
            {"name": f.name, "subject": msg.get("Subject", ""), "to": msg.get("To", ""), "date": msg.get("Date", "")}
        )
    return render_template("staff/mailbox.html", items=items, folder=str(folder))


def _without_codes(msg):
    """The message with every text part's verification codes blanked (verification.blank_codes)."""
    for part in msg.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            part.set_content(verification.blank_codes(part.get_content()), subtype=part.get_content_subtype())
    return msg


@bp.get("/mail/<name>")
@login_required("admin")
def mail_message(name: str):
    """One stored message, admins only, with live one-time codes blanked (also in the download)."""
    if not _EML_NAME.match(name):
        abort(404)
    path = _mail_dir() / name
    if not path.is_file():
        abort(404)
    with path.open("rb") as fh:
        msg = _without_codes(email.message_from_binary_file(fh, policy=email.policy.default))
    if request.args.get("raw"):
        return send_file(io.BytesIO(msg.as_bytes()), mimetype="message/rfc822", as_attachment=True, download_name=name)
    body = msg.get_body(preferencelist=("plain",))
    return render_template("staff/mail_message.html", name=name, msg=msg, text=body.get_content() if body else "")
