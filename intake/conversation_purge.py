"""The retention purge of the bot's conversations: delete from the tracker store every conversation
whose LAST event is older than ``CONVERSATION_RETENTION_DAYS`` (default 90, reason in the README),
except one that a request still open links to (its transcript belongs to that request's answer).

    python -m intake.conversation_purge [--dry-run] [--now 2027-03-01T00:00:00Z]
    make purge-conversations

It reads ``TRACKER_STORE_URL`` (the bot's store) and ``DATABASE_URL`` (the intake's requests), both
with the services' embedded defaults. Run it daily (cron, a systemd timer, a scheduled job of the
platform); it is idempotent: a second run with the same clock deletes nothing more.

Safe by construction:
- the open requests are read before anything is deleted; if the intake's database cannot be read,
  nothing is deleted;
- a conversation is deleted only if none of its events is newer than the cut-off, checked in the
  DELETE itself, so a shopper who comes back while the purge runs keeps the conversation whole;
- handoffs hold nothing: they have no open/closed state, the team answers them by email, and a
  handoff's conversation is at least as recent as the handoff, so it is kept the whole retention
  period after it anyway (with consent, the handoff row keeps its own copy of the transcript);
- it prints and audits counts only, never a conversation id or anything a shopper wrote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from .conversations import TrackerStore, TrackerStoreUnavailable
from .models import TERMINAL, AuditEvent, DsarRequest, utcnow
from .workflow import SYSTEM

AUDIT_ACTION = "conversations_purged"


class IntakeDatabaseUnavailable(RuntimeError):
    """The open requests could not be read, so nothing may be deleted."""


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    idle: int  # conversations whose last event is older than the cut-off
    held: int  # of those, kept because a request still open links to them
    deleted_conversations: int
    deleted_events: int

    def summary(self, dry_run: bool = False) -> str:
        verb = "would delete" if dry_run else "deleted"
        return (
            f"{verb} {self.deleted_conversations} conversation(s) ({self.deleted_events} events) whose last "
            f"event is before {self.cutoff.isoformat(timespec='seconds')}; {self.held} kept for open requests"
        )


def held_by_open_requests(intake_engine: Engine) -> set:
    """Conversation ids that a request not yet completed, refused or withdrawn links to."""
    query = select(DsarRequest.conversation_id).where(
        DsarRequest.conversation_id.isnot(None), DsarRequest.status.notin_(TERMINAL)
    )
    with intake_engine.connect() as conn:
        return set(conn.execute(query).scalars())


def purge(
    store: TrackerStore, intake_engine: Engine, *, now: dt.datetime, retention_days: int, dry_run: bool = False
) -> PurgeResult:
    """Delete the conversations idle since before ``now - retention_days`` that no open request holds."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = now - dt.timedelta(days=retention_days)
    idle = {cid for cid, last in store.last_activity().items() if last < cutoff.timestamp()}
    if not idle:
        return PurgeResult(cutoff, 0, 0, 0, 0)
    try:
        held = held_by_open_requests(intake_engine)  # before any delete: if this fails, nothing is deleted
    except Exception as exc:  # noqa: BLE001 - its message may quote the URL
        raise IntakeDatabaseUnavailable(
            f"the intake's database (DATABASE_URL) could not be read ({type(exc).__name__})"
        ) from None
    doomed = idle - held
    if dry_run or not doomed:
        return PurgeResult(cutoff, len(idle), len(idle & held), len(doomed) if dry_run else 0, 0)
    events = store.delete(doomed, idle_before=cutoff.timestamp())
    gone = len(doomed - store.stored(doomed))
    if gone:
        with intake_engine.begin() as conn:
            conn.execute(
                insert(AuditEvent.__table__).values(
                    request_id=None,
                    handoff_id=None,
                    at=utcnow(),
                    actor=SYSTEM,
                    action=AUDIT_ACTION,
                    from_status=None,
                    to_status=None,
                    reason=f"{gone} conversation(s) idle since before {cutoff.date().isoformat()} deleted from the "
                    f"tracker store ({len(idle & held)} kept for open requests)",
                )
            )
    return PurgeResult(cutoff, len(idle), len(idle & held), gone, events)


def _parse_now(text: Optional[str]) -> dt.datetime:
    if not text:
        return utcnow()
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"--now: not an ISO date-time: {text[:40]!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def main(argv=None, environ=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m intake.conversation_purge",
        description="Delete the bot's conversations older than the retention period.",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    parser.add_argument("--now", help="the clock to count from (ISO date-time, UTC if no offset); default: now")
    args = parser.parse_args(argv)
    from .config import load_config
    from .db import make_engine

    try:
        cfg = load_config(environ)
    except ValueError as exc:
        print(f"purge-conversations: {exc}", file=sys.stderr)
        return 2
    store = TrackerStore(cfg["TRACKER_STORE_URL"])
    intake_engine = make_engine(cfg["DATABASE_URL"])
    try:
        result = purge(
            store,
            intake_engine,
            now=_parse_now(args.now),
            retention_days=cfg["CONVERSATION_RETENTION_DAYS"],
            dry_run=args.dry_run,
        )
    except (TrackerStoreUnavailable, IntakeDatabaseUnavailable) as exc:
        print(f"purge-conversations: {exc}; stopped (a conversation is deleted whole or not at all)", file=sys.stderr)
        return 1
    finally:
        store.dispose()
        intake_engine.dispose()
    print(f"purge-conversations: {result.summary(args.dry_run)} (retention {cfg['CONVERSATION_RETENTION_DAYS']} days)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
