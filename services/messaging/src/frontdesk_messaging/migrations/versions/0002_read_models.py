"""Conversations and messages read models.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE conversations (
            id                    UUID PRIMARY KEY,
            shop_id               UUID NOT NULL,
            customer_id           UUID NOT NULL,
            opened_at             TIMESTAMPTZ NOT NULL,
            last_seq              INTEGER NOT NULL DEFAULT 0,
            last_activity_at      TIMESTAMPTZ NOT NULL,
            last_message_preview  TEXT
        )
        """
    )
    op.execute("CREATE INDEX conversations_by_shop ON conversations (shop_id, last_activity_at DESC)")
    op.execute(
        """
        CREATE TABLE messages (
            conversation_id  UUID NOT NULL,
            seq              INTEGER NOT NULL,
            message_id       UUID NOT NULL UNIQUE,
            sender_id        UUID NOT NULL,
            sender_role      TEXT NOT NULL,
            client_msg_id    TEXT NOT NULL,
            kind             TEXT NOT NULL,
            text             TEXT NOT NULL,
            sent_at          TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (conversation_id, seq),
            UNIQUE (conversation_id, sender_id, client_msg_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE messages")
    op.execute("DROP TABLE conversations")
