"""An operator lists what a service gave up on, reads one whole, and after fixing the
cause replays it: the work is done once, however often it is replayed, and a replayed
command is still obeyed because it keeps the signature the services gave it."""

import asyncio
import json
import sys
import uuid

import asyncpg
import pytest
from fastapi import FastAPI
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import MESSAGING_COMMANDS, dead_letter
from frontdesk_platform.cli import run_service
from frontdesk_platform.consumer import RetryPolicy
from frontdesk_platform.dead_letter_commands import dead_letters
from frontdesk_platform.dead_letters import Selection, read_dead_letters
from frontdesk_platform.faults import Transient
from frontdesk_platform.pipeline import Pipeline, Route
from frontdesk_platform.runtime import Runtime
from frontdesk_platform.settings import ServiceSettings
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

pytestmark = pytest.mark.integration

SEND = "messaging.message.send.v1"


def message(text: str) -> Envelope:
    return Envelope(type=SEND, source="test", aggregate_id="conversation-1", data={"text": text})


class Channel:
    """Sends a message to the customer, or cannot yet (the channel is "not announced") until fixed."""

    def __init__(self) -> None:
        self.broken = True

    async def send(self, uow: UnitOfWork, message: Envelope) -> None:
        if self.broken:
            raise Transient("the shop's channel is not announced yet")
        await uow.session.execute(
            text("INSERT INTO sent (text) VALUES (:text)"), {"text": message.data["text"]}
        )


@pytest.fixture
async def service(database):
    conn = await asyncpg.connect(database.dsn)
    await conn.execute("CREATE TABLE sent (text text NOT NULL)")  # no key: a message sent twice shows
    channel = Channel()
    runtime = Runtime(database.settings)
    pipeline = Pipeline(lambda t: Route(channel.send) if t == SEND else None, lambda uow, message: uow)
    runtime.consumer(
        "test.messages", [MESSAGING_COMMANDS], pipeline, retry=RetryPolicy(attempts=2, first_delay=0.05)
    )
    await runtime.start()
    try:
        yield runtime, channel, conn
    finally:
        await runtime.stop()
        await conn.close()


async def until(condition, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.1)


async def test_a_dead_letter_is_listed_shown_and_replayed_into_one_sent_message(database, service, capsys):
    runtime, channel, conn = service
    settings = database.settings
    poisoned = message("Mochi's bath is at 3")
    await runtime.publish(poisoned)

    async def dead_lettered() -> bool:
        return bool(
            await read_dead_letters(
                settings.kafka_connection(), [dead_letter(settings.topic(MESSAGING_COMMANDS))]
            )
        )

    await until(dead_lettered)
    capsys.readouterr()
    await dead_letters(settings, ["list"])
    [line] = capsys.readouterr().out.splitlines()
    address = line.split()[0]
    assert address.startswith(f"{settings.topic(MESSAGING_COMMANDS)}.dlt:")
    assert (
        f"{SEND}  id={poisoned.id}  key=conversation-1  consumer=test.messages  from={settings.topic(MESSAGING_COMMANDS)}:"
        in line
    )
    assert "channel is not announced" in line

    await dead_letters(settings, ["show", address])
    whole = json.loads(capsys.readouterr().out)
    assert whole["value"]["data"] == {"text": "Mochi's bath is at 3"}
    assert whole["error_type"] == "Transient" and "ce_signature" in whole["headers"]

    await dead_letters(settings.model_copy(update={"service_name": "booking"}), ["list"])
    assert capsys.readouterr().out == "no dead letters\n"  # another service's list holds none of them

    channel.broken = False  # the fix
    await dead_letters(settings, ["replay", address])
    assert capsys.readouterr().out.startswith(f"replayed {address} ({SEND} {poisoned.id}) into ")
    await until(lambda: sent(conn, ["Mochi's bath is at 3"]))

    await dead_letters(settings, ["replay", str(poisoned.id)])  # by mistake, again
    await runtime.publish(message("Tofu is ready"))  # same key, so carried out after the second replay
    await until(lambda: sent(conn, ["Mochi's bath is at 3", "Tofu is ready"]))
    assert (
        len(
            await read_dead_letters(
                settings.kafka_connection(), [dead_letter(settings.topic(MESSAGING_COMMANDS))]
            )
        )
        == 1
    )


async def sent(conn: asyncpg.Connection, expected: list[str]) -> bool:
    return sorted(r["text"] for r in await conn.fetch("SELECT text FROM sent")) == expected


async def test_nothing_matching_is_said_plainly(database, service):
    with pytest.raises(SystemExit, match="no dead letter of platform-test matches"):
        await dead_letters(database.settings, ["replay", str(uuid.uuid4())])


def test_a_selection_is_an_address_a_range_or_an_id():
    assert Selection.parse("messaging.commands.dlt:2:5-9") == Selection("messaging.commands.dlt", 2, 5, 9)
    assert Selection.parse("messaging.commands.dlt:2:5") == Selection("messaging.commands.dlt", 2, 5, 5)
    with pytest.raises(ValueError):
        Selection.parse("messaging.commands.dlt:two:5")


def test_every_service_command_line_has_dead_letters(endpoints, monkeypatch, capsys):
    settings = ServiceSettings(
        service_name="platform-test",
        kafka_bootstrap=endpoints.kafka_bootstrap,
        kafka_namespace=f"{endpoints.namespace}{uuid.uuid4().hex[:6]}.",
    )

    def never() -> FastAPI:
        raise AssertionError("dead-letters must not build the service")

    monkeypatch.setattr(sys, "argv", ["frontdesk-platform-test", "dead-letters", "list"])
    run_service(settings, never, "")
    assert capsys.readouterr().out == "no dead letters\n"

    monkeypatch.setattr(sys, "argv", ["frontdesk-platform-test", "migrate", "list"])
    with pytest.raises(SystemExit):
        run_service(settings, never, "")
    assert "migrate takes no arguments" in capsys.readouterr().err
