"""A shop's webhook endpoints and their delivery log: all the SQL webhooks need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from .store import rows, run

_ENDPOINT = "endpoint_id AS id, url, description, event_types, enabled, disabled_reason, created_at"


async def add_endpoint(session: AsyncSession, shop_id: UUID, endpoint_id: UUID, **fields: Any) -> Row[Any]:
    found = await rows(
        session,
        "INSERT INTO webhook_endpoints (shop_id, endpoint_id, url, description, event_types, secret, created_at) "
        f"VALUES (:s, :e, :url, :description, :event_types, :secret, :now) RETURNING {_ENDPOINT}, secret",
        s=shop_id,
        e=endpoint_id,
        **fields,
    )
    return found[0]


async def endpoints(session: AsyncSession, shop_id: UUID) -> Sequence[Row[Any]]:
    return await rows(
        session,
        f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE shop_id = :s ORDER BY created_at",
        s=shop_id,
    )


async def endpoint(session: AsyncSession, shop_id: UUID, endpoint_id: UUID) -> Row[Any] | None:
    found = await rows(
        session,
        f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE shop_id = :s AND endpoint_id = :e",
        s=shop_id,
        e=endpoint_id,
    )
    return found[0] if found else None


async def change_endpoint(
    session: AsyncSession,
    shop_id: UUID,
    endpoint_id: UUID,
    event_types: list[str] | None,
    enabled: bool | None,
) -> Row[Any] | None:
    """Turning an endpoint on again clears why it was turned off."""
    found = await rows(
        session,
        "UPDATE webhook_endpoints SET event_types = coalesce(:t, event_types), enabled = coalesce(:on, enabled), "
        "disabled_reason = CASE WHEN coalesce(:on, enabled) THEN NULL ELSE disabled_reason END "
        f"WHERE shop_id = :s AND endpoint_id = :e RETURNING {_ENDPOINT}",
        s=shop_id,
        e=endpoint_id,
        t=event_types,
        on=enabled,
    )
    return found[0] if found else None


async def remove_endpoint(session: AsyncSession, shop_id: UUID, endpoint_id: UUID) -> bool:
    found = await rows(
        session,
        "DELETE FROM webhook_endpoints WHERE shop_id = :s AND endpoint_id = :e RETURNING endpoint_id",
        s=shop_id,
        e=endpoint_id,
    )
    return bool(found)


async def deliveries(
    session: AsyncSession, shop_id: UUID, endpoint_id: UUID, limit: int
) -> Sequence[Row[Any]]:
    return await rows(
        session,
        "SELECT message_id, event_type, status, attempts, next_attempt_at, last_status_code, last_error, "
        "created_at, last_attempt_at FROM webhook_deliveries WHERE shop_id = :s AND endpoint_id = :e "
        "ORDER BY created_at DESC, message_id LIMIT :n",
        s=shop_id,
        e=endpoint_id,
        n=limit,
    )


async def listening(session: AsyncSession, shop_id: UUID) -> Sequence[Row[Any]]:
    return await rows(
        session,
        "SELECT endpoint_id, event_types FROM webhook_endpoints WHERE shop_id = :s AND enabled",
        s=shop_id,
    )


async def enqueue(session: AsyncSession, queued: list[dict[str, Any]]) -> None:
    """Once per endpoint and event: a redelivered event changes nothing."""
    if queued:
        await session.execute(
            text(
                "INSERT INTO webhook_deliveries (shop_id, endpoint_id, message_id, event_type, body, next_attempt_at, "
                "created_at) VALUES (:s, :e, :m, :t, :body, :now, :now) ON CONFLICT DO NOTHING"
            ),
            queued,
        )


async def due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    return await rows(
        session,
        "SELECT d.shop_id, d.endpoint_id, d.message_id, d.body, d.attempts, e.url, e.secret, d.created_at "
        "FROM webhook_deliveries d JOIN webhook_endpoints e USING (shop_id, endpoint_id) "
        "WHERE d.status = 'pending' AND d.next_attempt_at <= :now AND e.enabled "
        "ORDER BY d.next_attempt_at LIMIT :n FOR UPDATE OF d SKIP LOCKED",
        now=now,
        n=limit,
    )


@dataclass(frozen=True)
class Tried:
    shop_id: UUID
    endpoint_id: UUID
    message_id: str
    status: str  # delivered, pending (again later) or failed (the schedule is spent)
    attempts: int
    next_attempt_at: datetime | None
    status_code: int | None
    error: str


async def record(session: AsyncSession, tried: Sequence[Tried], now: datetime) -> None:
    for t in tried:
        await run(
            session,
            "UPDATE webhook_deliveries SET status = :st, attempts = :a, next_attempt_at = :next, "
            "last_status_code = :code, last_error = :err, last_attempt_at = :now "
            "WHERE shop_id = :s AND endpoint_id = :e AND message_id = :m",
            st=t.status,
            a=t.attempts,
            next=t.next_attempt_at,
            code=t.status_code,
            err=t.error or None,
            now=now,
            s=t.shop_id,
            e=t.endpoint_id,
            m=t.message_id,
        )


async def disable_if_failing(session: AsyncSession, failed: Tried, since: datetime, reason: str) -> bool:
    """Off, unless something reached the endpoint since the spent delivery was first tried:
    a day of nothing but failures."""
    found = await rows(
        session,
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = :r "
        "WHERE shop_id = :s AND endpoint_id = :e AND enabled AND NOT EXISTS ("
        "  SELECT 1 FROM webhook_deliveries WHERE shop_id = :s AND endpoint_id = :e "
        "  AND status = 'delivered' AND last_attempt_at >= :since) RETURNING endpoint_id",
        s=failed.shop_id,
        e=failed.endpoint_id,
        since=since,
        r=reason,
    )
    return bool(found)
