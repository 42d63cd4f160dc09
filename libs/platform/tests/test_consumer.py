import asyncio
import uuid

import pytest
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import MESSAGING_EVENTS, dead_letter
from frontdesk_platform.consumer import ConsumerLoop, RetryPolicy
from frontdesk_platform.kafka import ensure_topics, headers_for
from frontdesk_platform.observability import configure_tracing
from frontdesk_platform.unit_of_work import UnitOfWork
from opentelemetry import trace
from prometheus_client import REGISTRY
from sqlalchemy import text

from .conftest import read_topic

pytestmark = pytest.mark.integration
FAST = RetryPolicy(attempts=3, first_delay=0.01)


def event(n: int, **data: object) -> Envelope:
    return Envelope(type="messaging.message.sent.v1", source="test", aggregate_id="k", data={"n": n, **data})


async def send(producer, topic: str, env: Envelope) -> None:
    await producer.send_and_wait(topic, env.model_dump_json().encode(), key=b"k", headers=headers_for(env))


@pytest.fixture
async def topic(database):
    name = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [name, dead_letter(name)], 1)
    return name


def loop_for(database, producer, topic, handler, group=None) -> ConsumerLoop:
    return ConsumerLoop(
        name="test",
        kafka=database.settings.kafka_connection(),
        topics=[topic],
        group_id=group or f"g-{uuid.uuid4().hex[:6]}",
        handler=handler,
        producer=producer,
        retry=FAST,
    )


async def until(condition, timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_a_message_that_keeps_failing_is_dead_lettered_and_the_rest_go_through(
    database, producer, topic
):
    handled: list[int] = []
    tries = {"flaky": 0}

    async def handler(env: Envelope) -> None:
        if env.data.get("poison"):
            raise ValueError("cannot handle this one")
        if env.data.get("flaky") and tries["flaky"] < 2:
            tries["flaky"] += 1
            raise ConnectionError("database blinked")
        handled.append(env.data["n"])

    loop = loop_for(database, producer, topic, handler)
    await loop.start()
    try:
        await send(producer, topic, event(1))
        await send(producer, topic, event(2, poison=True))
        await producer.send_and_wait(topic, b"{not json", key=b"k")
        await send(producer, topic, event(3, flaky=True))
        await send(producer, topic, event(4))
        await until(lambda: handled == [1, 3, 4])
    finally:
        await loop.stop()

    dead = await read_topic(database.settings.kafka_connection(), dead_letter(topic), 2)
    errors = [dict(r.headers) for r in dead]
    assert [e["error_type"] for e in errors] == [b"ValueError", b"ValidationError"]
    assert b"cannot handle this one" in errors[0]["error"]
    assert errors[0]["original_topic"] == topic.encode()
    assert dead[1].value == b"{not json"


async def test_a_redelivered_message_changes_nothing_the_second_time(database, producer, topic):
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE baths (n INTEGER)"))

    async def book_a_bath(env: Envelope) -> None:
        async with UnitOfWork(database.sessions, database.settings.topic) as uow:
            if await uow.already_processed("baths", env.id):
                return
            await uow.session.execute(text("INSERT INTO baths VALUES (:n)"), {"n": env.data["n"]})
            await uow.mark_processed("baths", env.id)
            await uow.commit()

    seen: list[uuid.UUID] = []

    async def handler(env: Envelope) -> None:
        await book_a_bath(env)
        seen.append(env.id)

    loop = loop_for(database, producer, topic, handler)
    await loop.start()
    try:
        once = event(7)
        await send(producer, topic, once)
        await send(producer, topic, once)
        await until(lambda: len(seen) == 2)
    finally:
        await loop.stop()
    async with database.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM baths"))).scalar() == 1


async def test_after_a_graceful_stop_the_group_resumes_after_the_last_handled_message(
    database, producer, topic
):
    group = f"g-{uuid.uuid4().hex[:6]}"
    first: list[int] = []
    second: list[int] = []

    async def into(bucket: list[int]):
        async def handler(env: Envelope) -> None:
            bucket.append(env.data["n"])

        return handler

    loop = loop_for(database, producer, topic, await into(first), group)
    await loop.start()
    await send(producer, topic, event(1))
    await send(producer, topic, event(2))
    await until(lambda: first == [1, 2])
    await loop.stop()

    await send(producer, topic, event(3))
    loop = loop_for(database, producer, topic, await into(second), group)
    await loop.start()
    try:
        await until(lambda: second == [3])
        await asyncio.sleep(0.5)
    finally:
        await loop.stop()
    assert second == [3]


async def test_the_handler_runs_inside_the_trace_the_message_carried(database, producer, topic):
    configure_tracing("test")
    trace_id = uuid.uuid4().hex
    seen: list[str] = []

    async def handler(env: Envelope) -> None:
        seen.append(format(trace.get_current_span().get_span_context().trace_id, "032x"))

    loop = loop_for(database, producer, topic, handler)
    await loop.start()
    try:
        traced = Envelope(
            type="messaging.message.sent.v1",
            source="test",
            aggregate_id="k",
            traceparent=f"00-{trace_id}-{'1' * 16}-01",
        )
        await send(producer, topic, traced)
        await until(lambda: len(seen) == 1)
    finally:
        await loop.stop()
    assert seen == [trace_id]


async def test_the_handler_continues_from_the_hop_the_records_header_names(database, producer, topic):
    """The relay names its own span in the record's header; the envelope, signed when it
    was written, still names the writer's. The consumer's span is the relay's child."""
    configure_tracing("test")
    trace_id = uuid.uuid4().hex
    parents: list[str] = []

    async def handler(env: Envelope) -> None:
        parents.append(format(trace.get_current_span().parent.span_id, "016x"))  # type: ignore[attr-defined]

    loop = loop_for(database, producer, topic, handler)
    await loop.start()
    try:
        written = Envelope(
            type="messaging.message.sent.v1",
            source="test",
            aggregate_id="k",
            traceparent=f"00-{trace_id}-{'1' * 16}-01",
        )
        relayed = [("traceparent", f"00-{trace_id}-{'2' * 16}-01".encode())]
        await producer.send_and_wait(topic, written.model_dump_json().encode(), key=b"k", headers=relayed)
        await until(lambda: len(parents) == 1)
    finally:
        await loop.stop()
    assert parents == ["2" * 16]


async def test_a_slow_partition_does_not_hold_up_the_others(database, producer):
    topic = database.settings.topic("messaging.replies")
    await ensure_topics(database.settings.kafka_connection(), [topic], 2)
    finished: list[str] = []
    release = asyncio.Event()

    async def handler(env: Envelope) -> None:
        if env.aggregate_id == "slow":
            await release.wait()
        finished.append(env.aggregate_id)

    loop = loop_for(database, producer, topic, handler)
    await loop.start()
    try:
        for key, partition in (("slow", 0), ("fast", 1)):
            env = Envelope(type="messaging.command.accepted.v1", source="test", aggregate_id=key)
            await producer.send_and_wait(
                topic, env.model_dump_json().encode(), key=key.encode(), partition=partition
            )
        await until(lambda: finished == ["fast"])
        release.set()
        await until(lambda: finished == ["fast", "slow"])
    finally:
        release.set()
        await loop.stop()


async def test_a_record_that_is_retried_holds_up_only_its_own_key(database, producer, topic):
    handled: list[tuple[str, int]] = []
    tries = {"a1": 0}

    async def handler(env: Envelope) -> None:
        if env.data["n"] == 1 and tries["a1"] < 2:
            tries["a1"] += 1
            raise ConnectionError("database blinked")
        handled.append((env.aggregate_id, env.data["n"]))

    loop = loop_for(database, producer, topic, handler)
    loop.retry = RetryPolicy(attempts=4, first_delay=0.5)
    await loop.start()
    try:
        for n, key in [(1, "a"), (2, "a"), (3, "b"), (4, "b")]:
            env = Envelope(type="messaging.message.sent.v1", source="test", aggregate_id=key, data={"n": n})
            await producer.send_and_wait(topic, env.model_dump_json().encode(), key=key.encode())
        await until(lambda: len(handled) == 4)
    finally:
        await loop.stop()
    assert handled[:2] == [("b", 3), ("b", 4)]  # b went on while a waited for its retry
    assert handled[2:] == [("a", 1), ("a", 2)]  # and a kept its order


async def test_the_lag_shows_what_a_stuck_handler_left_waiting_and_clears_once_it_goes_on(
    database, producer, topic
):
    go_on = asyncio.Event()
    handled: list[int] = []

    async def handler(env: Envelope) -> None:
        await go_on.wait()
        handled.append(env.data["n"])

    group = f"g-{uuid.uuid4().hex[:6]}"
    loop = loop_for(database, producer, topic, handler, group)
    lag = {"group": group, "topic": topic, "partition": "0"}
    await loop.start()
    try:
        for n in range(5):
            await send(producer, topic, event(n))
        await until(lambda: REGISTRY.get_sample_value("frontdesk_consumer_lag_messages", lag) == 5)
        go_on.set()
        await until(lambda: len(handled) == 5)
        await until(lambda: REGISTRY.get_sample_value("frontdesk_consumer_lag_messages", lag) == 0)
        dead = {"consumer": "test", "topic": topic, "outcome": "dead_lettered"}
        assert REGISTRY.get_sample_value("frontdesk_consumer_messages_total", dead) is not None
    finally:
        go_on.set()
        await loop.stop()
