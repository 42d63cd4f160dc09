"""The owner's control over staff accounts, and ending an account's sessions.

Ending sessions (sign out everywhere, disabling, removing, changing a role) revokes the
account's refresh tokens in PostgreSQL and records the revocation in Redis before the
change commits, so when the owner gets an answer the account's access tokens are
already refused everywhere; then every gateway instance is told to close its sockets.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from frontdesk_contracts import Contract, identity
from frontdesk_platform.errors import ApiError
from frontdesk_platform.unit_of_work import UnitOfWork
from redis.exceptions import RedisError

from . import repository, staff_repository
from .revocations import Revocations
from .service import identity_event
from .tokens import Principal

log = logging.getLogger(__name__)

StaffRole = Literal["owner", "staff"]
# Tells every gateway instance to close the account's sockets opened before `at`.
CloseSockets = Callable[[UUID, UUID, datetime], Awaitable[None]]


class Sessions:
    """Ends every session of an account: `end` inside the transaction that makes the change,
    `close_sockets` once it has committed. Staff changes and password resets both use it."""

    def __init__(
        self, revocations: Revocations, close_sockets: CloseSockets, clock: Callable[[], datetime]
    ) -> None:
        self._revocations = revocations
        self.close_sockets = close_sockets
        self._clock = clock

    async def end(self, uow: UnitOfWork, account_id: UUID) -> datetime:
        now = self._clock()
        await repository.end_sessions(uow.session, account_id, now)
        try:
            await self._revocations.revoke(account_id, now)
        except RedisError as exc:
            log.warning("could not record a revocation in Redis; the change is rolled back")
            raise ApiError(
                503,
                "revocation_unavailable",
                "Sessions could not be ended just now; nothing changed. Try again.",
            ) from exc
        return now


class Staff:
    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], sessions: Sessions, clock: Callable[[], datetime]
    ) -> None:
        self._uow = unit_of_work
        self._sessions = sessions
        self._clock = clock

    async def list(self, owner: Principal) -> list[dict[str, Any]]:
        _owner_only(owner)
        async with self._uow() as uow:
            return await staff_repository.list_staff(uow.session, owner.shop_id)

    async def change_role(self, owner: Principal, staff_id: UUID, role: StaffRole) -> dict[str, Any]:
        async with self._change(owner, staff_id) as (uow, member):
            if member["role"] == role:
                return member
            if role == "staff":
                await _keep_an_owner(uow, owner.shop_id, staff_id)
            await staff_repository.update_staff(uow.session, owner.shop_id, staff_id, role=role)
            now = await self._sessions.end(uow, staff_id)
            self._publish(
                uow,
                owner.shop_id,
                "identity.staff.role_changed.v1",
                identity.StaffRoleChanged(
                    shop_id=owner.shop_id, staff_id=staff_id, role=role, changed_at=now
                ),
            )
            await uow.commit()
        await self._sessions.close_sockets(staff_id, owner.shop_id, now)
        return {**member, "role": role}

    async def disable(self, owner: Principal, staff_id: UUID) -> dict[str, Any]:
        async with self._change(owner, staff_id) as (uow, member):
            if member["status"] == "disabled":
                return member
            await _keep_an_owner(uow, owner.shop_id, staff_id)
            await staff_repository.update_staff(uow.session, owner.shop_id, staff_id, status="disabled")
            now = await self._sessions.end(uow, staff_id)
            self._publish(
                uow,
                owner.shop_id,
                "identity.staff.disabled.v1",
                identity.StaffDisabled(shop_id=owner.shop_id, staff_id=staff_id, disabled_at=now),
            )
            await uow.commit()
        await self._sessions.close_sockets(staff_id, owner.shop_id, now)
        return {**member, "status": "disabled"}

    async def enable(self, owner: Principal, staff_id: UUID) -> dict[str, Any]:
        async with self._change(owner, staff_id) as (uow, member):
            if member["status"] == "active":
                return member
            await staff_repository.update_staff(uow.session, owner.shop_id, staff_id, status="active")
            self._publish(
                uow,
                owner.shop_id,
                "identity.staff.enabled.v1",
                identity.StaffEnabled(
                    shop_id=owner.shop_id, staff_id=staff_id, role=member["role"], enabled_at=self._clock()
                ),
            )
            await uow.commit()
        return {**member, "status": "active"}

    async def remove(self, owner: Principal, staff_id: UUID) -> None:
        async with self._change(owner, staff_id) as (uow, _):
            await _keep_an_owner(uow, owner.shop_id, staff_id)
            await staff_repository.update_staff(uow.session, owner.shop_id, staff_id, status="removed")
            now = await self._sessions.end(uow, staff_id)
            self._publish(
                uow,
                owner.shop_id,
                "identity.staff.removed.v1",
                identity.StaffRemoved(shop_id=owner.shop_id, staff_id=staff_id, removed_at=now),
            )
            await uow.commit()
        await self._sessions.close_sockets(staff_id, owner.shop_id, now)

    async def sign_out_everywhere(self, caller: Principal, account_id: UUID | None = None) -> None:
        """The caller's own sessions, or (the owner) a staff member's."""
        if account_id is None or account_id == caller.user_id:
            account_id = caller.user_id
            async with self._uow() as uow:
                now = await self._sessions.end(uow, account_id)
                await uow.commit()
        else:
            async with self._change(caller, account_id) as (uow, _):
                now = await self._sessions.end(uow, account_id)
                await uow.commit()
        await self._sessions.close_sockets(account_id, caller.shop_id, now)

    @asynccontextmanager
    async def _change(
        self, owner: Principal, staff_id: UUID
    ) -> AsyncIterator[tuple[UnitOfWork, dict[str, Any]]]:
        """A transaction on one staff member of the owner's shop, the shop's staff locked."""
        _owner_only(owner)
        async with self._uow() as uow:
            await staff_repository.lock_shop(uow.session, owner.shop_id)
            member = await staff_repository.get_staff(uow.session, owner.shop_id, staff_id)
            if member is None:
                raise ApiError(404, "staff_not_found", "No such staff member in this shop.")
            yield uow, member

    @staticmethod
    def _publish(uow: UnitOfWork, shop_id: UUID, name: str, payload: Contract) -> None:
        uow.publish(identity_event(shop_id, name, payload))


def _owner_only(caller: Principal) -> None:
    if caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner can manage staff.")


async def _keep_an_owner(uow: UnitOfWork, shop_id: UUID, leaving: UUID) -> None:
    """Refuse a change that would leave the shop with no active owner."""
    if not (await staff_repository.active_owners(uow.session, shop_id)) - {leaving}:
        raise ApiError(409, "last_owner", "A shop needs an owner; make someone else owner first.")
