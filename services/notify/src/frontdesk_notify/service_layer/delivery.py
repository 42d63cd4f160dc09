"""Delivers queued notifications: claimed with SKIP LOCKED, sent, and settled with their
status (sent, failed with a reason, or queued again after a backoff).

A reminder is checked against its booking once more just before it goes out, so a
cancellation that lands between the reminder firing and its delivery still stops it.
Every notification goes to the development sink for now, which records what would
have been sent; push and SMS providers take over once devices are registered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import reminders
from ..projections import store
from .deps import Dependencies


async def deliver_due(deps: Dependencies, batch: int = 200) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await store.due_notifications(uow.session, now, batch)
        for row in due:
            await _deliver(uow.session, deps, row, now)
        await uow.commit()
    return len(due)


async def _deliver(session: AsyncSession, deps: Dependencies, row: Row[Any], now: datetime) -> None:
    if row.category.startswith("booking_reminder_"):
        planned = datetime.fromisoformat(row.data["starts_at"])
        if not reminders.still_applies(planned, row.booking_status, row.booking_starts_at):
            await store.settle(session, row.id, status="skipped", reason="booking_changed", now=now)
            return
    await store.record_in_sink(session, row, "sink", now)
    await store.settle(session, row.id, status="sent", provider="sink", now=now)
