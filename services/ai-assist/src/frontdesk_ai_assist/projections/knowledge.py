"""The shop's own knowledge base (FAQ entries) and assistant settings, as its staff and
owner set them through the API. Every change bumps the shop's revision."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from .shops import bump
from .sql import rows, run

MAX_ENTRIES = 500


@dataclass(frozen=True)
class FaqRow:
    entry_id: UUID
    question: str
    answer: str
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    translations: list[dict[str, str]] = field(default_factory=list)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SettingsRow:
    mode: str = "off"
    reply_after_minutes: int = 5
    staff_quiet_minutes: int = 30
    shop_kind: str = "pet"
    name_en: str = ""
    address: str = ""
    address_en: str = ""
    phone: str = ""
    updated_at: datetime | None = None


async def save_entry(session: AsyncSession, shop_id: UUID, entry: FaqRow) -> None:
    await run(
        session,
        "INSERT INTO faq (shop_id, entry_id, question, answer, keywords, language, translations, updated_at) "
        "VALUES (:s, :e, :q, :a, CAST(:k AS jsonb), :l, CAST(:t AS jsonb), :at) "
        "ON CONFLICT (shop_id, entry_id) DO UPDATE SET question = EXCLUDED.question, answer = EXCLUDED.answer, "
        "keywords = EXCLUDED.keywords, language = EXCLUDED.language, translations = EXCLUDED.translations, "
        "updated_at = EXCLUDED.updated_at",
        s=shop_id,
        e=entry.entry_id,
        q=entry.question,
        a=entry.answer,
        k=json.dumps(entry.keywords, ensure_ascii=False),
        l=entry.language,
        t=json.dumps(entry.translations, ensure_ascii=False),
        at=entry.updated_at,
    )
    await bump(session, shop_id)


async def delete_entry(session: AsyncSession, shop_id: UUID, entry_id: UUID) -> bool:
    found = await rows(
        session,
        "DELETE FROM faq WHERE shop_id = :s AND entry_id = :e RETURNING entry_id",
        s=shop_id,
        e=entry_id,
    )
    if found:
        await bump(session, shop_id)
    return bool(found)


async def entry_count(session: AsyncSession, shop_id: UUID) -> int:
    found = await rows(session, "SELECT count(*) AS n FROM faq WHERE shop_id = :s", s=shop_id)
    return int(found[0].n)


async def entries(session: AsyncSession, shop_id: UUID, entry_id: UUID | None = None) -> list[FaqRow]:
    found = await rows(
        session,
        "SELECT entry_id, question, answer, keywords, language, translations, updated_at FROM faq "
        "WHERE shop_id = :s AND (CAST(:e AS uuid) IS NULL OR entry_id = :e) ORDER BY updated_at, entry_id",
        s=shop_id,
        e=entry_id,
    )
    return [FaqRow(**row._mapping) for row in found]


async def save_settings(session: AsyncSession, shop_id: UUID, settings: SettingsRow) -> None:
    values: dict[str, Any] = {k: getattr(settings, k) for k in SettingsRow.__dataclass_fields__}
    columns = ", ".join(values)
    await run(
        session,
        f"INSERT INTO settings (shop_id, {columns}) VALUES (:shop_id, {', '.join(':' + k for k in values)}) "
        "ON CONFLICT (shop_id) DO UPDATE SET " + ", ".join(f"{k} = EXCLUDED.{k}" for k in values),
        shop_id=shop_id,
        **values,
    )
    await bump(session, shop_id)


async def settings(session: AsyncSession, shop_id: UUID) -> SettingsRow:
    """The shop's settings; a shop that never set any has the assistant off."""
    found = await rows(
        session,
        "SELECT mode, reply_after_minutes, staff_quiet_minutes, shop_kind, name_en, address, address_en, phone, "
        "updated_at FROM settings WHERE shop_id = :s",
        s=shop_id,
    )
    return SettingsRow(**found[0]._mapping) if found else SettingsRow()
