"""Business hours, templates, staff capacity and presence, and response figures.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"

TABLES = {
    "shop_hours": """(
        shop_id          UUID PRIMARY KEY,
        timezone         TEXT NOT NULL,
        weekly           JSONB NOT NULL,
        auto_reply_text  TEXT
    )""",
    "templates": """(
        template_id  UUID PRIMARY KEY,
        shop_id      UUID NOT NULL,
        name         TEXT NOT NULL,
        text         TEXT NOT NULL,
        saved_at     TIMESTAMPTZ NOT NULL
    )""",
    "staff_capacity": """(
        staff_id  UUID PRIMARY KEY,
        shop_id   UUID NOT NULL,
        capacity  INTEGER NOT NULL
    )""",
    "staff_presence": """(
        staff_id          UUID PRIMARY KEY,
        status            TEXT NOT NULL,
        last_assigned_at  TIMESTAMPTZ
    )""",
    "response_episodes": """(
        conversation_id     UUID NOT NULL,
        started_at          TIMESTAMPTZ NOT NULL,
        shop_id             UUID NOT NULL,
        first_response_at   TIMESTAMPTZ,
        responder_id        UUID,
        frt_seconds         DOUBLE PRECISION,
        resolved_at         TIMESTAMPTZ,
        resolution_seconds  DOUBLE PRECISION,
        PRIMARY KEY (conversation_id, started_at)
    )""",
}


def upgrade() -> None:
    for name, columns in TABLES.items():
        op.execute(f"CREATE TABLE {name} {columns}")
    op.execute("CREATE INDEX templates_by_shop ON templates (shop_id, name)")
    op.execute("CREATE INDEX episodes_by_shop ON response_episodes (shop_id, started_at)")


def downgrade() -> None:
    for name in reversed(TABLES):
        op.execute(f"DROP TABLE {name}")
