"""The shop's calendar: one row per booking and time off, with its place in commit order.

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"

UP = """
CREATE SEQUENCE calendar_changes;
CREATE TABLE calendar_entries (
    shop_id      UUID NOT NULL,
    entry_id     UUID NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('booking', 'time_off')),
    staff_id     UUID,
    starts_at    TIMESTAMPTZ NOT NULL,
    ends_at      TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL,
    body         JSONB NOT NULL,
    changed_xid  XID8 NOT NULL,
    changed_id   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, entry_id)
);
CREATE INDEX calendar_by_time ON calendar_entries (shop_id, starts_at);
CREATE INDEX calendar_by_staff ON calendar_entries (shop_id, staff_id, starts_at);
CREATE INDEX calendar_by_change ON calendar_entries (shop_id, changed_xid, changed_id)
"""

DOWN = "DROP TABLE calendar_entries; DROP SEQUENCE calendar_changes"


def upgrade() -> None:
    for statement in UP.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for statement in DOWN.split(";"):
        if statement.strip():
            op.execute(statement)
