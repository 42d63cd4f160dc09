"""A shop as the assistant works with it: the understanding core's `ShopContext` built
from the shop's projections (catalog, hours, FAQ, settings), its assistant settings,
and its booking policy. Contexts are kept per shop and rebuilt only when the shop's
revision moves (so the knowledge base is indexed once per change, not per message)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any, cast
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import FaqEntry, Hours, Pet, ServiceOffer, ShopContext, ShopKind
from ..domain.speaking import AssistantSettings, Mode
from ..projections import knowledge
from ..projections import shops as rows


@dataclass(frozen=True, eq=False)
class Shop:
    shop_id: UUID
    context: ShopContext
    settings: AssistantSettings
    policy: dict[str, Any]
    nightly: frozenset[str]  # services booked per night (boarding): left to staff
    revision: int

    @property
    def timezone(self) -> str:
        return self.context.timezone

    def cutoff(self, kind: str) -> timedelta:
        return timedelta(hours=int(self.policy.get(f"{kind}_cutoff_hours", 2)))


class ShopContexts:
    def __init__(self, size: int = 512) -> None:
        self._kept: OrderedDict[UUID, Shop] = OrderedDict()
        self._size = size

    async def get(self, session: AsyncSession, shop_id: UUID) -> Shop | None:
        revision = await rows.revision(session, shop_id)
        if revision is None:
            return None
        kept = self._kept.get(shop_id)
        if kept is not None and kept.revision == revision:
            self._kept.move_to_end(shop_id)
            return kept
        shop = await build(session, shop_id)
        if shop is not None:
            self._kept[shop_id] = shop
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return shop


async def build(session: AsyncSession, shop_id: UUID) -> Shop | None:
    row = await rows.shop(session, shop_id)
    if row is None:
        return None
    settings = await knowledge.settings(session, shop_id)
    services = await rows.services(session, shop_id)
    faq = await knowledge.entries(session, shop_id)
    context = ShopContext(
        name=row.name,
        name_en=settings.name_en,
        timezone=row.timezone,
        kind=cast(ShopKind, settings.shop_kind),
        hours=hours_of(row.hours),
        address=settings.address,
        address_en=settings.address_en,
        phone=settings.phone,
        services=tuple(
            ServiceOffer(str(s.service_id), s.name, s.duration_minutes, s.price_cents, s.currency)
            for s in services
        ),
        faq=tuple(e for entry in faq for e in faq_entries(entry)),
    )
    return Shop(
        shop_id,
        context,
        assistant_settings(settings),
        row.policy,
        frozenset(str(s.service_id) for s in services if s.per_night),
        row.revision,
    )


def assistant_settings(row: knowledge.SettingsRow) -> AssistantSettings:
    return AssistantSettings(
        cast(Mode, row.mode),
        timedelta(minutes=row.reply_after_minutes),
        timedelta(minutes=row.staff_quiet_minutes),
    )


def hours_of(weekly: dict[str, list[list[str]]]) -> Hours:
    """{"0": [["09:00", "18:00"]]} (messaging's business hours) → the core's Hours."""
    return {
        int(day): tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
        for day, spans in weekly.items()
        if spans
    }


def faq_entries(entry: knowledge.FaqRow) -> list[FaqEntry]:
    keywords = tuple(entry.keywords)
    main = FaqEntry(str(entry.entry_id), entry.question, entry.answer, keywords, _language(entry.language))
    return [main] + [
        FaqEntry(str(entry.entry_id), t["question"], t["answer"], keywords, _language(t.get("language")))
        for t in entry.translations
    ]


async def customer_pets(session: AsyncSession, customer_id: UUID) -> list[Pet]:
    return [
        Pet(str(p.pet_id), p.name, "child" if p.kind == "child" else "pet", p.species, p.breed)
        for p in await rows.pets(session, customer_id)
    ]


def _language(value: str | None) -> Any:
    return value if value in ("zh", "en") else None
