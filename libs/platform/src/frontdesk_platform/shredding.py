"""Crypto-shredding: personal text sealed under a per-customer key that erasure destroys.

Events are never rewritten; a customer's personal fields are stored sealed with AES-GCM
under a random key of theirs (the `customer_keys` table of the service's own database).
Erasing the customer sets their keys to NULL: the ciphertext left in events, snapshots and
backups taken afterwards is noise, and a rebuild opens it as "" (see docs/adr/0005).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

PREFIX = "sealed:v1:"
ERASED = ""  # what a sealed value reads as once its key is destroyed


@dataclass(frozen=True)
class CustomerKey:
    key_id: UUID
    key: bytes

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.key).encrypt(nonce, plaintext.encode(), self.key_id.bytes)
        return f"{PREFIX}{self.key_id}:{base64.b64encode(nonce + sealed).decode()}"


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def open_sealed(value: str, keys: Mapping[UUID, bytes | None]) -> str:
    """The plaintext of a sealed value, or ERASED if its key is gone; other values as they are
    (events written before sealing began)."""
    if not is_sealed(value):
        return value
    key_id, _, body = value[len(PREFIX) :].partition(":")
    key = keys.get(UUID(key_id))
    if key is None:
        return ERASED
    raw = base64.b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], UUID(key_id).bytes).decode()
    except InvalidTag:
        return ERASED


async def key_for(session: AsyncSession, shop_id: UUID, customer_id: UUID) -> CustomerKey:
    """The customer's live key, made on first use. Locked FOR SHARE until the writer commits,
    so an erasure running meanwhile waits, and one that ran before leaves a new key made."""
    find = text(
        "SELECT key_id, key FROM customer_keys WHERE shop_id = :s AND customer_id = :c "
        "AND key IS NOT NULL FOR SHARE"
    )
    row = (await session.execute(find, {"s": shop_id, "c": customer_id})).first()
    if row is None:
        await session.execute(
            text(
                "INSERT INTO customer_keys (key_id, shop_id, customer_id, key) VALUES (:id, :s, :c, :k) "
                "ON CONFLICT (shop_id, customer_id) WHERE key IS NOT NULL DO NOTHING"
            ),
            {"id": uuid4(), "s": shop_id, "c": customer_id, "k": AESGCM.generate_key(bit_length=256)},
        )
        row = (await session.execute(find, {"s": shop_id, "c": customer_id})).one()
    return CustomerKey(row.key_id, bytes(row.key))


async def all_keys(session: AsyncSession) -> dict[UUID, bytes | None]:
    """Every key, destroyed ones as None (a rebuild opens everything: one row a customer)."""
    rows = await session.execute(text("SELECT key_id, key FROM customer_keys"))
    return {row.key_id: bytes(row.key) if row.key is not None else None for row in rows}


async def destroy_keys(session: AsyncSession, shop_id: UUID, customer_id: UUID) -> int:
    """Erase the customer's keys (waiting for writers sealing with them); how many there were."""
    result = await session.execute(
        text(
            "UPDATE customer_keys SET key = NULL, erased_at = now() "
            "WHERE shop_id = :s AND customer_id = :c AND key IS NOT NULL"
        ),
        {"s": shop_id, "c": customer_id},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
