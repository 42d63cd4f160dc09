"""Attachments: what the gateway learnt from each uploaded file and where its bytes are.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE attachments (
            id               UUID PRIMARY KEY,
            shop_id          UUID NOT NULL REFERENCES shops (id),
            conversation_id  UUID NOT NULL,
            uploader_id      UUID NOT NULL REFERENCES accounts (id),
            kind             TEXT NOT NULL CHECK (kind IN ('image', 'voice', 'video', 'file')),
            name             TEXT NOT NULL,
            mime             TEXT NOT NULL,
            size             BIGINT NOT NULL CHECK (size > 0),
            duration_ms      INTEGER,
            width            INTEGER,
            height           INTEGER,
            storage_key      TEXT NOT NULL,
            thumbnail_id     UUID UNIQUE,
            thumbnail_key    TEXT,
            created_at       TIMESTAMPTZ NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX attachments_by_conversation ON attachments (conversation_id, created_at)")


def downgrade() -> None:
    op.execute("DROP TABLE attachments")
