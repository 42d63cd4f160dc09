"""SQL for attachments (the gateway's own database)."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .model import Attachment

COLUMNS = (
    "id, shop_id, conversation_id, uploader_id, kind, name, mime, size, duration_ms, width, height, "
    "storage_key, thumbnail_id, thumbnail_key, created_at"
)


async def add(session: AsyncSession, attachment: Attachment) -> None:
    values = ", ".join(f":{c.strip()}" for c in COLUMNS.split(","))
    await session.execute(text(f"INSERT INTO attachments ({COLUMNS}) VALUES ({values})"), asdict(attachment))


async def get(session: AsyncSession, attachment_id: UUID) -> Attachment | None:
    row = (
        (
            await session.execute(
                text(f"SELECT {COLUMNS} FROM attachments WHERE id = :id"), {"id": attachment_id}
            )
        )
        .mappings()
        .first()
    )
    return Attachment(**row) if row else None
