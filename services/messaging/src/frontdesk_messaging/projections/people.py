"""Who works at and buys from each shop, as identity announces it, and which staff are
online, as the gateway announces it (for assignment checks, the round-robin, templates)."""

from __future__ import annotations

from collections.abc import Callable

from frontdesk_contracts import Envelope, identity, messaging_shop
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

CONSUMER = "messaging.identity"


async def handle_identity_event(unit_of_work: Callable[[], UnitOfWork], event: Envelope) -> None:
    if event.type == "identity.staff.added.v1":
        staff = identity.StaffAdded.model_validate(event.data)
        row = {"u": staff.staff_id, "s": staff.shop_id, "r": staff.role, "n": staff.name}
    elif event.type == "identity.customer.registered.v1":
        customer = identity.CustomerRegistered.model_validate(event.data)
        row = {"u": customer.customer_id, "s": customer.shop_id, "r": "customer", "n": customer.name}
    else:
        return
    async with unit_of_work() as uow:
        if await uow.already_processed(CONSUMER, event.id):
            return
        await uow.session.execute(
            text(
                "INSERT INTO people (user_id, shop_id, role, name) VALUES (:u, :s, :r, :n) "
                "ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name"
            ),
            row,
        )
        await uow.mark_processed(CONSUMER, event.id)
        await uow.commit()


async def handle_presence_event(unit_of_work: Callable[[], UnitOfWork], event: Envelope) -> None:
    """Who is online, for the round-robin. Only the newest status matters, so no tracking."""
    if event.type != "presence.staff.status_changed.v1":
        return
    changed = messaging_shop.StaffStatusChanged.model_validate(event.data)
    async with unit_of_work() as uow:
        await uow.session.execute(
            text(
                "INSERT INTO staff_presence (staff_id, status) VALUES (:s, :st) "
                "ON CONFLICT (staff_id) DO UPDATE SET status = EXCLUDED.status"
            ),
            {"s": changed.staff_id, "st": changed.status},
        )
        await uow.commit()
