"""Delivery reports from providers. Twilio posts a message's status to the URL given
with it (the gateway's /v1/providers/twilio/status, which forwards here); the report is
believed only with a valid X-Twilio-Signature over that URL."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from frontdesk_platform.errors import ApiError

from ..adapters.providers.twilio import signature
from ..projections import store

router = APIRouter(prefix="/internal/providers", tags=["internal"])
DELIVERED, NOT_DELIVERED = {"delivered"}, {"undelivered", "failed"}


@router.post("/twilio/status", status_code=204)
async def twilio_status(request: Request) -> Response:
    twilio = request.app.state.settings.providers.twilio
    if twilio is None or not twilio.status_callback_url:
        raise ApiError(404, "not_configured", "Twilio delivery reports are not configured.")
    form = {k: str(v) for k, v in (await request.form()).items()}
    expected = signature(twilio.auth_token.get_secret_value(), twilio.status_callback_url, form)
    if not hmac.compare_digest(expected, request.headers.get("x-twilio-signature", "")):
        raise ApiError(403, "bad_signature", "The report is not signed by Twilio.")
    status, sid = form.get("MessageStatus", ""), form.get("MessageSid", "")
    if sid and status in DELIVERED | NOT_DELIVERED:
        reason = None if status in DELIVERED else f"sms: {status} ({form.get('ErrorCode', '')})"
        async with request.app.state.sessions() as session:
            await store.record_receipt(session, sid, status in DELIVERED, reason, datetime.now(UTC))
            await session.commit()
    return Response(status_code=204)
