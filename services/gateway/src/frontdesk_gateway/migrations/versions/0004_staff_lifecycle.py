"""Staff lifecycle: an account can be disabled or removed, and all its sessions ended.

A removed account keeps its row (messages and bookings name it) but frees its login;
`sessions_revoked_at` is the durable copy of the revocation the gateway holds in Redis,
read when Redis cannot answer.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active' "
        "CHECK (status IN ('active', 'disabled', 'removed'))"
    )
    op.execute("ALTER TABLE accounts ADD COLUMN sessions_revoked_at TIMESTAMPTZ")
    op.execute("ALTER TABLE accounts DROP CONSTRAINT accounts_shop_id_login_key")
    op.execute("CREATE UNIQUE INDEX accounts_login ON accounts (shop_id, login) WHERE status <> 'removed'")
    op.execute("CREATE INDEX accounts_by_shop ON accounts (shop_id, role)")
    op.execute(
        "CREATE INDEX accounts_sessions_revoked ON accounts (sessions_revoked_at) "
        "WHERE sessions_revoked_at IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX refresh_tokens_by_account ON refresh_tokens (account_id) WHERE revoked_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX refresh_tokens_by_account")
    op.execute("DROP INDEX accounts_sessions_revoked")
    op.execute("DROP INDEX accounts_by_shop")
    op.execute("DROP INDEX accounts_login")
    op.execute(
        "DELETE FROM refresh_tokens WHERE account_id IN (SELECT id FROM accounts WHERE status = 'removed')"
    )
    op.execute("DELETE FROM accounts WHERE status = 'removed'")
    op.execute("ALTER TABLE accounts ADD CONSTRAINT accounts_shop_id_login_key UNIQUE (shop_id, login)")
    op.execute("ALTER TABLE accounts DROP COLUMN sessions_revoked_at")
    op.execute("ALTER TABLE accounts DROP COLUMN status")
