"""Erasing a customer from messaging (docs/adr/0005): their keys are destroyed, so the
sealed texts in the event store are noise, and the read models forget what they hold of
them, exactly as a rebuild after the erasure would write them."""

from __future__ import annotations

from frontdesk_contracts import identity
from frontdesk_platform import shredding
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_THEIRS = "SELECT id FROM conversations WHERE shop_id = :s AND customer_id = :c"
_FORGET = (
    f"UPDATE messages SET text = '' WHERE conversation_id IN ({_THEIRS})",
    # an attachment's file name (the file itself is deleted by the gateway)
    "UPDATE messages SET attachment = jsonb_set(attachment, '{name}', '\"\"') "
    f"WHERE conversation_id IN ({_THEIRS}) AND attachment->>'name' <> ''",
    f"UPDATE notes SET text = '' WHERE conversation_id IN ({_THEIRS})",
    "UPDATE surveys SET comment = CASE WHEN comment IS NULL THEN NULL ELSE '' END "
    f"WHERE conversation_id IN ({_THEIRS})",
    "DELETE FROM message_search WHERE shop_id = :s AND customer_id = :c",
    # the preview a rebuild makes of an emptied message: nothing, or its kind
    "UPDATE conversations c SET last_message_preview = CASE WHEN m.kind = 'text' THEN '' "
    "ELSE '[' || m.kind || ']' END, "
    "change_cursor = nextval('conversation_changes') "
    "FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.last_seq "
    "AND c.shop_id = :s AND c.customer_id = :c AND c.last_message_preview IS NOT NULL",
    "UPDATE conversations SET handoff_note = CASE WHEN handoff_note IS NULL THEN NULL ELSE '' END "
    "WHERE shop_id = :s AND customer_id = :c",
    "UPDATE people SET name = '' WHERE user_id = :c AND shop_id = :s",
)


async def erase(session: AsyncSession, erased: identity.CustomerErased) -> None:
    await shredding.destroy_keys(session, erased.shop_id, erased.customer_id)
    for statement in _FORGET:
        await session.execute(text(statement), {"s": erased.shop_id, "c": erased.customer_id})
