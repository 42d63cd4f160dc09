"""One-time codes (a password reset): queued once per reset as a critical notification
that delivery sends to the person's phone only. The code lives in the notification until
it is delivered and is never shown in a listing (see store.notifications)."""

from __future__ import annotations

import math

from frontdesk_contracts import notify as contracts
from frontdesk_platform.pipeline import Work
from frontdesk_platform.refusals import Refused

from ..domain import templates
from ..projections import recipients, store
from .deps import Dependencies

CATEGORY = "password_reset_code"


async def send_password_reset_code(work: Work[Dependencies], cmd: contracts.SendPasswordResetCode) -> None:
    if cmd.actor.user_id != cmd.user_id or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "a reset code goes to the account it was asked for")
    now = work.deps.clock()
    if cmd.expires_at <= now:
        raise Refused("code_expired", "the code expired before it could be sent")
    prefs = await recipients.preferences(work.session, cmd.user_id)
    language = templates.language_of(prefs.language, work.deps.default_language)
    minutes = math.ceil((cmd.expires_at - now).total_seconds() / 60)
    rendered = templates.render_code(language, cmd.code, minutes)
    await store.queue(
        work.session,
        id=f"password_reset:{cmd.reset_id}",
        shop_id=cmd.shop_id,
        user_id=cmd.user_id,
        category=CATEGORY,
        critical=True,
        title=rendered.title,
        body=rendered.body,
        language=rendered.language,
        data={"expires_at": cmd.expires_at.isoformat()},
        now=now,
    )
