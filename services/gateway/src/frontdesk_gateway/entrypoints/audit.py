"""The shop's audit log, for its owner: who did what to what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import Int64, StoredText
from pydantic import BaseModel, Field

from ..audit.log import AuditLog
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["audit"])


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor_id: UUID
    actor_role: str = Field(examples=["staff"])
    action: str = Field(examples=["PUT /v1/conversations/{conversation_id}/assignment"])
    operation: str = Field(examples=["assign"])
    target: dict[str, str] = Field(
        description="The ids in the route's path", examples=[{"conversation_id": "…"}]
    )
    status: int
    request_id: str | None = Field(description="The x-correlation-id of the request, as in the logs")
    client_ip: str | None


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page; null at the end")


@router.get(
    "/shops/{shop_id}/audit",
    response_model=AuditPage,
    summary="What the shop's staff and owner did, newest first (owner only)",
)
async def audit_log(
    request: Request,
    caller: Caller,
    shop_id: UUID,
    actor_id: UUID | None = None,
    action: Annotated[
        StoredText | None,
        Query(
            max_length=200,
            description="A route like `PUT /v1/shops/{shop_id}/templates/{template_id}`, or its name",
        ),
    ] = None,
    before: Annotated[Int64 | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    if caller.shop_id != shop_id:
        raise ApiError(404, "shop_not_found", "No such shop.")
    if caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner reads its audit log.")
    audit: AuditLog = request.app.state.audit
    entries = await audit.page(shop_id, actor_id=actor_id, action=action, before=before, limit=limit)
    return AuditPage(entries=entries, next_before=entries[-1]["id"] if len(entries) == limit else None)
