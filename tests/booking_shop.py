"""A shop set up for booking through the public API, as an owner would do it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .client import Account, Api


@dataclass
class BookingShop:
    api: Api
    owner: Account
    staff: list[Account]
    service_id: str
    timezone: ZoneInfo

    def local(self, day: date, hh: int, mm: int = 0) -> str:
        return datetime(day.year, day.month, day.day, hh, mm, tzinfo=self.timezone).isoformat()

    async def hold(self, caller: Account, starts_at: str, **extra: Any):
        body = {"service_id": self.service_id, "starts_at": starts_at, **extra}
        return await self.api.http.post("/v1/bookings", json=body, headers=caller.auth)

    async def step(self, caller: Account, booking_id: str, action: str, body: dict | None = None):
        return await self.api.http.post(
            f"/v1/bookings/{booking_id}/{action}", json=body or {}, headers=caller.auth
        )

    async def put(self, path: str, body: dict) -> dict:
        """Set something up as the owner (path under /v1/shops/{shop})."""
        response = await self.api.http.put(
            f"/v1/shops/{self.owner.shop_id}{path}", json=body, headers=self.owner.auth
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def slots(self, caller: Account, service_id: str, from_date: date, **params: Any):
        return await self.api.http.get(
            f"/v1/shops/{self.owner.shop_id}/slots",
            params={"service_id": service_id, "from_date": from_date.isoformat(), **params},
            headers=caller.auth,
        )

    async def add_boarding(self, kennels: int = 2, price_per_night: int = 15000) -> str:
        """Boarding: a kennel per stay, check-in 15:00, check-out 11:00; returns its service id."""
        await self.put(
            f"/resources/{uuid.uuid4()}", {"name": "Kennels", "type": "kennel", "capacity": kennels}
        )
        service_id = str(uuid.uuid4())
        body = {
            "name": "Boarding",
            "per_night": True,
            "check_in": "15:00",
            "check_out": "11:00",
            "price_cents": price_per_night,
            "resource_types": ["kennel"],
        }
        await self.put(f"/services/{service_id}", body)
        return service_id

    async def add_wash_station(self, hours: tuple[str, str] = ("08:00", "20:00")) -> str:
        """A self-service wash station (no staff member), open every day; returns its service id."""
        await self.put(f"/resources/{uuid.uuid4()}", {"name": "Wash station", "type": "wash"})
        service_id = str(uuid.uuid4())
        week = [{"weekday": d, "start": hours[0], "end": hours[1]} for d in range(7)]
        body = {
            "name": "Self-service wash",
            "duration_minutes": 30,
            "price_cents": 5000,
            "needs_staff": False,
            "hours": week,
            "resource_types": ["wash"],
        }
        await self.put(f"/services/{service_id}", body)
        return service_id


def zone_where_it_is_midday() -> str:
    """A fixed-offset zone where it is about noon now: a test that books within the hour,
    or sets a reminder for a minute from now, stays clear of closing time and midnight."""
    offset = 12 - datetime.now(UTC).hour  # -11 … +12
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT-8 is UTC+8


def days_ahead(days: int = 2) -> date:
    """A date some days ahead: every test books a future day of its own."""
    return date.today() + timedelta(days=days)


async def set_up(
    api: Api,
    *,
    timezone: str = "Europe/Berlin",
    groomers: int = 1,
    stations: int = 1,
    duration: int = 60,
    buffer: int = 15,
    hours: tuple[str, str] = ("09:00", "17:00"),
    **policy: int,
) -> BookingShop:
    owner = await api.shop("Golden Paws")
    shop = f"/v1/shops/{owner.shop_id}"

    async def put(path: str, body: dict) -> dict:
        response = await api.http.put(shop + path, json=body, headers=owner.auth)
        assert response.status_code == 200, response.text
        return response.json()

    await put("/booking-policy", {"timezone": timezone, **policy})
    service_id = str(uuid.uuid4())
    await put(
        f"/services/{service_id}",
        {
            "name": "Bath",
            "duration_minutes": duration,
            "buffer_minutes": buffer,
            "price_cents": 12000,
            "skill": "groom",
            "resource_types": ["bath"],
        },
    )
    await put(f"/resources/{uuid.uuid4()}", {"name": "Bath stations", "type": "bath", "capacity": stations})
    staff = []
    for n in range(groomers):
        member = await api.staff(owner, f"Groomer {n}")
        week = [{"weekday": d, "start": hours[0], "end": hours[1]} for d in range(7)]
        await put(
            f"/staff/{member.user_id}/profile", {"name": f"Groomer {n}", "skills": ["groom"], "hours": week}
        )
        staff.append(member)
    return BookingShop(api, owner, staff, service_id, ZoneInfo(timezone))
