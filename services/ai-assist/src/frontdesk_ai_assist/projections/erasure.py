"""Erasing a customer from the assistant (docs/adr/0005): the texts of their messages it
kept as turns (one not yet answered is not answered), what its dialogues remembered of
their conversations (the booking being talked through), and their pets' names and breeds.

A rebuild replays contract events, which still carry pets' names until the topics'
retention drops them, so it runs `forget` again for everyone in `erased_customers`."""

from __future__ import annotations

from frontdesk_contracts import identity
from frontdesk_platform import shredding
from sqlalchemy.ext.asyncio import AsyncSession

_THEIRS = "SELECT conversation_id FROM conversations WHERE shop_id = :s AND customer_id = :c"
_FORGET = (
    "UPDATE turns SET text = '', status = CASE WHEN status = 'pending' THEN 'erased' ELSE status END "
    "WHERE shop_id = :s AND customer_id = :c",
    f"UPDATE dialogues SET state = '{{}}' WHERE conversation_id IN ({_THEIRS})",
    "UPDATE pets SET name = '', breed = '' WHERE shop_id = :s AND customer_id = :c",
)


_FORGETTING = shredding.Forgetting(_FORGET)
forget_all_erased = _FORGETTING.forget_all_erased  # after a rebuild: forgotten again


async def erase(session: AsyncSession, erased: identity.CustomerErased) -> None:
    await _FORGETTING.erase(session, erased.shop_id, erased.customer_id, erased.erased_at)
