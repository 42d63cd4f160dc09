"""Sign-up, sign-in and token refresh; identity events go out through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk_contracts import Contract, Envelope, identity
from frontdesk_platform.errors import ApiError
from frontdesk_platform.unit_of_work import UnitOfWork

from . import repository
from .passwords import MIN_PASSWORD_LENGTH, Passwords
from .sign_in_limits import SignInThrottle
from .tokens import Role, TokenIssuer, new_refresh_token, refresh_token_hash

SOURCE = "frontdesk.gateway"


@dataclass(frozen=True)
class Tokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    user_id: UUID
    shop_id: UUID
    role: Role


class Identity:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        issuer: TokenIssuer,
        refresh_days: int,
        clock: Callable[[], datetime],
        passwords: Passwords,
        throttle: SignInThrottle,
    ) -> None:
        self._uow = unit_of_work
        self._issuer = issuer
        self._passwords = passwords
        self._throttle = throttle
        self._refresh = timedelta(days=refresh_days)
        self._clock = clock

    async def register_shop(
        self, name: str, timezone: str, owner_login: str, owner_name: str, password: str
    ) -> Tokens:
        _check_timezone(timezone)
        _check_password(password)
        shop_id, owner_id, now = uuid4(), uuid4(), self._clock()
        async with self._uow() as uow:
            await repository.add_shop(uow.session, shop_id, name, timezone, now)
            await self._add_account(uow, owner_id, shop_id, "owner", owner_login, owner_name, password)
            uow.publish(
                identity_event(
                    shop_id,
                    "identity.shop.registered.v1",
                    identity.ShopRegistered(shop_id=shop_id, name=name, timezone=timezone, registered_at=now),
                )
            )
            tokens = await self._issue(uow, owner_id, shop_id, "owner")
            await uow.commit()
        return tokens

    async def add_staff(self, shop_id: UUID, login: str, name: str, password: str) -> UUID:
        _check_password(password)
        staff_id = uuid4()
        async with self._uow() as uow:
            await self._add_account(uow, staff_id, shop_id, "staff", login, name, password)
            await uow.commit()
        return staff_id

    async def register_customer(self, shop_id: UUID, login: str, name: str, password: str) -> Tokens:
        _check_password(password)
        customer_id = uuid4()
        async with self._uow() as uow:
            if await repository.get_shop(uow.session, shop_id) is None:
                raise ApiError(404, "shop_not_found", "No such shop.")
            await self._add_account(uow, customer_id, shop_id, "customer", login, name, password)
            tokens = await self._issue(uow, customer_id, shop_id, "customer")
            await uow.commit()
        return tokens

    async def add_phone_customer(self, shop_id: UUID, name: str, phone: str) -> UUID:
        """A walk-in or phone customer the shop's staff add: their phone is their login, and
        there is no password until they claim the account by a code sent to it."""
        customer_id = uuid4()
        async with self._uow() as uow:
            try:
                await self._add_account(uow, customer_id, shop_id, "customer", phone, name, None, phone)
            except ApiError as exc:
                existing = await repository.find_account(uow.session, shop_id, phone)
                if exc.code != "login_taken" or existing is None or existing["role"] != "customer":
                    raise
                raise ApiError(
                    409,
                    "customer_exists",
                    "A customer with that phone is already in this shop; book for them.",
                    {"customer_id": str(existing["id"])},
                ) from None
            await uow.commit()
        return customer_id

    async def tokens_for(self, account_id: UUID, shop_id: UUID, role: Role) -> Tokens:
        """New tokens for an account that just proved who it is another way (a claim code)."""
        async with self._uow() as uow:
            tokens = await self._issue(uow, account_id, shop_id, role)
            await uow.commit()
        return tokens

    async def is_customer(self, shop_id: UUID, customer_id: UUID) -> bool:
        return await self._has_role(shop_id, customer_id, ("customer",))

    async def is_staff(self, shop_id: UUID, staff_id: UUID) -> bool:
        return await self._has_role(shop_id, staff_id, ("owner", "staff"))

    async def _has_role(self, shop_id: UUID, account_id: UUID, roles: tuple[str, ...]) -> bool:
        return await self._account_in(shop_id, account_id, roles) is not None

    async def _account_in(
        self, shop_id: UUID, account_id: UUID, roles: tuple[str, ...]
    ) -> dict[str, Any] | None:
        async with self._uow() as uow:
            account = await repository.get_account(uow.session, account_id)
        if (
            account is None
            or account["shop_id"] != shop_id
            or account["role"] not in roles
            or account["status"] != "active"
        ):
            return None
        return account

    async def timezone(self, shop_id: UUID) -> str:
        """The shop's timezone, given at registration: hours, booking and reports use it
        unless told otherwise."""
        async with self._uow() as uow:
            shop = await repository.get_shop(uow.session, shop_id)
        return str(shop["timezone"]) if shop else "UTC"

    async def customer_name(self, shop_id: UUID, customer_id: UUID) -> str | None:
        """The name a customer of this shop signed up with; None if no such customer."""
        account = await self._account_in(shop_id, customer_id, ("customer",))
        return str(account["name"]) if account else None

    async def customer_account(self, shop_id: UUID, customer_id: UUID) -> dict[str, Any] | None:
        """What the shop keeps of a customer's account (their login is their phone when the
        shop added them by phone); None if no such customer."""
        account = await self._account_in(shop_id, customer_id, ("customer",))
        return (
            {"customer_id": customer_id, "name": account["name"], "login": account["login"]}
            if account
            else None
        )

    async def sign_in(self, shop_id: UUID, login: str, password: str, ip: str) -> Tokens:
        await self._throttle.admit(shop_id, login, ip)
        async with self._uow() as uow:
            account = await repository.find_account(uow.session, shop_id, login)
        if not await self._passwords.verify(account["password_hash"] if account else None, password):
            raise ApiError(401, "invalid_credentials", "Wrong shop, login or password.")
        assert account is not None
        await self._throttle.succeeded(shop_id, login, ip)
        if account["status"] != "active":
            raise ApiError(403, "account_disabled", "This account is disabled; ask the shop's owner.")
        async with self._uow() as uow:
            tokens = await self._issue(uow, account["id"], shop_id, account["role"])
            await uow.commit()
        return tokens

    async def refresh(self, refresh_token: str) -> Tokens:
        async with self._uow() as uow:
            account_id = await repository.use_refresh_token(
                uow.session, refresh_token_hash(refresh_token), self._clock()
            )
            account = account_id and await repository.get_account(uow.session, account_id)
            if not account or account["status"] != "active":
                raise ApiError(401, "invalid_refresh_token", "The refresh token is not valid.")
            tokens = await self._issue(uow, account["id"], account["shop_id"], account["role"])
            await uow.commit()
        return tokens

    async def _add_account(
        self,
        uow: UnitOfWork,
        account_id: UUID,
        shop_id: UUID,
        role: Role,
        login: str,
        name: str,
        password: str | None,
        phone: str | None = None,
    ) -> None:
        try:
            await repository.add_account(
                uow.session,
                account_id=account_id,
                shop_id=shop_id,
                role=role,
                login=login,
                name=name,
                password_hash=await self._passwords.hash(password) if password is not None else None,
                at=self._clock(),
            )
        except repository.LoginTaken:
            raise ApiError(409, "login_taken", "That login is already used in this shop.") from None
        if role == "customer":
            uow.publish(
                identity_event(
                    shop_id,
                    "identity.customer.registered.v1",
                    identity.CustomerRegistered(
                        shop_id=shop_id, customer_id=account_id, name=name, phone=phone
                    ),
                )
            )
        else:
            uow.publish(
                identity_event(
                    shop_id,
                    "identity.staff.added.v1",
                    identity.StaffAdded(shop_id=shop_id, staff_id=account_id, name=name, role=role),
                )
            )

    async def _issue(self, uow: UnitOfWork, user_id: UUID, shop_id: UUID, role: Role) -> Tokens:
        now = self._clock()
        access, expires = self._issuer.issue_access(user_id, shop_id, role, now)
        refresh, refresh_hash = new_refresh_token()
        await repository.store_refresh_token(uow.session, refresh_hash, user_id, now + self._refresh)
        return Tokens(access, expires, refresh, user_id, shop_id, role)


def identity_event(shop_id: UUID, name: str, payload: Contract) -> Envelope:
    return Envelope(
        type=name,
        source=SOURCE,
        tenant_id=shop_id,
        aggregate_id=str(shop_id),
        data=payload.model_dump(mode="json"),
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ApiError(422, "weak_password", f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(422, "invalid_timezone", f"Unknown timezone {timezone!r}.") from None
