"""No double booking, however many try at once: 200 customers race for 20 times through
the gateway; exactly 20 get a booking, everyone else a 409 slot_taken with alternatives.

The race runs through a gateway of its own that waits up to 30 s for booking's verdict
(a phone waits 5 s): 200 requests at once on two shared cores can take longer than 5 s
to be answered, and this test is about who wins, not how fast."""

import asyncio
import time
from collections import Counter

import pytest

from .booking_shop import days_ahead, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e


@pytest.fixture
async def patient_api(system):
    running = system.start("gateway", instance="race", extra_env={"FRONTDESK_REPLY_TIMEOUT_SECONDS": "30"})
    try:
        async with Api(running.url) as client:
            yield client
    finally:
        system.stop("gateway-race")


async def test_two_hundred_concurrent_holds_at_twenty_times_give_exactly_twenty_bookings(api, patient_api):
    shop = await set_up(api, duration=30, buffer=0, hours=("09:00", "19:00"))
    day = days_ahead(3)
    times = [shop.local(day, 9 + n // 2, 30 * (n % 2)) for n in range(20)]
    # Sign-ups hash a password each on a small pool: made a few at a time, so the setup does
    # not time out on a loaded machine; the race below is what runs all at once.
    signing_up = asyncio.Semaphore(8)

    async def customer(n: int) -> Account:
        async with signing_up:
            return await api.customer(shop.owner.shop_id, f"c{n}")

    customers = await asyncio.gather(*(customer(n) for n in range(200)))
    shop.api = patient_api

    started = time.perf_counter()
    responses = await asyncio.gather(*(shop.hold(who, times[n % 20]) for n, who in enumerate(customers)))
    print(f"200 concurrent holds answered in {time.perf_counter() - started:.2f}s")

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 20, 409: 180}, statuses
    won = [r.json() for r in responses if r.status_code == 201]
    assert len({b["starts_at"] for b in won}) == 20, "two bookings for one time"
    for lost in (r.json()["error"] for r in responses if r.status_code == 409):
        assert lost["code"] == "slot_taken"
        assert 1 <= len(lost["details"]["alternatives"]) <= 3

    by_id = {c.user_id: c for c in customers}
    confirmed = await asyncio.gather(*(shop.step(by_id[b["customer_id"]], b["id"], "confirm") for b in won))
    assert [r.status_code for r in confirmed] == [200] * 20
    listed = (
        await api.http.get("/v1/bookings", headers=shop.owner.auth, params={"status": "confirmed"})
    ).json()
    assert len(listed) == 20 and len({b["starts_at"] for b in listed}) == 20
