"""All of notify's SQL: what it knows of shops, services and bookings, its reminders,
its notifications, and the development sink."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.reminders import Reminder, ReminderTimes


async def run(session: AsyncSession, sql: str, **params: Any) -> None:
    await session.execute(text(sql), params)


async def rows(session: AsyncSession, sql: str, **params: Any) -> Sequence[Row[Any]]:
    return (await session.execute(text(sql), params)).all()


async def set_timezone(session: AsyncSession, shop_id: UUID, timezone: str) -> None:
    await run(
        session,
        "INSERT INTO shops (shop_id, timezone) VALUES (:s, :tz) "
        "ON CONFLICT (shop_id) DO UPDATE SET timezone = EXCLUDED.timezone",
        s=shop_id,
        tz=timezone,
    )


async def set_reminder_times(session: AsyncSession, shop_id: UUID, times: ReminderTimes) -> None:
    await run(
        session,
        "INSERT INTO shops (shop_id, day_before_at, morning_at) VALUES (:s, :d, :m) "
        "ON CONFLICT (shop_id) DO UPDATE SET day_before_at = EXCLUDED.day_before_at, "
        "morning_at = EXCLUDED.morning_at",
        s=shop_id,
        d=times.day_before_at,
        m=times.morning_at,
    )


async def shop(session: AsyncSession, shop_id: UUID) -> tuple[str | None, ReminderTimes]:
    found = await rows(session, "SELECT * FROM shops WHERE shop_id = :s", s=shop_id)
    if not found:
        return None, ReminderTimes()
    return found[0].timezone, ReminderTimes(found[0].day_before_at, found[0].morning_at)


async def set_service(session: AsyncSession, shop_id: UUID, service_id: UUID, name: str) -> None:
    await run(
        session,
        "INSERT INTO services (service_id, shop_id, name) VALUES (:id, :s, :n) "
        "ON CONFLICT (service_id) DO UPDATE SET name = EXCLUDED.name",
        id=service_id,
        s=shop_id,
        n=name,
    )


async def service_name(session: AsyncSession, service_id: UUID) -> str:
    found = await rows(session, "SELECT name FROM services WHERE service_id = :id", id=service_id)
    return str(found[0].name) if found else ""


async def booking(session: AsyncSession, booking_id: UUID) -> Row[Any] | None:
    found = await rows(session, "SELECT * FROM bookings WHERE booking_id = :b FOR UPDATE", b=booking_id)
    return found[0] if found else None


async def save_booking(session: AsyncSession, data: dict[str, Any], version: int) -> None:
    await run(
        session,
        "INSERT INTO bookings (booking_id, shop_id, customer_id, service_id, status, starts_at, version) "
        "VALUES (:b, :s, :c, :svc, :st, :at, :v) ON CONFLICT (booking_id) DO UPDATE SET "
        "status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, service_id = EXCLUDED.service_id, "
        "version = EXCLUDED.version WHERE bookings.version < EXCLUDED.version",
        b=UUID(data["booking_id"]),
        s=UUID(data["shop_id"]),
        c=UUID(data["customer_id"]),
        svc=UUID(data["service_id"]),
        st=data["status"],
        at=datetime.fromisoformat(data["starts_at"]),
        v=version,
    )


async def schedule(session: AsyncSession, reminders: list[Reminder]) -> None:
    for r in reminders:
        await run(
            session,
            "INSERT INTO reminders (id, booking_id, kind, starts_at, due_at) VALUES (:id, :b, :k, :s, :d) "
            "ON CONFLICT (id) DO NOTHING",
            id=r.id,
            b=r.booking_id,
            k=r.kind,
            s=r.starts_at,
            d=r.due_at,
        )


async def drop_reminders(session: AsyncSession, booking_id: UUID, status: str) -> None:
    """Reminders of a booking that was cancelled or moved will not fire (`status` says why)."""
    await run(
        session,
        "UPDATE reminders SET status = :st WHERE booking_id = :b AND status = 'scheduled'",
        b=booking_id,
        st=status,
    )


async def due_reminders(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Due reminders with their booking as it is now, both rows locked; a booking that is
    being changed right now is skipped this round and seen, changed, in the next."""
    return await rows(
        session,
        "SELECT r.id, r.kind, r.starts_at AS planned, b.booking_id, b.status, b.starts_at, b.shop_id, "
        "b.customer_id, b.service_id FROM reminders r JOIN bookings b USING (booking_id) "
        "WHERE r.status = 'scheduled' AND r.due_at <= :now ORDER BY r.due_at LIMIT :n "
        "FOR UPDATE OF r, b SKIP LOCKED",
        now=now,
        n=limit,
    )


async def mark_reminder(session: AsyncSession, reminder_id: str, status: str, now: datetime) -> None:
    await run(
        session,
        "UPDATE reminders SET status = :st, fired_at = :now WHERE id = :id",
        id=reminder_id,
        st=status,
        now=now,
    )


async def queue(
    session: AsyncSession,
    *,
    id: str,
    shop_id: UUID,
    user_id: UUID,
    category: str,
    critical: bool,
    title: str,
    body: str,
    language: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """Queue a notification once: its id is deterministic, a repeat changes nothing."""
    await run(
        session,
        "INSERT INTO notifications (id, shop_id, user_id, category, critical, title, body, language, data, "
        "next_attempt_at, created_at) VALUES (:id, :shop, :user, :cat, :crit, :title, :body, :lang, "
        "CAST(:data AS jsonb), :now, :now) ON CONFLICT (id) DO NOTHING",
        id=id,
        shop=shop_id,
        user=user_id,
        cat=category,
        crit=critical,
        title=title,
        body=body,
        lang=language,
        data=json.dumps(data),
        now=now,
    )


async def due_notifications(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    return await rows(
        session,
        "SELECT n.*, b.status AS booking_status, b.starts_at AS booking_starts_at FROM notifications n "
        "LEFT JOIN bookings b ON b.booking_id = CAST(n.data->>'booking_id' AS uuid) "
        "WHERE n.status = 'queued' AND n.next_attempt_at <= :now ORDER BY n.next_attempt_at LIMIT :n "
        "FOR UPDATE OF n SKIP LOCKED",
        now=now,
        n=limit,
    )


async def settle(
    session: AsyncSession,
    notification_id: str,
    *,
    status: str,
    now: datetime,
    channel: str | None = None,
    provider: str | None = None,
    reason: str | None = None,
    retry_at: datetime | None = None,
    fallback_at: datetime | None = None,
    attempted: bool = True,
) -> None:
    await run(
        session,
        "UPDATE notifications SET status = :st, channel = COALESCE(:ch, channel), "
        "provider = COALESCE(:p, provider), reason = :r, attempts = attempts + :a, "
        "next_attempt_at = COALESCE(:retry, next_attempt_at), fallback_at = :fb, "
        "sent_at = CASE WHEN :st = 'sent' THEN :now ELSE sent_at END WHERE id = :id",
        id=notification_id,
        st=status,
        ch=channel,
        p=provider,
        r=reason,
        a=int(attempted),
        retry=retry_at,
        fb=fallback_at,
        now=now,
    )


async def due_fallbacks(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Critical notifications sent by push and still unread when their fallback is due."""
    return await rows(
        session,
        "SELECT * FROM notifications WHERE fallback_at <= :now AND read_at IS NULL "
        "ORDER BY fallback_at LIMIT :n FOR UPDATE SKIP LOCKED",
        now=now,
        n=limit,
    )


async def mark_read(session: AsyncSession, notification_id: str, user_id: UUID, now: datetime) -> bool:
    result = await session.execute(
        text(
            "UPDATE notifications SET read_at = COALESCE(read_at, :now), fallback_at = NULL "
            "WHERE id = :id AND user_id = :u"
        ),
        {"id": notification_id, "u": user_id, "now": now},
    )
    return bool(getattr(result, "rowcount", 0))


async def notifications(
    session: AsyncSession, shop_id: UUID, user_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    found = await rows(
        session,
        "SELECT id, user_id, category, critical, title, body, language, data, status, reason, channel, "
        "provider, attempts, created_at, sent_at, read_at FROM notifications WHERE shop_id = :s "
        "AND (CAST(:u AS uuid) IS NULL OR user_id = :u) ORDER BY created_at DESC, id LIMIT :n",
        s=shop_id,
        u=user_id,
        n=limit,
    )
    return [dict(r._mapping) for r in found]


async def sink_records(
    session: AsyncSession, shop_id: UUID, user_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    found = await rows(
        session,
        "SELECT notification_id, user_id, platform, title, body, data, recorded_at FROM sink_records "
        "WHERE shop_id = :s AND (CAST(:u AS uuid) IS NULL OR user_id = :u) ORDER BY recorded_at, "
        "notification_id LIMIT :n",
        s=shop_id,
        u=user_id,
        n=limit,
    )
    return [dict(r._mapping) for r in found]
