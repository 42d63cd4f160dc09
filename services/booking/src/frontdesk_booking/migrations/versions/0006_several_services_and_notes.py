"""Bookings of several services (an allocation row per part) and booking notes.

The same staff member or unit may serve two parts of one booking (the groomer bathes,
then trims the nails), so an allocation row is also keyed by its part.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"

UP = """
ALTER TABLE allocations ADD COLUMN part SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE allocations DROP CONSTRAINT allocations_pkey;
ALTER TABLE allocations ADD PRIMARY KEY (booking_id, kind, key, part);
ALTER TABLE bookings ADD COLUMN services JSONB;
ALTER TABLE bookings ADD COLUMN customer_note TEXT NOT NULL DEFAULT '';
CREATE TABLE booking_staff_notes (
    note_id     UUID PRIMARY KEY,
    booking_id  UUID NOT NULL,
    text        TEXT NOT NULL,
    written_by  UUID NOT NULL,
    written_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX booking_staff_notes_by_booking ON booking_staff_notes (booking_id, written_at)
"""

DOWN = """
DROP TABLE booking_staff_notes;
ALTER TABLE bookings DROP COLUMN customer_note;
ALTER TABLE bookings DROP COLUMN services;
DELETE FROM allocations WHERE part > 0;
ALTER TABLE allocations DROP CONSTRAINT allocations_pkey;
ALTER TABLE allocations ADD PRIMARY KEY (booking_id, kind, key);
ALTER TABLE allocations DROP COLUMN part
"""


def upgrade() -> None:
    for statement in UP.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for statement in DOWN.split(";"):
        if statement.strip():
            op.execute(statement)
