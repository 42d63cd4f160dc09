"""Erasing a customer on their request (docs/adr/0005): the account forgets their name,
phone and login at once, their sessions end, and `identity.customer.erased.v1` tells every
service to forget what it holds of them (messaging destroys their key)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from frontdesk_contracts import identity
from frontdesk_platform.errors import ApiError
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .service import identity_event
from .staff import Sessions
from .tokens import Principal

# The login becomes a tombstone (the phone was the login of a walk-in customer): unique,
# and no one can sign in with it.
_FORGET = (
    "UPDATE accounts SET name = '', login = 'erased:' || id::text, password_hash = NULL, "
    "status = 'removed' WHERE id = :c AND shop_id = :s AND role = 'customer' AND status <> 'removed' "
    "RETURNING id"
)


class CustomerErasure:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], sessions: Sessions) -> None:
        self._uow = unit_of_work
        self._sessions = sessions

    async def erase(self, owner: Principal, customer_id: UUID) -> None:
        if owner.role != "owner":
            raise ApiError(403, "forbidden", "Only the shop's owner can erase a customer.")
        async with self._uow() as uow:
            found = await uow.session.execute(text(_FORGET), {"c": customer_id, "s": owner.shop_id})
            if found.first() is None:
                raise ApiError(404, "customer_not_found", "No such customer in this shop.")
            now = await self._sessions.end(uow, customer_id)
            erased = identity.CustomerErased(shop_id=owner.shop_id, customer_id=customer_id, erased_at=now)
            uow.publish(identity_event(owner.shop_id, "identity.customer.erased.v1", erased))
            await uow.commit()
        await self._sessions.close_sockets(customer_id, owner.shop_id, now)
