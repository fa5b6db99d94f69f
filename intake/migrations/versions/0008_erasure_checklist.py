"""an erasure request's checklist: one row per data source staff erased or kept (with the reason)

Revision ID: 0008_erasure_checklist
Revises: 0007_intake_retention
Create Date: 2026-11-26

A source without a row is still to be decided (``intake/erasure_checklist.py``); the audit trail holds
every decision, this table the current one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_erasure_checklist"
down_revision = "0007_intake_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_checklist_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("dsar_requests.id"), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("request_id", "source", name="uq_erasure_checklist_request_source"),
    )


def downgrade() -> None:
    op.drop_table("erasure_checklist_items")
