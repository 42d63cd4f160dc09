"""Password reset by a one-time code: ask for a code (the answer is the same whether or
not the account exists), then trade it for a new password."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Request, Response
from frontdesk_platform.observability import correlation_id
from frontdesk_platform.storable import StoredBody
from pydantic import BaseModel, Field

from ..audit.log import AuditEntry, AuditLog
from ..audit.trail import STAFF, client_ip, name_actor
from ..identity.password_reset import PasswordReset
from ..ratelimit import RateLimiter
from .schemas import ERRORS, Login, Password

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/auth/password-reset", responses=ERRORS, tags=["identity"])
HOUR = 3600


class ResetRequest(StoredBody):
    shop_id: UUID
    login: str = Login


class ResetConfirmation(ResetRequest):
    code: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$", examples=["481516"])
    new_password: str = Password


class ResetAccepted(BaseModel):
    status: str = Field("accepted", examples=["accepted"])
    message: str = "If the account exists, a code is on its way by SMS; it expires in a few minutes."


def _reset(request: Request) -> PasswordReset:
    found: PasswordReset = request.app.state.password_reset
    return found


async def limit_code_requests(request: Request, login_key: str | None) -> None:
    limiter: RateLimiter = request.app.state.limiter
    settings = request.app.state.settings
    await limiter.check(
        "password-reset-ip", client_ip(request) or "-", settings.password_resets_per_ip_per_hour, HOUR
    )
    if login_key is not None:
        await limiter.check("password-reset", login_key, settings.password_resets_per_hour, HOUR)


@router.post(
    "",
    status_code=202,
    response_model=ResetAccepted,
    summary="Send a one-time code to the account's phone (the same answer whether or not it exists)",
)
async def request_code(request: Request, body: ResetRequest, background: BackgroundTasks) -> ResetAccepted:
    await limit_code_requests(request, f"{body.shop_id}:{body.login}")
    # The work happens after the answer is sent, so not even its timing tells an
    # account that exists from one that does not.
    background.add_task(_send_code, request, body.shop_id, body.login)
    return ResetAccepted()


async def _send_code(request: Request, shop_id: UUID, login: str) -> None:
    try:
        requested = await _reset(request).request(shop_id, login)
        if requested is None or requested.role not in STAFF:
            return
        audit: AuditLog = request.app.state.audit
        await audit.record(
            AuditEntry(
                shop_id=requested.shop_id,
                actor_id=requested.account_id,
                actor_role=requested.role,
                action="POST /v1/auth/password-reset",
                operation="request_code",
                status=202,
                at=datetime.now(UTC),
                request_id=correlation_id.get() or request.headers.get("x-correlation-id"),
                client_ip=client_ip(request),
            )
        )
    except Exception:
        log.exception("could not send a password reset code")


@router.post(
    "/confirm",
    status_code=204,
    response_class=Response,
    summary="Set a new password with the code; every device signed in to the account is signed out",
)
async def confirm(request: Request, body: ResetConfirmation) -> Response:
    await limit_code_requests(request, None)
    reset = await _reset(request).confirm(body.shop_id, body.login, body.code, body.new_password)
    name_actor(request, reset.account_id, reset.shop_id, reset.role)
    return Response(status_code=204)
