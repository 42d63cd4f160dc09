"""Erasing a customer from notify (docs/adr/0005): their name, phone and devices, the texts
of notifications to them and about them (a staff member's "王小明: 我家旺财…" alert, a new
booking's), what the development sink recorded of those, chat alert previews, their pets'
names in care cycles, and the bodies of webhook deliveries of their events. A notification
or webhook delivery not yet sent is not sent. What is left: ids, times, statuses, counts.

A rebuild replays contract events, which still carry the plaintext until the topics'
retention drops them, so it runs `forget` again for everyone in `erased_customers`."""

from __future__ import annotations

from frontdesk_contracts import identity
from frontdesk_platform import shredding
from sqlalchemy.ext.asyncio import AsyncSession

_CONVERSATIONS = "SELECT conversation_id::text FROM conversations WHERE shop_id = :s AND customer_id = :c"
_BOOKINGS = "SELECT booking_id::text FROM bookings WHERE shop_id = :s AND customer_id = :c"
_ABOUT_THEM = (
    f"shop_id = :s AND (user_id = :c OR data->>'conversation_id' IN ({_CONVERSATIONS}) "
    f"OR data->>'booking_id' IN ({_BOOKINGS}))"
)
_FORGET = (
    "UPDATE names SET name = '' WHERE id = :c",
    "UPDATE preferences SET phone = NULL WHERE user_id = :c AND shop_id = :s",
    "DELETE FROM devices WHERE user_id = :c AND shop_id = :s",
    f"UPDATE sink_records SET title = '', body = '' WHERE {_ABOUT_THEM}",
    "UPDATE notifications SET title = '', body = '', "
    "reason = CASE WHEN status = 'queued' THEN 'customer_erased' ELSE reason END, "
    f"status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END WHERE {_ABOUT_THEM}",
    f"UPDATE chat_alerts SET preview = '' WHERE shop_id = :s AND conversation_id::text IN ({_CONVERSATIONS})",
    "UPDATE care_cycles SET pet_name = '' WHERE shop_id = :s AND customer_id = :c",
    "UPDATE webhook_deliveries SET body = '', "
    "status = CASE WHEN status = 'pending' THEN 'erased' ELSE status END "
    "WHERE shop_id = :s AND (CASE WHEN body <> '' THEN body::jsonb #>> '{data,customer_id}' END) "
    "= CAST(:c AS uuid)::text",
)


_FORGETTING = shredding.Forgetting(_FORGET)
forget_all_erased = _FORGETTING.forget_all_erased  # after a rebuild: forgotten again


async def erase(session: AsyncSession, erased: identity.CustomerErased) -> None:
    await _FORGETTING.erase(session, erased.shop_id, erased.customer_id, erased.erased_at)
