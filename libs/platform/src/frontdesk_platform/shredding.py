"""Crypto-shredding: personal text sealed under a per-customer key that erasure destroys.

Events are never rewritten; a customer's personal fields are stored sealed with AES-GCM
under a random key of theirs (the `customer_keys` table of the service's own database).
Erasing the customer sets their keys to NULL: the ciphertext left in events, snapshots and
backups taken afterwards is noise, and a rebuild opens it as "" (see docs/adr/0005).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import asyncpg
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
    _cipher: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cipher", AESGCM(self.key))  # made once: a batch seals many texts

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._cipher.encrypt(nonce, plaintext.encode(), self.key_id.bytes)
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


Customer = tuple[UUID, UUID]  # (shop_id, customer_id)


async def keys_for(
    connection: asyncpg.Connection, customers: Collection[Customer]
) -> dict[Customer, CustomerKey]:
    """The live keys these customers have (one round trip for a batch), locked FOR SHARE
    until the writer commits, so an erasure running meanwhile waits for the writer."""
    if not customers:
        return {}
    rows = await connection.fetch(
        "SELECT k.shop_id, k.customer_id, k.key_id, k.key FROM customer_keys k "
        "JOIN unnest($1::uuid[], $2::uuid[]) AS c(shop_id, customer_id) "
        "ON k.shop_id = c.shop_id AND k.customer_id = c.customer_id "
        "WHERE k.key IS NOT NULL FOR SHARE OF k",
        [shop for shop, _ in customers],
        [customer for _, customer in customers],
    )
    return {
        (row["shop_id"], row["customer_id"]): CustomerKey(row["key_id"], bytes(row["key"])) for row in rows
    }


async def key_for(connection: asyncpg.Connection, shop_id: UUID, customer_id: UUID) -> CustomerKey:
    """The customer's live key, made on first use, locked like `keys_for`: an erasure that
    ran before leaves a new key made."""
    found = await keys_for(connection, [(shop_id, customer_id)])
    if not found:
        await connection.execute(
            "INSERT INTO customer_keys (key_id, shop_id, customer_id, key) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (shop_id, customer_id) WHERE key IS NOT NULL DO NOTHING",
            uuid4(),
            shop_id,
            customer_id,
            AESGCM.generate_key(bit_length=256),
        )
        found = await keys_for(connection, [(shop_id, customer_id)])
    return found[(shop_id, customer_id)]


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
