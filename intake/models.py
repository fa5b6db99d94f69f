"""Database tables (SQLAlchemy 1.4 declarative, also valid on 2.0).

The schema itself is created by the Alembic migrations in ``intake/migrations``;
``tests/intake/test_migrations.py`` checks that these models and the migrations agree.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC in the database, hands back timezone-aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


# --- request types and statuses ---------------------------------------------------------

from dsar_contract.request_types import (  # noqa: E402,F401  (defined once, shared with the bot; models.REQUEST_TYPES)
    AUTOMATED_DECISION_SAFEGUARDS,
    COMPLAINT_SUBJECTS,
    REQUEST_TYPES,
    RESTRICTION_GROUNDS,
)

#: Types for which the requester must prove they own the address before we act.
VERIFIED_TYPES = frozenset({"access", "erasure", "rectification", "objection", "portability", "restriction"})
#: A complaint to the shop (DPA 2018 s.164A): acknowledged at once, no verification, no one-month clock.
COMPLAINT = "complaint"
COMPLAINT_OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
OBJECTION_PROCESSING = ("profiling", "credit_checks", "marketing")


class RequestStatus(str, enum.Enum):
    """Where a request is in its lifecycle (``intake/workflow.py`` moves it).

    A ``str`` so that the database, the JSON and the templates keep the same strings
    (``RequestStatus.IN_PROGRESS == "in_progress"``, same hash, ``str()`` gives the value).
    """

    RECEIVED = "received"
    AWAITING_VERIFICATION = "awaiting_verification"
    IN_PROGRESS = "in_progress"
    #: the clock is stopped: staff asked the requester a clarification and wait for the answer
    AWAITING_CLARIFICATION = "awaiting_clarification"
    COMPLETED = "completed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    __hash__ = str.__hash__  # equal to its string, so it must hash like it (Enum hashes the name)

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__


RECEIVED = RequestStatus.RECEIVED
AWAITING_VERIFICATION = RequestStatus.AWAITING_VERIFICATION
IN_PROGRESS = RequestStatus.IN_PROGRESS
AWAITING_CLARIFICATION = RequestStatus.AWAITING_CLARIFICATION
COMPLETED = RequestStatus.COMPLETED
REFUSED = RequestStatus.REFUSED
WITHDRAWN = RequestStatus.WITHDRAWN
STATUSES = tuple(s.value for s in RequestStatus)
TERMINAL = frozenset({COMPLETED, REFUSED, WITHDRAWN})


class StatusColumn(TypeDecorator):
    """A status column: stores the plain string, hands back a ``RequestStatus``; refuses any other value."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else RequestStatus(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else RequestStatus(value)


ROLES = ("viewer", "caseworker", "admin")


class StaffUser(Base):
    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    #: copied into the session cookie at login; bumped on logout, password change and
    #: deactivation, so every cookie issued before stops working (auth.current_staff)
    session_version = Column(Integer, nullable=False, default=1, server_default="1")

    tokens = relationship("StaffToken", back_populates="staff_user")


class StaffToken(Base):
    __tablename__ = "staff_tokens"
    id = Column(Integer, primary_key=True)
    staff_user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    label = Column(String(120), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at = Column(UTCDateTime, nullable=True)

    staff_user = relationship("StaffUser", back_populates="tokens")


class DsarRequest(Base):
    __tablename__ = "dsar_requests"
    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    request_type = Column(String(24), nullable=False)
    status = Column(StatusColumn, nullable=False)

    requester_name = Column(String(200), nullable=False)
    requester_email = Column(String(254), nullable=False)
    #: sha256 of the normalised address; used for the status look-up
    email_hash = Column(String(64), nullable=False)
    requester_phone = Column(String(40), nullable=True)

    details = Column(Text, nullable=True)
    rectification_what = Column(Text, nullable=True)
    rectification_correct_value = Column(Text, nullable=True)
    objection_processing = Column(String(24), nullable=True)
    #: comma-separated AUTOMATED_DECISION_SAFEGUARDS asked for with an objection to profiling (Art 22C)
    objection_safeguards = Column(String(120), nullable=True)
    #: portability: "requester" (send it to me) or the organisation to send it to
    portability_recipient = Column(Text, nullable=True)
    restriction_what = Column(Text, nullable=True)
    restriction_grounds = Column(String(24), nullable=True)

    #: complaints (request_type "complaint"): what about, the request complained of, what they want
    complaint_subject = Column(String(24), nullable=True)
    complaint_reference = Column(String(16), nullable=True)
    complaint_outcome_wanted = Column(Text, nullable=True)
    #: 30 calendar days from receipt (s.164A); due_on holds the same day for sorting
    acknowledgement_due_on = Column(Date, nullable=True)
    #: when the acknowledgement email was queued (it is queued with the complaint, so at receipt)
    acknowledged_at = Column(UTCDateTime, nullable=True)
    #: COMPLAINT_OUTCOMES; the reason is closing_reason
    complaint_outcome = Column(String(24), nullable=True)

    source_channel = Column(String(64), nullable=False)
    source_conversation_id = Column(String(200), nullable=False)
    source_text = Column(Text, nullable=False)
    #: the bot's stored conversation (tracker store sender id) the request was lodged in, if any
    conversation_id = Column(String(128), nullable=True)

    idempotency_key = Column(String(200), nullable=False, unique=True)
    payload_hash = Column(String(64), nullable=False)

    verification_required = Column(Boolean, nullable=False)
    received_at = Column(UTCDateTime, nullable=False)
    verified_at = Column(UTCDateTime, nullable=True)
    #: the day the legal clock started (receipt for unverified types, verification otherwise)
    clock_start_on = Column(Date, nullable=True)
    first_due_on = Column(Date, nullable=False)
    due_on = Column(Date, nullable=False)
    extended_at = Column(UTCDateTime, nullable=True)
    extension_reason = Column(Text, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    closing_reason = Column(Text, nullable=True)
    updated_at = Column(UTCDateTime, nullable=False)
    #: when the retention purge removed the requester's details and free text (``retention.py``)
    anonymised_at = Column(UTCDateTime, nullable=True)

    audit_events = relationship("AuditEvent", back_populates="request", order_by="AuditEvent.id", viewonly=True)

    __table_args__ = (
        Index("ix_dsar_requests_due_on", "due_on"),
        Index("ix_dsar_requests_conversation_id", "conversation_id"),
    )


class Verification(Base):
    __tablename__ = "verifications"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=False, index=True)
    code_hash = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    failed_attempts = Column(Integer, nullable=False, default=0)
    used_at = Column(UTCDateTime, nullable=True)
    revoked_at = Column(UTCDateTime, nullable=True)


class VerificationFailure(Base):
    """Wrong codes for one verification link from one client (keyed HMAC of its address), so
    that a client who guesses wrong locks the link for itself, not for the requester."""

    __tablename__ = "verification_failures"
    id = Column(Integer, primary_key=True)
    verification_id = Column(Integer, ForeignKey("verifications.id"), nullable=False)
    client_hash = Column(String(64), nullable=False)
    failures = Column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_verification_failures_client", "verification_id", "client_hash", unique=True),)


class AuditEvent(Base):
    """Append-only: the migrations add database triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=True, index=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=True, index=True)
    at = Column(UTCDateTime, nullable=False)
    actor = Column(String(120), nullable=False)
    action = Column(String(40), nullable=False)
    from_status = Column(StatusColumn, nullable=True)
    to_status = Column(StatusColumn, nullable=True)
    reason = Column(Text, nullable=True)

    request = relationship("DsarRequest", back_populates="audit_events", viewonly=True)


class ClockEvent(Base):
    """What starts and stops a request's clock (``deadlines.CLOCK_EVENT_KINDS``), one row per event,
    written by ``workflow`` beside the audit event of the same move.  The due date is derived from
    these rows (``deadlines.clock``); like the audit table, the database refuses UPDATE and DELETE.
    """

    __tablename__ = "clock_events"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    #: the shop's calendar day it happened (INTAKE_TIMEZONE): what the clock counts
    on_date = Column(Date, nullable=False)
    at = Column(UTCDateTime, nullable=False)
    actor = Column(String(120), nullable=False)
    #: how identity was confirmed, the question asked, the answer, the extension's reason
    note = Column(Text, nullable=True)
    #: clarification_asked: sha256 of the reply link's one-time code
    code_hash = Column(String(64), nullable=True)
    #: clarification_received: the question it answers (unique: a question is answered once)
    answers_id = Column(Integer, ForeignKey("clock_events.id"), nullable=True, unique=True)


class Handoff(Base):
    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    email = Column(String(254), nullable=False)
    question = Column(Text, nullable=False)
    consent_to_transcript = Column(Boolean, nullable=False)
    #: JSON list of {"sender", "text"}; only stored with consent
    transcript = Column(Text, nullable=True)
    source_channel = Column(String(64), nullable=False)
    source_conversation_id = Column(String(200), nullable=False)
    source_text = Column(Text, nullable=True)
    #: the bot's stored conversation (tracker store sender id) the handoff was lodged in, if any
    conversation_id = Column(String(128), nullable=True)
    idempotency_key = Column(String(200), nullable=False, unique=True)
    payload_hash = Column(String(64), nullable=False)
    received_at = Column(UTCDateTime, nullable=False)
    #: when the retention purge removed the email, the question and the transcript (``retention.py``)
    anonymised_at = Column(UTCDateTime, nullable=True)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False)
    kind = Column(String(40), nullable=False)
    reference = Column(String(16), nullable=True)
    recipient = Column(String(254), nullable=False)
    reply_to = Column(String(254), nullable=True)
    subject = Column(String(255), nullable=False)
    body = Column(Text, nullable=False)
    status = Column(String(12), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False)
    locked_until = Column(UTCDateTime, nullable=True)
    last_error = Column(String(255), nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class UsedSignature(Base):
    """Signatures already accepted, so an exact replay is refused."""

    __tablename__ = "used_signatures"
    signature = Column(String(64), primary_key=True)
    used_at = Column(UTCDateTime, nullable=False, index=True)


class SuppressedEmail(Base):
    """Marketing suppression list: sha256 of the normalised address, never the address."""

    __tablename__ = "suppression_list"
    email_hash = Column(String(64), primary_key=True)
    added_at = Column(UTCDateTime, nullable=False)
    reference = Column(String(16), nullable=True)


class ShopifyWebhook(Base):
    """One accepted delivery of a Shopify privacy webhook (``intake/shopify_webhooks.py``).

    ``webhook_id`` (X-Shopify-Webhook-Id) is unique, so a second delivery of the same webhook
    creates nothing; so is ``event_id`` (X-Shopify-Event-Id) when Shopify sends one.  A
    customers/data_request or customers/redact delivery links the request it created; a shop/redact
    delivery stands alone for staff (``/staff/shopify``).  The payload itself is not kept: the
    customer's email and phone are on the request, the ids below are all staff need in Shopify.
    """

    __tablename__ = "shopify_webhooks"
    id = Column(Integer, primary_key=True)
    webhook_id = Column(String(100), nullable=False, unique=True)
    event_id = Column(String(100), nullable=True, unique=True)
    topic = Column(String(40), nullable=False)
    shop_id = Column(String(100), nullable=False)
    shop_domain = Column(String(255), nullable=False)
    api_version = Column(String(20), nullable=True)
    #: Shopify's customer id (customers/* topics)
    customer_id = Column(String(100), nullable=True)
    #: JSON list of Shopify order ids (orders_requested / orders_to_redact)
    order_ids = Column(Text, nullable=True)
    #: Shopify's data request id (customers/data_request)
    data_request_id = Column(String(100), nullable=True)
    received_at = Column(UTCDateTime, nullable=False)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=True, index=True)

    request = relationship("DsarRequest", viewonly=True)


class ErasureChecklistItem(Base):
    """What staff did with one data source for an erasure request (``intake/erasure_checklist.py``):
    ``decision`` "erased", or "kept" with the ``reason`` (the law that requires it); a source without a
    row is still to be decided.  The audit trail keeps every decision; this row the current one."""

    __tablename__ = "erasure_checklist_items"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=False)
    source = Column(String(32), nullable=False)
    decision = Column(String(8), nullable=False)
    reason = Column(Text, nullable=True)
    decided_by = Column(String(120), nullable=False)
    decided_at = Column(UTCDateTime, nullable=False)

    __table_args__ = (UniqueConstraint("request_id", "source", name="uq_erasure_checklist_request_source"),)


class DeliveryFile(Base):
    """One file of a request's answer (``intake/delivery.py``): stored Fernet-encrypted under
    ``DELIVERY_DIR`` as ``storage_name`` (random, says nothing about the request).  ``deleted_at`` is set
    when the file leaves the disk (last allowed download, link expired, request closed without a delivery,
    staff removed it); the row stays as the record of what was sent."""

    __tablename__ = "delivery_files"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=False, index=True)
    storage_name = Column(String(64), nullable=False, unique=True)
    #: the name the shopper's download gets (sanitised); blanked by the retention purge
    filename = Column(String(200), nullable=False)
    content_type = Column(String(100), nullable=False)
    size_bytes = Column(Integer, nullable=False)
    #: "upload" (staff) or "transcript" (the linked chat, attached by staff)
    source = Column(String(16), nullable=False)
    added_by = Column(String(120), nullable=False)
    added_at = Column(UTCDateTime, nullable=False)
    downloads = Column(Integer, nullable=False, default=0)
    deleted_at = Column(UTCDateTime, nullable=True)
    deleted_reason = Column(String(60), nullable=True)


class Delivery(Base):
    """A download link for a request's files, emailed on completion: only the sha256 of the link's
    token and of the one-time code (sent in a separate email) are stored.  It ends (``ended_at``) when it
    expires, when every file has had its last download, or when staff re-issue it (once)."""

    __tablename__ = "deliveries"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("dsar_requests.id"), nullable=False, index=True)
    link_hash = Column(String(64), nullable=False, unique=True)
    code_hash = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    issued_by = Column(String(120), nullable=False)
    #: the link this one replaced (a re-issue), if any
    reissue_of = Column(Integer, ForeignKey("deliveries.id"), nullable=True)
    code_used_at = Column(UTCDateTime, nullable=True)
    failed_attempts = Column(Integer, nullable=False, default=0)
    ended_at = Column(UTCDateTime, nullable=True)
    ended_reason = Column(String(60), nullable=True)


class DeliveryFailure(Base):
    """Wrong codes for one delivery link from one client (keyed HMAC of its address), as
    ``VerificationFailure``: a guesser locks the link for itself, not for the shopper."""

    __tablename__ = "delivery_failures"
    id = Column(Integer, primary_key=True)
    delivery_id = Column(Integer, ForeignKey("deliveries.id"), nullable=False)
    client_hash = Column(String(64), nullable=False)
    failures = Column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_delivery_failures_client", "delivery_id", "client_hash", unique=True),)
