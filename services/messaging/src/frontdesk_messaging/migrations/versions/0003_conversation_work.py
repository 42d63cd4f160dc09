"""Receipts, unread counts, recall/edit, notes, assignment, labels, status, surveys, and a
change cursor for incremental conversation-list sync.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"

STATEMENTS = [
    "CREATE SEQUENCE conversation_changes",
    """ALTER TABLE conversations
        ADD COLUMN status TEXT NOT NULL DEFAULT 'open',
        ADD COLUMN assignee_id UUID,
        ADD COLUMN assigned_at TIMESTAMPTZ,
        ADD COLUMN handoff_note TEXT,
        ADD COLUMN labels TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN customer_messages INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN shop_messages INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN open_survey_id UUID,
        ADD COLUMN change_cursor BIGINT NOT NULL DEFAULT nextval('conversation_changes')""",
    "CREATE INDEX conversations_changes ON conversations (shop_id, change_cursor)",
    "CREATE INDEX conversations_by_assignee ON conversations (assignee_id) WHERE status <> 'resolved'",
    """ALTER TABLE messages
        ADD COLUMN sender_kind TEXT NOT NULL DEFAULT 'person',
        ADD COLUMN attachment JSONB,
        ADD COLUMN recalled BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN edited_at TIMESTAMPTZ,
        ADD COLUMN customer_messages INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN shop_messages INTEGER NOT NULL DEFAULT 0""",
    """CREATE TABLE read_marks (
        conversation_id    UUID NOT NULL,
        reader_id          UUID NOT NULL,
        reader_role        TEXT NOT NULL,
        read_seq           INTEGER NOT NULL DEFAULT 0,
        unread_base        INTEGER NOT NULL DEFAULT 0,
        delivered_seq      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (conversation_id, reader_id)
    )""",
    "CREATE INDEX read_marks_by_reader ON read_marks (reader_id)",
    """CREATE TABLE notes (
        note_id          UUID PRIMARY KEY,
        conversation_id  UUID NOT NULL,
        author_id        UUID NOT NULL,
        text             TEXT NOT NULL,
        added_at         TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX notes_by_conversation ON notes (conversation_id, added_at)",
    """CREATE TABLE people (
        user_id  UUID PRIMARY KEY,
        shop_id  UUID NOT NULL,
        role     TEXT NOT NULL,
        name     TEXT NOT NULL
    )""",
    """CREATE TABLE surveys (
        survey_id        UUID PRIMARY KEY,
        conversation_id  UUID NOT NULL,
        shop_id          UUID NOT NULL,
        assignee_id      UUID,
        requested_at     TIMESTAMPTZ NOT NULL,
        rating           INTEGER,
        comment          TEXT,
        answered_at      TIMESTAMPTZ
    )""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE surveys")
    op.execute("DROP TABLE people")
    op.execute("DROP TABLE notes")
    op.execute("DROP TABLE read_marks")
    op.execute(
        "ALTER TABLE messages DROP COLUMN sender_kind, DROP COLUMN attachment, DROP COLUMN recalled, DROP COLUMN edited_at, "
        "DROP COLUMN customer_messages, DROP COLUMN shop_messages"
    )
    op.execute(
        "ALTER TABLE conversations DROP COLUMN status, DROP COLUMN assignee_id, DROP COLUMN assigned_at, "
        "DROP COLUMN handoff_note, DROP COLUMN labels, DROP COLUMN customer_messages, "
        "DROP COLUMN shop_messages, DROP COLUMN open_survey_id, DROP COLUMN change_cursor"
    )
    op.execute("DROP SEQUENCE conversation_changes")
