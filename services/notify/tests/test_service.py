import pytest
from frontdesk_notify.bootstrap import MIGRATIONS, create_app
from frontdesk_notify.config import Settings
from frontdesk_platform.testing import started_health

pytestmark = pytest.mark.integration


async def test_it_migrates_its_own_database_connects_to_kafka_and_reports_healthy(endpoints):
    settings = Settings(**endpoints.service_settings("notify"))
    health = await started_health(create_app, settings, MIGRATIONS)
    assert health == {"status": "ok", "service": "notify", "checks": {"database": "ok", "kafka": "ok"}}
