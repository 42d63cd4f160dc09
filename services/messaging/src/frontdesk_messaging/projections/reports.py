"""Service-level figures: first-response time (counted in the shop's opening hours),
resolution time and satisfaction, per shop or staff member, per day or week.

An episode starts with a customer's message when none is waiting, ends its wait at the
first staff reply (automatic answers do not count), and is resolved with the conversation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import events as e
from ..domain.hours import open_seconds_between, parse_weekly
from .sql import rows as _rows
from .sql import run as _run
from .sql import staged_writes

TABLES = ("response_episodes",)
EPISODES = frozenset(TABLES)  # the part of a conversation a message changes here (RowWrite.parts)


async def on_message(session: AsyncSession, event: e.MessageSent) -> None:
    opens = event.sender_role == "customer"
    if not opens and event.sender_kind != "person":
        return  # automatic answers do not count
    # One statement for both sides (a customer's message opens an episode, a person's reply
    # answers it), so a batch's exchange in a conversation goes in one round, not one each.
    await _run(
        session,
        "WITH opened AS (INSERT INTO response_episodes (conversation_id, started_at, shop_id) "
        "SELECT c.id, :at, c.shop_id FROM conversations c WHERE :opens AND c.id = :c AND NOT EXISTS ("
        "SELECT 1 FROM response_episodes r WHERE r.conversation_id = :c AND r.resolved_at IS NULL)) "
        "UPDATE response_episodes SET first_response_at = :at, responder_id = :s "
        "WHERE NOT :opens AND conversation_id = :c AND first_response_at IS NULL",
        row=("conversation", event.conversation_id),
        parts=EPISODES,
        opens=opens,
        c=event.conversation_id,
        at=event.sent_at,
        s=None if opens else event.sender_id,
    )
    if opens:
        return
    # how long it took in the shop's opening hours: counted in Python once the batch's
    # answers are written, for all of them at once
    answered: set[UUID] = session.info.setdefault("answered_episodes", set())
    answered.add(event.conversation_id)
    staged = staged_writes(session)
    if staged is None:
        await _first_response_times(session)
    else:
        staged.then("first_response_times", _first_response_times)


async def _first_response_times(session: AsyncSession) -> None:
    answered: set[UUID] = session.info.pop("answered_episodes", set())
    if not answered:
        return
    episodes = await _rows(
        session,
        "SELECT r.conversation_id, r.started_at, r.first_response_at, h.timezone, h.weekly "
        "FROM response_episodes r LEFT JOIN shop_hours h ON h.shop_id = r.shop_id "
        "WHERE r.conversation_id = ANY(CAST(:c AS uuid[])) AND r.first_response_at IS NOT NULL "
        "AND r.frt_seconds IS NULL",
        c=list(answered),
    )
    if not episodes:
        return
    figures = [
        {
            "c": episode["conversation_id"],
            "start": episode["started_at"],
            "f": open_seconds_between(
                parse_weekly(episode["weekly"]) if episode["weekly"] else {},
                episode["timezone"] or "UTC",
                episode["started_at"],
                episode["first_response_at"],
            ),
        }
        for episode in episodes
    ]
    staged = staged_writes(session)
    if staged is not None:
        await staged.send(_SET_FRT, figures)
    else:
        await session.execute(_SET_FRT, figures)


_SET_FRT = text(
    "UPDATE response_episodes SET frt_seconds = :f WHERE conversation_id = :c AND started_at = :start"
)


async def on_status(session: AsyncSession, event: e.StatusChanged) -> None:
    if event.status != "resolved":
        return
    await _run(
        session,
        "UPDATE response_episodes SET resolved_at = :at, "
        "resolution_seconds = EXTRACT(EPOCH FROM (:at - started_at)) "
        "WHERE conversation_id = :c AND resolved_at IS NULL",
        row=("conversation", event.conversation_id),
        c=event.conversation_id,
        at=event.changed_at,
    )


async def report(
    session: AsyncSession,
    shop_id: UUID,
    since: datetime,
    until: datetime,
    period: Literal["day", "week"],
    by_staff: bool,
    timezone: str,
) -> list[dict[str, Any]]:
    staff = "r.responder_id" if by_staff else "NULL::uuid"
    responses = await _rows(
        session,
        f"""
        SELECT date_trunc(:period, r.started_at AT TIME ZONE :tz)::date AS period_start, {staff} AS staff_id,
               count(*) AS conversations, count(r.first_response_at) AS answered,
               avg(r.frt_seconds) AS first_response_avg_seconds,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY r.frt_seconds) AS first_response_p50_seconds,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY r.frt_seconds) AS first_response_p90_seconds,
               count(r.resolved_at) AS resolved, avg(r.resolution_seconds) AS resolution_avg_seconds
        FROM response_episodes r
        WHERE r.shop_id = :shop AND r.started_at >= :since AND r.started_at < :until
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        period=period,
        tz=timezone,
        shop=shop_id,
        since=since,
        until=until,
    )
    survey_staff = "s.assignee_id" if by_staff else "NULL::uuid"
    ratings = await _rows(
        session,
        f"""
        SELECT date_trunc(:period, s.answered_at AT TIME ZONE :tz)::date AS period_start,
               {survey_staff} AS staff_id, avg(s.rating) AS csat_avg, count(*) AS csat_responses
        FROM surveys s
        WHERE s.shop_id = :shop AND s.answered_at >= :since AND s.answered_at < :until
        GROUP BY 1, 2
        """,
        period=period,
        tz=timezone,
        shop=shop_id,
        since=since,
        until=until,
    )
    merged: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in responses:
        merged[(row["period_start"], row["staff_id"])] = {**row, "csat_avg": None, "csat_responses": 0}
    for row in ratings:
        key = (row["period_start"], row["staff_id"])
        base = merged.setdefault(
            key,
            {"period_start": key[0], "staff_id": key[1], "conversations": 0, "answered": 0, "resolved": 0},
        )
        base.update(csat_avg=float(row["csat_avg"]), csat_responses=row["csat_responses"])
    return sorted(merged.values(), key=lambda r: (r["period_start"], str(r["staff_id"])))
