"""Password reset by a one-time code that notify delivers (SMS, or the development sink).
Claiming a phone customer's account (its first password) is the same, limited to
accounts with no password yet.

Asking never tells whether the account exists: the route answers before this runs, and
confirming answers one `invalid_code` for an unknown login, a wrong, expired, used or
burned code alike. A code is six random digits, stored as an Argon2 hash, good for
`ttl` and `tries` guesses, once. A reset sets the password and ends every session of
the account (refresh and access tokens, open sockets), so every device signs in again.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from frontdesk_contracts import Envelope
from frontdesk_contracts import notify as n
from frontdesk_platform.errors import ApiError
from frontdesk_platform.unit_of_work import UnitOfWork

from ..commands import Commands
from . import repository, reset_codes
from .passwords import hash_password, verify_password
from .service import _check_password
from .staff import Sessions
from .tokens import Principal

CODE_DIGITS = 6


def _invalid() -> ApiError:
    return ApiError(
        400,
        "invalid_code",
        "The code is wrong, expired or already used (a few wrong tries end it); ask for a new one.",
    )


def _eligible(account: dict[str, Any] | None, unclaimed: bool) -> dict[str, Any] | None:
    """The account, unless a claim names one that already has a password (the caller is
    told nothing different: a claimed account is reset, not claimed again)."""
    if account is not None and unclaimed and account["password_hash"] is not None:
        return None
    return account


@dataclass(frozen=True)
class ResetAccount:
    """The account a code was sent for (the caller is never told) or whose password was reset."""

    account_id: UUID
    shop_id: UUID
    role: str


class PasswordReset:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        commands: Commands,
        publish: Callable[[Envelope], Awaitable[None]],
        clock: Callable[[], datetime],
        ttl: timedelta,
        tries: int,
        sessions: Sessions,
    ) -> None:
        self._uow = unit_of_work
        self._commands = commands
        self._publish = publish
        self._clock = clock
        self._ttl = ttl
        self._tries = tries
        self._sessions = sessions

    async def request(self, shop_id: UUID, login: str, *, unclaimed: bool = False) -> ResetAccount | None:
        """Send a code; `unclaimed`: only to an account with no password yet (a claim)."""
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        code_hash = await asyncio.to_thread(hash_password, code)
        now, reset_id = self._clock(), uuid4()
        async with self._uow() as uow:
            account = _eligible(await repository.find_account(uow.session, shop_id, login), unclaimed)
            if account is None:
                return None
            await reset_codes.replace(
                uow.session,
                code_id=reset_id,
                shop_id=shop_id,
                account_id=account["id"],
                code_hash=code_hash,
                expires_at=now + self._ttl,
                tries=self._tries,
                now=now,
            )
            await uow.commit()
        # The account asks for its own code: it is the command's actor.
        me = Principal(account["id"], shop_id, account["role"], now)
        actor = n.Actor(user_id=me.user_id, role=me.role, shop_id=shop_id)
        command = n.SendPasswordResetCode(
            reset_id=reset_id,
            shop_id=shop_id,
            user_id=me.user_id,
            code=code,
            expires_at=now + self._ttl,
            actor=actor,
        )
        await self._publish(self._commands.envelope(me, me.user_id, command))
        return ResetAccount(me.user_id, shop_id, me.role)

    async def confirm(
        self, shop_id: UUID, login: str, code: str, new_password: str, *, unclaimed: bool = False
    ) -> ResetAccount:
        """Set the password with the code; `unclaimed`: only an account's first one (a claim)."""
        _check_password(new_password)
        now = self._clock()
        async with self._uow() as uow:
            account = _eligible(await repository.find_account(uow.session, shop_id, login), unclaimed)
            live = account and await reset_codes.live(uow.session, account["id"], now)
            # Checked against a dummy hash when there is no code, so both take as long.
            if not await asyncio.to_thread(verify_password, live["code_hash"] if live else None, code):
                if live:
                    await reset_codes.spend_try(uow.session, live["id"], now)
                    await uow.commit()
                raise _invalid()
            assert account is not None and live
            await reset_codes.use(uow.session, live["id"], now)
            await reset_codes.set_password(
                uow.session, account["id"], await asyncio.to_thread(hash_password, new_password)
            )
            # Every session ends, access tokens and sockets too: whoever reset the password
            # may be taking the account back from someone who has it.
            ended = await self._sessions.end(uow, account["id"])
            await uow.commit()
        await self._sessions.close_sockets(account["id"], shop_id, ended)
        return ResetAccount(account["id"], shop_id, account["role"])
