"""Boarding and self-service through the gateway: a kennel per stay (never double-booked,
never swapped mid-stay), priced per night; a wash station booked with no staff member,
leaving the groomers free; and clear answers to what does not fit."""

import asyncio
from datetime import datetime, timedelta

import pytest

from .booking_shop import days_ahead, set_up

pytestmark = pytest.mark.e2e


def same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


async def test_three_customers_board_overlapping_stays_in_two_kennels_and_two_get_one(api):
    shop = await set_up(api)
    boarding = await shop.add_boarding(kennels=2)
    customers = [await api.customer(shop.owner.shop_id, name) for name in ("Alice", "Bob", "Carol")]
    day = days_ahead(10)

    found = await shop.slots(
        customers[0], boarding, day, to_date=(day + timedelta(days=2)).isoformat(), nights=3
    )
    assert found.status_code == 200, found.text
    slots = found.json()["slots"]
    assert len(slots) == 3  # one check-in per date
    for n, slot in enumerate(slots):
        assert same_instant(slot["starts_at"], shop.local(day + timedelta(days=n), 15))
        assert same_instant(slot["ends_at"], shop.local(day + timedelta(days=n + 3), 11))
        assert (slot["staff_id"], slot["nights"], slot["price_cents"]) == (None, 3, 45000)
        assert len(slot["resource_units"]) == 1

    stays = [(day, 3), (day + timedelta(days=1), 3), (day + timedelta(days=2), 2)]  # all on night 3
    answers = await asyncio.gather(
        *(
            shop.hold(who, shop.local(first, 15), service_id=boarding, nights=nights)
            for who, (first, nights) in zip(customers, stays, strict=True)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 409], [a.text for a in answers]
    won = [a.json() for a in answers if a.status_code == 201]
    for booking in won:
        assert booking["staff_id"] is None and booking["status"] == "held"
        assert booking["price_cents"] == 15000 * booking["nights"]
        assert datetime.fromisoformat(booking["ends_at"]).astimezone(shop.timezone).hour == 11
    assert won[0]["resource_units"] != won[1]["resource_units"], "two stays in one kennel"
    (lost,) = [a.json()["error"] for a in answers if a.status_code == 409]
    assert lost["code"] == "slot_taken"
    alternatives = lost["details"]["alternatives"]
    assert 1 <= len(alternatives) <= 3
    assert all(a["staff_id"] is None and a["nights"] in (2, 3) for a in alternatives)

    by_id = {c.user_id: c for c in customers}
    for booking in won:
        confirmed = await shop.step(by_id[booking["customer_id"]], booking["id"], "confirm")
        assert confirmed.json()["status"] == "confirmed"
    listed = (await api.http.get("/v1/bookings", headers=shop.owner.auth)).json()
    assert sorted(b["nights"] for b in listed) == sorted(b["nights"] for b in won)


async def test_a_stay_is_lengthened_and_moved_keeping_its_id_and_kennel_count(api):
    shop = await set_up(api)
    boarding = await shop.add_boarding(kennels=1)
    alice = await api.customer(shop.owner.shop_id, "Alice")
    day = days_ahead(12)
    booking = (await shop.hold(alice, shop.local(day, 15), service_id=boarding, nights=2)).json()
    await shop.step(alice, booking["id"], "confirm")

    longer = await shop.step(alice, booking["id"], "reschedule", {"nights": 4})
    assert longer.status_code == 200, longer.text
    assert (longer.json()["id"], longer.json()["nights"], longer.json()["price_cents"]) == (
        booking["id"],
        4,
        60000,
    )
    assert same_instant(longer.json()["ends_at"], shop.local(day + timedelta(days=4), 11))
    later = await shop.step(
        alice, booking["id"], "reschedule", {"starts_at": shop.local(day + timedelta(days=1), 15)}
    )
    assert later.status_code == 200, later.text
    assert (later.json()["nights"], later.json()["status"]) == (4, "confirmed")
    assert same_instant(later.json()["starts_at"], shop.local(day + timedelta(days=1), 15))


async def test_a_self_service_wash_is_booked_with_no_staff_member_and_the_groomer_stays_free(api):
    shop = await set_up(api)  # one groomer, baths 09:00-17:00
    wash = await shop.add_wash_station()
    alice, bob = (
        await api.customer(shop.owner.shop_id, "Alice"),
        await api.customer(shop.owner.shop_id, "Bob"),
    )
    day = days_ahead(7)
    at_ten = shop.local(day, 10)

    held = await shop.hold(alice, at_ten, service_id=wash)
    assert held.status_code == 201, held.text
    assert (held.json()["staff_id"], held.json()["price_cents"], held.json()["nights"]) == (None, 5000, None)
    confirmed = await shop.step(alice, held.json()["id"], "confirm")
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["staff_id"] is None

    baths = (await shop.slots(bob, shop.service_id, day)).json()["slots"]
    groomer = shop.staff[0].user_id
    assert any(same_instant(s["starts_at"], at_ten) and s["staff_id"] == groomer for s in baths)
    bath = await shop.hold(bob, at_ten)
    assert bath.status_code == 201 and bath.json()["staff_id"] == groomer

    taken = await shop.hold(bob, at_ten, service_id=wash)
    assert taken.status_code == 409
    error = taken.json()["error"]
    assert error["code"] == "slot_taken"
    assert [a["staff_id"] for a in error["details"]["alternatives"]] == [None, None, None]


async def test_what_does_not_fit_a_stay_or_a_timed_service_is_answered_clearly(api):
    shop = await set_up(api)
    boarding = await shop.add_boarding()
    alice = await api.customer(shop.owner.shop_id, "Alice")
    day = days_ahead(9)
    path = f"/v1/shops/{shop.owner.shop_id}/services/{boarding}"

    def error_of(response, status: int) -> tuple[str, str]:
        assert response.status_code == status, response.text
        error = response.json()["error"]
        return error["code"], error["message"]

    no_kennel = await api.http.put(
        path,
        json={"name": "Boarding", "per_night": True, "check_in": "15:00", "check_out": "11:00"},
        headers=shop.owner.auth,
    )
    assert error_of(no_kennel, 422) == (
        "invalid_service",
        "a service without staff needs a resource type (a station, a kennel)",
    )
    no_duration = await api.http.put(path, json={"name": "Bath"}, headers=shop.owner.auth)
    assert error_of(no_duration, 422)[0] == "invalid_service"

    for body, status, code in [
        ({"service_id": boarding}, 422, "invalid_nights"),
        ({"service_id": boarding, "nights": 31}, 422, "invalid_nights"),
        ({"service_id": boarding, "nights": 0}, 422, "invalid_nights"),
        ({"nights": 2}, 422, "invalid_nights"),  # the bath is booked by time
        ({"service_id": boarding, "nights": 2, "staff_id": shop.staff[0].user_id}, 422, "invalid_request"),
    ]:
        code_and_message = error_of(await shop.hold(alice, shop.local(day, 15), **body), status)
        assert code_and_message[0] == code, body
        assert code_and_message[1]
    assert error_of(await shop.slots(alice, shop.service_id, day, nights=2), 422)[0] == "invalid_nights"
    assert error_of(await shop.slots(alice, boarding, day), 422)[0] == "invalid_nights"

    catalog = (await api.http.get(f"/v1/shops/{shop.owner.shop_id}/catalog", headers=alice.auth)).json()
    (service,) = [s for s in catalog["services"] if s["id"] == boarding]
    assert (service["per_night"], service["needs_staff"], service["check_in"], service["check_out"]) == (
        True,
        False,
        "15:00:00",
        "11:00:00",
    )
