"""A shop's data on request: erasing a customer (PIPL/GDPR), and the shop's archive."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from ..export import ShopExport
from ..identity.erasure import CustomerErasure
from .auth import Caller, own_shop
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["identity"])


def _erasure(request: Request) -> CustomerErasure:
    erasure: CustomerErasure = request.app.state.customer_erasure
    return erasure


@router.post(
    "/shops/{shop_id}/customers/{customer_id}/erase",
    status_code=202,
    summary="Erase a customer on their request (owner): name, phone and texts become unreadable",
    description="The account forgets the customer's name, phone and login at once and their sessions "
    "end; their conversations' texts become unreadable shortly after (their key is destroyed, "
    "docs/adr/0005). Conversations, bookings and figures stay, without personal data. Not undoable.",
)
async def erase_customer(request: Request, caller: Caller, shop_id: UUID, customer_id: UUID) -> Response:
    own_shop(caller, shop_id)
    await _erasure(request).erase(caller, customer_id)
    return Response(status_code=202)


@router.get(
    "/shops/{shop_id}/export",
    summary="The shop's archive (owner): every conversation with its messages, and every booking",
    description="Format `frontdesk.export.v1`, described in docs/operations.md. With `customer_id`, "
    "only that customer's conversations and bookings (a customer's request for their data).",
)
async def export_shop(
    request: Request, caller: Caller, shop_id: UUID, customer_id: UUID | None = None
) -> dict[str, Any]:
    own_shop(caller, shop_id)
    export: ShopExport = request.app.state.export
    return await export.archive(caller, customer_id)
