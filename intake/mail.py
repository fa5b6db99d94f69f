"""Mail: messages are written to the ``outbox`` table in the caller's transaction and sent
later by ``OutboxWorker`` (``flask --app intake outbox-worker``) with retries and backoff,
so an SMTP outage delays mail but loses none.

Subjects carry only the reference, the request type and the due date.  User-supplied text
only ever goes into message bodies; header values are checked for CR/LF when the message is
built (and ``email.message.EmailMessage`` refuses them too), so no field can add headers.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import re
import smtplib
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy import bindparam, delete, func, or_, select, update

from .db import Database
from .models import OutboxMessage, UsedSignature, utcnow

log = logging.getLogger("intake.mail")

T_OUTBOX = OutboxMessage.__table__

ICO_COMPLAINT = (
    "If you are unhappy with how we handle your request, please tell us first by replying to "
    "this email and quoting your reference. You also have the right to complain to the "
    "Information Commissioner's Office (ICO), the UK data protection regulator:\n"
    "  https://ico.org.uk/make-a-complaint/  -  telephone 0303 123 1113"
)

TYPE_LABELS = {
    "access": "a copy of your personal data (subject access request)",
    "erasure": "erasure of your personal data",
    "rectification": "correction of your personal data",
    "marketing_opt_out": "no more direct marketing",
    "objection": "an objection to how we use your personal data",
}

OBJECTION_LABELS = {
    "profiling": "profiling / automated scoring",
    "credit_checks": "credit and fraud checks",
    "marketing": "marketing",
}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y} ({day:%A})"


class HeaderInjection(ValueError):
    pass


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise HeaderInjection("line break in a mail header value")
    return value


# --- enqueueing -----------------------------------------------------------------------------


def outbox_row(*, kind: str, recipient: str, subject: str, body: str, reference: str | None = None,
               reply_to: str | None = None, now: dt.datetime | None = None) -> dict:
    """The column values of an outbox message; header values are checked here."""
    _header_value(recipient)
    _header_value(subject)
    if reply_to:
        _header_value(reply_to)
    now = now or utcnow()
    return dict(created_at=now, kind=kind, reference=reference, recipient=recipient, reply_to=reply_to,
                subject=subject, body=body, status="pending", attempts=0, next_attempt_at=now,
                locked_until=None, last_error=None, sent_at=None)


def enqueue(session, *, kind: str, recipient: str, subject: str, body: str,
            reference: str | None = None, reply_to: str | None = None) -> OutboxMessage:
    """Add a message to the outbox within the caller's (ORM) transaction."""
    msg = OutboxMessage(**outbox_row(kind=kind, recipient=recipient, subject=subject, body=body,
                                     reference=reference, reply_to=reply_to))
    session.add(msg)
    return msg


def staff_url(cfg, path: str) -> str:
    return cfg["INTAKE_PUBLIC_URL"] + path


def team_new_request(cfg, req) -> tuple[str, str]:
    subject = f"[DSAR] {req.reference} {req.request_type} - due {req.due_on.isoformat()}"
    lines = [
        "A new data-rights request arrived through the chat assistant.",
        "",
        f"Reference:    {req.reference}",
        f"Type:         {req.request_type}",
        f"Status:       {req.status}",
        f"Received:     {req.received_at:%Y-%m-%d %H:%M} UTC",
        f"Due by:       {req.due_on.isoformat()}"
        + (" (provisional: the clock starts when the requester verifies their email)"
           if req.status == "awaiting_verification" else ""),
        "",
        "Open the request (staff login required):",
        f"  {staff_url(cfg, '/staff/requests/' + req.reference)}",
        "",
        "Personal details are on the staff page, not in this email.",
    ]
    return subject, "\n".join(lines) + "\n"


def requester_acknowledgement(cfg, req, verify_link: str | None) -> tuple[str, str]:
    subject = f"Your Session Music data request {req.reference} - due {req.due_on.isoformat()}"
    what = TYPE_LABELS[req.request_type]
    if req.request_type == "objection" and req.objection_processing:
        what += f" ({OBJECTION_LABELS.get(req.objection_processing, req.objection_processing)})"
    lines = [
        f"Dear {req.requester_name},",
        "",
        "Thank you for contacting Session Music about your personal data. We have logged your request:",
        "",
        f"  Reference:  {req.reference}",
        f"  Request:    {what}",
        f"  Received:   {long_date(req.received_at.date())}",
    ]
    if req.request_type == "marketing_opt_out":
        lines += [
            "  Status:     done",
            "",
            "We have stopped direct marketing to this address straight away and added it to our "
            "marketing suppression list (we keep only a one-way scrambled form of the address there, "
            "so that we never contact it again by mistake). You do not need to do anything else.",
        ]
    else:
        lines += [
            f"  Due by:     {long_date(req.due_on)}",
            "",
            "Before we act on it we need to make sure this email address is yours. Please open "
            "this link and press the \"Confirm my request\" button within 24 hours:",
            "",
            f"  {verify_link}",
            "",
            "The one-month time limit for our reply starts on the day you confirm, so the due date "
            "above is provisional: we will count one calendar month from the day you confirm "
            "(moved to the next working day if it falls on a weekend or bank holiday). If you did "
            "not make this request, ignore this email: nothing happens without confirmation.",
        ]
    lines += [
        "",
        "This request is free of charge. We do not charge a fee for data-rights requests.",
        "",
        ICO_COMPLAINT,
        "",
        "Session Music",
    ]
    return subject, "\n".join(lines) + "\n"


def team_verified(cfg, req) -> tuple[str, str]:
    subject = f"[DSAR] {req.reference} {req.request_type} - verified, due {req.due_on.isoformat()}"
    body = (
        f"The requester verified their email address for {req.reference}; the one-month clock "
        f"started on {req.clock_start_on.isoformat()}.\n\nDue by: {req.due_on.isoformat()}\n\n"
        f"  {staff_url(cfg, '/staff/requests/' + req.reference)}\n"
    )
    return subject, body


def requester_extension(cfg, req) -> tuple[str, str]:
    subject = f"Your Session Music data request {req.reference} - extended, due {req.due_on.isoformat()}"
    body = "\n".join([
        f"Dear {req.requester_name},",
        "",
        f"We need more time to answer your request {req.reference}, as the law allows for complex "
        "requests. We will reply by:",
        "",
        f"  {long_date(req.due_on)}",
        "",
        "Why we need more time:",
        f"  {req.extension_reason}",
        "",
        "Your request remains free of charge.",
        "",
        ICO_COMPLAINT,
        "",
        "Session Music",
    ]) + "\n"
    return subject, body


def team_handoff(cfg, handoff, transcript: list | None) -> tuple[str, str]:
    subject = f"[Handoff] {handoff.reference} question - reply within 2 working days"
    lines = [
        "The chat assistant could not answer a shopper's question.",
        "",
        f"Reference:  {handoff.reference}",
        f"Reply to:   {handoff.email}",
        f"Channel:    {handoff.source_channel}",
        "",
        "Question:",
        handoff.question,
        "",
    ]
    if transcript:
        lines += ["Conversation transcript (shared with the shopper's consent):", ""]
        for turn in transcript:
            who = "Shopper" if turn["sender"] == "user" else "Assistant"
            lines.append(f"{who}: {turn['text']}")
        lines.append("")
    else:
        lines += ["(No transcript: the shopper did not consent to sharing it.)", ""]
    lines += ["Staff page:", f"  {staff_url(cfg, '/staff/handoffs/' + handoff.reference)}"]
    return subject, "\n".join(lines) + "\n"


_CODE_IN_LINK = re.compile(r"(\?code=)[A-Za-z0-9_-]+")


def redact_secrets(body: str) -> str:
    """Once a mail is sent, the copy we keep no longer holds a usable verification code."""
    return _CODE_IN_LINK.sub(r"\1[removed-after-sending]", body)


# --- sending -------------------------------------------------------------------------------


def build_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _header_value(mail_from)
    msg["To"] = _header_value(row.recipient)
    if row.reply_to:
        msg["Reply-To"] = _header_value(row.reply_to)
    msg["Subject"] = _header_value(row.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="sessionmusic.co.uk")
    if row.reference:
        msg["X-SM-Reference"] = _header_value(row.reference)
    msg.set_content(row.body)
    return msg


def _describe_error(exc: BaseException) -> str:
    # Never str(exc): SMTP errors can quote addresses.
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}" + (f" {code}" if code else "")


class OutboxWorker:
    """Sends pending outbox messages; failed sends are retried with exponential backoff."""

    LEASE_SECONDS = 120

    def __init__(self, db: Database, cfg: dict):
        self.db = db
        self.cfg = cfg
        self.stop_event = threading.Event()
        self._last_prune = 0.0

    # claim / record ---------------------------------------------------------------------
    def _claim(self, exclude: set[int], limit: int = 50) -> list[OutboxMessage]:
        """Lease up to ``limit`` due messages (safe with several workers)."""
        now = utcnow()
        # a lease value of our own, so we can tell which rows this claim won
        lease = now + dt.timedelta(seconds=self.LEASE_SECONDS, microseconds=random.randrange(1, 999_999))
        free = or_(T_OUTBOX.c.locked_until.is_(None), T_OUTBOX.c.locked_until < now)
        with self.db.write_conn() as conn:
            ids = conn.execute(
                select(T_OUTBOX.c.id)
                .where(T_OUTBOX.c.status == "pending", T_OUTBOX.c.next_attempt_at <= now, free)
                .order_by(T_OUTBOX.c.id)
                .limit(limit + len(exclude))
            ).scalars().all()
            ids = [i for i in ids if i not in exclude][:limit]
            if not ids:
                return []
            conn.execute(update(T_OUTBOX).where(T_OUTBOX.c.id.in_(ids), T_OUTBOX.c.status == "pending", free)
                         .values(locked_until=lease))
        with self.db.read() as s:
            rows = s.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                         OutboxMessage.locked_until == lease)
                             .order_by(OutboxMessage.id)).scalars().all()
        return list(rows)

    def _backoff(self, attempts: int) -> float:
        base = self.cfg["OUTBOX_BACKOFF_BASE"]
        delay = min(base * (2 ** max(attempts - 1, 0)), self.cfg["OUTBOX_BACKOFF_MAX"])
        return delay * random.uniform(0.8, 1.2)

    def _outcome(self, row: OutboxMessage, error: BaseException | None) -> tuple[str, dict]:
        now = utcnow()
        if error is None:
            return "sent", dict(b_id=row.id, b_status="sent", b_attempts=row.attempts + 1, b_error=None,
                                b_next=row.next_attempt_at, b_sent=now, b_body=redact_secrets(row.body))
        attempts = row.attempts + 1
        give_up = attempts >= self.cfg["OUTBOX_MAX_ATTEMPTS"] or isinstance(error, ValueError)
        return ("failed" if give_up else "retry"), dict(
            b_id=row.id, b_status="failed" if give_up else "pending", b_attempts=attempts,
            b_error=_describe_error(error)[:255], b_sent=None, b_body=row.body,
            b_next=now + dt.timedelta(seconds=self._backoff(attempts)))

    def _record(self, results: list[dict]) -> None:
        """Write the outcome of a batch in one short transaction."""
        if not results:
            return
        stmt = (update(T_OUTBOX).where(T_OUTBOX.c.id == bindparam("b_id"))
                .values(status=bindparam("b_status"), attempts=bindparam("b_attempts"),
                        last_error=bindparam("b_error"), next_attempt_at=bindparam("b_next"),
                        sent_at=bindparam("b_sent"), body=bindparam("b_body"), locked_until=None))
        with self.db.write_conn() as conn:
            conn.execute(stmt, results)

    # SMTP -------------------------------------------------------------------------------
    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"])
        try:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg.get("SMTP_USERNAME"):
                smtp.login(cfg["SMTP_USERNAME"], cfg.get("SMTP_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send_batch(self, rows: list[OutboxMessage]) -> dict:
        stats = {"sent": 0, "retry": 0, "failed": 0}
        results: list[dict] = []

        def note(row, error):
            outcome, values = self._outcome(row, error)
            stats[outcome] += 1
            results.append(values)
            return outcome

        envelope_from = parseaddr(self.cfg["MAIL_FROM"])[1]
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("SMTP server %s:%s unavailable (%s); %d message(s) will be retried",
                        self.cfg["SMTP_HOST"], self.cfg["SMTP_PORT"], _describe_error(exc), len(rows))
            for row in rows:
                note(row, exc)
            self._record(results)
            return stats
        try:
            for index, row in enumerate(rows):
                try:
                    msg = build_message(row, self.cfg["MAIL_FROM"])
                    smtp.send_message(msg, from_addr=envelope_from, to_addrs=[row.recipient])
                except (OSError, smtplib.SMTPException, ValueError) as exc:
                    outcome = note(row, exc)
                    log.warning("outbox message %s (%s) not sent: %s; %s", row.id, row.kind,
                                _describe_error(exc), outcome)
                    if isinstance(exc, smtplib.SMTPServerDisconnected) or (
                            isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)):
                        # the connection is gone: the rest go back for the next round
                        for rest in rows[index + 1:]:
                            note(rest, exc)
                        break
                else:
                    note(row, None)
                    log.info("outbox message %s (%s, %s) sent", row.id, row.kind, row.reference or "-")
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
            self._record(results)
        return stats

    # loops ------------------------------------------------------------------------------
    def run_once(self) -> dict:
        """Send everything that is due now; failures are rescheduled. Returns counts."""
        totals = {"sent": 0, "retry": 0, "failed": 0}
        seen: set[int] = set()
        while not self.stop_event.is_set():
            rows = self._claim(seen)
            if not rows:
                break
            seen.update(r.id for r in rows)
            for k, v in self.send_batch(rows).items():
                totals[k] += v
        self.prune()
        return totals

    def pending_count(self) -> int:
        with self.db.read() as s:
            return s.execute(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "pending")).scalar_one()

    def prune(self, force: bool = False) -> None:
        """Forget replay-protection signatures that are too old to be replayed anyway."""
        if not force and time.monotonic() - self._last_prune < 60:
            return
        self._last_prune = time.monotonic()
        cutoff = utcnow() - dt.timedelta(seconds=2 * self.cfg["SIGNATURE_MAX_AGE"] + 60)
        with self.db.write() as s:
            s.execute(delete(UsedSignature).where(UsedSignature.used_at < cutoff))

    def run_forever(self) -> None:
        log.info("outbox worker started (SMTP %s:%s, poll every %ss)",
                 self.cfg["SMTP_HOST"], self.cfg["SMTP_PORT"], self.cfg["OUTBOX_POLL_INTERVAL"])
        while not self.stop_event.is_set():
            try:
                self.run_once()
            except Exception as exc:  # keep the loop alive through DB hiccups
                log.error("outbox worker round failed: %s", type(exc).__name__)
            self.stop_event.wait(self.cfg["OUTBOX_POLL_INTERVAL"])
        log.info("outbox worker stopped")
