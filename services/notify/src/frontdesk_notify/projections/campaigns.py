"""Campaigns and their recipients; what a recipient wants (their preferences) and when
the shop last reached them with a campaign (for the frequency cap)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

_COUNTS = (
    "count(r.user_id) AS audience, "
    "count(*) FILTER (WHERE r.status = 'queued') AS queued, "
    "count(*) FILTER (WHERE r.status = 'skipped_opted_out') AS skipped_opted_out, "
    "count(*) FILTER (WHERE r.status = 'skipped_frequency_cap') AS skipped_frequency_cap, "
    "count(*) FILTER (WHERE n.status = 'sent') AS sent, "
    "count(*) FILTER (WHERE n.status = 'failed') AS failed"
)
COUNT_NAMES = ("audience", "queued", "skipped_opted_out", "skipped_frequency_cap", "sent", "failed")
_CAMPAIGN = (
    "c.campaign_id, c.name, c.segment, c.title, c.body, c.variants, c.created_by, c.created_at, "
    "c.status, c.send_at, c.sent_at"
)


@dataclass(frozen=True)
class Wishes:
    language: str | None = None
    opted_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipient:
    user_id: UUID
    status: str
    notification_id: str | None


async def lock_shop(session: AsyncSession, shop_id: UUID) -> None:
    """One campaign of a shop at a time, so two can never both pass the frequency cap."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('campaigns:' || :s))"), {"s": str(shop_id)}
    )


async def shop_of(session: AsyncSession, campaign_id: UUID) -> UUID | None:
    found = await session.execute(
        text("SELECT shop_id FROM campaigns WHERE campaign_id = :c"), {"c": campaign_id}
    )
    shop_id: UUID | None = found.scalar()
    return shop_id


async def wishes(session: AsyncSession, user_ids: Sequence[UUID]) -> dict[UUID, Wishes]:
    rows = await session.execute(
        text("SELECT user_id, language, opted_out FROM preferences WHERE user_id = ANY(:ids)"),
        {"ids": list(user_ids)},
    )
    return {r.user_id: Wishes(r.language, tuple(r.opted_out or ())) for r in rows}


async def last_reached(
    session: AsyncSession, shop_id: UUID, user_ids: Sequence[UUID], since: datetime
) -> dict[UUID, datetime]:
    """When the shop last reached each of these users with a campaign or a care notice
    (bath due, birthday), if after `since`: the frequency cap counts both."""
    rows = await session.execute(
        text(
            "SELECT user_id, max(decided_at) AS at FROM ("
            "SELECT user_id, decided_at FROM campaign_recipients WHERE shop_id = :s "
            "AND status = 'queued' AND user_id = ANY(:ids) AND decided_at > :since UNION ALL "
            "SELECT user_id, decided_at FROM care_notices WHERE shop_id = :s "
            "AND status = 'queued' AND user_id = ANY(:ids) AND decided_at > :since) reached GROUP BY user_id"
        ),
        {"s": shop_id, "ids": list(user_ids), "since": since},
    )
    return {r.user_id: r.at for r in rows}


async def save(
    session: AsyncSession,
    *,
    campaign_id: UUID,
    shop_id: UUID,
    name: str,
    segment: dict[str, Any],
    title: str,
    body: str,
    variants: dict[str, dict[str, str]],
    created_by: UUID,
    recipients: Sequence[Recipient],
    now: datetime,
    send_at: datetime | None = None,
) -> None:
    """A campaign sent now (with its recipients), or, given `send_at`, one that waits for it."""
    await session.execute(
        text(
            "INSERT INTO campaigns (campaign_id, shop_id, name, segment, title, body, variants, created_by, "
            "created_at, status, send_at, sent_at) VALUES (:c, :s, :n, CAST(:seg AS jsonb), :t, :b, "
            "CAST(:v AS jsonb), :by, :now, :st, :at, :sent)"
        ),
        {
            "c": campaign_id,
            "s": shop_id,
            "n": name,
            "seg": json.dumps(segment),
            "t": title,
            "b": body,
            "v": json.dumps(variants, ensure_ascii=False),
            "by": created_by,
            "now": now,
            "st": "scheduled" if send_at else "sent",
            "at": send_at,
            "sent": None if send_at else now,
        },
    )
    await _save_recipients(session, campaign_id, shop_id, recipients, now)


async def record_sent(
    session: AsyncSession, campaign_id: UUID, shop_id: UUID, recipients: Sequence[Recipient], now: datetime
) -> None:
    await session.execute(
        text("UPDATE campaigns SET status = 'sent', sent_at = :now WHERE campaign_id = :c"),
        {"c": campaign_id, "now": now},
    )
    await _save_recipients(session, campaign_id, shop_id, recipients, now)


async def _save_recipients(
    session: AsyncSession, campaign_id: UUID, shop_id: UUID, recipients: Sequence[Recipient], now: datetime
) -> None:
    if recipients:
        await session.execute(
            text(
                "INSERT INTO campaign_recipients (campaign_id, user_id, shop_id, status, notification_id, "
                "decided_at) VALUES (:c, :u, :s, :st, :n, :now)"
            ),
            [
                {
                    "c": campaign_id,
                    "u": r.user_id,
                    "s": shop_id,
                    "st": r.status,
                    "n": r.notification_id,
                    "now": now,
                }
                for r in recipients
            ],
        )


async def due_scheduled(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Scheduled campaigns whose time has come, claimed SKIP LOCKED (a cancel waits for
    the round and then finds the campaign sent)."""
    found = await session.execute(
        text(
            "SELECT campaign_id, shop_id, segment, title, body, variants FROM campaigns "
            "WHERE status = 'scheduled' AND send_at <= :now ORDER BY send_at LIMIT :n FOR UPDATE SKIP LOCKED"
        ),
        {"now": now, "n": limit},
    )
    return found.all()


async def cancel(session: AsyncSession, shop_id: UUID, campaign_id: UUID) -> str | None:
    """The campaign's status after trying to cancel it: `cancelled`, or `sent` when it went
    out already; None when the shop has no such campaign."""
    found = await session.execute(
        text(
            "UPDATE campaigns SET status = CASE WHEN status = 'sent' THEN status ELSE 'cancelled' END "
            "WHERE campaign_id = :c AND shop_id = :s RETURNING status"
        ),
        {"c": campaign_id, "s": shop_id},
    )
    status: str | None = found.scalar()
    return status


async def campaigns(session: AsyncSession, shop_id: UUID, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            f"SELECT {_CAMPAIGN}, {_COUNTS} FROM campaigns c "
            "LEFT JOIN campaign_recipients r USING (campaign_id) LEFT JOIN notifications n ON n.id = r.notification_id "
            "WHERE c.shop_id = :s GROUP BY c.campaign_id ORDER BY c.created_at DESC, c.campaign_id LIMIT :n"
        ),
        {"s": shop_id, "n": limit},
    )
    return [_summary(r._mapping) for r in rows]


async def campaign(
    session: AsyncSession, shop_id: UUID, campaign_id: UUID, with_recipients: bool = True
) -> dict[str, Any] | None:
    found = await session.execute(
        text(
            f"SELECT {_CAMPAIGN}, {_COUNTS} FROM campaigns c "
            "LEFT JOIN campaign_recipients r USING (campaign_id) LEFT JOIN notifications n ON n.id = r.notification_id "
            "WHERE c.shop_id = :s AND c.campaign_id = :c GROUP BY c.campaign_id"
        ),
        {"s": shop_id, "c": campaign_id},
    )
    row = found.first()
    if row is None or not with_recipients:
        return None if row is None else _summary(row._mapping)
    recipients = await session.execute(
        text(
            "SELECT r.user_id, r.status, r.notification_id, n.status AS delivery_status, "
            "n.reason AS delivery_reason, n.sent_at FROM campaign_recipients r "
            "LEFT JOIN notifications n ON n.id = r.notification_id WHERE r.campaign_id = :c ORDER BY r.user_id"
        ),
        {"c": campaign_id},
    )
    return {**_summary(row._mapping), "recipients": [dict(r._mapping) for r in recipients]}


def _summary(row: Any) -> dict[str, Any]:
    found = dict(row)
    counts = {name: found.pop(name) for name in COUNT_NAMES}
    return {"id": found.pop("campaign_id"), **found, "counts": counts}
