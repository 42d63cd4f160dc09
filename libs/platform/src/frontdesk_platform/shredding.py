"""Crypto-shredding: personal text sealed under a per-customer key that erasure destroys.

Events are never rewritten; a customer's personal fields are stored sealed with AES-GCM
under a random key of theirs (the `customer_keys` table of the service's own database).
Erasing the customer sets their keys to NULL: the ciphertext left in events, snapshots and
backups taken afterwards is noise, and a rebuild opens it as "" (see docs/adr/0005).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .database import create_engine, driver_connection, session_factory
from .reads import Read, read_together
from .settings import ServiceSettings

# The key table, the same in every service that seals (its migration runs these).
TABLE_DDL = (
    """
    CREATE TABLE customer_keys (
        key_id       UUID PRIMARY KEY,
        shop_id      UUID NOT NULL,
        customer_id  UUID NOT NULL,
        key          BYTEA,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        erased_at    TIMESTAMPTZ
    )
    """,
    # one live key a customer; destroyed ones stay (their ids are in sealed values)
    "CREATE UNIQUE INDEX customer_keys_live ON customer_keys (shop_id, customer_id) WHERE key IS NOT NULL",
)

# Services that keep copies from contract events (which carry plaintext) remember whom they
# erased, so a rebuild that replays those events forgets them again (docs/adr/0005).
ERASED_DDL = (
    """
    CREATE TABLE erased_customers (
        shop_id      UUID NOT NULL,
        customer_id  UUID NOT NULL,
        erased_at    TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (shop_id, customer_id)
    )
    """,
    # a late event's write looks its customer up by id alone
    "CREATE INDEX erased_customers_by_customer ON erased_customers (customer_id)",
)
# How a projection's write keeps an erased customer's text out, when an event published
# before the erasure is consumed after it (the erasure came on another topic): the text
# is written as the erasure left it. `{id}` is the customer id's parameter.
ERASED_TEST = "EXISTS (SELECT 1 FROM erased_customers WHERE customer_id = {id})"


async def remember_erased(session: AsyncSession, shop_id: UUID, customer_id: UUID, at: object) -> None:
    await session.execute(
        text(
            "INSERT INTO erased_customers (shop_id, customer_id, erased_at) VALUES (:s, :c, :at) "
            "ON CONFLICT DO NOTHING"
        ),
        {"s": shop_id, "c": customer_id, "at": at},
    )


async def erased_customers(session: AsyncSession) -> list[tuple[UUID, UUID]]:
    """(shop, customer) of everyone erased, for a rebuild to forget them again."""
    rows = await session.execute(text("SELECT shop_id, customer_id FROM erased_customers ORDER BY erased_at"))
    return [(row.shop_id, row.customer_id) for row in rows]


@dataclass(frozen=True)
class Forgetting:
    """How a service that keeps copies from contract events forgets a customer: its
    `statements` (parameters :s the shop, :c the customer) run on the erasure, and again for
    everyone erased after a rebuild has projected the replayed events."""

    statements: tuple[str, ...]

    async def erase(self, session: AsyncSession, shop_id: UUID, customer_id: UUID, at: object) -> None:
        await remember_erased(session, shop_id, customer_id, at)
        await self.forget(session, shop_id, customer_id)

    async def forget(self, session: AsyncSession, shop_id: UUID, customer_id: UUID) -> None:
        for statement in self.statements:
            await session.execute(text(statement), {"s": shop_id, "c": customer_id})

    async def forget_all_erased(self, session: AsyncSession) -> None:
        for shop_id, customer_id in await erased_customers(session):
            await self.forget(session, shop_id, customer_id)


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
    named, _, body = value[len(PREFIX) :].partition(":")
    key_id = UUID(named)
    key = keys.get(key_id)
    if key is None:
        return ERASED
    raw = base64.b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], key_id.bytes).decode()
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
    return keys_from((await read_together(connection, {"keys": live_keys(customers)}))["keys"])


def live_keys(customers: Collection[Customer]) -> Read:
    """`keys_for` as a read to send along with others (reads.read_together)."""
    return Read(
        "SELECT k.shop_id, k.customer_id, k.key_id, k.key FROM customer_keys k "
        "JOIN unnest($1::uuid[], $2::uuid[]) AS c(shop_id, customer_id) "
        "ON k.shop_id = c.shop_id AND k.customer_id = c.customer_id "
        "WHERE k.key IS NOT NULL FOR SHARE OF k",
        ([shop for shop, _ in customers], [customer for _, customer in customers]),
        ("shop_id", "customer_id", "key_id", "key"),
    )


def keys_from(rows: list[dict[str, Any]]) -> dict[Customer, CustomerKey]:
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
    """Erase the customer's keys (waiting for writers sealing with them, and for a reseal
    deciding about them); how many there were."""
    await _lock_customer(session, shop_id, customer_id)
    result = await session.execute(
        text(
            "UPDATE customer_keys SET key = NULL, erased_at = now() "
            "WHERE shop_id = :s AND customer_id = :c AND key IS NOT NULL"
        ),
        {"s": shop_id, "c": customer_id},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def keys_by_id(session: AsyncSession, key_ids: Iterable[UUID]) -> dict[UUID, bytes | None]:
    """The keys named by sealed values (destroyed ones as None); no query when there are none."""
    wanted = list(set(key_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        text("SELECT key_id, key FROM customer_keys WHERE key_id = ANY(:ids)"), {"ids": wanted}
    )
    return {row.key_id: bytes(row.key) if row.key is not None else None for row in rows}


# Sealing fields of an event's JSON (services whose aggregates need their texts open when
# they load). A path names a field, nested through objects: ("profile", "name"). A field
# that is not a string (a list of allergies) is sealed as its JSON text, and reads as the
# empty value of its kind once its key is gone.
Path = tuple[str, ...]


def seal_fields(data: dict[str, object], paths: Iterable[Path], key: CustomerKey) -> dict[str, object]:
    """A copy of the event's data with the fields at `paths` sealed (empty ones stay as they are)."""
    sealed = dict(data)
    for path in paths:
        parent = _parent(sealed, path, copy=True)
        if parent is None or not parent.get(path[-1]):
            continue
        value = parent[path[-1]]
        parent[path[-1]] = key.seal(value if isinstance(value, str) else json.dumps(value))
    return sealed


def sealed_key_ids(data: dict[str, object], paths: Iterable[Path]) -> set[UUID]:
    found = set()
    for path in paths:
        parent = _parent(data, path, copy=False)
        value = parent.get(path[-1]) if parent is not None else None
        if isinstance(value, str) and is_sealed(value):
            found.add(UUID(value[len(PREFIX) :].partition(":")[0]))
    return found


def open_fields(
    data: dict[str, object],
    paths: Iterable[Path],
    keys: Mapping[UUID, bytes | None],
    lists: Iterable[Path] = (),
) -> dict[str, object]:
    """A copy of the event's data with its sealed fields opened ("" where the key is gone;
    the fields at `lists` were lists: their JSON text opened, or [])."""
    as_json = set(lists)
    opened = dict(data)
    for path in paths:
        parent = _parent(opened, path, copy=True)
        value = parent.get(path[-1]) if parent is not None else None
        if parent is None or not is_sealed(value):
            continue
        plain = open_sealed(str(value), keys)
        parent[path[-1]] = (json.loads(plain) if plain else []) if path in as_json else plain
    return opened


def _parent(data: dict[str, object], path: Path, copy: bool) -> dict[str, object] | None:
    """The object holding the path's last field (copied on the way down when `copy`)."""
    node = data
    for name in path[:-1]:
        child = node.get(name)
        if not isinstance(child, dict):
            return None
        if copy:
            child = node[name] = dict(child)
        node = child
    return node


# Re-sealing events stored before sealing began (a one-off `frontdesk-<service> reseal`):
# their personal fields are plaintext. Each is sealed under its customer's key, or emptied
# when the customer was erased since (they have a destroyed key): a key made now would
# open it again. A stream's customer is named (shop_id, customer_id) by its first event.
# Only the sealed fields change: versions, positions, ids and types stay, so optimistic
# concurrency, the outbox and snapshots are untouched (snapshots hold no personal text).
RESEAL_PAGE = 1000


async def reseal(
    sessions: Callable[[], AsyncSession],
    fields: Mapping[str, Iterable[Path]],
    lists: Iterable[Path] = (),
    page: int = RESEAL_PAGE,
) -> tuple[int, int]:
    """(events sealed, events emptied); a page of events per transaction, so it can run
    while the service does (new events are sealed already)."""
    paths = {type_name: tuple(found) for type_name, found in fields.items()}
    as_lists = set(lists)
    owners: dict[str, tuple[UUID, UUID]] = {}
    position, sealed, emptied = 0, 0, 0
    while True:
        async with sessions() as session, session.begin():
            rows = (
                await session.execute(
                    text(
                        "SELECT position, stream_id, version, type, data::text AS data FROM events "
                        "WHERE position > :p ORDER BY position LIMIT :n"
                    ),
                    {"p": position, "n": page},
                )
            ).all()
            if not rows:
                return sealed, emptied
            keys: dict[tuple[UUID, UUID], CustomerKey | None] = {}  # None: erased
            changed = []
            for row in rows:
                data = json.loads(row.data)
                if "shop_id" in data and "customer_id" in data and row.stream_id not in owners:
                    owners[row.stream_id] = (UUID(data["shop_id"]), UUID(data["customer_id"]))
                owner = owners.get(row.stream_id)
                plain = [p for p in paths.get(row.type, ()) if _is_plain(data, p)]
                if not plain or owner is None:
                    continue
                if owner not in keys:
                    keys[owner] = await _key_unless_erased(session, *owner)
                key = keys[owner]
                if key is None:
                    data = _emptied(data, plain, as_lists)
                    emptied += 1
                else:
                    data = seal_fields(data, plain, key)
                    sealed += 1
                changed.append(
                    {"d": json.dumps(data, ensure_ascii=False), "s": row.stream_id, "v": row.version}
                )
            if changed:
                await session.execute(
                    text("UPDATE events SET data = CAST(:d AS jsonb) WHERE stream_id = :s AND version = :v"),
                    changed,
                )
            position = rows[-1].position


async def _key_unless_erased(session: AsyncSession, shop_id: UUID, customer_id: UUID) -> CustomerKey | None:
    """The customer's key, or None if they were erased. Erasing takes the same lock first,
    so an erasure either committed before (seen here) or waits for this page's commit (and
    then destroys the key used in it); a key made here is never left live past an erasure."""
    await _lock_customer(session, shop_id, customer_id)
    if await _was_erased(session, shop_id, customer_id):
        return None
    return await key_for(await driver_connection(session), shop_id, customer_id)


async def _lock_customer(session: AsyncSession, shop_id: UUID, customer_id: UUID) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(CAST(:s AS text) || CAST(:c AS text), 0))"),
        {"s": str(shop_id), "c": str(customer_id)},
    )


async def _was_erased(session: AsyncSession, shop_id: UUID, customer_id: UUID) -> bool:
    found = await session.execute(
        text("SELECT 1 FROM customer_keys WHERE shop_id = :s AND customer_id = :c AND key IS NULL LIMIT 1"),
        {"s": shop_id, "c": customer_id},
    )
    return found.first() is not None


def needs_sealing(data: dict[str, object], paths: Iterable[Path]) -> bool:
    """Whether the event holds personal text not sealed yet (empty fields need no key)."""
    return any(_is_plain(data, path) for path in paths)


def _is_plain(data: dict[str, object], path: Path) -> bool:
    parent = _parent(data, path, copy=False)
    value = parent.get(path[-1]) if parent is not None else None
    return bool(value) and not is_sealed(value)


def _emptied(data: dict[str, object], paths: Iterable[Path], lists: set[Path]) -> dict[str, object]:
    emptied = dict(data)
    for path in paths:
        parent = _parent(emptied, path, copy=True)
        if parent is not None:
            parent[path[-1]] = [] if path in lists else ERASED
    return emptied


async def reseal_command(
    settings: ServiceSettings, fields: Mapping[str, Iterable[Path]], lists: Iterable[Path] = ()
) -> None:
    """`frontdesk-<service> reseal`: once, after upgrading to a version that seals."""
    engine = create_engine(settings)
    try:
        sealed, emptied = await reseal(session_factory(engine), fields, lists)
    finally:
        await engine.dispose()
    print(f"resealed {sealed} events; emptied {emptied} of customers erased since")
