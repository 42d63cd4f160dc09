"""The shop's setup as one JSON document per shop: what the catalog API shows and what
slot search reads. Written in the transaction of the setup change."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.services import Service
from ..domain.shop import Policy, Resource, Shop, StaffProfile

TABLES = ("shop_catalog",)
_POLICY = TypeAdapter(Policy)
_SERVICES = TypeAdapter(list[Service])
_STAFF = TypeAdapter(list[StaffProfile])
_RESOURCES = TypeAdapter(list[Resource])


def to_document(shop: Shop) -> dict[str, Any]:
    return {
        "shop_id": str(shop.id),
        "timezone": shop.timezone,
        "policy": _POLICY.dump_python(shop.policy, mode="json"),
        "services": _SERVICES.dump_python(sorted(shop.services.values(), key=lambda s: s.name), mode="json"),
        "staff": _STAFF.dump_python(sorted(shop.staff.values(), key=lambda p: p.name), mode="json"),
        "resources": _RESOURCES.dump_python(
            sorted(shop.resources.values(), key=lambda r: r.name), mode="json"
        ),
    }


def from_document(document: dict[str, Any], version: int) -> Shop:
    return Shop(
        id=UUID(document["shop_id"]),
        timezone=document["timezone"],
        policy=_POLICY.validate_python(document["policy"]),
        services={s.id: s for s in _SERVICES.validate_python(document["services"])},
        staff={p.staff_id: p for p in _STAFF.validate_python(document["staff"])},
        resources={r.id: r for r in _RESOURCES.validate_python(document["resources"])},
        version=version,
    )


async def project(session: AsyncSession, shop: Shop) -> None:
    await project_shops(session, [shop])


async def project_shops(session: AsyncSession, shops: Sequence[Shop]) -> None:
    """One statement sent once with every shop (a rebuild writes them all at once)."""
    if shops:
        await session.execute(_UPSERT_SHOP, [_shop_row(shop) for shop in shops])


_UPSERT_SHOP = text(
    "INSERT INTO shop_catalog (shop_id, version, setup) VALUES (:id, :v, CAST(:doc AS jsonb)) "
    "ON CONFLICT (shop_id) DO UPDATE SET version = EXCLUDED.version, setup = EXCLUDED.setup"
)


def _shop_row(shop: Shop) -> dict[str, Any]:
    return {"id": shop.id, "v": shop.version, "doc": json.dumps(to_document(shop), ensure_ascii=False)}


async def get(session: AsyncSession, shop_id: UUID) -> dict[str, Any] | None:
    row = (
        await session.execute(text("SELECT setup FROM shop_catalog WHERE shop_id = :id"), {"id": shop_id})
    ).first()
    return dict(row.setup) if row else None


_PARSED: OrderedDict[tuple[UUID, int], Shop] = OrderedDict()
_PARSED_MAX = 1000


async def load_shop(session: AsyncSession, shop_id: UUID) -> Shop:
    """The shop for slot search and booking decisions (read-only: never apply events to
    it); an empty, not-set-up shop if it has no setup yet. A version is parsed once."""
    row = (
        await session.execute(
            text("SELECT version, setup FROM shop_catalog WHERE shop_id = :id"), {"id": shop_id}
        )
    ).first()
    if row is None:
        return Shop(shop_id)
    key = (shop_id, row.version)
    shop = _PARSED.get(key)
    if shop is None:
        shop = _PARSED[key] = from_document(row.setup, row.version)
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return shop
