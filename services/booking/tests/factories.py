"""A small shop to book in: tests build on it with the aggregate's own commands."""

from __future__ import annotations

from datetime import UTC, datetime, time
from uuid import UUID, uuid4

from frontdesk_booking.domain.common import Actor
from frontdesk_booking.domain.services import Service, WeeklyPeriod
from frontdesk_booking.domain.shop import Policy, Resource, Shop, StaffProfile

NOW = datetime(2026, 3, 20, 0, 0, tzinfo=UTC)


def every_day(start: time, end: time) -> tuple[WeeklyPeriod, ...]:
    return tuple(WeeklyPeriod(d, start, end) for d in range(7))


def pet_shop(
    timezone: str = "Europe/Berlin",
    groomers: int = 1,
    stations: int = 1,
    hours: tuple[time, time] = (time(9), time(17)),
    policy: Policy | None = None,
) -> tuple[Shop, Actor, Service, list[UUID]]:
    """A shop with `groomers` groomers working every day and one bath-station resource."""
    shop = Shop(uuid4())
    owner = Actor(uuid4(), "owner", shop.id)
    shop.configure(owner, timezone, policy or Policy(), NOW)
    bath = Service(
        uuid4(), "Bath", 60, buffer_minutes=15, price_cents=12000, skill="groom", resource_types=("bath",)
    )
    shop.define_service(owner, bath, NOW)
    shop.define_resource(owner, Resource(uuid4(), "Bath stations", "bath", capacity=stations), NOW)
    staff = []
    for n in range(groomers):
        profile = StaffProfile(uuid4(), f"Groomer {n}", ("groom",), every_day(*hours))
        shop.set_staff_profile(owner, profile, NOW)
        staff.append(profile.staff_id)
    shop.pending.clear()
    return shop, owner, bath, staff


def boarding_shop(
    kennels: int = 2,
    check_in: time = time(15),
    check_out: time = time(11),
    timezone: str = "Europe/Berlin",
    policy: Policy | None = None,
) -> tuple[Shop, Actor, Service, list[UUID]]:
    """A shop with `kennels` kennels boarding pets per night; also returns the kennel units."""
    shop = Shop(uuid4())
    owner = Actor(uuid4(), "owner", shop.id)
    shop.configure(owner, timezone, policy or Policy(max_days_ahead=365), NOW)
    boarding = Service(
        uuid4(),
        "Boarding",
        24 * 60,
        price_cents=15000,
        resource_types=("kennel",),
        needs_staff=False,
        per_night=True,
        check_in=check_in,
        check_out=check_out,
    )
    shop.define_service(owner, boarding, NOW)
    shop.define_resource(owner, Resource(uuid4(), "Kennels", "kennel", capacity=kennels), NOW)
    shop.pending.clear()
    return shop, owner, boarding, shop.units_of_type("kennel")


def wash_station(shop: Shop, owner: Actor, hours: tuple[time, time] = (time(8), time(20))) -> Service:
    """A self-service wash station the customer uses alone: no staff member, its own hours."""
    shop.define_resource(owner, Resource(uuid4(), "Wash stations", "wash", capacity=1), NOW)
    service = Service(
        uuid4(),
        "Self-service wash",
        30,
        price_cents=5000,
        resource_types=("wash",),
        needs_staff=False,
        hours=every_day(*hours),
    )
    shop.define_service(owner, service, NOW)
    shop.pending.clear()
    return service
