"""Bookings without a staff member (staff_id null), and a stay's nights and price.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("ALTER TABLE bookings ALTER COLUMN staff_id DROP NOT NULL")
    op.execute("ALTER TABLE bookings ADD COLUMN nights INTEGER")
    op.execute("ALTER TABLE bookings ADD COLUMN price_cents INTEGER")


def downgrade() -> None:
    op.execute("ALTER TABLE bookings DROP COLUMN price_cents")
    op.execute("ALTER TABLE bookings DROP COLUMN nights")
    op.execute("DELETE FROM bookings WHERE staff_id IS NULL")
    op.execute("ALTER TABLE bookings ALTER COLUMN staff_id SET NOT NULL")
