"""A progress update may link to a live view of the service (the call to join).

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute("ALTER TABLE booking_updates ADD COLUMN live_view_id UUID")


def downgrade() -> None:
    op.execute("ALTER TABLE booking_updates DROP COLUMN live_view_id")
