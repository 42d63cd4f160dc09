"""Read models rebuilt from the event store equal the live ones, on a realistic history:
thousands of messages across many conversations, with receipts, recalls, edits, notes,
assignments, labels, statuses and surveys. Runs the real handlers on the real PostgreSQL."""

import asyncio
import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from frontdesk_contracts import Envelope
from frontdesk_messaging.adapters.repository import ConversationRepository, ShopRepository
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.projections import conversations as read_model
from frontdesk_messaging.projections.rebuild import rebuild
from frontdesk_messaging.service_layer.handlers import Dependencies, handle_command
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

pytestmark = pytest.mark.integration
CONVERSATIONS, MESSAGES_EACH = 40, 60


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


async def dump(sessions) -> dict[str, list]:
    tables = {}
    async with sessions() as session:
        for table in read_model.TABLES:
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).mappings().all()
            cleaned = [{k: v for k, v in r.items() if k != "change_cursor"} for r in rows]
            tables[table] = sorted(cleaned, key=repr)
    return tables


async def read_model_indexes(sessions) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) ORDER BY 1"),
            {"t": list(read_model.TABLES)},
        )
        return [(r.indexname, r.indexdef) for r in rows]


async def test_rebuilt_read_models_equal_the_live_ones(endpoints):
    settings = MessagingSettings(**endpoints.service_settings("messaging-rebuild"))
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    store = EventStore()
    deps = Dependencies(
        ConversationRepository(store),
        ShopRepository(store),
        lambda: UnitOfWork(sessions, settings.topic),
        Clock(),
        recall_window=timedelta(days=1),
    )
    shop, staff = uuid4(), [uuid4() for _ in range(3)]
    async with sessions() as session, session.begin():
        for person in staff:
            await session.execute(
                text("INSERT INTO people VALUES (:u, :s, 'staff', 'S')"), {"u": person, "s": shop}
            )
    rng = random.Random(7)

    async def run(kind: str, conversation, actor, **data) -> None:
        body = {"conversation_id": str(conversation), "actor": actor, **data}
        await handle_command(
            deps, Envelope(type=kind, source="test", aggregate_id=str(conversation), data=body)
        )

    owner = {"user_id": str(staff[0]), "role": "owner", "shop_id": str(shop)}

    async def run_for_shop(kind: str, **data) -> None:
        body = {"shop_id": str(shop), "actor": owner, **data}
        await handle_command(deps, Envelope(type=kind, source="test", aggregate_id=str(shop), data=body))

    async def set_up_shop() -> None:
        weekdays = {str(day): [["09:00", "18:00"]] for day in range(5)}
        await run_for_shop("messaging.shop.set_business_hours.v1", timezone="Asia/Shanghai", weekly=weekdays)
        kept, dropped = uuid4(), uuid4()
        for template in (kept, dropped):
            await run_for_shop(
                "messaging.shop.save_template.v1", template_id=str(template), name="n", text="hi"
            )
        await run_for_shop("messaging.shop.delete_template.v1", template_id=str(dropped))
        await run_for_shop("messaging.shop.set_staff_capacity.v1", staff_id=str(staff[1]), capacity=3)
        await run_for_shop("messaging.shop.set_calls.v1", policy="business_hours", live_view_minutes=20)

    async def talk(customer) -> None:
        conversation = uuid4()
        me = {"user_id": str(customer), "role": "customer", "shop_id": str(shop)}
        clerk = {"user_id": str(rng.choice(staff)), "role": "staff", "shop_id": str(shop)}
        await run(
            "messaging.conversation.open.v1", conversation, me, shop_id=str(shop), customer_id=str(customer)
        )
        for n in range(MESSAGES_EACH):
            who = me if n % 3 else clerk
            await run(
                "messaging.message.send.v1",
                conversation,
                who,
                client_msg_id=f"m{n}",
                text=f"第{n}条 bath {n}",
            )
            if n % 10 == 4:
                await run("messaging.receipt.mark_read.v1", conversation, clerk, up_to_seq=n)
        call = {
            "call_id": str(uuid4()),
            "media": "video",
            "caller_id": me["user_id"],
            "caller_role": "customer",
            "started_at": "2026-11-20T02:00:00+00:00",
        }
        await run(
            "messaging.call.record.v1", conversation, me, phase="started", at=call["started_at"], **call
        )
        answered = {"answered_by": clerk["user_id"], "answered_at": "2026-11-20T02:00:05+00:00"}
        await run(
            "messaging.call.record.v1",
            conversation,
            clerk,
            phase="answered",
            at=answered["answered_at"],
            **call,
            **answered,
        )
        await run(
            "messaging.call.record.v1",
            conversation,
            me,
            phase="ended",
            at="2026-11-20T02:03:17+00:00",
            outcome="completed",
            **call,
            **answered,
        )
        history = await read_model_messages(conversation)
        await run("messaging.message.recall.v1", conversation, me, message_id=str(history[1]))
        await run("messaging.message.edit.v1", conversation, me, message_id=str(history[2]), text="edited")
        await run("messaging.note.add.v1", conversation, clerk, note_id=str(uuid4()), text="note")
        await run("messaging.conversation.assign.v1", conversation, clerk, assignee_id=clerk["user_id"])
        await run("messaging.conversation.set_labels.v1", conversation, clerk, labels=["vip", "cat"])
        await run("messaging.conversation.set_status.v1", conversation, clerk, status="resolved")
        if rng.random() < 0.5:
            survey = await open_survey(conversation)
            await run(
                "messaging.survey.answer.v1", conversation, me, survey_id=str(survey), rating=4, comment="ok"
            )

    async def open_survey(conversation):
        async with sessions() as session:
            return (
                await session.execute(
                    text("SELECT open_survey_id FROM conversations WHERE id = :c"), {"c": conversation}
                )
            ).scalar_one()

    async def read_model_messages(conversation) -> list:
        async with sessions() as session:
            rows = await session.execute(
                text(
                    "SELECT message_id FROM messages WHERE conversation_id = :c AND sender_role = 'customer' "
                    "ORDER BY seq"
                ),
                {"c": conversation},
            )
            return [r.message_id for r in rows]

    at_once = asyncio.Semaphore(8)  # interleaved, but never more than the pool serves (10)

    async def one_talk() -> None:
        async with at_once:
            await talk(uuid4())

    try:
        await set_up_shop()
        await asyncio.gather(*(one_talk() for _ in range(CONVERSATIONS)))
        live = await dump(sessions)
        assert len(live["messages"]) == CONVERSATIONS * (MESSAGES_EACH + 1)  # and one call each
        calls = [m for m in live["messages"] if m["sender_kind"] == "call"]
        assert {(m["text"], m["call"]["duration_ms"]) for m in calls} == {("视频通话 3:12", 192_000)}
        assert sum(m["recalled"] for m in live["messages"]) == CONVERSATIONS
        indexes = await read_model_indexes(sessions)
        async with sessions() as session, session.begin():
            replayed = await rebuild(session, store)
        assert replayed > CONVERSATIONS * (MESSAGES_EACH + 1)
        assert await dump(sessions) == live
        assert await read_model_indexes(sessions) == indexes  # search's, dropped for the rebuild, is back
        # Small pages: recalls and edits then reach messages written in an earlier page.
        async with sessions() as session, session.begin():
            assert await rebuild(session, store, batch=97) == replayed
        assert await dump(sessions) == live
        assert live["templates"] and live["shop_hours"] and live["staff_capacity"] and live["shop_calls"]
        assert any(survey["rating"] for survey in live["surveys"])
        assert any(episode["frt_seconds"] for episode in live["response_episodes"])
    finally:
        await engine.dispose()
