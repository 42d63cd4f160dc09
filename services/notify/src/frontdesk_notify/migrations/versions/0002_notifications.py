"""What notify knows of shops and bookings, its reminders (durable timers), the
notifications with their delivery status, and the development sink.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE shops (
            shop_id        UUID PRIMARY KEY,
            timezone       TEXT,
            day_before_at  TIME NOT NULL DEFAULT '18:00',
            morning_at     TIME NOT NULL DEFAULT '08:00'
        )
        """,
        """
        CREATE TABLE services (
            service_id  UUID PRIMARY KEY,
            shop_id     UUID NOT NULL,
            name        TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE bookings (
            booking_id   UUID PRIMARY KEY,
            shop_id      UUID NOT NULL,
            customer_id  UUID NOT NULL,
            service_id   UUID NOT NULL,
            status       TEXT NOT NULL,
            starts_at    TIMESTAMPTZ NOT NULL,
            version      INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE reminders (
            id           TEXT PRIMARY KEY,
            booking_id   UUID NOT NULL,
            kind         TEXT NOT NULL,
            starts_at    TIMESTAMPTZ NOT NULL,
            due_at       TIMESTAMPTZ NOT NULL,
            status       TEXT NOT NULL DEFAULT 'scheduled',
            fired_at     TIMESTAMPTZ
        )
        """,
        """
        CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'scheduled'
        """,
        """
        CREATE INDEX reminders_booking ON reminders (booking_id)
        """,
        """
        CREATE TABLE notifications (
            id               TEXT PRIMARY KEY,
            shop_id          UUID NOT NULL,
            user_id          UUID NOT NULL,
            category         TEXT NOT NULL,
            critical         BOOLEAN NOT NULL DEFAULT false,
            title            TEXT NOT NULL,
            body             TEXT NOT NULL,
            language         TEXT NOT NULL,
            data             JSONB NOT NULL DEFAULT '{}',
            status           TEXT NOT NULL DEFAULT 'queued',
            reason           TEXT,
            provider         TEXT,
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  TIMESTAMPTZ NOT NULL,
            created_at       TIMESTAMPTZ NOT NULL,
            sent_at          TIMESTAMPTZ
        )
        """,
        """
        CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'queued'
        """,
        """
        CREATE INDEX notifications_recipient ON notifications (shop_id, user_id, created_at DESC)
        """,
        """
        CREATE TABLE sink_records (
            notification_id  TEXT PRIMARY KEY,
            shop_id          UUID NOT NULL,
            user_id          UUID NOT NULL,
            platform         TEXT NOT NULL,
            title            TEXT NOT NULL,
            body             TEXT NOT NULL,
            data             JSONB NOT NULL,
            recorded_at      TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE INDEX sink_records_shop ON sink_records (shop_id, recorded_at)
        """,
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE sink_records, notifications, reminders, bookings, services, shops")
