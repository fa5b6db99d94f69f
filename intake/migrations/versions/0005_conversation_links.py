"""requests and handoffs link the bot's stored conversation they were lodged in

Revision ID: 0005_conversation_links
Revises: 0004_shopify_webhooks
Create Date: 2026-11-26

Nullable: requests from elsewhere (and every request lodged before this) have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_conversation_links"
down_revision = "0004_shopify_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dsar_requests") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(128), nullable=True))
        batch.create_index("ix_dsar_requests_conversation_id", ["conversation_id"])
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("conversation_id")
    with op.batch_alter_table("dsar_requests") as batch:
        batch.drop_index("ix_dsar_requests_conversation_id")
        batch.drop_column("conversation_id")
