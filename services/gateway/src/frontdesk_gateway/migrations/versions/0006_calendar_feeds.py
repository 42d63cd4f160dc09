"""A staff member's iCalendar feed: the hash of the secret in its URL, one per staff member.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE calendar_feeds (
            shop_id     UUID NOT NULL,
            staff_id    UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            secret_hash TEXT NOT NULL UNIQUE,
            created_at  TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (shop_id, staff_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE calendar_feeds")
