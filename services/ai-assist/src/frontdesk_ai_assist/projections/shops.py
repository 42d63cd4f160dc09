"""What the assistant knows of each shop, from other services' events: its name
(identity), timezone and booking policy, services (booking), business hours
(messaging), and its customers' pets (booking). Every change bumps the shop's
`revision`, so a shop's context is rebuilt only when something in it changed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from frontdesk_platform import shredding
from frontdesk_platform.row_writes import RowWrite, write
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from .sql import rows

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


_BUMPED = text(
    f"INSERT INTO shops (shop_id, revision) VALUES (:s, 1) ON CONFLICT (shop_id) DO UPDATE SET {_BUMP}"
)
_NAMED = text(
    "INSERT INTO shops (shop_id, name, fallback_timezone, revision) VALUES (:s, :n, :tz, 1) "
    f"ON CONFLICT (shop_id) DO UPDATE SET name = EXCLUDED.name, "
    f"fallback_timezone = COALESCE(shops.fallback_timezone, EXCLUDED.fallback_timezone), {_BUMP}"
)
_BOOKING_TERMS = text(
    "INSERT INTO shops (shop_id, timezone, policy, revision) VALUES (:s, :tz, CAST(:p AS jsonb), 1) "
    f"ON CONFLICT (shop_id) DO UPDATE SET timezone = EXCLUDED.timezone, policy = EXCLUDED.policy, {_BUMP}"
)
_HOURS = text(
    "INSERT INTO shops (shop_id, fallback_timezone, hours, revision) VALUES (:s, :tz, CAST(:h AS jsonb), 1) "
    f"ON CONFLICT (shop_id) DO UPDATE SET fallback_timezone = EXCLUDED.fallback_timezone, "
    f"hours = EXCLUDED.hours, {_BUMP}"
)
_SERVICE = text(
    "INSERT INTO services (service_id, shop_id, name, duration_minutes, price_cents, currency, per_night, "
    "active) VALUES (:id, :s, :n, :d, :p, :c, :pn, :a) ON CONFLICT (shop_id, service_id) DO UPDATE SET "
    "name = EXCLUDED.name, duration_minutes = EXCLUDED.duration_minutes, price_cents = EXCLUDED.price_cents, "
    "currency = EXCLUDED.currency, per_night = EXCLUDED.per_night, active = EXCLUDED.active"
)
_ERASED = shredding.ERASED_TEST.format(id="CAST(:c AS uuid)")  # an event consumed after the erasure
_PET = text(
    "INSERT INTO pets (pet_id, shop_id, customer_id, kind, name, species, breed) "
    f"VALUES (:id, :s, :c, :k, CASE WHEN {_ERASED} THEN '' ELSE CAST(:n AS text) END, :sp, "
    f"CASE WHEN {_ERASED} THEN '' ELSE CAST(:b AS text) END) ON CONFLICT (pet_id) DO UPDATE SET kind = EXCLUDED.kind, "
    "name = EXCLUDED.name, species = EXCLUDED.species, breed = EXCLUDED.breed"
)


async def bump(session: AsyncSession, shop_id: UUID) -> None:
    await write(session, [_shop_write(_BUMPED, shop_id)])


def _shop_write(sql: TextClause, shop_id: UUID, **params: Any) -> RowWrite:
    return RowWrite(sql, ("shops", shop_id), {"s": shop_id, **params})


def name_write(shop_id: UUID, name: str, timezone: str) -> RowWrite:
    return _shop_write(_NAMED, shop_id, n=name, tz=timezone)


def booking_terms_write(shop_id: UUID, timezone: str, policy: dict[str, Any]) -> RowWrite:
    return _shop_write(_BOOKING_TERMS, shop_id, tz=timezone, p=json.dumps(policy))


def hours_write(shop_id: UUID, timezone: str, weekly: dict[str, Any]) -> RowWrite:
    return _shop_write(_HOURS, shop_id, tz=timezone, h=json.dumps(weekly))


def service_writes(shop_id: UUID, service: dict[str, Any], per_night: bool) -> list[RowWrite]:
    """The service, and the shop's revision bumped."""
    service_id = UUID(service["service_id"])
    params = {
        "id": service_id,
        "s": shop_id,
        "n": service["name"],
        "d": service["duration_minutes"],
        "p": service.get("price_cents", 0),
        "c": service.get("currency", "CNY"),
        "pn": per_night,
        "a": service.get("active", True),
    }
    return [RowWrite(_SERVICE, ("services", shop_id, service_id), params), _shop_write(_BUMPED, shop_id)]


def pet_write(pet_id: UUID, shop_id: UUID, customer_id: UUID, profile: dict[str, Any]) -> RowWrite:
    params = {
        "id": pet_id,
        "s": shop_id,
        "c": customer_id,
        "k": profile.get("kind", "pet"),
        "n": profile["name"],
        "sp": profile.get("species", ""),
        "b": profile.get("breed", ""),
    }
    return RowWrite(_PET, ("pets", pet_id), params)


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
