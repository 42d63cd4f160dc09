"""Care cycles per pet (each row is also its own durable timer: the next notice's time),
the notices they gave, and campaigns that wait for a set time.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE care_cycles (
            shop_id             UUID NOT NULL,
            pet_id              UUID NOT NULL,
            kind                TEXT NOT NULL,
            customer_id         UUID NOT NULL,
            pet_name            TEXT NOT NULL,
            every               INTEGER NOT NULL,
            unit                TEXT NOT NULL,
            since               DATE NOT NULL,
            notice_days_before  INTEGER NOT NULL,
            service_id          UUID,
            due_on              DATE,
            notice_at           TIMESTAMPTZ,
            notified_through    DATE,
            updated_at          TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (shop_id, pet_id, kind)
        )
        """,
        "CREATE INDEX care_cycles_due ON care_cycles (notice_at) WHERE notice_at IS NOT NULL",
        """
        CREATE TABLE care_notices (
            id               TEXT PRIMARY KEY,
            shop_id          UUID NOT NULL,
            user_id          UUID NOT NULL,
            pet_id           UUID NOT NULL,
            kind             TEXT NOT NULL,
            due_on           DATE NOT NULL,
            status           TEXT NOT NULL,
            notification_id  TEXT,
            decided_at       TIMESTAMPTZ NOT NULL
        )
        """,
        # the frequency cap asks when the shop last reached a customer, by campaign or care notice
        """
        CREATE INDEX care_notices_reached ON care_notices (shop_id, user_id, decided_at DESC)
            WHERE status = 'queued'
        """,
        "CREATE INDEX care_notices_pet ON care_notices (shop_id, pet_id, decided_at DESC)",
        "ALTER TABLE campaigns ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'",
        "ALTER TABLE campaigns ADD COLUMN send_at TIMESTAMPTZ",
        "ALTER TABLE campaigns ADD COLUMN sent_at TIMESTAMPTZ",
        "UPDATE campaigns SET sent_at = created_at",
        "CREATE INDEX campaigns_scheduled ON campaigns (send_at) WHERE status = 'scheduled'",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX campaigns_scheduled")
    op.execute("ALTER TABLE campaigns DROP COLUMN status, DROP COLUMN send_at, DROP COLUMN sent_at")
    op.execute("DROP TABLE care_notices, care_cycles")
