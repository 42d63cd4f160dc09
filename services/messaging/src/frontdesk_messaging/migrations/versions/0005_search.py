"""Message search: the terms of every message, with one GIN index over shop, customer
and terms (btree_gin lets the GIN index hold the two uuid columns too).

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        """
        CREATE TABLE message_search (
            message_id   UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            customer_id  UUID NOT NULL,
            sent_at      TIMESTAMPTZ NOT NULL,
            terms        TSVECTOR NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX message_search_terms ON message_search USING GIN (shop_id, customer_id, terms)")


def downgrade() -> None:
    op.execute("DROP TABLE message_search")
