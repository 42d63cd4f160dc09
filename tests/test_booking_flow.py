"""Booking through the gateway like the apps do: set up, search, hold, confirm, serve;
policy, shop proposals, the waitlist, pets, and no shop or customer seeing another's."""

import asyncio
import json
import subprocess
import sys
from datetime import datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from .booking_shop import days_ahead, set_up

pytestmark = pytest.mark.e2e


async def test_a_customer_books_a_slot_and_the_shop_serves_them(api, endpoints):
    # Served days early: this shop opens check-in a week ahead (the default is an hour).
    shop = await set_up(api, check_in_window_minutes=7 * 24 * 60)
    alice, bob = (
        await api.customer(shop.owner.shop_id, "Alice"),
        await api.customer(shop.owner.shop_id, "Bob"),
    )
    groomer = shop.staff[0]
    pet = await api.http.post(
        "/v1/pets",
        json={"name": "Mochi", "species": "dog", "breed": "Golden Retriever", "allergies": ["chicken"]},
        headers=alice.auth,
    )
    assert pet.status_code == 201, pet.text
    pet_id = pet.json()["id"]

    day = days_ahead()
    slots = await api.http.get(
        f"/v1/shops/{shop.owner.shop_id}/slots",
        params={"service_id": shop.service_id, "from_date": day.isoformat()},
        headers=alice.auth,
    )
    assert slots.status_code == 200, slots.text
    first = slots.json()["slots"][0]
    assert datetime.fromisoformat(first["starts_at"]) == datetime.fromisoformat(shop.local(day, 9))

    held = await shop.hold(alice, first["starts_at"], pet_id=pet_id)
    assert held.status_code == 201, held.text
    booking = held.json()
    assert booking["status"] == "held" and booking["hold_expires_at"]
    assert (await shop.step(alice, booking["id"], "confirm")).json()["status"] == "confirmed"

    taken = await shop.hold(bob, first["starts_at"])
    assert taken.status_code == 409
    error = taken.json()["error"]
    assert error["code"] == "slot_taken" and error["details"]["alternatives"]
    assert first["starts_at"] not in [a["starts_at"] for a in error["details"]["alternatives"]]

    consumer = AIOKafkaConsumer(
        f"{endpoints.namespace}booking.events",
        bootstrap_servers=endpoints.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        for action, body in [
            ("check-in", None),
            ("start", None),
            ("progress", {"text": "已经开始洗澡了"}),
            ("progress", {"photo_ref": "photos/mochi-done.jpg"}),
            ("complete", None),
        ]:
            response = await shop.step(groomer, booking["id"], action, body)
            assert response.status_code in (200, 201), response.text
        assert response.json()["status"] == "completed"
        assert [u["text"] for u in response.json()["updates"]] == ["已经开始洗澡了", ""]
        progress = []
        async with asyncio.timeout(20):
            while len(progress) < 2:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    for record in batch:
                        envelope = json.loads(record.value)
                        # the topic is the whole run's: other tests' bookings post progress too
                        if (
                            envelope["type"] == "booking.booking.progress_posted.v1"
                            and envelope["data"]["booking_id"] == booking["id"]
                        ):
                            progress.append(envelope)
    finally:
        await consumer.stop()
    assert progress[0]["data"]["text"] == "已经开始洗澡了"
    assert progress[1]["data"]["photo_ref"] == "photos/mochi-done.jpg"
    assert (
        progress[0]["data"]["customer_id"] == alice.user_id and progress[0]["tenant_id"] == shop.owner.shop_id
    )

    # The updates appear in Alice's conversation with the shop, as the groomer's messages.
    conversation_id = await api.open_conversation(alice)
    updates: list = []
    async with asyncio.timeout(20):
        while len(updates) < 2:
            history = await api.history(alice, conversation_id)
            updates = [m for m in history["messages"] if m["sender_kind"] == "booking_update"]
            await asyncio.sleep(0.2)
    assert [(m["text"], m["booking_update"]["photo_ref"]) for m in updates] == [
        ("已经开始洗澡了", None),
        ("", "photos/mochi-done.jpg"),
    ]
    assert {m["sender_id"] for m in updates} == {groomer.user_id}
    assert {m["booking_update"]["booking_id"] for m in updates} == {booking["id"]}

    seen_by_staff = (await api.http.get(f"/v1/pets/{pet_id}", headers=groomer.auth)).json()
    assert seen_by_staff["allergies"] == ["chicken"]
    assert [(b["id"], b["status"]) for b in seen_by_staff["history"]] == [(booking["id"], "completed")]
    profile = (await api.http.get(f"/v1/customers/{alice.user_id}/profile", headers=groomer.auth)).json()
    assert profile["name"] == "Alice" and [p["name"] for p in profile["pets"]] == ["Mochi"]
    assert [b["status"] for b in profile["bookings"]] == ["completed"]
    hidden = await api.http.get(f"/v1/customers/{alice.user_id}/profile", headers=bob.auth)
    assert hidden.status_code == 404


BOOKING_READ = 'route="/internal/shops/{shop_id}/bookings/{booking_id}"'


async def booking_reads(system) -> int:
    """How many times booking's internal API has been asked for one booking."""
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{system.ops_url('booking')}/metrics")).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in metrics.splitlines()
        if line.startswith("frontdesk_http_requests_total{") and BOOKING_READ in line
    )


async def test_hold_and_confirm_answer_with_the_booking_as_get_shows_it_without_reading_it_back(api, system):
    shop = await set_up(api)
    alice = await api.customer(shop.owner.shop_id, "Alice")
    day = days_ahead()
    reads = await booking_reads(system)

    held = await shop.hold(alice, shop.local(day, 10))
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    as_held = (await api.http.get(f"/v1/bookings/{booking_id}", headers=alice.auth)).json()
    confirmed = await shop.step(alice, booking_id, "confirm")
    assert confirmed.status_code == 200, confirmed.text
    as_confirmed = (await api.http.get(f"/v1/bookings/{booking_id}", headers=alice.auth)).json()

    for answer, read in ((held.json(), as_held), (confirmed.json(), as_confirmed)):
        assert answer.keys() == read.keys()
        for field in read:
            assert answer[field] == read[field], field
    assert (as_held["status"], as_confirmed["status"]) == ("held", "confirmed")
    # the two GETs read booking's internal API; hold and confirm did not
    assert await booking_reads(system) - reads == 2


async def test_customers_change_bookings_within_policy_and_the_shop_at_any_time(api):
    shop = await set_up(api, cancel_cutoff_hours=720, reschedule_cutoff_hours=720)
    alice = await api.customer(shop.owner.shop_id)
    day = days_ahead(3)
    booking = (await shop.hold(alice, shop.local(day, 10))).json()
    await shop.step(alice, booking["id"], "confirm")

    for action, body in [("cancel", {}), ("reschedule", {"starts_at": shop.local(day, 14)})]:
        refused = await shop.step(alice, booking["id"], action, body)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "outside_policy"

    moved = await shop.step(shop.owner, booking["id"], "reschedule", {"starts_at": shop.local(day, 14)})
    assert moved.status_code == 200 and moved.json()["id"] == booking["id"]
    assert datetime.fromisoformat(moved.json()["starts_at"]) == datetime.fromisoformat(shop.local(day, 14))
    cancelled = await shop.step(shop.staff[0], booking["id"], "cancel", {"reason": "groomer ill"})
    assert cancelled.json()["status"] == "cancelled"
    again = await shop.step(alice, booking["id"], "confirm")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"


async def test_a_declined_proposal_frees_the_time_for_the_first_on_the_waitlist(api):
    shop = await set_up(api)
    alice, bob = (
        await api.customer(shop.owner.shop_id, "Alice"),
        await api.customer(shop.owner.shop_id, "Bob"),
    )
    day = days_ahead(4)
    booking = (await shop.hold(alice, shop.local(day, 10))).json()
    await shop.step(alice, booking["id"], "confirm")

    assert (await shop.hold(bob, shop.local(day, 10))).status_code == 409
    waiting = await api.http.post(
        "/v1/waitlist",
        json={"service_id": shop.service_id, "starts_at": shop.local(day, 10)},
        headers=bob.auth,
    )
    assert waiting.status_code == 201, waiting.text
    assert waiting.json()["status"] == "waiting"

    proposal = {"starts_at": shop.local(day, 15), "note": "groomer ill in the morning; 20% off"}
    proposed = await shop.step(shop.owner, booking["id"], "proposal", proposal)
    assert proposed.status_code == 200 and proposed.json()["proposal"]["note"] == proposal["note"]
    declined = await shop.step(alice, booking["id"], "proposal/decline")
    assert declined.json()["status"] == "cancelled"

    offered = (await api.http.get("/v1/bookings", headers=bob.auth)).json()
    assert [(b["status"], b["source"]) for b in offered] == [("held", "waitlist")]
    assert datetime.fromisoformat(offered[0]["starts_at"]) == datetime.fromisoformat(shop.local(day, 10))
    assert (await shop.step(bob, offered[0]["id"], "confirm")).json()["status"] == "confirmed"
    entries = (await api.http.get("/v1/waitlist", headers=bob.auth)).json()
    assert [(e["status"], e["booking_id"]) for e in entries] == [("booked", offered[0]["id"])], (
        "a confirmed offer takes the waitlist entry: it is no longer offered"
    )


async def test_no_customer_or_other_shop_sees_or_touches_anothers_bookings_and_pets(api):
    shop = await set_up(api)
    alice, mallory = (
        await api.customer(shop.owner.shop_id, "Alice"),
        await api.customer(shop.owner.shop_id, "Mallory"),
    )
    other_shop = await api.shop("Other shop")
    pet_id = (await api.http.post("/v1/pets", json={"name": "Mochi"}, headers=alice.auth)).json()["id"]
    booking = (await shop.hold(alice, shop.local(days_ahead(5), 11), pet_id=pet_id)).json()

    for intruder in (mallory, other_shop):
        looks = [
            await api.http.get(f"/v1/bookings/{booking['id']}", headers=intruder.auth),
            await api.http.get(f"/v1/pets/{pet_id}", headers=intruder.auth),
            await shop.step(intruder, booking["id"], "cancel"),
            await api.http.put(f"/v1/pets/{pet_id}", json={"name": "Stolen"}, headers=intruder.auth),
        ]
        assert [r.status_code for r in looks] == [404, 404, 404, 404], [r.text for r in looks]
        assert (await api.http.get("/v1/bookings", headers=intruder.auth)).json() == []
        assert (await api.http.get("/v1/pets", headers=intruder.auth)).json() == []
    assert (await shop.hold(mallory, shop.local(days_ahead(5), 14), pet_id=pet_id)).json()["error"][
        "code"
    ] == "pet_not_found"
    setup = await api.http.put(
        f"/v1/shops/{shop.owner.shop_id}/booking-policy", json={"timezone": "UTC"}, headers=other_shop.auth
    )
    assert setup.status_code == 404
    by_staff = await api.http.put(
        f"/v1/shops/{shop.owner.shop_id}/booking-policy", json={"timezone": "UTC"}, headers=shop.staff[0].auth
    )
    assert by_staff.status_code == 403
    assert [p["name"] for p in (await api.http.get("/v1/pets", headers=shop.staff[0].auth)).json()] == [
        "Mochi"
    ]


async def test_rebuilt_booking_read_models_equal_the_live_ones(api, system):
    shop = await set_up(api, groomers=2, stations=2)
    customers = [await api.customer(shop.owner.shop_id, f"c{n}") for n in range(3)]
    day = days_ahead(6)
    for n, who in enumerate(customers):
        pet_id = (await api.http.post("/v1/pets", json={"name": f"pet {n}"}, headers=who.auth)).json()["id"]
        booking = (await shop.hold(who, shop.local(day, 9 + n), pet_id=pet_id)).json()
        await shop.step(who, booking["id"], "confirm" if n else "cancel")
    boarding, wash = await shop.add_boarding(), await shop.add_wash_station()
    stay = (await shop.hold(customers[0], shop.local(day, 15), service_id=boarding, nights=2)).json()
    await shop.step(customers[0], stay["id"], "confirm")
    moved = await shop.step(shop.owner, stay["id"], "reschedule", {"nights": 3})
    assert moved.json()["price_cents"] == 45000
    washed = await shop.hold(customers[1], shop.local(day, 8), service_id=wash)
    assert washed.status_code == 201 and washed.json()["staff_id"] is None

    async def snapshot() -> list:
        owner = shop.owner.auth
        return [
            (await api.http.get("/v1/bookings", headers=owner)).json(),
            (await api.http.get("/v1/pets", headers=owner)).json(),
            (await api.http.get(f"/v1/shops/{shop.owner.shop_id}/catalog", headers=owner)).json(),
        ]

    live = await snapshot()
    env = {**system.env, "FRONTDESK_DATABASE_NAME": f"{system.database_prefix}_booking"}
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk_booking", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "rebuilt booking read models" in result.stdout
    assert await snapshot() == live
