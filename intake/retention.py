"""The intake's own retention: what the intake keeps about a request once it is closed, and for how long.

    flask --app intake purge [--dry-run] [--now 2033-01-01T00:00:00Z]

A request closed (completed, refused, withdrawn) more than ``INTAKE_RETENTION_DAYS`` ago (default 2192:
six years, why in the README's "Retention"), and a handoff received that long ago, keep what
accountability needs: the reference, the type, the dates, the status and closing reason (the outcome),
the clock and the audit trail. They lose the requester's name, email, phone and everything written in
free text: the details, the shopper's words, the rectification values, a handoff's question and
transcript, the conversation ids, a clarification's question and answer and staff's note on how identity
was checked by other means (those two live in the append-only audit and clock tables, whose triggers
allow exactly this one change: the cell set to ``REMOVED``). The email hash goes too, so the status
look-up no longer finds the request by address. The outbox copies of their mail lose body and addresses.

Sent mail loses its body, recipient and Reply-To once sent: at once by the outbox worker by default, or
``OUTBOX_SENT_BODY_GRACE_SECONDS`` after sending (the worker's loop and this purge both apply it).

Idempotent (a second run with the same clock changes nothing and writes no audit row); one audit row
per run that changed something, with counts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from . import deadlines
from .models import (
    TERMINAL,
    AuditEvent,
    ClockEvent,
    DeliveryFile,
    DsarRequest,
    Handoff,
    OutboxMessage,
    ShopifyWebhook,
    utcnow,
)

#: what replaces a removed value (the migrations' triggers accept exactly this text in audit/clock cells)
REMOVED = "[removed under the retention policy]"

RETENTION_VARIABLE = "INTAKE_RETENTION_DAYS"
#: six years (with the two leap days six years can hold): the limitation period for a claim in England and
#: Wales (Limitation Act 1980), the longest time anyone may need to see how a request was handled by name
DEFAULT_RETENTION_DAYS = 2192
#: below a month a request could lose its details while a complaint about it is still being answered;
#: above a hundred years is a typo
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 30, 36525

OUTBOX_GRACE_VARIABLE = "OUTBOX_SENT_BODY_GRACE_SECONDS"
DEFAULT_OUTBOX_GRACE_SECONDS = 0
MAX_OUTBOX_GRACE_SECONDS = 30 * 86400

AUDIT_ACTION = "intake_retention_purge"

#: audit actions whose reason is free text about the person (the question asked, their answer, how their
#: identity was checked by other means); every other reason is the service's own words or the outcome
FREE_TEXT_AUDIT_ACTIONS = frozenset({"clarification_asked", "clarification_received", "verified_by_staff"})
#: clock events whose note is such free text (identity_confirmed only when staff recorded it)
FREE_TEXT_CLOCK_KINDS = frozenset({deadlines.CLARIFICATION_ASKED, deadlines.CLARIFICATION_RECEIVED})

T_REQ, T_HO, T_OUT = DsarRequest.__table__, Handoff.__table__, OutboxMessage.__table__
T_AUDIT, T_CLOCK, T_SHOP = AuditEvent.__table__, ClockEvent.__table__, ShopifyWebhook.__table__
T_FILES = DeliveryFile.__table__


def _whole_number(raw: object, variable: str, default: int, low: int, high: int) -> int:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{variable} must be a whole number from {low} to {high}, not {text[:20]!r}")
    return int(text)


def retention_days(raw: object) -> int:
    """``INTAKE_RETENTION_DAYS`` (unset: six years); ValueError naming the variable otherwise."""
    return _whole_number(raw, RETENTION_VARIABLE, DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, MAX_RETENTION_DAYS)


def outbox_grace_seconds(raw: object) -> int:
    """``OUTBOX_SENT_BODY_GRACE_SECONDS`` (unset: 0, removed as the send is recorded)."""
    return _whole_number(raw, OUTBOX_GRACE_VARIABLE, DEFAULT_OUTBOX_GRACE_SECONDS, 0, MAX_OUTBOX_GRACE_SECONDS)


def parse_now(text: str | None) -> dt.datetime:
    """``--now``: an ISO date-time (UTC without an offset); ValueError otherwise."""
    if not text:
        return utcnow()
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.datetime
    requests: int
    handoffs: int
    outbox_messages: int
    audit_reasons: int
    clock_notes: int

    @property
    def changed(self) -> int:
        return self.requests + self.handoffs + self.outbox_messages + self.audit_reasons + self.clock_notes

    def summary(self, dry_run: bool = False) -> str:
        verb = "would anonymise" if dry_run else "anonymised"
        return (
            f"{verb} {self.requests} request(s) closed and {self.handoffs} handoff(s) received before "
            f"{self.cutoff.isoformat(timespec='seconds')}; {self.outbox_messages} mail(s) "
            f"{'would lose' if dry_run else 'lost'} body and addresses; {self.audit_reasons} audit "
            f"reason(s) and {self.clock_notes} clock note(s) of free text removed"
            + (" (dry run: nothing changed)" if dry_run else "")
        )


# --- what is due --------------------------------------------------------------------------------


def _requests_due(cutoff):
    return and_(
        T_REQ.c.anonymised_at.is_(None),
        T_REQ.c.status.in_([s.value for s in TERMINAL]),
        T_REQ.c.closed_at.isnot(None),
        T_REQ.c.closed_at < cutoff,
    )


def _handoffs_due(cutoff):
    # a handoff has no open state: the team answers it by email, so it counts as closed when received
    return and_(T_HO.c.anonymised_at.is_(None), T_HO.c.received_at < cutoff)


def _anonymised_references():
    return (
        select(T_REQ.c.reference)
        .where(T_REQ.c.anonymised_at.isnot(None))
        .union(select(T_HO.c.reference).where(T_HO.c.anonymised_at.isnot(None)))
    )


def _outbox_due(now: dt.datetime, grace_seconds: int, references=None):
    """Mail sent at least ``grace_seconds`` ago, and every mail of an anonymised request or handoff (a
    failed or a still pending one too: it will never be sent), that still holds a body."""
    sent_before = now - dt.timedelta(seconds=grace_seconds)
    return and_(
        T_OUT.c.body != REMOVED,
        or_(
            and_(T_OUT.c.status == "sent", T_OUT.c.sent_at <= sent_before),
            T_OUT.c.reference.in_(_anonymised_references() if references is None else references),
        ),
    )


def scrub_sent_outbox(conn: Connection, now: dt.datetime, grace_seconds: int) -> int:
    """Remove the body and addresses of what was sent ``grace_seconds`` ago or more, and of any mail of an
    anonymised request or handoff (one still pending becomes failed: it has no recipient any more)."""
    return _scrub_outbox(conn, _outbox_due(now, grace_seconds))


def _scrub_outbox(conn: Connection, where) -> int:
    return conn.execute(
        update(T_OUT)
        .where(where)
        .values(
            body=REMOVED,
            recipient=REMOVED,
            reply_to=None,
            status=case((T_OUT.c.status == "pending", "failed"), else_=T_OUT.c.status),
            last_error=case(
                (T_OUT.c.status == "pending", "not sent: removed under the retention policy"), else_=T_OUT.c.last_error
            ),
        )
    ).rowcount


def _audit_due(request_ids):
    return and_(
        T_AUDIT.c.request_id.in_(request_ids),
        T_AUDIT.c.action.in_(FREE_TEXT_AUDIT_ACTIONS),
        T_AUDIT.c.reason.isnot(None),
        T_AUDIT.c.reason != REMOVED,
    )


def _clock_due(request_ids):
    free_text = or_(
        T_CLOCK.c.kind.in_(FREE_TEXT_CLOCK_KINDS),
        and_(T_CLOCK.c.kind == deadlines.IDENTITY_CONFIRMED, T_CLOCK.c.actor.like("staff:%")),
    )
    return and_(T_CLOCK.c.request_id.in_(request_ids), free_text, T_CLOCK.c.note.isnot(None), T_CLOCK.c.note != REMOVED)


def _count(conn, table, where) -> int:
    return conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()


# --- the purge ----------------------------------------------------------------------------------


def _anonymise(conn: Connection, now: dt.datetime, requests_where, handoffs_where) -> tuple[int, int, int, int]:
    """Anonymise the requests and handoffs the two conditions select (and the free text about them in the
    trail, and their mail); returns (requests, handoffs, audit reasons, clock notes)."""
    chosen_ids = select(T_REQ.c.id).where(requests_where)
    n_audit = conn.execute(update(T_AUDIT).where(_audit_due(chosen_ids)).values(reason=REMOVED)).rowcount
    n_clock = conn.execute(update(T_CLOCK).where(_clock_due(chosen_ids)).values(note=REMOVED)).rowcount
    # the names of the files of an answer (delivery.py) can name the person; the files are long gone
    conn.execute(
        update(T_FILES)
        .where(T_FILES.c.request_id.in_(chosen_ids), T_FILES.c.filename != REMOVED)
        .values(filename=REMOVED)
    )
    conn.execute(update(T_SHOP).where(T_SHOP.c.request_id.in_(chosen_ids)).values(customer_id=None, order_ids=None))
    n_req = conn.execute(
        update(T_REQ)
        .where(requests_where)
        .values(
            requester_name=REMOVED,
            requester_email=REMOVED,
            email_hash="",
            requester_phone=None,
            details=None,
            rectification_what=None,
            rectification_correct_value=None,
            portability_recipient=None,
            restriction_what=None,
            complaint_outcome_wanted=None,
            source_conversation_id=REMOVED,
            source_text=REMOVED,
            conversation_id=None,
            anonymised_at=now,
        )
    ).rowcount
    n_ho = conn.execute(
        update(T_HO)
        .where(handoffs_where)
        .values(
            email=REMOVED,
            question=REMOVED,
            transcript=None,
            source_text=None,
            source_conversation_id=REMOVED,
            conversation_id=None,
            anonymised_at=now,
        )
    ).rowcount
    return n_req, n_ho, n_audit, n_clock


def anonymise_closed_of(
    conn: Connection, *, email_hash: str, email: str, except_request_id: int, now: dt.datetime
) -> tuple[int, int, int]:
    """Anonymise now the closed requests (but ``except_request_id``) and the handoffs of one person, for an
    erasure request (``erasure_checklist``); returns (requests, handoffs, mails). Open requests are left
    alone: they are still being handled."""
    n_req, n_ho, _, _ = _anonymise(
        conn,
        now,
        and_(
            T_REQ.c.email_hash == email_hash,
            T_REQ.c.id != except_request_id,
            T_REQ.c.anonymised_at.is_(None),
            T_REQ.c.status.in_([s.value for s in TERMINAL]),
        ),
        and_(func.lower(T_HO.c.email) == email.strip().lower(), T_HO.c.anonymised_at.is_(None)),
    )
    mails = _scrub_outbox(conn, and_(T_OUT.c.body != REMOVED, T_OUT.c.reference.in_(_anonymised_references())))
    return n_req, n_ho, mails


def purge(
    conn: Connection, *, now: dt.datetime, retention_days: int, outbox_grace_seconds: int = 0, dry_run: bool = False
) -> RetentionResult:
    """Anonymise what is due at ``now`` in the caller's write transaction ``conn``; counts only."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = now - dt.timedelta(days=retention_days)
    if dry_run:
        held_ids = select(T_REQ.c.id).where(_requests_due(cutoff))
        due_refs = (
            select(T_REQ.c.reference)
            .where(_requests_due(cutoff))
            .union(select(T_HO.c.reference).where(_handoffs_due(cutoff)))
        )
        n_out = _count(
            conn, T_OUT, or_(_outbox_due(now, outbox_grace_seconds), _outbox_due(now, outbox_grace_seconds, due_refs))
        )
        return RetentionResult(
            cutoff,
            _count(conn, T_REQ, _requests_due(cutoff)),
            _count(conn, T_HO, _handoffs_due(cutoff)),
            n_out,
            _count(conn, T_AUDIT, _audit_due(held_ids)),
            _count(conn, T_CLOCK, _clock_due(held_ids)),
        )
    n_req, n_ho, n_audit, n_clock = _anonymise(conn, now, _requests_due(cutoff), _handoffs_due(cutoff))
    n_out = scrub_sent_outbox(conn, now, outbox_grace_seconds)
    result = RetentionResult(cutoff, n_req, n_ho, n_out, n_audit, n_clock)
    if result.changed:
        conn.execute(
            insert(T_AUDIT).values(
                request_id=None,
                handoff_id=None,
                at=now,
                actor="system",
                action=AUDIT_ACTION,
                from_status=None,
                to_status=None,
                reason=f"retention {retention_days} days: {result.summary()}",
            )
        )
    return result
