"""Templates and staff capacity are keyed by (shop_id, id): an id is only a name inside a
shop, so another shop naming the same id must never reach this shop's row.

Rows that another shop already overwrote are set right by rebuilding the projections
(`python -m frontdesk_messaging rebuild-projections`), which replays each shop's own events.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"

KEYS = {"templates": "template_id", "staff_capacity": "staff_id"}


def upgrade() -> None:
    for table, key in KEYS.items():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")
        op.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (shop_id, {key})")


def downgrade() -> None:
    for table, key in KEYS.items():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")
        op.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({key})")
