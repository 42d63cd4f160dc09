"""The owner's staff list (roles, disable, remove) and signing out of every device."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from frontdesk_platform.storable import StoredBody
from pydantic import BaseModel

from ..identity.staff import Staff, StaffRole
from .auth import Caller, own_shop
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["identity"])


class StaffMember(BaseModel):
    staff_id: UUID
    login: str
    name: str
    role: StaffRole
    status: Literal["active", "disabled"]
    added_at: datetime


class RoleChange(StoredBody):
    role: StaffRole


def _staff(request: Request) -> Staff:
    staff: Staff = request.app.state.staff
    return staff


@router.get(
    "/shops/{shop_id}/staff", response_model=list[StaffMember], summary="The shop's owners and staff (owner)"
)
async def list_staff(request: Request, caller: Caller, shop_id: UUID) -> list[StaffMember]:
    own_shop(caller, shop_id)
    return [StaffMember(**member) for member in await _staff(request).list(caller)]


@router.put(
    "/shops/{shop_id}/staff/{staff_id}/role",
    response_model=StaffMember,
    summary="Make a staff member an owner or an owner staff (owner); ends their sessions",
    description="A shop always keeps an active owner: demoting the last one answers 409 `last_owner`.",
)
async def change_role(
    request: Request, caller: Caller, shop_id: UUID, staff_id: UUID, body: RoleChange
) -> StaffMember:
    own_shop(caller, shop_id)
    return StaffMember(**await _staff(request).change_role(caller, staff_id, body.role))


@router.post(
    "/shops/{shop_id}/staff/{staff_id}/disable",
    response_model=StaffMember,
    summary="Disable a staff account (owner): it cannot sign in, its sessions end at once",
)
async def disable_staff(request: Request, caller: Caller, shop_id: UUID, staff_id: UUID) -> StaffMember:
    own_shop(caller, shop_id)
    return StaffMember(**await _staff(request).disable(caller, staff_id))


@router.post(
    "/shops/{shop_id}/staff/{staff_id}/enable",
    response_model=StaffMember,
    summary="Let a disabled account sign in again",
)
async def enable_staff(request: Request, caller: Caller, shop_id: UUID, staff_id: UUID) -> StaffMember:
    own_shop(caller, shop_id)
    return StaffMember(**await _staff(request).enable(caller, staff_id))


@router.delete(
    "/shops/{shop_id}/staff/{staff_id}",
    status_code=204,
    summary="Remove a staff account (owner); its sessions end at once and its login is free again",
)
async def remove_staff(request: Request, caller: Caller, shop_id: UUID, staff_id: UUID) -> Response:
    own_shop(caller, shop_id)
    await _staff(request).remove(caller, staff_id)
    return Response(status_code=204)


@router.post(
    "/shops/{shop_id}/staff/{staff_id}/sign-out-everywhere",
    status_code=204,
    summary="Sign a staff member out of every device (owner)",
)
async def sign_staff_out(request: Request, caller: Caller, shop_id: UUID, staff_id: UUID) -> Response:
    own_shop(caller, shop_id)
    await _staff(request).sign_out_everywhere(caller, staff_id)
    return Response(status_code=204)


@router.post(
    "/auth/sign-out-everywhere",
    status_code=204,
    summary="Sign out of every device: all refresh tokens and access tokens stop working, sockets close",
)
async def sign_out_everywhere(request: Request, caller: Caller) -> Response:
    await _staff(request).sign_out_everywhere(caller)
    return Response(status_code=204)
