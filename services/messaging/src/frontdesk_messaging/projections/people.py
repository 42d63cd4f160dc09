"""Who works at and buys from each shop, as identity announces it (including roles that
change and staff who are disabled or removed), and which staff are online, as the gateway
announces it (for assignment checks, the round-robin, templates)."""

from __future__ import annotations

from collections.abc import Callable

from frontdesk_contracts import Envelope, identity, messaging_shop
from frontdesk_platform.pipeline import Pipeline, Route
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from . import erasure

CONSUMER = "messaging.identity"
_PEOPLE_EVENTS = frozenset(
    {
        "identity.staff.added.v1",
        "identity.customer.registered.v1",
        "identity.staff.role_changed.v1",
        "identity.staff.enabled.v1",
        "identity.staff.disabled.v1",
        "identity.staff.removed.v1",
        "identity.customer.erased.v1",
    }
)


_UPSERT = (
    "INSERT INTO people (user_id, shop_id, role, name) VALUES (:u, :s, :r, :n) "
    "ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name"
)
_SET_ROLE = "UPDATE people SET role = :r WHERE user_id = :u AND shop_id = :s"
# A disabled or removed member keeps their row (messages name them) under a role that is
# neither owner nor staff, so the round-robin, handoffs and assignments pass them by.
_NEW_ROLE = _SET_ROLE + " AND role IN ('owner', 'staff')"


def _change(event: Envelope) -> tuple[str, dict[str, object]] | None:
    """The statement an identity event makes to the people table, if any."""
    if event.type == "identity.staff.added.v1":
        staff = identity.StaffAdded.model_validate(event.data)
        return _UPSERT, {"u": staff.staff_id, "s": staff.shop_id, "r": staff.role, "n": staff.name}
    if event.type == "identity.customer.registered.v1":
        customer = identity.CustomerRegistered.model_validate(event.data)
        return _UPSERT, {
            "u": customer.customer_id,
            "s": customer.shop_id,
            "r": "customer",
            "n": customer.name,
        }
    if event.type == "identity.staff.role_changed.v1":
        changed = identity.StaffRoleChanged.model_validate(event.data)
        return _NEW_ROLE, {"u": changed.staff_id, "s": changed.shop_id, "r": changed.role}
    if event.type == "identity.staff.enabled.v1":
        enabled = identity.StaffEnabled.model_validate(event.data)
        return _SET_ROLE, {"u": enabled.staff_id, "s": enabled.shop_id, "r": enabled.role}
    if event.type == "identity.staff.disabled.v1":
        disabled = identity.StaffDisabled.model_validate(event.data)
        return _SET_ROLE, {"u": disabled.staff_id, "s": disabled.shop_id, "r": "disabled"}
    if event.type == "identity.staff.removed.v1":
        removed = identity.StaffRemoved.model_validate(event.data)
        return _SET_ROLE, {"u": removed.staff_id, "s": removed.shop_id, "r": "removed"}
    return None


async def _apply(uow: UnitOfWork, event: Envelope) -> None:
    if event.type == "identity.customer.erased.v1":
        await erasure.erase(uow.session, identity.CustomerErased.model_validate(event.data))
        return
    change = _change(event)
    if change is not None:
        statement, row = change
        await uow.session.execute(text(statement), row)


IDENTITY_EVENTS: Pipeline[UnitOfWork] = Pipeline(
    lambda type_name: Route(_apply) if type_name in _PEOPLE_EVENTS else None,
    lambda uow, event: uow,
)


async def handle_identity_event(unit_of_work: Callable[[], UnitOfWork], event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with IDENTITY_EVENTS."""
    await IDENTITY_EVENTS.carry_out_one(CONSUMER, unit_of_work, event)


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
