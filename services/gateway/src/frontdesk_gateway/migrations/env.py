from frontdesk_platform.database import run_alembic_env

run_alembic_env()
