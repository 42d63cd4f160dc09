"""Services are keyed by (shop_id, service_id): a service id is chosen by the shop's
client, so another shop can name the same id and must never overwrite this shop's row.

Rows another shop already overwrote are set right by rebuilding the projections.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("ALTER TABLE services DROP CONSTRAINT services_pkey")
    op.execute("ALTER TABLE services ADD PRIMARY KEY (shop_id, service_id)")


def downgrade() -> None:
    op.execute("ALTER TABLE services DROP CONSTRAINT services_pkey")
    op.execute("ALTER TABLE services ADD PRIMARY KEY (service_id)")
