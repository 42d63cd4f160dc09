"""Fires due reminders. Each is claimed with SKIP LOCKED together with its booking, checked
against the booking as it is now, and turned into a notification in the same
transaction: a crash before the commit leaves it due, after the commit it is done, so it
fires exactly once however often this runs or restarts."""

from __future__ import annotations

from ..domain import reminders
from ..projections import store
from .booking_events import notify_customer
from .deps import Dependencies


async def fire_due_reminders(deps: Dependencies, batch: int = 500) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await store.due_reminders(uow.session, now, batch)
        for r in due:
            if not reminders.still_applies(r.planned, r.status, r.starts_at):
                await store.mark_reminder(uow.session, r.id, "skipped", now)
                continue
            category = f"booking_reminder_{r.kind}"
            data = {
                "booking_id": str(r.booking_id),
                "shop_id": str(r.shop_id),
                "customer_id": str(r.customer_id),
                "service_id": str(r.service_id),
            }
            await notify_customer(uow.session, deps, category, r.id, data, r.starts_at.isoformat(), now)
            await store.mark_reminder(uow.session, r.id, "fired", now)
        await uow.commit()
    return len(due)
