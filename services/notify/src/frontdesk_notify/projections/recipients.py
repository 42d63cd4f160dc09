"""Where people can be reached and what they want: devices and preferences."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from frontdesk_platform import shredding
from frontdesk_platform.row_writes import RowWrite
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.routing import Device, Preferences
from .store import rows, run

# The phone the shop took down for a customer it added (a walk-in): SMS reaches them there
# until they set preferences of their own, which this never overwrites.
_SEED_PHONE = text(
    "INSERT INTO preferences (user_id, shop_id, phone) SELECT CAST(:u AS uuid), CAST(:s AS uuid), "
    f"CAST(:phone AS text) WHERE NOT {shredding.ERASED_TEST.format(id='CAST(:u AS uuid)')} "
    "ON CONFLICT (user_id) DO NOTHING"
)


def phone_write(user_id: UUID, shop_id: UUID, phone: str) -> RowWrite:
    return RowWrite(_SEED_PHONE, ("preferences", user_id), {"u": user_id, "s": shop_id, "phone": phone})


async def register_device(
    session: AsyncSession, device: Device, shop_id: UUID, user_id: UUID, now: datetime
) -> None:
    """A token moves to whoever registers it last (a shared tablet, a reinstalled app)."""
    await run(
        session,
        "INSERT INTO devices (device_id, shop_id, user_id, platform, address, created_at) "
        "VALUES (:id, :shop, :user, :p, :a, :now) ON CONFLICT (platform, address) DO UPDATE SET "
        "device_id = EXCLUDED.device_id, shop_id = EXCLUDED.shop_id, user_id = EXCLUDED.user_id",
        id=device.device_id,
        shop=shop_id,
        user=user_id,
        p=device.platform,
        a=device.address,
        now=now,
    )


async def remove_devices(session: AsyncSession, device_ids: list[UUID]) -> None:
    """Devices their push service no longer knows."""
    if device_ids:
        await run(session, "DELETE FROM devices WHERE device_id = ANY(:ids)", ids=device_ids)


async def remove_device(session: AsyncSession, device_id: UUID, user_id: UUID) -> bool:
    """Whether the user had that device (someone else's device is left alone and not found)."""
    result = await session.execute(
        text("DELETE FROM devices WHERE device_id = :id AND user_id = :u"), {"id": device_id, "u": user_id}
    )
    return bool(getattr(result, "rowcount", 0))


async def devices(session: AsyncSession, user_id: UUID) -> list[Device]:
    found = await rows(
        session,
        "SELECT device_id, platform, address FROM devices WHERE user_id = :u ORDER BY created_at",
        u=user_id,
    )
    return [Device(r.device_id, r.platform, r.address) for r in found]


async def preferences(session: AsyncSession, user_id: UUID) -> Preferences:
    found = await rows(session, "SELECT * FROM preferences WHERE user_id = :u", u=user_id)
    if not found:
        return Preferences()
    r = found[0]
    return Preferences(
        r.language, r.phone, tuple(r.channels), frozenset(r.opted_out), r.quiet_start, r.quiet_end, r.timezone
    )


async def set_preferences(session: AsyncSession, shop_id: UUID, user_id: UUID, prefs: Preferences) -> None:
    await run(
        session,
        "INSERT INTO preferences (user_id, shop_id, language, phone, channels, opted_out, quiet_start, "
        "quiet_end, timezone) VALUES (:u, :s, :lang, :phone, :ch, :out, :qs, :qe, :tz) "
        "ON CONFLICT (user_id) DO UPDATE SET language = EXCLUDED.language, phone = EXCLUDED.phone, "
        "channels = EXCLUDED.channels, opted_out = EXCLUDED.opted_out, quiet_start = EXCLUDED.quiet_start, "
        "quiet_end = EXCLUDED.quiet_end, timezone = EXCLUDED.timezone",
        u=user_id,
        s=shop_id,
        lang=prefs.language,
        phone=prefs.phone,
        ch=list(prefs.channels),
        out=sorted(prefs.opted_out),
        qs=prefs.quiet_start,
        qe=prefs.quiet_end,
        tz=prefs.timezone,
    )
