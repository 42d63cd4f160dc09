"""Whom notify erased (docs/adr/0005): a rebuild replays contract events, which carry the
customer's name and phone in plaintext, and forgets them again after.

Revision ID: 0011
"""

from alembic import op
from frontdesk_platform import shredding

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    for statement in shredding.ERASED_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE erased_customers")
