"""The assistant's part in messaging, on the real PostgreSQL: its messages are marked as
the assistant's, and its handoff reaches a person — the one who has the conversation,
else the next in rotation, online ones with room first — always with the note."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from frontdesk_contracts import Envelope
from frontdesk_messaging.adapters.repository import ConversationRepository, ShopRepository
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.service_layer.handlers import Dependencies, handle_command
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def sessions(endpoints):
    settings = MessagingSettings(**endpoints.service_settings("messaging-handoff"))
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    yield session_factory(engine)
    await engine.dispose()


async def test_the_assistants_messages_and_handoffs(sessions):
    store = EventStore()
    deps = Dependencies(
        ConversationRepository(store),
        ShopRepository(store),
        lambda: UnitOfWork(sessions, lambda t: t),
        lambda: NOW,
    )
    shop, busy, free, away = uuid4(), uuid4(), uuid4(), uuid4()
    assistant = {"user_id": str(uuid4()), "role": "staff", "shop_id": str(shop)}
    async with sessions() as session, session.begin():
        for person, status in ((busy, "online"), (free, "online"), (away, "offline")):
            await session.execute(
                text("INSERT INTO people VALUES (:u, :s, 'staff', 'S')"), {"u": person, "s": shop}
            )
            await session.execute(
                text("INSERT INTO staff_presence (staff_id, status) VALUES (:u, :st)"),
                {"u": person, "st": status},
            )
        await session.execute(
            text("INSERT INTO staff_capacity VALUES (:u, :s, 0)"), {"u": busy, "s": shop}
        )  # online, but no room

    async def run(kind: str, conversation, actor, **data) -> Envelope:
        command = Envelope(
            type=kind,
            source="test",
            aggregate_id=str(conversation),
            data={"conversation_id": str(conversation), "actor": actor, **data},
        )
        await handle_command(deps, command)
        async with sessions() as session:
            found = await session.execute(
                text(
                    "SELECT envelope FROM outbox WHERE type LIKE 'messaging.command.%' ORDER BY id DESC LIMIT 1"
                )
            )
        return Envelope.model_validate_json(found.scalar_one())

    async def conversation_with(customer):
        conversation = uuid4()
        me = {"user_id": str(customer), "role": "customer", "shop_id": str(shop)}
        await run(
            "messaging.conversation.open.v1", conversation, me, shop_id=str(shop), customer_id=str(customer)
        )
        return conversation

    async def assignee(conversation):
        async with sessions() as session:
            found = await session.execute(
                text("SELECT assignee_id, handoff_note FROM conversations WHERE id = :c"), {"c": conversation}
            )
        return tuple(found.one())

    first = await conversation_with(uuid4())
    await run(
        "messaging.message.send.v1",
        first,
        assistant,
        client_msg_id="assistant:1",
        text="您好",
        as_assistant=True,
    )
    async with sessions() as session:
        kind = await session.execute(
            text("SELECT sender_kind FROM messages WHERE conversation_id = :c"), {"c": first}
        )
    assert kind.scalar_one() == "assistant"

    handoff = {"assignee_id": None, "handoff_note": "健康问题：呕吐（金毛）", "next_in_rotation": True}
    reply = await run("messaging.conversation.assign.v1", first, assistant, **handoff)
    assert reply.type == "messaging.command.accepted.v1" and reply.data["details"] == {
        "assignee_id": str(free)
    }
    assert await assignee(first) == (free, "健康问题：呕吐（金毛）")

    async with sessions() as session, session.begin():
        await session.execute(
            text("UPDATE staff_presence SET status = 'offline' WHERE staff_id = :u"), {"u": free}
        )
    second = await conversation_with(uuid4())
    await run("messaging.conversation.assign.v1", second, assistant, **handoff)
    assert (await assignee(second))[0] == busy  # online beats offline, even without room

    third = await conversation_with(uuid4())
    clerk = {"user_id": str(away), "role": "staff", "shop_id": str(shop)}
    await run("messaging.conversation.assign.v1", third, clerk, assignee_id=str(away))
    await run(
        "messaging.conversation.assign.v1", third, assistant, **{**handoff, "handoff_note": "要求转人工"}
    )
    assert await assignee(third) == (away, "要求转人工")  # kept by the one who has it, with the note

    stranger = {"user_id": str(uuid4()), "role": "staff", "shop_id": str(uuid4())}
    refused = await run("messaging.conversation.assign.v1", third, stranger, **handoff)
    assert (refused.type, refused.data["code"]) == ("messaging.command.rejected.v1", "conversation_not_found")
