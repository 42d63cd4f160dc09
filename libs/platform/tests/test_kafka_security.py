"""Kafka with SASL and TLS: a service configured with the right credentials runs its whole
Kafka path (topics, producer, outbox relay, consumers) on such a broker; with the wrong
ones it cannot connect at all."""

import asyncio
import subprocess

import pytest
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import MESSAGING_COMMANDS
from frontdesk_platform.kafka import create_producer, ensure_topics
from frontdesk_platform.runtime import Runtime
from frontdesk_platform.settings import ServiceSettings
from pydantic import SecretStr

from .secure_broker import PASSWORD, USER, SecureBroker, start, wait_listening

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def broker(tmp_path_factory) -> SecureBroker:
    directory = tmp_path_factory.mktemp("secure-kafka")
    process, broker = start(directory)
    try:
        for address in (broker.sasl_plaintext, broker.sasl_ssl, broker.mutual_tls):
            wait_listening(process, address, directory / "kafka.out")
        yield broker
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def on(settings: ServiceSettings, broker: SecureBroker, how: str, **changes: object) -> ServiceSettings:
    ways: dict[str, dict[str, object]] = {
        "SASL_PLAINTEXT": {"kafka_bootstrap": broker.sasl_plaintext},
        "SASL_SSL": {"kafka_bootstrap": broker.sasl_ssl, "kafka_ssl_cafile": broker.ca_file},
        "SSL": {
            "kafka_bootstrap": broker.mutual_tls,
            "kafka_ssl_cafile": broker.ca_file,
            "kafka_ssl_certfile": broker.client_cert,
            "kafka_ssl_keyfile": broker.client_key,
        },
    }
    return settings.model_copy(
        update={
            "kafka_security_protocol": how,
            "kafka_sasl_mechanism": "PLAIN",
            "kafka_sasl_username": USER,
            "kafka_sasl_password": SecretStr(PASSWORD),
            "kafka_partitions": 1,
            **ways[how],
            **changes,
        }
    )


@pytest.mark.parametrize("how", ["SASL_PLAINTEXT", "SASL_SSL", "SSL"])
async def test_a_service_sends_and_obeys_commands_over_a_secured_broker(database, broker, how):
    obeyed: list[str] = []

    async def obey(envelope: Envelope) -> None:
        obeyed.append(envelope.data["text"])

    runtime = Runtime(on(database.settings, broker, how))
    runtime.consumer("secure.commands", [MESSAGING_COMMANDS], obey)
    await runtime.start()
    try:
        send = Envelope(
            type="messaging.message.send.v1", source="test", aggregate_id="c1", data={"text": "sent"}
        )
        await runtime.publish(send)
        async with runtime.unit_of_work() as uow:
            uow.publish(
                send.caused(type=send.type, source="test", aggregate_id="c1", data={"text": "relayed"})
            )
            await uow.commit()
        async with asyncio.timeout(30):
            while len(obeyed) < 2:
                await asyncio.sleep(0.05)
    finally:
        await runtime.stop()
    assert sorted(obeyed) == ["relayed", "sent"]


@pytest.mark.parametrize(
    ("how", "wrong"),
    [
        ("SASL_PLAINTEXT", {"kafka_sasl_password": SecretStr("guessed")}),
        ("SASL_SSL", {"kafka_sasl_password": SecretStr("guessed")}),
        ("SASL_SSL", {"kafka_ssl_cafile": None}),  # the broker's certificate is not trusted
        ("SSL", {"kafka_ssl_certfile": None, "kafka_ssl_keyfile": None}),  # no client certificate
        ("PLAINTEXT", {"kafka_bootstrap": "placeholder"}),  # no security at all
    ],
)
async def test_a_client_with_the_wrong_credentials_cannot_connect(database, broker, how, wrong):
    right = on(database.settings, broker, "SASL_PLAINTEXT" if how == "PLAINTEXT" else how)
    topic = database.settings.topic(MESSAGING_COMMANDS)
    await ensure_topics(right.kafka_connection(), [topic], 1)
    assert await sent(right, topic) == "sent"
    if how == "PLAINTEXT":
        settings = right.model_copy(update={"kafka_security_protocol": "PLAINTEXT"})
    else:
        settings = right.model_copy(update=wrong)
    assert (await sent(settings, topic)).startswith("KafkaConnectionError")


async def sent(settings: ServiceSettings, topic: str) -> str:
    producer = create_producer(settings.kafka_connection())
    try:
        async with asyncio.timeout(15):
            await producer.start()
            await producer.send_and_wait(topic, b"x")
        return "sent"
    except Exception as exc:  # aiokafka raises a different error for each way of failing
        return repr(exc)
    finally:
        await producer.stop()
