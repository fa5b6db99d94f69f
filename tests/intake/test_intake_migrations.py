"""Alembic migrations: upgrade from nothing, the models agree with them, downgrade works."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from intake import migrate
from intake.models import Base


@pytest.mark.postgres
def test_upgrade_matches_models_and_downgrades(db_url):
    # db_url is already at head (the fixtures call intake.migrate.upgrade)
    assert migrate.current_revision(db_url) == migrate.head_revision()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    migrate.downgrade(db_url, "base")
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(db_url)
    assert {"dsar_requests", "audit_events", "outbox"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_existing_requests_get_the_clock_events_their_columns_record(tmp_path):
    """0003 gives requests lodged before clock events their receipt, verification and extension, so
    the due dates derived from the events are the ones they already had."""
    import datetime as dt

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from intake import deadlines
    from intake.models import ClockEvent, DsarRequest

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    migrate.upgrade(url, "0002_sessions_clients")
    engine = create_engine(url)
    received = dt.datetime(2026, 1, 29, 10, 0)
    verified = dt.datetime(2026, 1, 30, 9, 0)
    start = dt.date(2026, 1, 30)
    rows = [
        ("SM-AAAA-0001", True, None, None),
        ("SM-AAAA-0002", True, verified, None),
        ("SM-AAAA-0003", True, verified, dt.datetime(2026, 2, 5, 12, 0)),
    ]
    with engine.begin() as c:
        for ref, needs, ver, ext in rows:
            due = (
                (deadlines.extended_due_date(start) if ext else deadlines.due_date(start))
                if ver
                else deadlines.due_date(received.date())
            )
            c.execute(
                text(
                    "INSERT INTO dsar_requests (reference, request_type, status, requester_name, requester_email, "
                    "email_hash, source_channel, source_conversation_id, source_text, idempotency_key, payload_hash, "
                    "verification_required, received_at, verified_at, clock_start_on, first_due_on, due_on, "
                    "extended_at, extension_reason, updated_at) VALUES (:ref, 'access', :st, 'A', 'a@example.org', "
                    "'h', 'web', 'c', 't', :ref, 'p', :needs, :rec, :ver, :start, :first, :due, :ext, :why, :rec)"
                ),
                dict(
                    ref=ref,
                    st="in_progress" if ver else "awaiting_verification",
                    needs=needs,
                    rec=received,
                    ver=ver,
                    start=start if ver else None,
                    first=deadlines.due_date(start if ver else received.date()),
                    due=due,
                    ext=ext,
                    why="complex" if ext else None,
                ),
            )
    migrate.upgrade(url)
    with Session(engine) as s:
        for req in s.query(DsarRequest).order_by(DsarRequest.id):
            events = s.query(ClockEvent).filter_by(request_id=req.id).order_by(ClockEvent.id)
            clock = deadlines.clock([(e.kind, e.on_date) for e in events], req.verification_required)
            assert (clock.due_on, clock.first_due_on, clock.started_on) == (
                req.due_on,
                req.first_due_on,
                req.clock_start_on,
            ), req.reference
    kinds = [k for (k,) in engine.connect().execute(text("SELECT kind FROM clock_events ORDER BY id"))]
    assert kinds == ["received", "received", "identity_confirmed", "received", "identity_confirmed", "extended"]
    engine.dispose()
