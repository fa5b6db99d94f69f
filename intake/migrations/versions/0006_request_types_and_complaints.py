"""portability, restriction and complaints as request types; Art 22C safeguards on objections

Revision ID: 0006_types_complaints
Revises: 0005_conversation_links
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_types_complaints"
down_revision = "0005_conversation_links"
branch_labels = None
depends_on = None

COLUMNS = (
    ("objection_safeguards", sa.String(120)),
    ("portability_recipient", sa.Text()),
    ("restriction_what", sa.Text()),
    ("restriction_grounds", sa.String(24)),
    ("complaint_subject", sa.String(24)),
    ("complaint_reference", sa.String(16)),
    ("complaint_outcome_wanted", sa.Text()),
    ("acknowledgement_due_on", sa.Date()),
    ("acknowledged_at", sa.DateTime()),
    ("complaint_outcome", sa.String(24)),
)


def upgrade() -> None:
    with op.batch_alter_table("dsar_requests") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dsar_requests") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
