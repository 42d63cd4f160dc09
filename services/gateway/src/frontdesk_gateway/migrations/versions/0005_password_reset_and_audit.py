"""One-time password reset codes (hashed) and the audit log of staff and owner actions.

Revision ID: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE password_reset_codes (
            id          UUID PRIMARY KEY,
            shop_id     UUID NOT NULL,
            account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            code_hash   TEXT NOT NULL,
            expires_at  TIMESTAMPTZ NOT NULL,
            tries_left  INTEGER NOT NULL,
            used_at     TIMESTAMPTZ,
            created_at  TIMESTAMPTZ NOT NULL
        )
        """
    )
    op.execute(
        "CREATE INDEX password_reset_codes_by_account ON password_reset_codes (account_id, created_at)"
    )
    op.execute(
        """
        CREATE TABLE audit_log (
            shop_id     UUID NOT NULL,
            id          BIGINT GENERATED ALWAYS AS IDENTITY,
            at          TIMESTAMPTZ NOT NULL,
            actor_id    UUID NOT NULL,
            actor_role  TEXT NOT NULL,
            action      TEXT NOT NULL,
            operation   TEXT NOT NULL,
            target      JSONB NOT NULL DEFAULT '{}',
            status      INTEGER NOT NULL,
            request_id  TEXT,
            client_ip   TEXT,
            PRIMARY KEY (shop_id, id)
        )
        """
    )
    op.execute("CREATE INDEX audit_log_by_actor ON audit_log (shop_id, actor_id, id)")


def downgrade() -> None:
    op.execute("DROP TABLE audit_log")
    op.execute("DROP TABLE password_reset_codes")
