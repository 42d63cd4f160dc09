"""Fires due reminders. A batch is claimed with SKIP LOCKED together with the bookings,
each checked against its booking as it is now, and turned into notifications in the
same transaction: a crash before the commit leaves them due, after the commit they are
done, so each fires exactly once however many notify instances run or restart."""

from __future__ import annotations

from ..domain import reminders, templates
from ..projections import store
from .booking_events import booking_notice
from .deps import Dependencies
from .metrics import REMINDER_LATENESS


async def fire_due_reminders(deps: Dependencies, batch: int = 500) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await store.due_reminders(uow.session, now, batch)
        fired, skipped, queued = [], [], []
        for r in due:
            if not reminders.still_applies(r.planned, r.status, r.starts_at):
                skipped.append(r.id)
                continue
            notice = booking_notice(
                id=r.id,
                category=f"booking_reminder_{r.kind}",
                shop_id=r.shop_id,
                customer_id=r.customer_id,
                booking_id=r.booking_id,
                starts_at=r.starts_at,
                service=r.service_name or "",
                timezone=r.timezone or "UTC",
                language=templates.language_of(r.language, deps.default_language),
            )
            queued.append(notice)
            fired.append(r.id)
            REMINDER_LATENESS.observe((now - r.due_at).total_seconds())
        await store.queue_many(uow.session, queued, now)
        await store.mark_reminders(uow.session, fired, "fired", now)
        await store.mark_reminders(uow.session, skipped, "skipped", now)
        await uow.commit()
    return len(due)
