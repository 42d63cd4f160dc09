"""Events stored before sealing began hold personal text in plaintext: `frontdesk-booking
reseal` seals it under the customer's key, or empties it when the customer was erased
since, and a rebuild then gives what the live erasure left (docs/adr/0005)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from frontdesk_booking.adapters.repository import SEALED, SEALED_LISTS, Repositories, to_new_event
from frontdesk_booking.domain.pets import PetRegistered, Profile
from frontdesk_booking.projections import customers, rebuild
from frontdesk_platform import shredding
from frontdesk_platform.database import driver_connection
from frontdesk_platform.eventstore import EventStore

from .harness import Harness

AT = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)


async def test_plaintext_events_are_sealed_or_emptied_and_a_rebuild_opens_what_is_left(harness: Harness):
    shop, erased, kept = uuid4(), uuid4(), uuid4()
    pets = {}
    async with harness.sessions() as session, session.begin():
        for customer, name in ((erased, "旺财"), (kept, "Rex")):
            profile = Profile(
                "pet", name, "dog", "柴犬", date(2022, 5, 1), ("chicken",), "shy", f"{name} 住在幸福路"
            )
            pets[customer] = pet_id = uuid4()
            registered = PetRegistered(pet_id, shop, customer, profile, customer, AT)
            # written by a version that did not seal: no key
            await EventStore().append(session, f"pet-{pet_id}", 0, [to_new_event(registered)])
        # the erased customer was erased after (messaging made and destroyed a key; here booking did)
        await shredding.key_for(await driver_connection(session), shop, erased)
        await shredding.destroy_keys(session, shop, erased)
    assert "幸福路" in await harness.scalar("SELECT string_agg(data::text, ' ') FROM events")

    assert await shredding.reseal(harness.sessions, SEALED, SEALED_LISTS, page=1) == (1, 1)
    stored = await harness.scalar("SELECT string_agg(data::text, ' ') FROM events")
    for word in ("幸福路", "旺财", "Rex", "chicken", "柴犬", "shy"):
        assert word not in stored
    assert "dog" in stored  # a species names no one
    assert await shredding.reseal(harness.sessions, SEALED, SEALED_LISTS) == (0, 0)  # once is enough

    async with harness.deps.unit_of_work() as uow:
        loaded = await Repositories(EventStore()).pets.get(uow, pets[kept])
    assert loaded.profile is not None
    assert (loaded.profile.name, loaded.profile.allergies) == ("Rex", ("chicken",))
    async with harness.sessions() as session, session.begin():
        await rebuild.rebuild(session, EventStore())
        rows = {customer: await customers.get_pet(session, shop, pets[customer]) for customer in pets}
    assert rows[kept] is not None and (rows[kept]["name"], rows[kept]["notes"]) == ("Rex", "Rex 住在幸福路")
    assert rows[erased] is not None
    assert (
        rows[erased]["name"],
        rows[erased]["breed"],
        rows[erased]["allergies"],
        rows[erased]["notes"],
    ) == (
        "",
        "",
        [],
        "",
    )
