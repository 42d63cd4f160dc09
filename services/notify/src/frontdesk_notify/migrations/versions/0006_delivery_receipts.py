"""Where a provider reports delivery to the handset (Twilio status callbacks), keep its
message id to match the report, and when it was delivered.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE notifications ADD COLUMN provider_message_id TEXT, ADD COLUMN delivered_at TIMESTAMPTZ"
    )
    op.execute(
        "CREATE INDEX notifications_provider_message ON notifications (provider_message_id) "
        "WHERE provider_message_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE notifications DROP COLUMN provider_message_id, DROP COLUMN delivered_at")
