"""Erasing a customer from booking (docs/adr/0005): their keys are destroyed, so the sealed
texts of their bookings and pets in the event store are noise, and the read models forget
them, exactly as a rebuild after the erasure writes them (a sealed text opens as "", a
pet's allergies as none). Their bookings stay (times, services, prices): the shop's
calendar and figures are unchanged."""

from __future__ import annotations

from frontdesk_contracts import identity
from frontdesk_platform import shredding
from frontdesk_platform.pipeline import Pipeline, Route
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

CONSUMER = "booking.identity"

_THEIRS = "SELECT id FROM bookings WHERE shop_id = :s AND customer_id = :c"
_FORGET = (
    "UPDATE bookings SET customer_note = '', proposal = CASE WHEN proposal IS NULL THEN NULL "
    "ELSE jsonb_set(proposal, '{note}', '\"\"') END WHERE shop_id = :s AND customer_id = :c",
    f"UPDATE booking_staff_notes SET text = '' WHERE booking_id IN ({_THEIRS})",
    f"UPDATE booking_updates SET text = '' WHERE booking_id IN ({_THEIRS})",
    "UPDATE pets SET name = '', breed = '', allergies = '{}', temperament = '', notes = '' "
    "WHERE shop_id = :s AND customer_id = :c",
)


async def erase(uow: UnitOfWork, erased: identity.CustomerErased) -> None:
    await shredding.destroy_keys(uow.session, erased.shop_id, erased.customer_id)
    for statement in _FORGET:
        await uow.session.execute(text(statement), {"s": erased.shop_id, "c": erased.customer_id})


IDENTITY_EVENTS: Pipeline[UnitOfWork] = Pipeline(
    lambda type_name: (
        Route(erase, identity.CustomerErased) if type_name == "identity.customer.erased.v1" else None
    ),
    lambda uow, event: uow,
)
