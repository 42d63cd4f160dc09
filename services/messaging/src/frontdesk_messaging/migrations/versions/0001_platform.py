"""Event store, outbox and consumer tracking tables.

Revision ID: 0001
"""

from frontdesk_platform import schema

revision = "0001"
down_revision = None


def upgrade() -> None:
    schema.upgrade_v1()


def downgrade() -> None:
    schema.downgrade_v1()
