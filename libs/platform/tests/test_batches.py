"""Batches on the real PostgreSQL and Kafka: the records waiting for a partition are
carried out in one transaction; one that fails is undone alone and answered alone; a
crash between the database commit and the offset commit changes nothing when the batch
comes again, which is answered again as duplicates."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from frontdesk_contracts import Contract, Envelope
from frontdesk_contracts.topics import NOTIFY_COMMANDS, dead_letter
from frontdesk_platform.consumer import ConsumerLoop
from frontdesk_platform.kafka import ensure_topics, headers_for
from frontdesk_platform.pipeline import Answers, Pipeline, Route
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

pytestmark = pytest.mark.integration
CONSUMER = "baths.commands"


class Book(Contract):
    n: int
    pet: str


async def book(uow: UnitOfWork, cmd: Book) -> dict[str, int]:
    await uow.session.execute(text("INSERT INTO baths (n, pet) VALUES (:n, :p)"), {"n": cmd.n, "p": cmd.pet})
    return {"n": cmd.n}


BATHS = Pipeline(
    {"baths.bath.book.v1": Route(book, Book)},
    lambda uow, message: uow,
    Answers("frontdesk.baths", "notify.command.accepted.v1", "notify.command.rejected.v1"),
)


@pytest.fixture
async def topic(database):
    name = database.settings.topic(NOTIFY_COMMANDS)
    await ensure_topics(database.settings.kafka_connection(), [name, dead_letter(name)], 1)
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE baths (n INTEGER PRIMARY KEY, pet TEXT NOT NULL)"))
    return name


def loop_for(database, producer, topic: str, group: str) -> ConsumerLoop:
    return ConsumerLoop(
        name=CONSUMER,
        kafka=database.settings.kafka_connection(),
        topics=[topic],
        group_id=group,
        pipeline=BATHS.bind(CONSUMER, lambda: UnitOfWork(database.sessions, database.settings.topic)),
        producer=producer,
    )


async def send_all(producer, topic: str, commands: list[Envelope]) -> None:
    for command in commands:
        await producer.send(
            topic,
            command.model_dump_json().encode(),
            key=command.aggregate_id.encode(),
            headers=headers_for(command),
        )
    await producer.flush()


def bath(n: int, pet: str = "Mochi") -> Envelope:
    return Envelope(type="baths.bath.book.v1", source="test", aggregate_id=f"k{n}", data={"n": n, "pet": pet})


async def answers(database, count: int) -> list[dict]:
    async with asyncio.timeout(30):
        while True:
            async with database.engine.connect() as conn:
                rows = (await conn.execute(text("SELECT type, envelope FROM outbox ORDER BY id"))).all()
            if len(rows) >= count:
                return [{"type": r.type, **json.loads(r.envelope)["data"]} for r in rows]
            await asyncio.sleep(0.05)


async def baths(database) -> list[tuple[int, str]]:
    async with database.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text("SELECT n, pet FROM baths ORDER BY n"))).all()]


async def test_a_command_that_fails_in_a_batch_is_undone_alone_and_the_others_commit(
    database, producer, topic
):
    commands = [bath(1), bath(2, pet="Bis\x00cuit"), bath(3), bath(1, pet="Mochi again")]
    await send_all(producer, topic, commands)  # waiting before the consumer starts: one batch
    loop = loop_for(database, producer, topic, f"g-{uuid.uuid4().hex[:6]}")
    await loop.start()
    try:
        replies = await answers(database, 4)
    finally:
        await loop.stop()

    assert await baths(database) == [(1, "Mochi"), (3, "Mochi")]
    verdicts = [(r["type"].split(".")[-2], r.get("code"), r["command_id"]) for r in replies]
    assert verdicts == [
        ("accepted", None, str(commands[0].id)),
        ("rejected", "invalid_data", str(commands[1].id)),  # PostgreSQL refuses NUL in text
        ("accepted", None, str(commands[2].id)),
        ("rejected", "invalid_data", str(commands[3].id)),  # a broken constraint: permanent too
    ]
    async with database.engine.connect() as conn:
        commits = (
            await conn.execute(text("SELECT count(DISTINCT processed_at) FROM processed_messages"))
        ).scalar()
    assert commits == 1  # one transaction for the batch


async def test_the_records_of_several_partitions_waiting_at_once_share_one_transaction(
    database, producer, topic
):
    spread = database.settings.topic("baths.spread")
    await ensure_topics(database.settings.kafka_connection(), [spread, dead_letter(spread)], 3)
    commands = [bath(n) for n in range(1, 7)]
    for n, command in enumerate(commands):
        await producer.send(
            spread,
            command.model_dump_json().encode(),
            key=command.aggregate_id.encode(),
            headers=headers_for(command),
            partition=n % 3,
        )
    await producer.flush()  # all waiting before the consumer starts
    loop = loop_for(database, producer, spread, f"g-{uuid.uuid4().hex[:6]}")
    await loop.start()
    try:
        replies = await answers(database, 6)
    finally:
        await loop.stop()

    assert sorted(r["n"] for r in replies) == [1, 2, 3, 4, 5, 6]
    async with database.engine.connect() as conn:
        commits = (
            await conn.execute(text("SELECT count(DISTINCT processed_at) FROM processed_messages"))
        ).scalar()
    assert commits == 1  # three partitions' batches, one transaction


async def test_after_a_crash_between_commit_and_offset_commit_the_batch_changes_nothing_again(
    database, producer, topic
):
    group = f"g-{uuid.uuid4().hex[:6]}"
    commands = [bath(1), bath(2)]
    await send_all(producer, topic, commands)
    crashing = loop_for(database, producer, topic, group)

    async def crash_before_the_offset_commit(partitions: object) -> None:
        return None

    crashing.commit = crash_before_the_offset_commit  # type: ignore[method-assign]
    await crashing.start()
    try:
        await answers(database, 2)
    finally:
        await crashing.stop()

    again = loop_for(database, producer, topic, group)
    await again.start()
    try:
        replies = await answers(database, 4)
    finally:
        await again.stop()
    assert await baths(database) == [(1, "Mochi"), (2, "Mochi")]
    assert [(r["command_id"], r.get("duplicate", False)) for r in replies] == [
        (str(commands[0].id), False),
        (str(commands[1].id), False),
        (str(commands[0].id), True),
        (str(commands[1].id), True),
    ]
