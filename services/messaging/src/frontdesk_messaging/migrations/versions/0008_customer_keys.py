"""Per-customer keys that seal personal text in the event store (docs/adr/0005): erasing a
customer sets their keys to NULL.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE customer_keys (
            key_id       UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            customer_id  UUID NOT NULL,
            key          BYTEA,
            created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
            erased_at    TIMESTAMPTZ
        )
        """
    )
    # one live key a customer; destroyed ones stay (their ids are in sealed values)
    op.execute(
        "CREATE UNIQUE INDEX customer_keys_live ON customer_keys (shop_id, customer_id) WHERE key IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE customer_keys")
