"""Reads a batch needs at once come back from one statement, each by its name, with
their columns' own types (and a locking clause works inside)."""

from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from frontdesk_platform.reads import Read, read_together
from frontdesk_platform.shredding import TABLE_DDL, key_for, keys_for, keys_from, live_keys

pytestmark = pytest.mark.integration


async def test_several_reads_are_one_statement_and_each_comes_back_by_name(database: Any) -> None:
    conn = await asyncpg.connect(database.dsn)
    sent: list[str] = []
    conn.add_query_logger(lambda record: sent.append(record.query))
    try:
        async with conn.transaction():
            for statement in TABLE_DDL:
                await conn.execute(statement)
            shop, customer = uuid4(), uuid4()
            made = await key_for(conn, shop, customer)
            message = uuid4()
            await conn.execute(
                "INSERT INTO processed_messages (consumer, message_id) VALUES ('c', $1)", message
            )
            sent.clear()
            found = await read_together(
                conn,
                {
                    "seen": Read(
                        "SELECT message_id FROM processed_messages WHERE consumer = $1 AND message_id = ANY($2)",
                        ("c", [message, uuid4()]),
                        ("message_id",),
                    ),
                    "keys": live_keys([(shop, customer), (shop, uuid4())]),
                    "none": Read("SELECT 1 AS one WHERE $1", (False,), ("one",)),
                },
            )
    finally:
        await conn.close()
    [reading] = [s for s in sent if s.startswith("SELECT")]
    assert "processed_messages" in reading and "customer_keys" in reading
    assert found["seen"] == [{"message_id": message}]
    assert keys_from(found["keys"]) == {(shop, customer): made}
    assert found["none"] == []


async def test_nothing_to_read_is_no_round_trip(database: Any) -> None:
    conn = await asyncpg.connect(database.dsn)
    try:
        assert await read_together(conn, {}) == {}
        assert await keys_for(conn, []) == {}
    finally:
        await conn.close()
