"""Staff the owner disables or removes get no new conversations, on the real PostgreSQL:
messaging hears it from identity's events and its round-robin and handoffs pass them by."""

from datetime import UTC, datetime
from functools import partial
from uuid import uuid4

import pytest
from frontdesk_contracts import Envelope, identity
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.projections import shops
from frontdesk_messaging.projections.people import handle_identity_event
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def sessions(endpoints):
    settings = MessagingSettings(**endpoints.service_settings("messaging-staff-changes"))
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    yield session_factory(engine)
    await engine.dispose()


async def test_disabled_and_removed_staff_leave_the_rotation_and_enabled_ones_return(sessions):
    shop, groomer = uuid4(), uuid4()
    handle = partial(handle_identity_event, lambda: UnitOfWork(sessions, lambda t: t))

    async def announce(name: str, payload) -> None:
        await handle(
            Envelope(
                type=name,
                source="test",
                tenant_id=shop,
                aggregate_id=str(shop),
                data=payload.model_dump(mode="json"),
            )
        )

    async def next_up():
        async with sessions() as session:
            return (
                await shops.next_in_rotation(session, shop, 5),
                await shops.next_for_handoff(session, shop, 5),
            )

    await announce(
        "identity.staff.added.v1", identity.StaffAdded(shop_id=shop, staff_id=groomer, name="G", role="staff")
    )
    async with sessions() as session, session.begin():
        await session.execute(
            text("INSERT INTO staff_presence (staff_id, status) VALUES (:u, 'online')"), {"u": groomer}
        )
    assert await next_up() == (groomer, groomer)

    await announce(
        "identity.staff.disabled.v1", identity.StaffDisabled(shop_id=shop, staff_id=groomer, disabled_at=NOW)
    )
    assert await next_up() == (None, None)
    # A role change while disabled does not bring them back.
    await announce(
        "identity.staff.role_changed.v1",
        identity.StaffRoleChanged(shop_id=shop, staff_id=groomer, role="owner", changed_at=NOW),
    )
    assert await next_up() == (None, None)

    await announce(
        "identity.staff.enabled.v1",
        identity.StaffEnabled(shop_id=shop, staff_id=groomer, role="owner", enabled_at=NOW),
    )
    assert await next_up() == (groomer, groomer)

    await announce(
        "identity.staff.removed.v1", identity.StaffRemoved(shop_id=shop, staff_id=groomer, removed_at=NOW)
    )
    assert await next_up() == (None, None)
