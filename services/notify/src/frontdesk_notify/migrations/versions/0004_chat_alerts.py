"""Chat notifications: who is who (names from identity), who handles each conversation,
how far each reader has read, and the pending alerts that collapse a burst of messages.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    for statement in (
        "CREATE TABLE names (id UUID PRIMARY KEY, name TEXT NOT NULL)",
        """
        CREATE TABLE conversations (
            conversation_id  UUID PRIMARY KEY,
            shop_id          UUID NOT NULL,
            customer_id      UUID NOT NULL,
            assignee_id      UUID
        )
        """,
        """
        CREATE TABLE read_marks (
            conversation_id  UUID NOT NULL,
            reader_id        UUID NOT NULL,
            seq              BIGINT NOT NULL,
            PRIMARY KEY (conversation_id, reader_id)
        )
        """,
        """
        CREATE TABLE chat_alerts (
            id               TEXT PRIMARY KEY,
            conversation_id  UUID NOT NULL,
            shop_id          UUID NOT NULL,
            recipient_id     UUID NOT NULL,
            sender_id        UUID NOT NULL,
            first_seq        BIGINT NOT NULL,
            last_seq         BIGINT NOT NULL,
            messages         INTEGER NOT NULL,
            preview          TEXT NOT NULL,
            due_at           TIMESTAMPTZ NOT NULL,
            status           TEXT NOT NULL DEFAULT 'scheduled'
        )
        """,
        "CREATE INDEX chat_alerts_due ON chat_alerts (due_at) WHERE status = 'scheduled'",
        """
        CREATE UNIQUE INDEX chat_alerts_pending ON chat_alerts (conversation_id, recipient_id)
        WHERE status = 'scheduled'
        """,
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE chat_alerts, read_marks, conversations, names")
