"""Whom the assistant erased (docs/adr/0005): a rebuild replays contract events, which carry
pets' names in plaintext, and forgets them again after.

Revision ID: 0004
"""

from alembic import op
from frontdesk_platform import shredding

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    for statement in shredding.ERASED_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE erased_customers")
