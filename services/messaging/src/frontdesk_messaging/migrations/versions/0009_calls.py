"""A call that is over appears as a message; keep its summary (who, how long, outcome).

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.execute("ALTER TABLE messages ADD COLUMN call JSONB")


def downgrade() -> None:
    op.execute("ALTER TABLE messages DROP COLUMN call")
