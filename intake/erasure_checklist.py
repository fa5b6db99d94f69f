"""Erasure done properly: an erasure request's checklist, one item per place the shop holds the person's data.

Each item is decided by staff, audited with who and when: **erased**, or **kept** with the reason (what the
law requires the shop to keep: orders and invoices for tax, six years in the UK). Two items do the work
themselves:

- this assistant's transcripts: with a linked conversation, completing the request deletes it from the
  bot's store (``conversation_erasure``) and this item is ticked then, by whoever completed it; without
  one, staff decide it like the others (say where they looked);
- this service's own records: "erased" anonymises now the person's other closed requests and their
  handoffs (``retention.anonymise_closed_of``); this request itself stays whole until the retention
  purge, as the record of how the erasure was handled.

The request can be completed only when every item is decided (409 naming what is missing, nothing
changed); completing it emails the requester what was erased and what was kept, and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from . import mail, retention, workflow
from .errors import ApiError
from .models import AWAITING_CLARIFICATION, COMPLETED, IN_PROGRESS, DsarRequest, ErasureChecklistItem, utcnow

SHOP_CUSTOMER, ORDER_HISTORY, MAILING_LIST = "shop_customer", "order_history", "mailing_list"
TRANSCRIPTS, INTAKE_RECORDS = "assistant_transcripts", "intake_records"
#: every source, in the order staff and the email list them: (id, what staff see, what the requester reads)
SOURCES = (
    (SHOP_CUSTOMER, "Shop customer record (Shopify)", "your customer account with our shop (Shopify)"),
    (ORDER_HISTORY, "Order history (orders, invoices)", "your order history (orders and invoices)"),
    (MAILING_LIST, "Mailing list", "our mailing list"),
    (TRANSCRIPTS, "This assistant's chat transcripts", "your conversations with our privacy chat assistant"),
    (
        INTAKE_RECORDS,
        "This service's records (other requests and handoffs about this person)",
        "the records of your other requests and questions to us",
    ),
)
LABELS = {source: label for source, label, _ in SOURCES}
PLAIN = {source: plain for source, _, plain in SOURCES}
ERASED, KEPT = "erased", "kept"
#: the reason staff are offered for order history (they may write another)
TAX_REASON = (
    "UK tax law requires us to keep orders and invoices for six years (HMRC: VAT and company "
    "records); they are kept for that purpose only and deleted after it."
)
#: while staff may decide items: the requester's identity is confirmed and the request is not closed
OPEN_FOR_DECISIONS = frozenset({IN_PROGRESS, AWAITING_CLARIFICATION})
AUDIT_ACTION = "erasure_checklist"
COMPLETION_MAIL_KIND = "erasure_completed"


@dataclass(frozen=True)
class Item:
    source: str
    label: str
    decision: str | None  # None: still to decide
    reason: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    #: True when the service ticks it itself (a linked conversation is deleted at completion)
    automatic: bool = False


def _rows(session, req: DsarRequest) -> dict[str, ErasureChecklistItem]:
    return {
        r.source: r
        for r in session.execute(
            select(ErasureChecklistItem).where(ErasureChecklistItem.request_id == req.id)
        ).scalars()
    }


def items(session, req: DsarRequest) -> list[Item]:
    rows = _rows(session, req)
    out = []
    for source, label, _ in SOURCES:
        r = rows.get(source)
        automatic = source == TRANSCRIPTS and bool(req.conversation_id) and r is None
        out.append(
            Item(
                source,
                label,
                r.decision if r else None,
                r.reason if r else None,
                r.decided_by if r else None,
                r.decided_at if r else None,
                automatic,
            )
        )
    return out


def missing(session, req: DsarRequest) -> list[str]:
    """The labels of the items still to decide (a linked conversation's transcripts are not: completing
    the request deletes them)."""
    return [i.label for i in items(session, req) if i.decision is None and not i.automatic]


def _store(
    session, req: DsarRequest, source: str, decision: str, reason: str | None, actor: str, now: dt.datetime
) -> None:
    row = _rows(session, req).get(source)
    if row is None:
        session.add(
            ErasureChecklistItem(
                request_id=req.id, source=source, decision=decision, reason=reason, decided_by=actor, decided_at=now
            )
        )
    else:
        row.decision, row.reason, row.decided_by, row.decided_at = decision, reason, actor, now
    what = f"{LABELS[source]}: {decision}" + (f" ({reason})" if reason else "")
    workflow.note(
        session,
        req,
        actor=actor,
        action=AUDIT_ACTION,
        reason=what,
        at=now,
    )


def decide(
    session,
    req: DsarRequest,
    source: str,
    decision: str,
    reason: str | None,
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> str:
    """Record staff's decision on one item (audited); returns what to tell them. 422 for a bad field, 409 if
    the request is not an erasure request open for decisions."""
    now = now or utcnow()
    reason = (reason or "").strip() or None
    if req.request_type != "erasure":
        raise ApiError(
            409,
            "not_an_erasure",
            f"{req.reference} is a {req.request_type} request: only an erasure request has an erasure checklist.",
        )
    if req.status not in OPEN_FOR_DECISIONS:
        raise ApiError(
            409,
            "checklist_closed",
            f"{req.reference} is {req.status}: the checklist can be filled in while the request is in "
            "progress (after the requester's identity is confirmed, before it is closed).",
        )
    if source not in LABELS:
        raise ApiError(
            422, "unknown_source", "No such item on the erasure checklist.", {"source": "one of " + ", ".join(LABELS)}
        )
    if decision not in (ERASED, KEPT):
        raise ApiError(
            422,
            "unknown_decision",
            "An item is either erased or kept (with the reason).",
            {"decision": "erased or kept"},
        )
    if decision == KEPT and not reason:
        raise ApiError(
            422,
            "reason_required",
            f"Keeping {LABELS[source].lower()} needs the reason (the law that requires it): the requester is told it.",
            {"reason": "required"},
        )
    if source == TRANSCRIPTS and req.conversation_id:
        raise ApiError(
            409,
            "automatic_item",
            "The linked chat conversation is deleted from the bot's store when "
            "this request is completed, and this item is ticked then.",
        )
    note = f"{LABELS[source]}: {decision}."
    if source == INTAKE_RECORDS and decision == ERASED:
        n_req, n_ho, n_mail = retention.anonymise_closed_of(
            session.connection(),
            email_hash=req.email_hash,
            email=req.requester_email,
            except_request_id=req.id,
            now=now,
        )
        reason = (
            f"{n_req} other closed request(s) and {n_ho} handoff(s) anonymised, {n_mail} stored mail(s) "
            "emptied; this request is kept as the record of the erasure until the retention purge"
        )
        note += " " + reason[0].upper() + reason[1:] + "."
    _store(session, req, source, decision, reason if decision == KEPT or source == INTAKE_RECORDS else None, actor, now)
    return note


def require_complete(session, req: DsarRequest) -> None:
    """Before an erasure request is completed: 409 naming the items still to decide."""
    left = missing(session, req)
    if left:
        raise ApiError(
            409,
            "erasure_checklist_incomplete",
            "This erasure request cannot be completed yet: decide every item of the erasure checklist "
            "(erased, or kept with the reason). Still to decide: " + "; ".join(left) + ".",
        )


def on_completed(session, req: DsarRequest, *, actor: str, now: dt.datetime) -> None:
    """After an erasure request is completed (its linked conversation already deleted): tick the transcripts
    item if the service did it, and queue the requester's email of what was erased and what was kept."""
    if req.request_type != "erasure" or req.status != COMPLETED:
        return
    if req.conversation_id and TRANSCRIPTS not in _rows(session, req):
        _store(session, req, TRANSCRIPTS, ERASED, None, actor, now)
    session.flush()
    queue_completion_mail(session, current_app.config, req)


def completion_mail(cfg, req: DsarRequest, decided: list[Item]) -> tuple[str, str]:
    erased = [PLAIN[i.source] for i in decided if i.decision == ERASED]
    kept = [(PLAIN[i.source], i.reason) for i in decided if i.decision == KEPT]
    years = round(cfg["INTAKE_RETENTION_DAYS"] / 365.25)
    subject = f"Your Session Music data request {req.reference} - erasure completed"
    return subject, mail._body("requester_erasure_completed.txt", req=req, erased=erased, kept=kept, record_years=years)


def queue_completion_mail(session, cfg, req: DsarRequest):
    """The requester's email (none without an address: a Shopify customer's request is answered by the
    store owner, who made it in Shopify's admin)."""
    if not req.requester_email or req.source_channel == "shopify":
        return None
    subject, body = completion_mail(cfg, req, items(session, req))
    return mail.enqueue(
        session,
        kind=COMPLETION_MAIL_KIND,
        recipient=req.requester_email,
        subject=subject,
        body=body,
        reference=req.reference,
    )
