"""Webhooks: every booking and messaging event of a shop becomes one delivery per enabled
endpoint whose filters take its type (written with the consumer's tracking record, so an
event redelivered by Kafka is queued once); a round claims due deliveries with SKIP
LOCKED, sends them signed, and records each attempt. A failed delivery is tried again on
the schedule in domain/webhooks.py; when the schedule is spent and nothing reached the
endpoint for that whole day, the endpoint is turned off and the shop's owners get a notice.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Envelope
from frontdesk_platform.pipeline import Pipeline, Route, Work
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters import webhooks as outbound
from ..domain import webhooks as rules
from ..projections import duty, store
from ..projections import webhooks as endpoints
from ..projections.webhooks import Tried
from .deps import Dependencies
from .metrics import WEBHOOK_ATTEMPTS, WEBHOOK_ENDPOINTS_TURNED_OFF

CONSUMER = "notify.webhooks"


@dataclass
class Sending:
    schedule: tuple[float, ...] = rules.RETRY_SCHEDULE_SECONDS
    allow_loopback: bool = False  # test mode: a receiver on 127.0.0.1
    concurrency: int = 16
    http: list[httpx.AsyncClient] = field(default_factory=list)  # the client, once the app has started


def events(deps: Dependencies) -> Pipeline[Work[Dependencies]]:
    async def apply(work: Work[Dependencies], event: Envelope) -> None:
        await queue_deliveries(work.uow.session, event, deps.clock())

    route: Route[Work[Dependencies]] = Route(apply)
    return Pipeline(lambda _type: route, lambda uow, event: Work(deps, uow, event))


async def queue_deliveries(session: AsyncSession, event: Envelope, now: datetime) -> None:
    if event.tenant_id is None:
        return
    listening = await endpoints.listening(session, event.tenant_id)
    chosen = [row.endpoint_id for row in listening if rules.wanted(list(row.event_types), event.type)]
    if not chosen:
        return
    body = json.dumps(
        {"type": event.type, "timestamp": event.time.isoformat(), "data": event.data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    # One webhook-id per event, the same on every retry, so a receiver can drop repeats.
    message_id = f"msg_{event.id}"
    await endpoints.enqueue(
        session,
        [
            {"s": event.tenant_id, "e": e, "m": message_id, "t": event.type, "body": body, "now": now}
            for e in chosen
        ],
    )


async def deliver_due(deps: Dependencies, sending: Sending, batch: int = 200) -> int:
    if not sending.http:
        return 0
    now = deps.clock()
    gate = asyncio.Semaphore(sending.concurrency)
    async with deps.unit_of_work() as uow:
        due = await endpoints.due(uow.session, now, batch)

        async def attempt(row: Any) -> Tried:
            async with gate:
                answer = await outbound.send(
                    sending.http[0],
                    row.url,
                    row.secret,
                    row.message_id,
                    row.body,
                    now,
                    sending.allow_loopback,
                )
            return _tried(row, answer, now, sending.schedule)

        tried = await asyncio.gather(*(attempt(row) for row in due))
        await endpoints.record(uow.session, tried, now)
        for spent, row in ((t, r) for t, r in zip(tried, due, strict=True) if t.status == "failed"):
            await _turn_off_if_failing(uow.session, spent, row.created_at, now)
        await uow.commit()
    for t in tried:
        WEBHOOK_ATTEMPTS.labels(t.status).inc()
    return len(due)


def _tried(row: Any, answer: outbound.Answer, now: datetime, schedule: tuple[float, ...]) -> Tried:
    attempts = row.attempts + 1
    later = None if answer.ok else rules.next_attempt(attempts, now, schedule)
    status = "delivered" if answer.ok else ("pending" if later else "failed")
    error = (
        answer.error if answer.status_code is None else f"HTTP {answer.status_code} {answer.error}".strip()
    )
    return Tried(
        row.shop_id, row.endpoint_id, row.message_id, status, attempts, later, answer.status_code, error
    )


async def _turn_off_if_failing(session: AsyncSession, spent: Tried, since: datetime, now: datetime) -> None:
    reason = f"Every delivery failed for a day (last: {spent.error or 'no answer'}); turned off."
    if not await endpoints.disable_if_failing(session, spent, since, reason):
        return
    WEBHOOK_ENDPOINTS_TURNED_OFF.inc()
    owners = await duty.owners(session, spent.shop_id)
    notices = [_notice(spent.shop_id, spent.endpoint_id, owner, now) for owner in owners]
    await store.queue_many(session, notices, now)


def _notice(shop_id: UUID, endpoint_id: UUID, owner: UUID, now: datetime) -> dict[str, Any]:
    return {
        "id": f"webhook-off:{endpoint_id}:{owner}:{now.isoformat()}",
        "shop_id": shop_id,
        "user_id": owner,
        "category": "webhook_disabled",
        "critical": False,
        "title": "Webhook 已停用 / Webhook turned off",
        "body": "一个 Webhook 地址连续一天无法送达，已停用。/ A webhook endpoint failed for a day and was turned off.",
        "language": "zh-CN",
        "data": {"endpoint_id": str(endpoint_id)},
    }
