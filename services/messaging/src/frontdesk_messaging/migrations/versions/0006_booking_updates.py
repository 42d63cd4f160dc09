"""Booking progress updates appear as messages; keep what they refer to.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute("ALTER TABLE messages ADD COLUMN booking_update JSONB")


def downgrade() -> None:
    op.execute("ALTER TABLE messages DROP COLUMN booking_update")
