"""Phone and walk-in customers: staff add one by name and phone (no password) and book for
them; SMS reaches them at that phone. Later the customer claims the account with a
one-time code sent to the phone (the password reset's codes and limits), sets a
password and is signed in, with their bookings already there."""

from __future__ import annotations

import logging
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Request
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody
from pydantic import Field

from ..audit.trail import name_actor
from ..identity.password_reset import PasswordReset
from ..identity.service import Identity
from .auth import Caller
from .password_reset import ResetAccepted, limit_code_requests
from .rest import token_response
from .schemas import ERRORS, Name, Password, TokenResponse

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", responses=ERRORS, tags=["identity"])

Phone = Field(
    pattern=r"^\+[1-9][0-9]{6,14}$",
    examples=["+8613800138000"],
    description="E.164; it is the customer's login and where SMS goes",
)


class NewPhoneCustomer(StoredBody):
    name: str = Name
    phone: str = Phone


class PhoneCustomer(NewPhoneCustomer):
    customer_id: UUID
    shop_id: UUID


class ClaimRequest(StoredBody):
    shop_id: UUID
    phone: str = Phone


class ClaimConfirmation(ClaimRequest):
    code: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$", examples=["481516"])
    password: str = Password


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


def _codes(request: Request) -> PasswordReset:
    codes: PasswordReset = request.app.state.password_reset
    return codes


@router.post(
    "/customers",
    status_code=201,
    response_model=PhoneCustomer,
    summary="Add a phone or walk-in customer to the caller's shop (staff): name and phone, no password",
    description="Book for them with `customer_id`; reminders go to the phone by SMS. A customer of "
    "the shop with that phone exists already: 409 `customer_exists` with `details.customer_id`.",
)
async def add_phone_customer(request: Request, caller: Caller, body: NewPhoneCustomer) -> PhoneCustomer:
    if not caller.is_staff:
        raise ApiError(403, "forbidden", "Only the shop's staff add customers by phone.")
    customer_id = await _identity(request).add_phone_customer(caller.shop_id, body.name, body.phone)
    return PhoneCustomer(customer_id=customer_id, shop_id=caller.shop_id, name=body.name, phone=body.phone)


@router.post(
    "/auth/claim",
    status_code=202,
    response_model=ResetAccepted,
    summary="Claim an account the shop made for your phone: a one-time code goes there by SMS",
    description="The answer is the same whether or not there is such an account; an account that "
    "already has a password is not claimed again (use the password reset).",
)
async def request_claim_code(
    request: Request, body: ClaimRequest, background: BackgroundTasks
) -> ResetAccepted:
    await limit_code_requests(request, f"{body.shop_id}:{body.phone}")
    background.add_task(_send_code, _codes(request), body.shop_id, body.phone)
    return ResetAccepted()


async def _send_code(codes: PasswordReset, shop_id: UUID, phone: str) -> None:
    try:
        await codes.request(shop_id, phone, unclaimed=True)
    except Exception:
        log.exception("could not send a claim code")


@router.post(
    "/auth/claim/confirm",
    response_model=TokenResponse,
    summary="Set the account's first password with the code; answers the customer's tokens",
    description="A wrong, expired or used code, or an account already claimed: 400 `invalid_code`.",
)
async def claim(request: Request, body: ClaimConfirmation) -> TokenResponse:
    await limit_code_requests(request, None)
    claimed = await _codes(request).confirm(
        body.shop_id, body.phone, body.code, body.password, unclaimed=True
    )
    name_actor(request, claimed.account_id, claimed.shop_id, claimed.role)
    # Only customers are ever made without a password, so a claimed account is one.
    tokens = await _identity(request).tokens_for(claimed.account_id, claimed.shop_id, "customer")
    return token_response(tokens)
