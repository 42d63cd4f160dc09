"""Webhooks: a shop's endpoints (URL, event-type filters, signing secret) and the log of
each endpoint's deliveries, which the delivery round claims with SKIP LOCKED.

Revision ID: 0010
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE webhook_endpoints (
            shop_id         UUID NOT NULL,
            endpoint_id     UUID NOT NULL,
            url             TEXT NOT NULL,
            description     TEXT NOT NULL DEFAULT '',
            event_types     TEXT[] NOT NULL,
            secret          TEXT NOT NULL,
            enabled         BOOLEAN NOT NULL DEFAULT true,
            disabled_reason TEXT,
            created_at      TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (shop_id, endpoint_id)
        )
        """,
        """
        CREATE TABLE webhook_deliveries (
            shop_id          UUID NOT NULL,
            endpoint_id      UUID NOT NULL,
            message_id       TEXT NOT NULL,
            event_type       TEXT NOT NULL,
            body             TEXT NOT NULL,
            status           TEXT NOT NULL DEFAULT 'pending',
            attempts         INT NOT NULL DEFAULT 0,
            next_attempt_at  TIMESTAMPTZ,
            last_status_code INT,
            last_error       TEXT,
            created_at       TIMESTAMPTZ NOT NULL,
            last_attempt_at  TIMESTAMPTZ,
            PRIMARY KEY (shop_id, endpoint_id, message_id),
            FOREIGN KEY (shop_id, endpoint_id) REFERENCES webhook_endpoints ON DELETE CASCADE
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
        "CREATE INDEX webhook_deliveries_log ON webhook_deliveries (shop_id, endpoint_id, created_at DESC)",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE webhook_deliveries, webhook_endpoints")
