"""clock events (UK GDPR Art 12A: receipt, identity, clarification asked/received, extension)

The due date is derived from these rows (intake/deadlines.py ``clock``).  Requests that exist
already get the events their columns record (receipt, verification, extension), so their due
dates stay what they were.  Append-only, like the audit trail.

Revision ID: 0003_clock_events
Revises: 0002_sessions_clients
Create Date: 2026-11-26
"""

import datetime as dt
import os
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0003_clock_events"
down_revision = "0002_sessions_clients"
branch_labels = None
depends_on = None


def _moment(value):
    """A stored naive-UTC datetime (SQLite hands raw SQL results back as text)."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _local_day(moment, tz):
    return _moment(moment).replace(tzinfo=dt.timezone.utc).astimezone(tz).date()


def upgrade() -> None:
    events = op.create_table(
        "clock_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("dsar_requests.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("answers_id", sa.Integer(), sa.ForeignKey("clock_events.id"), nullable=True),
        sa.UniqueConstraint("answers_id"),
    )
    op.create_index("ix_clock_events_request_id", "clock_events", ["request_id"])

    # the events that the existing requests' columns already record
    conn = op.get_bind()
    tz = ZoneInfo(os.environ.get("INTAKE_TIMEZONE") or "Europe/London")
    rows = conn.execute(
        sa.text(
            "SELECT id, received_at, verification_required, verified_at, clock_start_on, extended_at, "
            "extension_reason FROM dsar_requests ORDER BY id"
        )
    ).fetchall()
    backfill = []
    for r in rows:
        backfill.append(
            dict(
                request_id=r.id,
                kind="received",
                on_date=_local_day(r.received_at, tz),
                at=_moment(r.received_at),
                actor="migration",
                note="recorded before clock events",
            )
        )
        if r.verification_required and r.verified_at is not None:
            start = r.clock_start_on
            backfill.append(
                dict(
                    request_id=r.id,
                    kind="identity_confirmed",
                    on_date=dt.date.fromisoformat(start) if isinstance(start, str) else start,
                    at=_moment(r.verified_at),
                    actor="migration",
                    note="recorded before clock events",
                )
            )
        if r.extended_at is not None:
            backfill.append(
                dict(
                    request_id=r.id,
                    kind="extended",
                    on_date=_local_day(r.extended_at, tz),
                    at=_moment(r.extended_at),
                    actor="migration",
                    note=r.extension_reason,
                )
            )
    if backfill:
        op.bulk_insert(events, [dict(b, code_hash=None, answers_id=None) for b in backfill])

    dialect = conn.dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER clock_events_no_{verb.lower()} BEFORE {verb} ON clock_events "
                f"BEGIN SELECT RAISE(ABORT, 'clock_events is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION clock_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'clock_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER clock_events_append_only BEFORE UPDATE OR DELETE ON clock_events "
            "FOR EACH ROW EXECUTE FUNCTION clock_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER clock_events_no_truncate BEFORE TRUNCATE ON clock_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION clock_events_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS clock_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS clock_events_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS clock_events_no_truncate ON clock_events")
        op.execute("DROP TRIGGER IF EXISTS clock_events_append_only ON clock_events")
        op.execute("DROP FUNCTION IF EXISTS clock_events_append_only()")
    op.drop_index("ix_clock_events_request_id", table_name="clock_events")
    op.drop_table("clock_events")
