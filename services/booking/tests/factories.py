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
