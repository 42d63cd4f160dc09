"""The assistant's own views: shops (name, timezone, policy, hours, catalog), customers'
pets, the knowledge base and settings, conversations, the dialogue state between
messages, and the customer messages it answers (its turns, also its timers).

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE shops (
            shop_id            UUID PRIMARY KEY,
            name               TEXT NOT NULL DEFAULT '',
            timezone           TEXT,
            fallback_timezone  TEXT,
            policy             JSONB NOT NULL DEFAULT '{}',
            hours              JSONB NOT NULL DEFAULT '{}',
            revision           BIGINT NOT NULL DEFAULT 0
        )
        """,
        """
        CREATE TABLE services (
            service_id        UUID PRIMARY KEY,
            shop_id           UUID NOT NULL,
            name              TEXT NOT NULL,
            duration_minutes  INTEGER NOT NULL,
            price_cents       INTEGER NOT NULL,
            currency          TEXT NOT NULL,
            per_night         BOOLEAN NOT NULL DEFAULT false,
            active            BOOLEAN NOT NULL DEFAULT true
        )
        """,
        "CREATE INDEX services_shop ON services (shop_id)",
        """
        CREATE TABLE pets (
            pet_id       UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            customer_id  UUID NOT NULL,
            kind         TEXT NOT NULL,
            name         TEXT NOT NULL,
            species      TEXT NOT NULL DEFAULT '',
            breed        TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX pets_customer ON pets (customer_id)",
        """
        CREATE TABLE faq (
            shop_id       UUID NOT NULL,
            entry_id      UUID NOT NULL,
            question      TEXT NOT NULL,
            answer        TEXT NOT NULL,
            keywords      JSONB NOT NULL DEFAULT '[]',
            language      TEXT,
            translations  JSONB NOT NULL DEFAULT '[]',
            updated_at    TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (shop_id, entry_id)
        )
        """,
        """
        CREATE TABLE settings (
            shop_id              UUID PRIMARY KEY,
            mode                 TEXT NOT NULL,
            reply_after_minutes  INTEGER NOT NULL,
            staff_quiet_minutes  INTEGER NOT NULL,
            shop_kind            TEXT NOT NULL DEFAULT 'pet',
            name_en              TEXT NOT NULL DEFAULT '',
            address              TEXT NOT NULL DEFAULT '',
            address_en           TEXT NOT NULL DEFAULT '',
            phone                TEXT NOT NULL DEFAULT '',
            updated_at           TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE conversations (
            conversation_id        UUID PRIMARY KEY,
            shop_id                UUID NOT NULL,
            customer_id            UUID NOT NULL,
            assignee_id            UUID,
            status                 TEXT NOT NULL DEFAULT 'open',
            assigned_by_person_at  TIMESTAMPTZ,
            released_at            TIMESTAMPTZ,
            last_staff_at          TIMESTAMPTZ
        )
        """,
        """
        CREATE TABLE dialogues (
            conversation_id  UUID PRIMARY KEY,
            state            JSONB NOT NULL DEFAULT '{}',
            handed_off_at    TIMESTAMPTZ,
            updated_at       TIMESTAMPTZ,
            claim            UUID,
            claimed_until    TIMESTAMPTZ
        )
        """,
        """
        CREATE TABLE turns (
            conversation_id  UUID NOT NULL,
            seq              BIGINT NOT NULL,
            shop_id          UUID NOT NULL,
            customer_id      UUID NOT NULL,
            text             TEXT NOT NULL,
            sent_at          TIMESTAMPTZ NOT NULL,
            due_at           TIMESTAMPTZ NOT NULL,
            status           TEXT NOT NULL,
            outcome          TEXT,
            attempts         INTEGER NOT NULL DEFAULT 0,
            answered_at      TIMESTAMPTZ,
            PRIMARY KEY (conversation_id, seq)
        )
        """,
        "CREATE INDEX turns_due ON turns (due_at) WHERE status = 'pending'",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE turns, dialogues, conversations, settings, faq, pets, services, shops")
