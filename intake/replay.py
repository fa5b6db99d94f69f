"""Replay protection's store: the signatures already accepted (the ``used_signatures`` table).

A signed call is recorded when it is accepted (``auth.consume_signature``, and in the same
transaction as a new request in ``api_requests``), so an exact replay is refused.  A
signature older than twice ``SIGNATURE_MAX_AGE`` (plus a minute of clock skew) can no longer
pass the timestamp check, so keeping it protects nothing: ``forget_old_signatures`` deletes those.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from .db import Database
from .models import UsedSignature, utcnow


def replay_window(signature_max_age: float) -> dt.timedelta:
    """How long an accepted signature must be remembered."""
    return dt.timedelta(seconds=2 * signature_max_age + 60)


def forget_old_signatures(db: Database, signature_max_age: float, now: dt.datetime | None = None) -> int:
    """Delete the signatures that are past the replay window; return how many."""
    cutoff = (now or utcnow()) - replay_window(signature_max_age)
    with db.write() as s:
        return s.execute(delete(UsedSignature).where(UsedSignature.used_at < cutoff)).rowcount
