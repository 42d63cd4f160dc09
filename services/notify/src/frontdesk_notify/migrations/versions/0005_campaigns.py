"""Campaigns: what notify knows of each shop's customers (sign-up, bookings, pets,
conversation labels; projected from events, rebuilt by replaying them), the campaigns
sent and what became of each recipient.

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE audience_customers (
            shop_id      UUID NOT NULL,
            customer_id  UUID NOT NULL,
            joined_at    TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (shop_id, customer_id)
        )
        """,
        """
        CREATE TABLE audience_bookings (
            booking_id    UUID PRIMARY KEY,
            shop_id       UUID NOT NULL,
            customer_id   UUID NOT NULL,
            status        TEXT NOT NULL,
            starts_at     TIMESTAMPTZ NOT NULL,
            completed_at  TIMESTAMPTZ,
            version       INTEGER NOT NULL
        )
        """,
        "CREATE INDEX audience_bookings_customer ON audience_bookings (shop_id, customer_id)",
        """
        CREATE TABLE audience_pets (
            pet_id       UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            customer_id  UUID NOT NULL,
            species      TEXT NOT NULL,
            version      INTEGER NOT NULL
        )
        """,
        "CREATE INDEX audience_pets_species ON audience_pets (shop_id, species)",
        """
        CREATE TABLE audience_conversations (
            conversation_id  UUID PRIMARY KEY,
            shop_id          UUID NOT NULL,
            customer_id      UUID NOT NULL,
            labels           TEXT[] NOT NULL,
            version          INTEGER NOT NULL
        )
        """,
        "CREATE INDEX audience_conversations_labels ON audience_conversations USING gin (labels)",
        """
        CREATE TABLE campaigns (
            campaign_id  UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            name         TEXT NOT NULL,
            segment      JSONB NOT NULL,
            title        TEXT NOT NULL,
            body         TEXT NOT NULL,
            variants     JSONB NOT NULL,
            created_by   UUID NOT NULL,
            created_at   TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX campaigns_shop ON campaigns (shop_id, created_at DESC)",
        """
        CREATE TABLE campaign_recipients (
            campaign_id      UUID NOT NULL REFERENCES campaigns,
            user_id          UUID NOT NULL,
            shop_id          UUID NOT NULL,
            status           TEXT NOT NULL,
            notification_id  TEXT,
            decided_at       TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (campaign_id, user_id)
        )
        """,
        # The frequency cap asks: when did this shop last reach this customer?
        """
        CREATE INDEX campaign_recipients_reached ON campaign_recipients (shop_id, user_id, decided_at DESC)
            WHERE status = 'queued'
        """,
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TABLE campaign_recipients, campaigns, audience_conversations, audience_pets, "
        "audience_bookings, audience_customers"
    )
