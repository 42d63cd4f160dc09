"""The public REST API."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from frontdesk_platform.command_client import Refusal, is_rejection
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import Int32

from ..attachments.service import Attachments
from ..audit.trail import name_actor
from ..commands import refused
from ..conversations import Conversations
from ..identity.service import Identity, Tokens
from .auth import Caller
from .schemas import (
    ERRORS,
    Conversation,
    MessageAccepted,
    MessagePage,
    OpenConversation,
    Refresh,
    RegisterShop,
    SendMessage,
    SignIn,
    StaffCreated,
    TokenResponse,
)
from .schemas import Credentials as NewAccount

router = APIRouter(prefix="/v1", responses=ERRORS)


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


def _conversations(request: Request) -> Conversations:
    conversations: Conversations = request.app.state.conversations
    return conversations


def token_response(tokens: Tokens) -> TokenResponse:
    return TokenResponse(
        access_token=tokens.access_token,
        expires_at=tokens.access_expires_at,
        refresh_token=tokens.refresh_token,
        user_id=tokens.user_id,
        shop_id=tokens.shop_id,
        role=tokens.role,
    )


@router.post(
    "/shops",
    status_code=201,
    response_model=TokenResponse,
    tags=["identity"],
    summary="Register a shop and its owner; returns the owner's tokens",
)
async def register_shop(request: Request, body: RegisterShop) -> TokenResponse:
    tokens = await _identity(request).register_shop(
        body.name, body.timezone, body.owner.login, body.owner.name, body.owner.password
    )
    return token_response(tokens)


@router.post(
    "/shops/{shop_id}/staff",
    status_code=201,
    response_model=StaffCreated,
    tags=["identity"],
    summary="Add a staff account (owner only); the person then signs in with POST /v1/auth/token",
)
async def add_staff(request: Request, caller: Caller, shop_id: UUID, body: NewAccount) -> StaffCreated:
    if caller.role != "owner" or caller.shop_id != shop_id:
        raise ApiError(403, "forbidden", "Only the shop's owner can add staff.")
    staff_id = await _identity(request).add_staff(shop_id, body.login, body.name, body.password)
    return StaffCreated(staff_id=staff_id, shop_id=shop_id, login=body.login, name=body.name)


@router.post(
    "/shops/{shop_id}/customers",
    status_code=201,
    response_model=TokenResponse,
    tags=["identity"],
    summary="Sign up as a customer of a shop",
)
async def register_customer(request: Request, shop_id: UUID, body: NewAccount) -> TokenResponse:
    tokens = await _identity(request).register_customer(shop_id, body.login, body.name, body.password)
    return token_response(tokens)


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    tags=["identity"],
    summary="Sign in with shop, login and password",
    description="After several wrong passwords for a login each attempt must wait a growing delay "
    "(429 `sign_in_delayed` with `retry_after_seconds`); too many failures from one address or "
    "too many sign-ins at once answer 429 `rate_limited`. A disabled account answers 403 `account_disabled`.",
)
async def sign_in(request: Request, body: SignIn) -> TokenResponse:
    ip = request.client.host if request.client else "unknown"
    tokens = await _identity(request).sign_in(body.shop_id, body.login, body.password, ip)
    name_actor(request, tokens.user_id, tokens.shop_id, tokens.role)
    return token_response(tokens)


@router.post(
    "/auth/refresh",
    response_model=TokenResponse,
    tags=["identity"],
    summary="Trade a refresh token for new tokens (the old refresh token stops working)",
)
async def refresh(request: Request, body: Refresh) -> TokenResponse:
    return token_response(await _identity(request).refresh(body.refresh_token))


@router.post(
    "/conversations",
    response_model=Conversation,
    tags=["conversations"],
    summary="Open the conversation between the shop and a customer (idempotent)",
    responses={200: {"description": "It existed already"}, 201: {"description": "Opened"}},
)
async def open_conversation(
    request: Request, response: Response, caller: Caller, body: OpenConversation
) -> Conversation:
    if caller.is_staff:
        if body.customer_id is None:
            raise ApiError(422, "invalid_request", "Staff must say which customer to talk to.")
        customer_id = body.customer_id
        if not await _identity(request).is_customer(caller.shop_id, customer_id):
            raise ApiError(404, "customer_not_found", "No such customer in this shop.")
    else:
        if body.customer_id not in (None, caller.user_id):
            raise ApiError(403, "forbidden", "Customers open their own conversation only.")
        customer_id = caller.user_id
    conversation, created = await _conversations(request).open(caller, customer_id)
    response.status_code = 201 if created else 200
    return Conversation(**conversation)


@router.get(
    "/conversations",
    response_model=list[Conversation],
    tags=["conversations"],
    summary="Conversations the caller can see, most recently active first",
)
async def list_conversations(
    request: Request, caller: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[Conversation]:
    return [Conversation(**c) for c in await _conversations(request).list(caller, limit)]


@router.get("/conversations/{conversation_id}", response_model=Conversation, tags=["conversations"])
async def get_conversation(request: Request, caller: Caller, conversation_id: UUID) -> Conversation:
    return Conversation(**await _conversations(request).get(caller, conversation_id))


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagePage,
    tags=["conversations"],
    summary="History paged by seq: after_seq to catch up, before_seq to scroll back",
)
async def history(
    request: Request,
    caller: Caller,
    conversation_id: UUID,
    after_seq: Annotated[Int32 | None, Query(ge=0)] = None,
    before_seq: Annotated[Int32 | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    if after_seq is not None and before_seq is not None:
        raise ApiError(422, "invalid_request", "Give after_seq or before_seq, not both.")
    page = await _conversations(request).history(
        caller, conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
    )
    return MessagePage(**page)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageAccepted,
    status_code=201,
    tags=["conversations"],
    summary="Send a message (text, or an uploaded attachment with a caption); 201 once stored, 202 if pending",
    responses={202: {"model": MessageAccepted, "description": "Queued, not yet confirmed"}},
)
async def send_message(
    request: Request, response: Response, caller: Caller, conversation_id: UUID, body: SendMessage
) -> MessageAccepted:
    conversations = _conversations(request)
    attachment = None
    if body.attachment_id is not None:
        attachments: Attachments = request.app.state.attachments
        attachment = await attachments.for_message(caller, conversation_id, body.attachment_id)
    command = conversations.send_command(
        caller, conversation_id, body.client_msg_id, body.text or "", attachment
    )
    await conversations.authorize(caller, conversation_id)
    await conversations.check_send_rate(caller)
    reply = await conversations.outcome(await conversations.submit(command))
    if reply is None:
        response.status_code = 202
        return MessageAccepted(
            status="pending", conversation_id=conversation_id, client_msg_id=body.client_msg_id
        )
    if is_rejection(reply):
        raise refused(Refusal.of(reply))
    return MessageAccepted(
        status="stored",
        conversation_id=conversation_id,
        client_msg_id=body.client_msg_id,
        message_id=reply.data["message_id"],
        seq=reply.data["seq"],
        duplicate=reply.data.get("duplicate", False),
    )
