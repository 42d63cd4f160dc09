"""API keys for a shop's integrations (a CRM, a POS, n8n): `fdk_<shop>_<key>_<secret>`.
Only a digest of the secret is kept; a revoked key stops on its next request. A key acts
as the shop's staff (never its owner: a key cannot make keys, staff or webhooks), and a
key with only the `read` scope may only read."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .tokens import InvalidToken, Principal

PREFIX = "fdk_"
SCOPES = ("read", "write")
READING = frozenset({"GET", "HEAD", "OPTIONS"})
FAR_FUTURE = datetime.fromisoformat("9999-01-01T00:00:00+00:00")
_VIEW = "key_id AS id, name, scopes, created_at, revoked_at"


def _hash(secret: str) -> str:
    # The secret is 256 random bits: a plain digest is enough, and cheap on every request.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeys:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Callable[[], datetime]) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def make(self, shop_id: UUID, owner_id: UUID, name: str, scopes: list[str]) -> dict[str, Any]:
        key_id, secret = uuid4(), secrets.token_urlsafe(32)
        async with self._uow() as uow:
            row = (
                await uow.session.execute(
                    text(
                        "INSERT INTO api_keys (shop_id, key_id, name, scopes, secret_hash, created_by, created_at) "
                        f"VALUES (:s, :k, :name, :scopes, :hash, :by, :now) RETURNING {_VIEW}"
                    ),
                    {
                        "s": shop_id,
                        "k": key_id,
                        "name": name,
                        "scopes": sorted(set(scopes)),
                        "hash": _hash(secret),
                    }
                    | {"by": owner_id, "now": self._clock()},
                )
            ).one()
            await uow.commit()
        return row._asdict() | {"key": f"{PREFIX}{shop_id.hex}_{key_id.hex}_{secret}"}

    async def of_shop(self, shop_id: UUID) -> list[dict[str, Any]]:
        async with self._uow() as uow:
            found = await uow.session.execute(
                text(f"SELECT {_VIEW} FROM api_keys WHERE shop_id = :s ORDER BY created_at"), {"s": shop_id}
            )
        return [row._asdict() for row in found]

    async def revoke(self, shop_id: UUID, key_id: UUID) -> dict[str, Any] | None:
        async with self._uow() as uow:
            row = (
                await uow.session.execute(
                    text(
                        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, :now) "
                        f"WHERE shop_id = :s AND key_id = :k RETURNING {_VIEW}"
                    ),
                    {"s": shop_id, "k": key_id, "now": self._clock()},
                )
            ).first()
            await uow.commit()
        return row._asdict() if row else None

    async def principal(self, key: str, method: str) -> Principal:
        """The caller a key names, if it is the shop's, not revoked, and scoped for `method`."""
        shop_id, key_id, secret = _parts(key)
        async with self._uow() as uow:
            row = (
                await uow.session.execute(
                    text(
                        "SELECT scopes, secret_hash FROM api_keys "
                        "WHERE shop_id = :s AND key_id = :k AND revoked_at IS NULL"
                    ),
                    {"s": shop_id, "k": key_id},
                )
            ).first()
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
            raise InvalidToken("invalid_api_key", "This API key is unknown or was revoked.")
        if method not in READING and "write" not in row.scopes:
            raise InvalidToken("api_key_scope", "This API key may only read (scope: read).")
        return Principal(user_id=key_id, shop_id=shop_id, role="staff", expires_at=FAR_FUTURE)


def _parts(key: str) -> tuple[UUID, UUID, str]:
    try:
        shop, key_id, secret = key.removeprefix(PREFIX).split("_", 2)
        return UUID(hex=shop), UUID(hex=key_id), secret
    except ValueError:
        raise InvalidToken("invalid_api_key", "This API key is malformed.") from None
