"""Look-ups shared by the staff API (``staff_api``) and the staff pages (``staff_pages``).

Each returns what it found (or None); the caller decides what "not found" means for it
(a JSON 404 or the HTML 404 page).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from . import deadlines
from .models import TERMINAL, AuditEvent, ClockEvent, DsarRequest, Handoff, utcnow


def today() -> dt.date:
    """Today in the service's time zone (``INTAKE_TIMEZONE``): what due dates are compared with."""
    return deadlines.local_date(utcnow(), current_app.config["INTAKE_TIMEZONE"])


def _reference(reference: str) -> str:
    return reference.upper()[:16]


def request_by_reference(s, reference: str, for_update: bool = False) -> DsarRequest | None:
    q = select(DsarRequest).where(DsarRequest.reference == _reference(reference))
    if for_update:
        q = q.with_for_update()
    return s.execute(q).scalar_one_or_none()


def requests_by_due_date(s, status: str | None = None, limit: int = 1000) -> list[DsarRequest]:
    """Soonest due first; ``status`` None for all, "open" for those not closed, or one status."""
    q = select(DsarRequest).order_by(DsarRequest.due_on, DsarRequest.id)
    if status == "open":
        q = q.where(DsarRequest.status.notin_(TERMINAL))
    elif status is not None:
        q = q.where(DsarRequest.status == status)
    return list(s.execute(q.limit(limit)).scalars())


def audit_trail(s, req: DsarRequest) -> list[AuditEvent]:
    return list(s.execute(select(AuditEvent).where(AuditEvent.request_id == req.id).order_by(AuditEvent.id)).scalars())


def paused_since(s, request_ids: list[int]) -> dict[int, dt.date]:
    """For requests waiting for a clarification: the day their latest question was asked (one query)."""
    if not request_ids:
        return {}
    rows = s.execute(
        select(ClockEvent.request_id, ClockEvent.on_date)
        .where(ClockEvent.request_id.in_(request_ids), ClockEvent.kind == deadlines.CLARIFICATION_ASKED)
        .order_by(ClockEvent.id)
    ).all()
    return {request_id: day for request_id, day in rows}  # the latest wins


def handoff_by_reference(s, reference: str) -> Handoff | None:
    return s.execute(select(Handoff).where(Handoff.reference == _reference(reference))).scalar_one_or_none()


def latest_handoffs(s, limit: int = 1000) -> list[Handoff]:
    return list(s.execute(select(Handoff).order_by(Handoff.id.desc()).limit(limit)).scalars())
