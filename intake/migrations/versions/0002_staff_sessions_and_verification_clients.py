"""staff session versions (revocable sessions); wrong verification codes counted per client

Revision ID: 0002_sessions_clients
Revises: 0001_initial
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sessions_clients"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "verification_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("verification_id", sa.Integer(), sa.ForeignKey("verifications.id"), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_verification_failures_client", "verification_failures", ["verification_id", "client_hash"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_verification_failures_client", table_name="verification_failures")
    op.drop_table("verification_failures")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("session_version")
