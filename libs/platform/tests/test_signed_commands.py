"""A command written straight to a command topic is not obeyed unless it is signed with
the services' command-signing key; what the services send themselves is."""

import asyncio

import pytest
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import MESSAGING_COMMANDS, MESSAGING_EVENTS, dead_letter
from frontdesk_platform.kafka import headers_for
from frontdesk_platform.runtime import Runtime
from frontdesk_platform.signing import CommandSigner
from pydantic import SecretStr

from .conftest import read_topic

pytestmark = pytest.mark.integration


def command(text: str) -> Envelope:
    return Envelope(type="messaging.message.send.v1", source="test", aggregate_id="c1", data={"text": text})


async def write_straight(producer, topic: str, envelope: Envelope, signer: CommandSigner | None) -> None:
    value = envelope.model_dump_json().encode()
    headers = headers_for(envelope) + ([signer.header(value)] if signer else [])
    await producer.send_and_wait(topic, value, key=b"c1", headers=headers)


async def until(condition, timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


@pytest.fixture
async def runtime(database):
    obeyed: list[str] = []
    events: list[str] = []

    async def obey(envelope: Envelope) -> None:
        obeyed.append(envelope.data["text"])

    async def note(envelope: Envelope) -> None:
        events.append(envelope.data["text"])

    runtime = Runtime(database.settings)
    runtime.consumer("test.commands", [MESSAGING_COMMANDS], obey)
    runtime.consumer("test.events", [MESSAGING_EVENTS], note)
    await runtime.start()
    try:
        yield runtime, obeyed, events
    finally:
        await runtime.stop()


async def test_only_commands_signed_with_the_services_key_are_obeyed(database, producer, runtime):
    service, obeyed, _ = runtime
    topic = database.settings.topic(MESSAGING_COMMANDS)

    await write_straight(producer, topic, command("unsigned"), None)
    await write_straight(producer, topic, command("forged"), CommandSigner(["an attacker's guess"]))
    await service.publish(command("from a service"))
    async with service.unit_of_work() as uow:  # through the outbox, as the assistant sends
        uow.publish(command("from an outbox"))
        await uow.commit()
    await until(lambda: len(obeyed) == 2)

    dead = await read_topic(database.settings.kafka_connection(), dead_letter(topic), 2)
    reasons = sorted(dict(r.headers)["error"].decode() for r in dead)
    assert sorted(obeyed) == ["from a service", "from an outbox"]
    assert len(reasons) == 2
    assert "does not match" in reasons[0] and "not signed" in reasons[1]


async def test_a_signature_made_with_the_previous_key_is_accepted_during_a_rotation(database, producer):
    old, new = "old-key-" + "o" * 32, "new-key-" + "n" * 32
    settings = database.settings.model_copy(
        update={"command_signing_key": SecretStr(new), "command_signing_previous_key": SecretStr(old)}
    )
    keys = settings.command_signing_keys()
    assert keys == [new, old]
    value = command("rotated").model_dump_json().encode()
    CommandSigner(keys).check(value, [CommandSigner([old]).header(value)])


async def test_events_need_no_signature(database, producer, runtime):
    _, _, events = runtime
    topic = database.settings.topic(MESSAGING_EVENTS)
    event = Envelope(type="messaging.message.sent.v1", source="test", aggregate_id="c1", data={"text": "hi"})
    await write_straight(producer, topic, event, None)
    await until(lambda: events == ["hi"])
