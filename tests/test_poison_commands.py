"""A command the database cannot store is answered `rejected` at once with the reason,
and the other conversations that share its Kafka partition go on as if it were not there.

The command is written straight to Kafka (signed, as the gateway would) so that the
messaging service's own handling is what is tested, whatever the gateway refuses first.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from frontdesk_contracts import Envelope
from frontdesk_contracts.messaging import Actor, SendMessage
from frontdesk_contracts.topics import MESSAGING_COMMANDS, MESSAGING_REPLIES
from frontdesk_platform.kafka import headers_for
from frontdesk_platform.signing import CommandSigner

from .client import Account, Api


async def _sharing_a_partition(api: Api, owner: Account, partitions: list[int]) -> list[tuple[Account, str]]:
    """Two customers whose conversations are keyed to the same partition of the commands topic."""
    partition_of = DefaultPartitioner()
    seen: dict[int, tuple[Account, str]] = {}
    for n in range(60):
        customer = await api.customer(owner.shop_id, f"Customer {n}")
        conversation = await api.open_conversation(customer)
        partition = partition_of(conversation.encode(), partitions, partitions)
        if partition in seen:
            return [seen[partition], (customer, conversation)]
        seen[partition] = (customer, conversation)
    raise AssertionError("no two conversations on one partition")


def _with_nul(customer: Account, conversation: str) -> Envelope:
    command = SendMessage(
        conversation_id=uuid.UUID(conversation),
        actor=Actor(
            user_id=uuid.UUID(customer.user_id), role="customer", shop_id=uuid.UUID(customer.shop_id)
        ),
        client_msg_id="nul-1",
        text="two baths\x00please",
    )
    return Envelope(
        type="messaging.message.send.v1",
        source="frontdesk.gateway",
        tenant_id=customer.shop_id,
        aggregate_id=conversation,
        data=command.model_dump(mode="json"),
    )


async def test_text_the_database_cannot_store_is_rejected_at_once_and_stalls_no_other_conversation(
    api, system, endpoints
):
    owner = await api.shop()
    topic = f"{endpoints.namespace}{MESSAGING_COMMANDS}"
    producer = AIOKafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap)
    replies = AIOKafkaConsumer(
        f"{endpoints.namespace}{MESSAGING_REPLIES}",
        bootstrap_servers=endpoints.kafka_bootstrap,
        auto_offset_reset="latest",
    )
    await producer.start()
    await replies.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        (sender, poisoned), (victim, conversation) = await _sharing_a_partition(api, owner, partitions)
        await replies.seek_to_end()

        poison = _with_nul(sender, poisoned)
        value = poison.model_dump_json().encode()
        signature = CommandSigner([system.setting("FRONTDESK_COMMAND_SIGNING_KEY")]).header(value)
        started = time.monotonic()
        await producer.send_and_wait(
            topic, value, key=poisoned.encode(), headers=[*headers_for(poison), signature]
        )
        sent = await api.send(victim, conversation, "在吗?")  # queued behind the poison
        victim_took = time.monotonic() - started

        verdict = await _reply_to(replies, poison.id)
        answered_in = time.monotonic() - started
    finally:
        await replies.stop()
        await producer.stop()

    assert sent.status_code == 201 and sent.json()["seq"] == 1
    assert victim_took < 2  # before: ~12 s of retries of the poison first, then "not_confirmed"
    assert verdict.type == "messaging.command.rejected.v1"
    assert verdict.data["code"] == "invalid_data" and verdict.data["client_msg_id"] == "nul-1"
    assert (
        "cannot be stored" in verdict.data["message"] and "retrying will not help" in verdict.data["message"]
    )
    assert answered_in < 2
    history = await api.history(sender, poisoned)
    assert history["messages"] == []


async def _reply_to(replies: AIOKafkaConsumer, command_id: uuid.UUID) -> Envelope:
    async with asyncio.timeout(20):
        while True:
            for batch in (await replies.getmany(timeout_ms=200)).values():
                for record in batch:
                    reply = Envelope.model_validate_json(record.value)
                    if reply.causation_id == command_id:
                        return reply
