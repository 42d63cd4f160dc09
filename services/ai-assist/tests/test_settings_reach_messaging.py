"""The assistant's mode reaches messaging with the settings (one transaction, its outbox),
so messaging can leave out the out-of-hours text where the assistant answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from frontdesk_contracts import assistant

from .fakes.database import assistant_database
from .fakes.world import World

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def sessions(endpoints) -> AsyncIterator:
    async with assistant_database(endpoints) as sessions:
        yield sessions


async def test_the_owner_setting_the_mode_tells_messaging_and_a_refused_setting_tells_nothing(sessions):
    world = World(sessions)
    by_staff = assistant.SetAssistantSettings(
        shop_id=world.shop_id, mode="always", actor=world.actor("staff")
    )
    assert (await world.command(by_staff))["code"] == "forbidden"
    by_owner = assistant.SetAssistantSettings(
        shop_id=world.shop_id, mode="outside_hours", actor=world.actor()
    )
    assert (await world.command(by_owner))["type"] == "assistant.command.accepted.v1"

    told = [e for e in await world.outbox() if e.type == "messaging.shop.set_assistant.v1"]
    assert [(e.aggregate_id, e.data["mode"], e.data["actor"]["user_id"]) for e in told] == [
        (str(world.shop_id), "outside_hours", str(world.owner_id))
    ]
