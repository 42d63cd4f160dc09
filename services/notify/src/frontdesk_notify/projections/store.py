"""All of notify's SQL: what it knows of shops, services and bookings, its reminders,
its notifications, and the development sink."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_platform.row_writes import RowWrite, write
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.reminders import Reminder, ReminderTimes
from ..domain.routing import SECRET


async def run(session: AsyncSession, sql: str, **params: Any) -> None:
    await session.execute(text(sql), params)


async def rows(session: AsyncSession, sql: str, **params: Any) -> Sequence[Row[Any]]:
    return (await session.execute(text(sql), params)).all()


_SET_TIMEZONE = text(
    "INSERT INTO shops (shop_id, timezone) VALUES (:s, :tz) "
    "ON CONFLICT (shop_id) DO UPDATE SET timezone = EXCLUDED.timezone"
)


def timezone_write(shop_id: UUID, timezone: str) -> RowWrite:
    return RowWrite(_SET_TIMEZONE, ("shops", shop_id), {"s": shop_id, "tz": timezone})


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


_SET_SERVICE = text(
    "INSERT INTO services (service_id, shop_id, name) VALUES (:id, :s, :n) "
    "ON CONFLICT (shop_id, service_id) DO UPDATE SET name = EXCLUDED.name"
)


def service_write(shop_id: UUID, service_id: UUID, name: str) -> RowWrite:
    return RowWrite(
        _SET_SERVICE, ("services", shop_id, service_id), {"id": service_id, "s": shop_id, "n": name}
    )


async def service_name(session: AsyncSession, shop_id: UUID, service_id: UUID) -> str:
    found = await rows(
        session, "SELECT name FROM services WHERE shop_id = :s AND service_id = :id", s=shop_id, id=service_id
    )
    return str(found[0].name) if found else ""


async def booking(session: AsyncSession, booking_id: UUID) -> Row[Any] | None:
    found = await rows(session, "SELECT * FROM bookings WHERE booking_id = :b FOR UPDATE", b=booking_id)
    return found[0] if found else None


async def save_booking(session: AsyncSession, data: dict[str, Any], version: int) -> None:
    await write(session, [booking_write(data, version)])


_SAVE_BOOKING = text(
    "INSERT INTO bookings (booking_id, shop_id, customer_id, service_id, status, starts_at, version) "
    "VALUES (:b, :s, :c, :svc, :st, :at, :v) ON CONFLICT (booking_id) DO UPDATE SET "
    "status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, service_id = EXCLUDED.service_id, "
    "version = EXCLUDED.version WHERE bookings.version < EXCLUDED.version"
)


def booking_write(data: dict[str, Any], version: int) -> RowWrite:
    """The booking as of `version`; an older version than the row's changes nothing."""
    booking_id = UUID(data["booking_id"])
    params = {
        "b": booking_id,
        "s": UUID(data["shop_id"]),
        "c": UUID(data["customer_id"]),
        "svc": UUID(data["service_id"]),
        "st": data["status"],
        "at": datetime.fromisoformat(data["starts_at"]),
        "v": version,
    }
    return RowWrite(_SAVE_BOOKING, ("bookings", booking_id), params)


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
    """Due reminders with their booking as it is now (both rows locked) and what the
    message needs; a booking being changed right now is skipped this round and seen,
    changed, in the next."""
    return await rows(
        session,
        "SELECT r.id, r.kind, r.due_at, r.starts_at AS planned, b.booking_id, b.status, b.starts_at, b.shop_id, "
        "b.customer_id, sh.timezone, sv.name AS service_name, p.language "
        "FROM reminders r JOIN bookings b USING (booking_id) "
        "LEFT JOIN shops sh ON sh.shop_id = b.shop_id LEFT JOIN services sv ON sv.shop_id = b.shop_id AND sv.service_id = b.service_id "
        "LEFT JOIN preferences p ON p.user_id = b.customer_id "
        "WHERE r.status = 'scheduled' AND r.due_at <= :now ORDER BY r.due_at LIMIT :n "
        "FOR UPDATE OF r, b SKIP LOCKED",
        now=now,
        n=limit,
    )


async def mark_reminders(session: AsyncSession, ids: list[str], status: str, now: datetime) -> None:
    if ids:
        await run(
            session,
            "UPDATE reminders SET status = :st, fired_at = :now WHERE id = ANY(:ids)",
            ids=ids,
            st=status,
            now=now,
        )


async def queue(session: AsyncSession, *, now: datetime, **notification: Any) -> None:
    """Queue a notification once: its id is deterministic, a repeat changes nothing."""
    await queue_many(session, [notification], now)


async def queue_many(session: AsyncSession, notifications: list[dict[str, Any]], now: datetime) -> None:
    if not notifications:
        return
    await session.execute(
        text(
            "INSERT INTO notifications (id, shop_id, user_id, category, critical, title, body, language, data, "
            "next_attempt_at, created_at) VALUES (:id, :shop_id, :user_id, :category, :critical, :title, :body, "
            ":language, CAST(:data AS jsonb), :now, :now) ON CONFLICT (id) DO NOTHING"
        ),
        [{**n, "data": json.dumps(n["data"]), "now": now} for n in notifications],
    )


_DUE = """
SELECT n.*, b.status AS booking_status, b.starts_at AS booking_starts_at, sh.timezone AS shop_timezone,
       p.language AS p_language, p.phone, p.channels, p.opted_out, p.quiet_start, p.quiet_end,
       p.timezone AS p_timezone,
       (SELECT coalesce(json_agg(json_build_array(d.device_id, d.platform, d.address) ORDER BY d.created_at), '[]')
        FROM devices d WHERE d.user_id = n.user_id) AS devices
FROM notifications n
LEFT JOIN bookings b ON b.booking_id = CAST(n.data->>'booking_id' AS uuid)
LEFT JOIN shops sh ON sh.shop_id = n.shop_id
LEFT JOIN preferences p ON p.user_id = n.user_id
WHERE {where}
ORDER BY {order} LIMIT :n
FOR UPDATE OF n SKIP LOCKED
"""


async def due_notifications(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Queued notifications due now, with everything delivery needs: the booking as it is
    now (for reminders), the recipient's preferences and devices."""
    sql = _DUE.format(where="n.status = 'queued' AND n.next_attempt_at <= :now", order="n.next_attempt_at")
    return await rows(session, sql, now=now, n=limit)


async def due_fallbacks(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Critical notifications sent by push and still unread when their fallback is due."""
    sql = _DUE.format(where="n.fallback_at <= :now AND n.read_at IS NULL", order="n.fallback_at")
    return await rows(session, sql, now=now, n=limit)


@dataclass(frozen=True)
class Settlement:
    """How a delivery attempt ended for one notification."""

    id: str
    status: str
    channel: str | None = None
    provider: str | None = None
    reason: str | None = None
    retry_at: datetime | None = None
    fallback_at: datetime | None = None
    attempted: bool = True
    provider_message_id: str | None = None


async def settle(session: AsyncSession, settlements: list[Settlement], now: datetime) -> None:
    if not settlements:
        return
    await session.execute(
        text(
            "UPDATE notifications SET status = :status, channel = COALESCE(:channel, channel), "
            # a one-time code is kept only until it is delivered (or cannot be)
            "body = CASE WHEN category = ANY(:secret) AND :status <> 'queued' THEN '' ELSE body END, "
            "provider = COALESCE(:provider, provider), reason = :reason, attempts = attempts + :a, "
            "provider_message_id = COALESCE(:provider_message_id, provider_message_id), "
            "next_attempt_at = COALESCE(:retry_at, next_attempt_at), fallback_at = :fallback_at, "
            "sent_at = CASE WHEN :status = 'sent' THEN :now ELSE sent_at END WHERE id = :id"
        ),
        [{**asdict(s), "a": int(s.attempted), "now": now, "secret": sorted(SECRET)} for s in settlements],
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
        "SELECT id, user_id, category, critical, title, "
        "CASE WHEN category = ANY(:secret) THEN '' ELSE body END AS body, language, data, status, reason, "
        "channel, provider, attempts, created_at, sent_at, read_at, delivered_at FROM notifications "
        "WHERE shop_id = :s AND (CAST(:u AS uuid) IS NULL OR user_id = :u) ORDER BY created_at DESC, id LIMIT :n",
        secret=sorted(SECRET),
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


async def record_receipt(
    session: AsyncSession, provider_message_id: str, delivered: bool, reason: str | None, now: datetime
) -> bool:
    """A provider's report on a message it accepted: delivered to the handset, or not."""
    result = await session.execute(
        text(
            "UPDATE notifications SET status = CASE WHEN :ok THEN 'delivered' ELSE 'failed' END, "
            "delivered_at = CASE WHEN :ok THEN :now ELSE delivered_at END, "
            "reason = CASE WHEN :ok THEN reason ELSE :reason END "
            "WHERE provider_message_id = :id AND status IN ('sent', 'delivered')"
        ),
        {"id": provider_message_id, "ok": delivered, "reason": reason, "now": now},
    )
    return bool(getattr(result, "rowcount", 0))
