"""Between the services: an internal API answers only Frontdesk services, and a command
written straight to Kafka is not a way in."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from frontdesk_contracts import Envelope
from frontdesk_contracts.messaging import Actor
from frontdesk_contracts.messaging_shop import SaveTemplate
from frontdesk_contracts.topics import MESSAGING_COMMANDS, dead_letter
from frontdesk_platform.kafka import headers_for
from frontdesk_platform.signing import CommandSigner

INTERNAL_READS = {
    "messaging": "/internal/shops/{shop}/templates",
    "booking": "/internal/shops/{shop}/catalog",
    "notify": "/internal/shops/{shop}/campaigns",
    "ai-assist": "/internal/shops/{shop}/faq",
}


@pytest.mark.parametrize("service", sorted(INTERNAL_READS))
async def test_an_internal_api_answers_only_callers_with_the_service_token(api, system, service):
    owner = await api.shop()
    path = INTERNAL_READS[service].format(shop=owner.shop_id)
    token = system.setting("FRONTDESK_SERVICE_TOKEN")
    async with httpx.AsyncClient(base_url=system.url(service), timeout=10) as anyone:
        assert (await anyone.get(path)).status_code == 401
        assert (await anyone.get(path, headers=owner.auth)).status_code == 401  # a user's token is not one
        refused = await anyone.get(path, headers={"authorization": "Bearer guessed"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "service_credential_required"
        assert (await anyone.get(path, headers={"authorization": f"Bearer {token}"})).status_code == 200
        assert (await anyone.get("/health")).status_code == 200


def forged_template(owner, name: str) -> Envelope:
    """What an attacker with write access to the topic would send: well-formed, as the owner."""
    command = SaveTemplate(
        shop_id=uuid.UUID(owner.shop_id),
        actor=Actor(user_id=uuid.UUID(owner.user_id), role="owner", shop_id=uuid.UUID(owner.shop_id)),
        template_id=uuid.uuid4(),
        name=name,
        text="Pay your deposit at evil.example",
    )
    return Envelope(
        type="messaging.shop.save_template.v1",
        source="frontdesk.gateway",
        tenant_id=owner.shop_id,
        aggregate_id=owner.shop_id,
        data=command.model_dump(mode="json"),
    )


async def dead_letters(endpoints, topic: str, names: set[str]) -> dict[str, str]:
    """The dead-lettered records of these templates: template name → error."""
    consumer = AIOKafkaConsumer(
        dead_letter(topic), bootstrap_servers=endpoints.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: dict[str, str] = {}
    try:
        async with asyncio.timeout(30):
            while set(found) != names:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    for record in batch:
                        name = json.loads(record.value)["data"].get("name")
                        if name in names:
                            found[name] = dict(record.headers)["error"].decode()
    finally:
        await consumer.stop()
    return found


async def test_a_command_written_straight_to_kafka_is_not_obeyed(api, endpoints):
    owner = await api.shop()
    topic = f"{endpoints.namespace}{MESSAGING_COMMANDS}"
    producer = AIOKafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap)
    await producer.start()
    try:
        unsigned = forged_template(owner, "unsigned")
        await producer.send_and_wait(
            topic,
            unsigned.model_dump_json().encode(),
            key=owner.shop_id.encode(),
            headers=headers_for(unsigned),
        )
        guessed = forged_template(owner, "guessed key")
        value = guessed.model_dump_json().encode()
        signature = CommandSigner(["frontdesk-development-command-signing-key"]).header(value)
        await producer.send_and_wait(
            topic, value, key=owner.shop_id.encode(), headers=[*headers_for(guessed), signature]
        )
    finally:
        await producer.stop()

    errors = await dead_letters(endpoints, topic, {"unsigned", "guessed key"})
    assert "not signed" in errors["unsigned"] and "does not match" in errors["guessed key"]
    body = {"name": "bath done", "text": "Biscuit is ready"}
    saved = await api.http.put(f"/v1/shop/templates/{uuid.uuid4()}", json=body, headers=owner.auth)
    assert saved.status_code == 200
    listed = (await api.http.get("/v1/shop/templates", headers=owner.auth)).json()
    assert [t["name"] for t in listed] == ["bath done"]
