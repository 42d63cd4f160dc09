"""Sends a campaign: the segment's customers as they are now, each one queued a
notification unless they opted out of marketing or the shop reached them within the
frequency cap; the campaign and every recipient's outcome are stored with the queued
notifications and the tracking record, in one transaction. Delivery then goes the
normal way (delivery.py), and the campaign's reads show how each one went."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from frontdesk_contracts import notify as contracts
from frontdesk_platform.pipeline import Work
from frontdesk_platform.refusals import Refused
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import campaigns, segments, templates
from ..projections import audience, store
from ..projections import campaigns as campaign_store
from .deps import Dependencies


async def send_campaign(work: Work[Dependencies], cmd: contracts.SendCampaign) -> None:
    """Carried out inside notify's command consumer (commands.py), which records it once
    and replies; a Refused changes nothing."""
    session, deps = work.session, work.deps
    segment, name, message = _validated(cmd)
    await campaign_store.lock_shop(session, cmd.shop_id)
    sent_by = await campaign_store.shop_of(session, cmd.campaign_id)
    if sent_by == cmd.shop_id:
        return  # the same campaign again (a retried request): it went out once
    if sent_by is not None:
        raise Refused("campaign_exists", "that campaign id is taken; choose another")
    now = deps.clock()
    recipients = await _reach(session, deps, cmd, segment, message, now)
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
    )


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
    cmd: contracts.SendCampaign,
    segment: segments.Segment,
    message: campaigns.Message,
    now: datetime,
) -> list[campaign_store.Recipient]:
    """Decide for each of the segment's customers; queue the notification of those it reaches."""
    members = await audience.members(session, cmd.shop_id, segment, now)
    wishes = await campaign_store.wishes(session, members)
    reached = await campaign_store.last_reached(session, cmd.shop_id, members, now - deps.campaign_cap)
    recipients = []
    for user_id in members:
        wish = wishes.get(user_id, campaign_store.Wishes())
        verdict = campaigns.verdict(wish.opted_out, reached.get(user_id), now, deps.campaign_cap)
        notification_id = None
        if verdict == "queued":
            notification_id = campaigns.notification_id(cmd.campaign_id, user_id)
            await _queue(session, deps, cmd, message, notification_id, user_id, wish, now)
        recipients.append(campaign_store.Recipient(user_id, verdict, notification_id))
    return recipients


async def _queue(
    session: AsyncSession,
    deps: Dependencies,
    cmd: contracts.SendCampaign,
    message: campaigns.Message,
    notification_id: str,
    user_id: UUID,
    wish: campaign_store.Wishes,
    now: datetime,
) -> None:
    language = templates.language_of(wish.language, deps.default_language)
    text = message.in_language(language)
    await store.queue(
        session,
        id=notification_id,
        shop_id=cmd.shop_id,
        user_id=user_id,
        category=campaigns.CATEGORY,
        critical=False,
        title=text.title,
        body=text.body,
        language=language,
        data={"campaign_id": str(cmd.campaign_id)},
        now=now,
    )
