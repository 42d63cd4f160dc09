"""Care cycles: a shop sets a pet's cycles (a command), and a timer gives each due date's
notice once. Giving a notice, recording it and moving the cycle on to its next due date
are one transaction on rows claimed SKIP LOCKED: after a crash the notice is either still
due or given, so it is given once however many notify instances run or restart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from frontdesk_contracts import notify as contracts
from frontdesk_platform.pipeline import Work
from frontdesk_platform.refusals import Refused
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import care, templates
from ..projections import care as care_store
from ..projections import store
from ..projections.campaigns import last_reached, lock_shop
from .deps import Dependencies


async def set_care_cycles(work: Work[Dependencies], cmd: contracts.SetCareCycles) -> None:
    if cmd.actor.role == "customer" or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "the shop's staff set a pet's care cycles")
    kinds = [c.kind for c in cmd.cycles]
    if len(set(kinds)) != len(kinds):
        raise Refused("invalid_request", "a pet has at most one cycle of each kind")
    session, now = work.session, work.deps.clock()
    timezone, _ = await store.shop(session, cmd.shop_id)
    noticed = await care_store.noticed_through(session, cmd.shop_id, cmd.pet_id)
    rows = []
    for c in cmd.cycles:
        cycle = care.Cycle(c.kind, c.every, c.unit, c.since, c.notice_days_before)
        upcoming = care.next_notice(cycle, noticed.get(c.kind), now, timezone or "UTC")
        rows.append(
            care_store.CycleRow(
                cmd.shop_id,
                cmd.pet_id,
                c.kind,
                cmd.customer_id,
                cmd.pet_name.strip(),
                c.every,
                c.unit,
                c.since,
                c.notice_days_before,
                c.service_id,
                upcoming.due_on,
                upcoming.notice_at,
            )
        )
    await care_store.replace(session, cmd.shop_id, cmd.pet_id, rows, now)


async def give_due_care_notices(deps: Dependencies, batch: int = 200) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        session = uow.session
        due = await care_store.due(session, now, batch)
        by_shop: dict[UUID, list[Row[Any]]] = defaultdict(list)
        for row in due:
            by_shop[row.shop_id].append(row)
        # shops in one order everywhere, so two rounds never wait on each other's locks
        for shop_id in sorted(by_shop, key=str):
            await lock_shop(session, shop_id)  # campaigns of this shop wait: one cap for both
            await _give(session, deps, shop_id, by_shop[shop_id], now)
        await uow.commit()
    return len(due)


async def _give(
    session: AsyncSession, deps: Dependencies, shop_id: UUID, due: list[Row[Any]], now: datetime
) -> None:
    reached = await last_reached(session, shop_id, [r.customer_id for r in due], now - deps.campaign_cap)
    for row in due:
        timezone = row.timezone or "UTC"
        verdict, until = care.verdict(
            frozenset(row.opted_out or ()),
            reached.get(row.customer_id),
            deps.campaign_cap,
            now,
            care.day_end(row.due_on, timezone),
        )
        if verdict == "deferred":
            await care_store.advance(session, row, row.due_on, until, None)
            continue
        notice = care.notice_id(row.pet_id, row.kind, row.due_on)
        notification_id = notice if verdict == "queued" else None
        if verdict == "queued":
            await store.queue(session, now=now, **_notification(deps, row, notice))
            reached[row.customer_id] = now
        await care_store.record_notice(session, row, verdict, notification_id, notice, now)
        await _move_on(session, row, timezone, now)


async def _move_on(session: AsyncSession, row: Row[Any], timezone: str, now: datetime) -> None:
    cycle = care.Cycle(row.kind, row.every, row.unit, row.since, row.notice_days_before)
    upcoming = care.next_notice(cycle, row.due_on, now, timezone)
    await care_store.advance(session, row, upcoming.due_on, upcoming.notice_at, row.due_on)


def _notification(deps: Dependencies, row: Row[Any], notice: str) -> dict[str, Any]:
    language = templates.language_of(row.language, deps.default_language)
    text = templates.render_care(row.kind, language, row.pet_name, row.due_on)
    due_on: date = row.due_on
    data = {
        "pet_id": str(row.pet_id),
        "kind": row.kind,
        "due_on": due_on.isoformat(),
        "booking_link": care.booking_link(deps.booking_link, row.shop_id, row.pet_id, row.service_id),
    }
    if row.service_id is not None:
        data["service_id"] = str(row.service_id)
    return {
        "id": notice,
        "shop_id": row.shop_id,
        "user_id": row.customer_id,
        "category": care.CATEGORY,
        "critical": False,
        "title": text.title,
        "body": text.body,
        "language": language,
        "data": data,
    }
