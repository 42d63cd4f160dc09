"""A call that is over appears as a message: keep its summary (who, how long, outcome).
Each shop's call policy (off, always, business hours) and live-view limit.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.execute("ALTER TABLE messages ADD COLUMN call JSONB")
    op.execute(
        "CREATE TABLE shop_calls (shop_id UUID PRIMARY KEY, policy TEXT NOT NULL, live_view_minutes INTEGER NOT NULL)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE shop_calls")
    op.execute("ALTER TABLE messages DROP COLUMN call")
