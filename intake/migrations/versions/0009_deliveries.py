"""delivering the answer: a request's encrypted files, the download links sent on completion, wrong codes

Revision ID: 0009_deliveries
Revises: 0008_erasure_checklist
Create Date: 2026-11-30

The files themselves live Fernet-encrypted on disk (``INTAKE_DELIVERY_DIR``); these tables hold what
was sent, to whom it was linked and how often it was downloaded (``intake/delivery.py``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_deliveries"
down_revision = "0008_erasure_checklist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("dsar_requests.id"), nullable=False),
        sa.Column("storage_name", sa.String(64), nullable=False, unique=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_by", sa.String(120), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_reason", sa.String(60), nullable=True),
    )
    op.create_index("ix_delivery_files_request_id", "delivery_files", ["request_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("dsar_requests.id"), nullable=False),
        sa.Column("link_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(120), nullable=False),
        sa.Column("reissue_of", sa.Integer(), sa.ForeignKey("deliveries.id"), nullable=True),
        sa.Column("code_used_at", sa.DateTime(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(60), nullable=True),
    )
    op.create_index("ix_deliveries_request_id", "deliveries", ["request_id"])
    op.create_table(
        "delivery_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("deliveries.id"), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
    )
    op.create_index("ix_delivery_failures_client", "delivery_failures", ["delivery_id", "client_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_delivery_failures_client", table_name="delivery_failures")
    op.drop_table("delivery_failures")
    op.drop_index("ix_deliveries_request_id", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_delivery_files_request_id", table_name="delivery_files")
    op.drop_table("delivery_files")
