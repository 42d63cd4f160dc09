"""Shops, accounts (owner, staff, customer) and refresh tokens.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE shops (
            id          UUID PRIMARY KEY,
            name        TEXT NOT NULL,
            timezone    TEXT NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE accounts (
            id             UUID PRIMARY KEY,
            shop_id        UUID NOT NULL REFERENCES shops (id),
            role           TEXT NOT NULL CHECK (role IN ('owner', 'staff', 'customer')),
            login          TEXT NOT NULL,
            name           TEXT NOT NULL,
            password_hash  TEXT NOT NULL,
            created_at     TIMESTAMPTZ NOT NULL,
            UNIQUE (shop_id, login)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE refresh_tokens (
            token_hash  TEXT PRIMARY KEY,
            account_id  UUID NOT NULL REFERENCES accounts (id),
            expires_at  TIMESTAMPTZ NOT NULL,
            revoked_at  TIMESTAMPTZ
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE refresh_tokens")
    op.execute("DROP TABLE accounts")
    op.execute("DROP TABLE shops")
