"""Phone and walk-in customers: staff add them by name and phone, with no password; the
account has none (NULL) until its owner claims it by a code sent to that phone.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.execute("ALTER TABLE accounts ALTER COLUMN password_hash DROP NOT NULL")


def downgrade() -> None:
    # An unclaimed account cannot sign in either way: an unusable hash keeps it so.
    op.execute("UPDATE accounts SET password_hash = '!' WHERE password_hash IS NULL")
    op.execute("ALTER TABLE accounts ALTER COLUMN password_hash SET NOT NULL")
