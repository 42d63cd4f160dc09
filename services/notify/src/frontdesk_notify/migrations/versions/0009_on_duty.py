"""Nobody unheard at night: who works for each shop (from identity), whom the owner put
on duty, and which chat alerts stand in for a missing assignee.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    for statement in (
        """
        CREATE TABLE shop_staff (
            shop_id   UUID NOT NULL,
            staff_id  UUID NOT NULL,
            role      TEXT NOT NULL,
            active    BOOLEAN NOT NULL DEFAULT true,
            PRIMARY KEY (shop_id, staff_id)
        )
        """,
        """
        CREATE TABLE on_duty (
            shop_id   UUID NOT NULL,
            staff_id  UUID NOT NULL,
            PRIMARY KEY (shop_id, staff_id)
        )
        """,
        "ALTER TABLE chat_alerts ADD COLUMN unattended BOOLEAN NOT NULL DEFAULT false",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("ALTER TABLE chat_alerts DROP COLUMN unattended")
    op.execute("DROP TABLE on_duty, shop_staff")
