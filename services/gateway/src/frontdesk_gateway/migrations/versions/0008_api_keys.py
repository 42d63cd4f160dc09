"""API keys for a shop's integrations: only a digest of each key's secret is kept.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api_keys (
            shop_id     UUID NOT NULL,
            key_id      UUID NOT NULL,
            name        TEXT NOT NULL,
            scopes      TEXT[] NOT NULL,
            secret_hash TEXT NOT NULL,
            created_by  UUID NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL,
            revoked_at  TIMESTAMPTZ,
            PRIMARY KEY (shop_id, key_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE api_keys")
