"""What the assistant knows of each shop, from other services' events: its name
(identity), timezone and booking policy, services (booking), business hours
(messaging), and its customers' pets (booking). Every change bumps the shop's
`revision`, so a shop's context is rebuilt only when something in it changed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from .sql import rows, run

_BUMP = "revision = shops.revision + 1"


@dataclass(frozen=True)
class ShopRow:
    shop_id: UUID
    name: str = ""
    timezone: str = "UTC"
    policy: dict[str, Any] = field(default_factory=dict)
    hours: dict[str, list[list[str]]] = field(default_factory=dict)
    revision: int = 0


@dataclass(frozen=True)
class ServiceRow:
    service_id: UUID
    name: str
    duration_minutes: int
    price_cents: int
    currency: str
    per_night: bool


@dataclass(frozen=True)
class PetRow:
    pet_id: UUID
    kind: str
    name: str
    species: str
    breed: str


async def bump(session: AsyncSession, shop_id: UUID) -> None:
    await run(
        session,
        f"INSERT INTO shops (shop_id, revision) VALUES (:s, 1) ON CONFLICT (shop_id) DO UPDATE SET {_BUMP}",
        s=shop_id,
    )


async def set_name(session: AsyncSession, shop_id: UUID, name: str, timezone: str) -> None:
    await run(
        session,
        "INSERT INTO shops (shop_id, name, fallback_timezone, revision) VALUES (:s, :n, :tz, 1) "
        f"ON CONFLICT (shop_id) DO UPDATE SET name = EXCLUDED.name, "
        f"fallback_timezone = COALESCE(shops.fallback_timezone, EXCLUDED.fallback_timezone), {_BUMP}",
        s=shop_id,
        n=name,
        tz=timezone,
    )


async def set_booking_terms(
    session: AsyncSession, shop_id: UUID, timezone: str, policy: dict[str, Any]
) -> None:
    await run(
        session,
        "INSERT INTO shops (shop_id, timezone, policy, revision) VALUES (:s, :tz, CAST(:p AS jsonb), 1) "
        f"ON CONFLICT (shop_id) DO UPDATE SET timezone = EXCLUDED.timezone, policy = EXCLUDED.policy, {_BUMP}",
        s=shop_id,
        tz=timezone,
        p=json.dumps(policy),
    )


async def set_hours(session: AsyncSession, shop_id: UUID, timezone: str, weekly: dict[str, Any]) -> None:
    await run(
        session,
        "INSERT INTO shops (shop_id, fallback_timezone, hours, revision) VALUES (:s, :tz, CAST(:h AS jsonb), 1) "
        f"ON CONFLICT (shop_id) DO UPDATE SET fallback_timezone = EXCLUDED.fallback_timezone, "
        f"hours = EXCLUDED.hours, {_BUMP}",
        s=shop_id,
        tz=timezone,
        h=json.dumps(weekly),
    )


async def set_service(session: AsyncSession, shop_id: UUID, service: dict[str, Any], per_night: bool) -> None:
    await run(
        session,
        "INSERT INTO services (service_id, shop_id, name, duration_minutes, price_cents, currency, per_night, "
        "active) VALUES (:id, :s, :n, :d, :p, :c, :pn, :a) ON CONFLICT (shop_id, service_id) DO UPDATE SET "
        "name = EXCLUDED.name, duration_minutes = EXCLUDED.duration_minutes, price_cents = EXCLUDED.price_cents, "
        "currency = EXCLUDED.currency, per_night = EXCLUDED.per_night, active = EXCLUDED.active",
        id=UUID(service["service_id"]),
        s=shop_id,
        n=service["name"],
        d=service["duration_minutes"],
        p=service.get("price_cents", 0),
        c=service.get("currency", "CNY"),
        pn=per_night,
        a=service.get("active", True),
    )
    await bump(session, shop_id)


async def set_pet(
    session: AsyncSession, pet_id: UUID, shop_id: UUID, customer_id: UUID, profile: dict[str, Any]
) -> None:
    await run(
        session,
        "INSERT INTO pets (pet_id, shop_id, customer_id, kind, name, species, breed) "
        "VALUES (:id, :s, :c, :k, :n, :sp, :b) ON CONFLICT (pet_id) DO UPDATE SET kind = EXCLUDED.kind, "
        "name = EXCLUDED.name, species = EXCLUDED.species, breed = EXCLUDED.breed",
        id=pet_id,
        s=shop_id,
        c=customer_id,
        k=profile.get("kind", "pet"),
        n=profile["name"],
        sp=profile.get("species", ""),
        b=profile.get("breed", ""),
    )


async def shop(session: AsyncSession, shop_id: UUID) -> ShopRow | None:
    found = await rows(session, "SELECT * FROM shops WHERE shop_id = :s", s=shop_id)
    if not found:
        return None
    row = found[0]
    return ShopRow(
        shop_id,
        row.name,
        row.timezone or row.fallback_timezone or "UTC",
        row.policy or {},
        row.hours or {},
        row.revision,
    )


async def revision(session: AsyncSession, shop_id: UUID) -> int | None:
    found = await rows(session, "SELECT revision FROM shops WHERE shop_id = :s", s=shop_id)
    return int(found[0].revision) if found else None


async def services(session: AsyncSession, shop_id: UUID) -> list[ServiceRow]:
    found = await rows(
        session,
        "SELECT service_id, name, duration_minutes, price_cents, currency, per_night FROM services "
        "WHERE shop_id = :s AND active ORDER BY name, service_id",
        s=shop_id,
    )
    return [ServiceRow(**row._mapping) for row in found]


async def pets(session: AsyncSession, customer_id: UUID) -> list[PetRow]:
    found = await rows(
        session,
        "SELECT pet_id, kind, name, species, breed FROM pets WHERE customer_id = :c ORDER BY name, pet_id",
        c=customer_id,
    )
    return [PetRow(**row._mapping) for row in found]
