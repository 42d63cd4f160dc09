"""Where a user can be reached (push devices, a phone for SMS) and what they want:
language, channels, opted-out categories, quiet hours.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE devices (
            device_id   UUID PRIMARY KEY,
            shop_id     UUID NOT NULL,
            user_id     UUID NOT NULL,
            platform    TEXT NOT NULL,
            address     TEXT NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL,
            UNIQUE (platform, address)
        )
        """,
        "CREATE INDEX devices_user ON devices (user_id)",
        """
        CREATE TABLE preferences (
            user_id      UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            language     TEXT,
            phone        TEXT,
            channels     TEXT[] NOT NULL DEFAULT '{push,sms}',
            opted_out    TEXT[] NOT NULL DEFAULT '{}',
            quiet_start  TIME,
            quiet_end    TIME,
            timezone     TEXT
        )
        """,
        "ALTER TABLE notifications ADD COLUMN channel TEXT",
        "ALTER TABLE notifications ADD COLUMN read_at TIMESTAMPTZ",
        "ALTER TABLE notifications ADD COLUMN fallback_at TIMESTAMPTZ",
        "CREATE INDEX notifications_fallback ON notifications (fallback_at) WHERE fallback_at IS NOT NULL",
        # One record per notification and platform: a reminder may go by push, then by SMS.
        "ALTER TABLE sink_records DROP CONSTRAINT sink_records_pkey",
        "ALTER TABLE sink_records ADD PRIMARY KEY (notification_id, platform)",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("ALTER TABLE sink_records DROP CONSTRAINT sink_records_pkey")
    op.execute("ALTER TABLE sink_records ADD PRIMARY KEY (notification_id)")
    op.execute("ALTER TABLE notifications DROP COLUMN channel, DROP COLUMN read_at, DROP COLUMN fallback_at")
    op.execute("DROP TABLE preferences, devices")
