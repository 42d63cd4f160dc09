"""Find the waitlist entry of an offered hold when it is confirmed.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("CREATE INDEX waitlist_offered ON waitlist (booking_id) WHERE status = 'offered'")


def downgrade() -> None:
    op.execute("DROP INDEX waitlist_offered")
