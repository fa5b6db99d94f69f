"""Shopify's privacy webhooks: one row per accepted delivery (duplicates refused by webhook id)

Revision ID: 0004_shopify_webhooks
Revises: 0003_clock_events
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_shopify_webhooks"
down_revision = "0003_clock_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shopify_webhooks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("webhook_id", sa.String(100), nullable=False, unique=True),
        sa.Column("event_id", sa.String(100), nullable=True, unique=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("shop_id", sa.String(100), nullable=False),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("api_version", sa.String(20), nullable=True),
        sa.Column("customer_id", sa.String(100), nullable=True),
        sa.Column("order_ids", sa.Text(), nullable=True),
        sa.Column("data_request_id", sa.String(100), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("dsar_requests.id"), nullable=True),
    )
    op.create_index("ix_shopify_webhooks_request_id", "shopify_webhooks", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_shopify_webhooks_request_id", table_name="shopify_webhooks")
    op.drop_table("shopify_webhooks")
