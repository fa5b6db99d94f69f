"""The outbox worker (``flask --app intake outbox-worker``): sends the messages ``mail`` queued.

Due messages are leased (safe with several workers), sent over one SMTP connection per
batch and their outcome written back in one short transaction; a failed send is retried
with exponential backoff and jitter until ``OUTBOX_MAX_ATTEMPTS``.  Once sent, the stored
copy keeps no body and no addresses (``retention``: at once, or after
``OUTBOX_SENT_BODY_GRACE_SECONDS``, until when its body keeps no usable verification code).  The worker's loop also runs the replay
store's clean-up (``replay.forget_old_signatures``), the service's only periodic job.
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

from sqlalchemy import bindparam, func, or_, select, update

from . import replay, retention
from .db import Database
from .mail import header_value
from .models import OutboxMessage, utcnow

log = logging.getLogger("intake.outbox_worker")

T_OUTBOX = OutboxMessage.__table__

_CODE_IN_LINK = re.compile(r"(\?code=)[A-Za-z0-9_-]+")
_ONE_TIME_CODE = re.compile(r"(one-time code: )[0-9A-Z]{4}-[0-9A-Z]{4}")


def redact_secrets(body: str) -> str:
    """Once a mail is sent, the copy we keep no longer holds a usable verification code."""
    body = _CODE_IN_LINK.sub(r"\1[removed-after-sending]", body)
    return _ONE_TIME_CODE.sub(r"\1[removed-after-sending]", body)  # a delivery's code (delivery.py)


def build_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = header_value(mail_from)
    msg["To"] = header_value(row.recipient)
    if row.reply_to:
        msg["Reply-To"] = header_value(row.reply_to)
    msg["Subject"] = header_value(row.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="sessionmusic.co.uk")
    if row.reference:
        msg["X-SM-Reference"] = header_value(row.reference)
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
        """Lease up to ``limit`` due messages (safe with several workers).

        On PostgreSQL the due rows are read with ``FOR UPDATE SKIP LOCKED``: a row another worker
        is claiming at this moment is skipped rather than waited for, so concurrent claims get
        disjoint batches at once (tests/intake/test_intake_outbox_race.py races two workers).  SQLite
        has no row locks (SQLAlchemy renders no FOR UPDATE there); its claims are serialised by the
        write transaction (``BEGIN IMMEDIATE`` and the write lock, ``db.py``).  Either way the lease
        is written before the claim commits and no send starts before that commit.
        """
        now = utcnow()
        # a lease value of our own, so we can tell which rows this claim won
        lease = now + dt.timedelta(seconds=self.LEASE_SECONDS, microseconds=random.randrange(1, 999_999))
        free = or_(T_OUTBOX.c.locked_until.is_(None), T_OUTBOX.c.locked_until < now)
        with self.db.write_conn() as conn:
            ids = (
                conn.execute(
                    select(T_OUTBOX.c.id)
                    .where(T_OUTBOX.c.status == "pending", T_OUTBOX.c.next_attempt_at <= now, free)
                    .order_by(T_OUTBOX.c.id)
                    .limit(limit + len(exclude))
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            ids = [i for i in ids if i not in exclude][:limit]
            if not ids:
                return []
            conn.execute(
                update(T_OUTBOX)
                .where(T_OUTBOX.c.id.in_(ids), T_OUTBOX.c.status == "pending", free)
                .values(locked_until=lease)
            )
        with self.db.read() as s:
            rows = (
                s.execute(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids), OutboxMessage.locked_until == lease)
                    .order_by(OutboxMessage.id)
                )
                .scalars()
                .all()
            )
        return list(rows)

    def _backoff(self, attempts: int) -> float:
        base = self.cfg["OUTBOX_BACKOFF_BASE"]
        delay = min(base * (2 ** max(attempts - 1, 0)), self.cfg["OUTBOX_BACKOFF_MAX"])
        return delay * random.uniform(0.8, 1.2)

    def _outcome(self, row: OutboxMessage, error: BaseException | None) -> tuple[str, dict]:
        now = utcnow()
        if error is None:
            kept = dict(b_body=redact_secrets(row.body), b_recipient=row.recipient, b_reply_to=row.reply_to)
            if not self.cfg.get("OUTBOX_SENT_BODY_GRACE_SECONDS", 0):  # retention: nothing kept once sent
                kept = dict(b_body=retention.REMOVED, b_recipient=retention.REMOVED, b_reply_to=None)
            return "sent", dict(
                b_id=row.id,
                b_status="sent",
                b_attempts=row.attempts + 1,
                b_error=None,
                b_next=row.next_attempt_at,
                b_sent=now,
                **kept,
            )
        attempts = row.attempts + 1
        give_up = attempts >= self.cfg["OUTBOX_MAX_ATTEMPTS"] or isinstance(error, ValueError)
        return ("failed" if give_up else "retry"), dict(
            b_id=row.id,
            b_status="failed" if give_up else "pending",
            b_attempts=attempts,
            b_error=_describe_error(error)[:255],
            b_sent=None,
            b_body=row.body,
            b_recipient=row.recipient,
            b_reply_to=row.reply_to,
            b_next=now + dt.timedelta(seconds=self._backoff(attempts)),
        )

    def _record(self, results: list[dict]) -> None:
        """Write the outcome of a batch in one short transaction."""
        if not results:
            return
        stmt = (
            update(T_OUTBOX)
            .where(T_OUTBOX.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                attempts=bindparam("b_attempts"),
                last_error=bindparam("b_error"),
                next_attempt_at=bindparam("b_next"),
                sent_at=bindparam("b_sent"),
                body=bindparam("b_body"),
                recipient=bindparam("b_recipient"),
                reply_to=bindparam("b_reply_to"),
                locked_until=None,
            )
        )
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
            log.warning(
                "SMTP server %s:%s unavailable (%s); %d message(s) will be retried",
                self.cfg["SMTP_HOST"],
                self.cfg["SMTP_PORT"],
                _describe_error(exc),
                len(rows),
            )
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
                    log.warning(
                        "outbox message %s (%s) not sent: %s; %s", row.id, row.kind, _describe_error(exc), outcome
                    )
                    if isinstance(exc, smtplib.SMTPServerDisconnected) or (
                        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
                    ):
                        # the connection is gone: the rest go back for the next round
                        for rest in rows[index + 1 :]:
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
            return s.execute(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
            ).scalar_one()

    def prune(self, force: bool = False) -> None:
        """Once a minute, forget the replay-protection signatures too old to be replayed (``replay``), and
        remove the body and addresses of mail sent longer than ``OUTBOX_SENT_BODY_GRACE_SECONDS`` ago
        (``retention``; with no grace the send itself removed them)."""
        if not force and time.monotonic() - self._last_prune < 60:
            return
        self._last_prune = time.monotonic()
        replay.forget_old_signatures(self.db, self.cfg["SIGNATURE_MAX_AGE"])
        grace = self.cfg.get("OUTBOX_SENT_BODY_GRACE_SECONDS", 0)
        if grace:
            with self.db.write_conn() as conn:
                retention.scrub_sent_outbox(conn, utcnow(), grace)

    def run_forever(self) -> None:
        log.info(
            "outbox worker started (SMTP %s:%s, poll every %ss)",
            self.cfg["SMTP_HOST"],
            self.cfg["SMTP_PORT"],
            self.cfg["OUTBOX_POLL_INTERVAL"],
        )
        while not self.stop_event.is_set():
            try:
                self.run_once()
            except Exception as exc:  # keep the loop alive through DB hiccups
                log.error("outbox worker round failed: %s", type(exc).__name__)
            self.stop_event.wait(self.cfg["OUTBOX_POLL_INTERVAL"])
        log.info("outbox worker stopped")
