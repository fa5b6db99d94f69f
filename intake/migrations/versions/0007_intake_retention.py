"""the intake's own retention: anonymised_at on requests and handoffs, and the one change the
append-only tables allow (a free-text column replaced by the retention marker)

Revision ID: 0007_intake_retention
Revises: 0006_types_complaints
Create Date: 2026-11-26

``intake/retention.py`` anonymises closed requests and handoffs after INTAKE_RETENTION_DAYS. The audit
trail and the clock events are kept (they are what shows how a request was handled), but a few of their
free-text cells can hold what the requester wrote or how their identity was checked (a clarification's
question and answer, staff's note on a verification by other means). The triggers still refuse every
DELETE and every UPDATE except one that sets exactly that cell (``audit_events.reason``,
``clock_events.note``) to the marker below and leaves every other column as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_intake_retention"
down_revision = "0006_types_complaints"
branch_labels = None
depends_on = None

#: the same text as ``intake.retention.REMOVED`` (a migration must not import the app's code)
MARKER = "[removed under the retention policy]"

_TABLES = {
    # table: (the free-text column the purge may blank, the other columns that must not change)
    "audit_events": ("reason", ("id", "request_id", "handoff_id", "at", "actor", "action", "from_status", "to_status")),
    "clock_events": ("note", ("id", "request_id", "kind", "on_date", "at", "actor", "code_hash", "answers_id")),
}


def _sqlite_unchanged(cols) -> str:
    return " AND ".join(f"NEW.{c} IS OLD.{c}" for c in cols)


def _pg_unchanged(cols) -> str:
    return " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in cols)


def upgrade() -> None:
    for table in ("dsar_requests", "handoffs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    dialect = op.get_bind().dialect.name
    for table, (column, others) in _TABLES.items():
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"WHEN NOT (NEW.{column} IS '{MARKER}' AND {_sqlite_unchanged(others)}) "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF TG_OP = 'UPDATE' THEN IF NEW.{column} IS NOT DISTINCT FROM '{MARKER}' "
                f"AND {_pg_unchanged(others)} THEN RETURN NEW; END IF; END IF; "
                f"RAISE EXCEPTION '{table} is append-only'; END $$"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in _TABLES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
            )
    for table in ("handoffs", "dsar_requests"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("anonymised_at")
