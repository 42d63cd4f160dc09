"""The platform's own tables, as frozen DDL steps that service migrations call.

A change to these tables is a new step (v2, ...), never an edit of an old one, so
every service's migration history stays reproducible.
"""

from __future__ import annotations

from alembic import op

V1 = """
CREATE TABLE events (
    position     BIGSERIAL UNIQUE,
    stream_id    TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    event_id     UUID NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    data         JSONB NOT NULL,
    metadata     JSONB NOT NULL DEFAULT '{}',
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_id, version)
);
CREATE TABLE snapshots (
    stream_id  TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    state      JSONB NOT NULL
);
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    xid         XID8 NOT NULL DEFAULT pg_current_xact_id(),
    topic       TEXT NOT NULL,
    key         TEXT NOT NULL,
    event_id    UUID NOT NULL,
    type        TEXT NOT NULL,
    envelope    TEXT NOT NULL,
    traceparent TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX outbox_commit_order ON outbox (xid, id);
CREATE TABLE outbox_position (
    relay  TEXT PRIMARY KEY,
    xid    XID8 NOT NULL,
    id     BIGINT NOT NULL
);
CREATE TABLE processed_messages (
    consumer      TEXT NOT NULL,
    message_id    UUID NOT NULL,
    processed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
"""

V1_DOWN = """
DROP TABLE processed_messages; DROP TABLE outbox_position; DROP TABLE outbox;
DROP TABLE snapshots; DROP TABLE events;
"""


def upgrade_v1() -> None:
    for statement in V1.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade_v1() -> None:
    for statement in V1_DOWN.split(";"):
        if statement.strip():
            op.execute(statement)
