"""Sends a campaign: the segment's customers as they are at the sending time, each one
queued a notification unless they opted out of marketing or the shop reached them within
the frequency cap; the campaign and every recipient's outcome are stored with the queued
notifications (and the tracking record) in one transaction. Delivery then goes the
normal way (delivery.py), and the campaign's reads show how each one went.

A campaign with a `send_at` to come waits as `scheduled`; a timer sends it then (claimed
SKIP LOCKED, sent and marked in one transaction: once, however many notify instances
run), unless the owner cancelled it before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from frontdesk_contracts import notify as contracts
from frontdesk_platform.pipeline import Work
from frontdesk_platform.refusals import Refused
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import campaigns, segments, templates
from ..projections import audience, store
from ..projections import campaigns as campaign_store
from .deps import Dependencies

FURTHEST_AHEAD = timedelta(days=365)


async def send_campaign(work: Work[Dependencies], cmd: contracts.SendCampaign) -> None:
    """Carried out inside notify's command consumer (commands.py), which records it once
    and replies; a Refused changes nothing."""
    session, deps = work.session, work.deps
    segment, name, message = _validated(cmd)
    now = deps.clock()
    scheduled = cmd.send_at is not None and cmd.send_at > now
    if cmd.send_at is not None and cmd.send_at > now + FURTHEST_AHEAD:
        raise Refused("invalid_send_at", "a campaign is scheduled at most a year ahead")
    await campaign_store.lock_shop(session, cmd.shop_id)
    sent_by = await campaign_store.shop_of(session, cmd.campaign_id)
    if sent_by == cmd.shop_id:
        return  # the same campaign again (a retried request): it went out once
    if sent_by is not None:
        raise Refused("campaign_exists", "that campaign id is taken; choose another")
    recipients = (
        [] if scheduled else await _reach(session, deps, cmd.shop_id, cmd.campaign_id, segment, message)
    )
    await campaign_store.save(
        session,
        campaign_id=cmd.campaign_id,
        shop_id=cmd.shop_id,
        name=name,
        segment=segments.spec(segment),
        title=message.default.title,
        body=message.default.body,
        variants={lang: {"title": t.title, "body": t.body} for lang, t in message.variants.items()},
        created_by=cmd.actor.user_id,
        recipients=recipients,
        now=now,
        send_at=cmd.send_at if scheduled else None,
    )


async def cancel_campaign(work: Work[Dependencies], cmd: contracts.CancelCampaign) -> None:
    if cmd.actor.role != "owner" or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's owner cancels campaigns")
    status = await campaign_store.cancel(work.session, cmd.shop_id, cmd.campaign_id)
    if status is None:
        raise Refused("campaign_not_found", "no such campaign")
    if status == "sent":
        raise Refused("campaign_already_sent", "the campaign went out already; it cannot be cancelled")


async def send_due_campaigns(deps: Dependencies, batch: int = 50) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        session = uow.session
        due = await campaign_store.due_scheduled(session, now, batch)
        # shops in one order everywhere (care notices too), so rounds never wait on each other
        for row in sorted(due, key=lambda r: str(r.shop_id)):
            await campaign_store.lock_shop(session, row.shop_id)
            message = campaigns.message(
                row.title, row.body, {lang: campaigns.Text(**t) for lang, t in row.variants.items()}
            )
            segment = segments.parse(row.segment)
            recipients = await _reach(session, deps, row.shop_id, row.campaign_id, segment, message)
            await campaign_store.record_sent(session, row.campaign_id, row.shop_id, recipients, now)
        await uow.commit()
    return len(due)


def _validated(cmd: contracts.SendCampaign) -> tuple[segments.Segment, str, campaigns.Message]:
    if cmd.actor.role != "owner" or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's owner sends campaigns")
    try:
        texts = {lang: campaigns.Text(t.title, t.body) for lang, t in cmd.variants.items()}
        return (
            segments.parse(cmd.segment),
            campaigns.checked_name(cmd.name),
            campaigns.message(cmd.title, cmd.body, texts),
        )
    except (segments.InvalidSegment, campaigns.InvalidCampaign) as invalid:
        raise Refused(invalid.code, invalid.message) from None


async def _reach(
    session: AsyncSession,
    deps: Dependencies,
    shop_id: UUID,
    campaign_id: UUID,
    segment: segments.Segment,
    message: campaigns.Message,
) -> list[campaign_store.Recipient]:
    """Decide for each of the segment's customers; queue the notification of those it reaches."""
    now = deps.clock()
    members = await audience.members(session, shop_id, segment, now)
    wishes = await campaign_store.wishes(session, members)
    reached = await campaign_store.last_reached(session, shop_id, members, now - deps.campaign_cap)
    recipients, queued = [], []
    for user_id in members:
        wish = wishes.get(user_id, campaign_store.Wishes())
        verdict = campaigns.verdict(wish.opted_out, reached.get(user_id), now, deps.campaign_cap)
        notification_id = None
        if verdict == "queued":
            notification_id = campaigns.notification_id(campaign_id, user_id)
            queued.append(_notification(deps, shop_id, campaign_id, message, notification_id, user_id, wish))
        recipients.append(campaign_store.Recipient(user_id, verdict, notification_id))
    await store.queue_many(session, queued, now)
    return recipients


def _notification(
    deps: Dependencies,
    shop_id: UUID,
    campaign_id: UUID,
    message: campaigns.Message,
    notification_id: str,
    user_id: UUID,
    wish: campaign_store.Wishes,
) -> dict[str, Any]:
    language = templates.language_of(wish.language, deps.default_language)
    text = message.in_language(language)
    return {
        "id": notification_id,
        "shop_id": shop_id,
        "user_id": user_id,
        "category": campaigns.CATEGORY,
        "critical": False,
        "title": text.title,
        "body": text.body,
        "language": language,
        "data": {"campaign_id": str(campaign_id)},
    }
