"""The requester's answer to a clarification question, by the one-time reply link in its email.

Staff ask with ``workflow.ask_clarification`` (the staff API and pages), which stops the clock and
returns the link's code; only its sha256 is stored (on the clarification_asked clock event).  The
link opens a page with the question and a form (a GET changes nothing, so mail scanners that
prefetch links do not answer for anyone); the POST records the answer through
``workflow.receive_clarification`` (the clock runs again) and tells the team.  A link works once,
and not after the request is closed.  The answer is never logged.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from . import mail, workflow
from .db import get_db
from .errors import ApiError
from .models import AWAITING_CLARIFICATION, TERMINAL, DsarRequest

bp = Blueprint("clarify", __name__)

MAX_ANSWER = 5000

# outcomes, with their HTTP statuses
FORM, ANSWERED, INVALID, ALREADY_ANSWERED, CLOSED, EMPTY = (
    "form",
    "answered",
    "invalid",
    "already_answered",
    "closed",
    "empty",
)
HTTP = {FORM: 200, ANSWERED: 200, INVALID: 404, ALREADY_ANSWERED: 409, CLOSED: 410, EMPTY: 422}


def reply_link(reference: str, code: str) -> str:
    return f"{current_app.config['INTAKE_PUBLIC_URL']}/clarify/{reference}?code={code}"


def _find(s, reference: str, code: str, for_update: bool = False):
    """(outcome, request, question event): FORM when the link may still be answered."""
    q = select(DsarRequest).where(DsarRequest.reference == reference.upper()[:16])
    req = s.execute(q.with_for_update() if for_update else q).scalar_one_or_none()
    asked = workflow.check_reply_code(s, req, code) if req is not None and code and len(code) <= 200 else None
    if asked is None:
        return INVALID, None, None
    if req.status in TERMINAL:
        return CLOSED, req, asked
    if req.status != AWAITING_CLARIFICATION or workflow.open_clarification(s, req).id != asked.id:
        return ALREADY_ANSWERED, req, asked
    return FORM, req, asked


def _page(reference: str, outcome: str, code: str = "", question: str | None = None, answer: str = "", req=None):
    return render_template(
        "clarify.html",
        reference=reference.upper()[:16],
        outcome=outcome,
        code=code,
        question=question,
        answer=answer,
        max_answer=MAX_ANSWER,
        due_on=req.due_on if req is not None else None,
    ), HTTP[outcome]


@bp.get("/clarify/<reference>")
def answer_page(reference: str):
    code = request.args.get("code", "")
    with get_db().read() as s:
        outcome, req, asked = _find(s, reference, code)
        return _page(
            reference, outcome, code=code if outcome == FORM else "", question=asked.note if outcome == FORM else None
        )


@bp.post("/clarify/<reference>")
def answer(reference: str):
    code = request.form.get("code", "")
    text = request.form.get("answer", "")[:MAX_ANSWER]
    cfg = current_app.config
    with get_db().write() as s:
        outcome, req, asked = _find(s, reference, code, for_update=True)
        if outcome != FORM:
            return _page(reference, outcome)
        try:
            workflow.receive_clarification(
                s, req, text, actor=workflow.REQUESTER, tz=cfg["INTAKE_TIMEZONE"], asked=asked
            )
        except ApiError as exc:
            if exc.status != 422:
                raise
            return _page(reference, EMPTY, code=code, question=asked.note)  # nothing recorded
        mail.queue_team_clarification_received(s, cfg, req)
        return _page(reference, ANSWERED, req=req)
