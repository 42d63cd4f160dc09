"""Pets (and children) and waitlist entries, as staff and customers see them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from frontdesk_platform.row_writes import copy_rows
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.pets import Pet
from ..domain.waitlist import WaitlistEntry

TABLES = ("pets", "waitlist")


async def project_pet(session: AsyncSession, pet: Pet) -> None:
    await project_pets(session, [pet])


async def project_pets(session: AsyncSession, pets: Sequence[Pet]) -> None:
    """One statement sent once with every row (a rebuild writes thousands at a time)."""
    if pets:
        await session.execute(_UPSERT_PET, [_pet_row(pet) for pet in pets])


_UPSERT_PET = text(
    "INSERT INTO pets (id, shop_id, customer_id, kind, name, species, breed, birth_date, allergies, "
    "temperament, notes, registered_at, updated_at, version) VALUES (:id, :shop, :customer, :kind, "
    ":name, :species, :breed, :birth, :allergies, :temperament, :notes, :registered, :updated, :v) "
    "ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, "
    "species = EXCLUDED.species, breed = EXCLUDED.breed, birth_date = EXCLUDED.birth_date, "
    "allergies = EXCLUDED.allergies, temperament = EXCLUDED.temperament, notes = EXCLUDED.notes, "
    "updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
)


async def copy_pets(connection: asyncpg.Connection, pets: Sequence[Pet]) -> None:
    """The rows `project_pets` writes, by COPY into the emptied table (a rebuild)."""
    await copy_rows(connection, "pets", _PET_PARAMS, [_pet_row(pet) for pet in pets])


_PET_PARAMS = {
    "id": "id",
    "shop_id": "shop",
    "customer_id": "customer",
    "kind": "kind",
    "name": "name",
    "species": "species",
    "breed": "breed",
    "birth_date": "birth",
    "allergies": "allergies",
    "temperament": "temperament",
    "notes": "notes",
    "registered_at": "registered",
    "updated_at": "updated",
    "version": "v",
}


def _pet_row(pet: Pet) -> dict[str, Any]:
    profile = pet.profile
    assert profile is not None
    return {
        "id": pet.id,
        "shop": pet.shop_id,
        "customer": pet.customer_id,
        "kind": profile.kind,
        "name": profile.name,
        "species": profile.species,
        "breed": profile.breed,
        "birth": profile.birth_date,
        "allergies": list(profile.allergies),
        "temperament": profile.temperament,
        "notes": profile.notes,
        "registered": pet.registered_at,
        "updated": pet.updated_at,
        "v": pet.version,
    }


async def project_entry(session: AsyncSession, entry: WaitlistEntry) -> None:
    await project_entries(session, [entry])


async def project_entries(session: AsyncSession, entrys: Sequence[WaitlistEntry]) -> None:
    """One statement sent once with every row (a rebuild writes thousands at a time)."""
    if entrys:
        await session.execute(_UPSERT_ENTRY, [_entry_row(entry) for entry in entrys])


_UPSERT_ENTRY = text(
    "INSERT INTO waitlist (id, shop_id, customer_id, service_id, staff_id, pet_id, starts_at, "
    "occupied_until, status, booking_id, joined_at, version) VALUES (:id, :shop, :customer, "
    ":service, :staff, :pet, :starts, :until, :status, :booking, :joined, :v) "
    "ON CONFLICT (id) DO UPDATE SET "
    "status = EXCLUDED.status, booking_id = EXCLUDED.booking_id, version = EXCLUDED.version"
)


async def copy_entries(connection: asyncpg.Connection, entries: Sequence[WaitlistEntry]) -> None:
    """The rows `project_entries` writes, by COPY into the emptied table (a rebuild)."""
    await copy_rows(connection, "waitlist", _ENTRY_PARAMS, [_entry_row(entry) for entry in entries])


_ENTRY_PARAMS = {
    "id": "id",
    "shop_id": "shop",
    "customer_id": "customer",
    "service_id": "service",
    "staff_id": "staff",
    "pet_id": "pet",
    "starts_at": "starts",
    "occupied_until": "until",
    "status": "status",
    "booking_id": "booking",
    "joined_at": "joined",
    "version": "v",
}


def _entry_row(entry: WaitlistEntry) -> dict[str, Any]:
    wish = entry.wish
    assert wish is not None
    return {
        "id": entry.id,
        "shop": entry.shop_id,
        "customer": entry.customer_id,
        "service": wish.service_id,
        "staff": wish.staff_id,
        "pet": wish.pet_id,
        "starts": wish.starts_at,
        "until": wish.occupied_until,
        "status": entry.status,
        "booking": entry.booking_id,
        "joined": entry.joined_at,
        "v": entry.version,
    }


async def waiting_for(session: AsyncSession, shop_id: UUID, start: datetime, until: datetime) -> list[UUID]:
    """Waiting entries whose wished time overlaps [start, until), first come first."""
    rows = await session.execute(
        text(
            "SELECT id FROM waitlist WHERE shop_id = :shop AND status = 'waiting' "
            "AND starts_at < :until AND occupied_until > :start ORDER BY joined_at, id"
        ),
        {"shop": shop_id, "start": start, "until": until},
    )
    return [r.id for r in rows]


async def offered_for(session: AsyncSession, shop_id: UUID, booking_id: UUID) -> UUID | None:
    """The waitlist entry whose offered hold is this booking, if any."""
    rows = await session.execute(
        text(
            "SELECT id FROM waitlist WHERE shop_id = :shop AND status = 'offered' AND booking_id = :booking"
        ),
        {"shop": shop_id, "booking": booking_id},
    )
    return rows.scalar_one_or_none()


_PET_COLUMNS = (
    "id, shop_id, customer_id, kind, name, species, breed, birth_date, allergies, temperament, notes, "
    "registered_at, updated_at"
)
_ENTRY_COLUMNS = (
    "id, shop_id, customer_id, service_id, staff_id, pet_id, starts_at, occupied_until, status, booking_id, "
    "joined_at"
)


async def get_pet(session: AsyncSession, shop_id: UUID, pet_id: UUID) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(f"SELECT {_PET_COLUMNS} FROM pets WHERE id = :id AND shop_id = :shop"),
                {"id": pet_id, "shop": shop_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def list_pets(
    session: AsyncSession, shop_id: UUID, customer_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            f"SELECT {_PET_COLUMNS} FROM pets WHERE shop_id = :shop "
            "AND (CAST(:customer AS UUID) IS NULL OR customer_id = :customer) ORDER BY name, id LIMIT :n"
        ),
        {"shop": shop_id, "customer": customer_id, "n": limit},
    )
    return [dict(r) for r in rows.mappings()]


async def list_entries(
    session: AsyncSession, shop_id: UUID, customer_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            f"SELECT {_ENTRY_COLUMNS} FROM waitlist WHERE shop_id = :shop "
            "AND (CAST(:customer AS UUID) IS NULL OR customer_id = :customer) ORDER BY joined_at, id LIMIT :n"
        ),
        {"shop": shop_id, "customer": customer_id, "n": limit},
    )
    return [dict(r) for r in rows.mappings()]
