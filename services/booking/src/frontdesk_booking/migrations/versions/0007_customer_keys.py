"""Per-customer keys that seal personal text in booking's event store (docs/adr/0005):
erasing a customer sets their keys to NULL.

Revision ID: 0007
"""

from alembic import op
from frontdesk_platform import shredding

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    for statement in shredding.TABLE_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE customer_keys")
