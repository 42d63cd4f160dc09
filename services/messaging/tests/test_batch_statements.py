"""A batch of customer messages on the real PostgreSQL: what it looks up once for the whole
batch, however many messages it holds (the customers' keys, a shop with nobody to assign
to) and what it writes in one statement (events with their snapshots, tracking records,
outbox rows with the relay's wake-up), while each message is still sealed under its own
customer's key and the round-robin still assigns as soon as someone can take the
conversation."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from frontdesk_contracts import Envelope
from frontdesk_messaging.adapters.repository import ConversationRepository, ShopRepository
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.service_layer.handlers import CONSUMER, Dependencies, commands, handle_command
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import event, text

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


class CountedUnitOfWork(UnitOfWork):
    """Notes the statements its transaction sends on the connection without SQLAlchemy."""

    statements: list[str]

    async def connection(self) -> asyncpg.Connection:
        first = self._connection is None
        connection = await super().connection()
        if first:
            connection.add_query_logger(self._note)
        return connection

    def _note(self, record: Any) -> None:
        self.statements.append(record.query)

    async def __aexit__(self, *exc: Any) -> None:
        if self._connection is not None:
            self._connection.remove_query_logger(self._note)
        await super().__aexit__(*exc)


def counted(sessions: Any, statements: list[str]) -> Callable[[], UnitOfWork]:
    """Units of work that note their statements in `statements`."""

    def unit_of_work() -> UnitOfWork:
        uow = CountedUnitOfWork(sessions, lambda t: t)
        uow.statements = statements
        return uow

    return unit_of_work


async def shop_with_staff_offline(sessions: Any) -> tuple[UUID, UUID]:
    """A shop with one staff member, offline: nobody to assign a conversation to."""
    shop, staff = uuid4(), uuid4()
    async with sessions() as session, session.begin():
        await session.execute(
            text("INSERT INTO people VALUES (:u, :s, 'staff', 'S')"), {"u": staff, "s": shop}
        )
        await session.execute(
            text("INSERT INTO staff_presence (staff_id, status) VALUES (:u, 'offline')"), {"u": staff}
        )
    return shop, staff


@pytest.fixture(scope="module")
async def engine(endpoints):
    settings = MessagingSettings(**endpoints.service_settings("messaging-batch-statements"))
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


async def test_a_batch_looks_up_keys_and_an_empty_rotation_once_and_writes_in_few_statements(engine):
    sessions = session_factory(engine)
    statements: list[str] = []  # what goes through SQLAlchemy, and asyncpg straight
    through_sqlalchemy: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(
        engine.sync_engine, "before_cursor_execute", lambda *args: through_sqlalchemy.append(args[2])
    )

    unit_of_work = counted(sessions, statements)
    store = EventStore()
    deps = Dependencies(ConversationRepository(store), ShopRepository(store), unit_of_work, lambda: NOW)
    shop, staff = await shop_with_staff_offline(sessions)
    customers = [uuid4() for _ in range(4)]
    conversations: dict[UUID, UUID] = {}
    for customer in customers:
        conversations[customer] = uuid4()
        me = {"user_id": str(customer), "role": "customer", "shop_id": str(shop)}
        data = {"conversation_id": str(conversations[customer]), "actor": me}
        await handle_command(
            deps,
            Envelope(
                type="messaging.conversation.open.v1",
                source="test",
                aggregate_id=str(conversations[customer]),
                data={**data, "shop_id": str(shop), "customer_id": str(customer)},
            ),
        )

    def send(customer: UUID, n: int) -> Envelope:
        me = {"user_id": str(customer), "role": "customer", "shop_id": str(shop)}
        return Envelope(
            type="messaging.message.send.v1",
            source="test",
            aggregate_id=str(conversations[customer]),
            data={
                "conversation_id": str(conversations[customer]),
                "actor": me,
                "client_msg_id": f"m{n}",
                "text": f"我家旺财 {customer} {n}",
            },
        )

    await commands(deps).carry_out(CONSUMER, unit_of_work, [send(c, 0) for c in customers])  # keys made
    batch = [send(customer, n) for n in range(1, 4) for customer in customers]  # 12 messages
    statements.clear()
    through_sqlalchemy.clear()
    outcomes = await commands(deps).carry_out(CONSUMER, unit_of_work, batch)
    assert [o.kind for o in outcomes] == ["done"] * 12
    assert through_sqlalchemy == []  # the read models' reads too go on the transaction's connection
    [keys] = [s for s in statements if "customer_keys" in s]
    # one round trip reads the tracking records, the conversations, retried sends and keys
    assert all(table in keys for table in ("processed_messages", "snapshots", "FROM messages"))
    assert len([s for s in statements if s.lstrip().startswith("SELECT")]) == 2  # and the rotation
    assert len([s for s in statements if "staff_presence" in s]) == 1  # nobody online: asked once
    # the batch's events, their snapshots, tracking records, the outbox rows and the relay's
    # wake-up: one statement
    written = (
        "INTO events",
        "INTO snapshots",
        "INTO processed_messages",
        "INTO outbox",
        "NOTIFY",
        "pg_notify",
    )
    assert len([s for s in statements if any(w in s for w in written)]) == 1

    async with sessions() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT e.stream_id, e.data->>'text' AS sealed, k.customer_id FROM events e "
                    "JOIN customer_keys k ON k.key_id = CAST(split_part(e.data->>'text', ':', 3) AS uuid) "
                    "WHERE e.type = 'message.sent'"
                )
            )
        ).all()
    assert len(rows) == 16
    for row in rows:  # each text sealed under its own customer's key
        assert row.sealed.startswith("sealed:v1:") and "旺财" not in row.sealed
        assert row.stream_id == f"conversation-{conversations[row.customer_id]}"

    # someone comes online: the next batch's messages are assigned again
    async with sessions() as session, session.begin():
        await session.execute(
            text("UPDATE staff_presence SET status = 'online' WHERE staff_id = :u"), {"u": staff}
        )
    await commands(deps).carry_out(CONSUMER, unit_of_work, [send(customers[0], 9)])
    async with sessions() as session:
        assignee = (
            await session.execute(
                text("SELECT assignee_id FROM conversations WHERE id = :c"),
                {"c": conversations[customers[0]]},
            )
        ).scalar_one()
    assert assignee == staff

    # the staff member answers: how long that took is figured and stored, not through SQLAlchemy either
    through_sqlalchemy.clear()
    staff_actor = {"user_id": str(staff), "role": "staff", "shop_id": str(shop)}
    reply = Envelope(
        type="messaging.message.send.v1",
        source="test",
        aggregate_id=str(conversations[customers[0]]),
        data={
            "conversation_id": str(conversations[customers[0]]),
            "actor": staff_actor,
            "client_msg_id": "r1",
            "text": "好的",
        },
    )
    [outcome] = await commands(deps).carry_out(CONSUMER, unit_of_work, [reply])
    assert outcome.kind == "done" and through_sqlalchemy == []
    async with sessions() as session:
        answered = (
            await session.execute(
                text("SELECT frt_seconds FROM response_episodes WHERE conversation_id = :c"),
                {"c": conversations[customers[0]]},
            )
        ).scalar_one()
    assert answered is not None


async def test_a_conversations_exchange_in_one_batch_reads_as_if_carried_out_one_by_one(engine):
    """Customer and staff writing back and forth, a resolution and a read mark in between:
    one batch writes each kind of read-model row in one statement, and every row comes out
    as when each command had a transaction of its own."""
    sessions = session_factory(engine)
    statements: list[str] = []

    unit_of_work = counted(sessions, statements)
    ticks = count()  # a second later at every look: an episode after the resolution starts anew

    def clock() -> datetime:
        return NOW + timedelta(seconds=next(ticks))

    store = EventStore()
    deps = Dependencies(ConversationRepository(store), ShopRepository(store), unit_of_work, clock)
    shop, staff = await shop_with_staff_offline(sessions)
    staff_actor = {"user_id": str(staff), "role": "staff", "shop_id": str(shop)}

    def command(conversation: UUID, kind: str, actor: dict[str, str], **data: Any) -> Envelope:
        return Envelope(
            type=f"messaging.{kind}.v1",
            source="test",
            aggregate_id=str(conversation),
            data={"conversation_id": str(conversation), "actor": actor, **data},
        )

    async def exchange() -> tuple[UUID, list[Envelope]]:
        conversation, customer = uuid4(), uuid4()
        me = {"user_id": str(customer), "role": "customer", "shop_id": str(shop)}
        opened = command(conversation, "conversation.open", me, shop_id=str(shop), customer_id=str(customer))
        await handle_command(deps, opened)

        def say(actor: dict[str, str], n: int) -> Envelope:
            return command(conversation, "message.send", actor, client_msg_id=f"m{n}", text=f"旺财 {n} 洗澡")

        return conversation, [
            say(me, 1),
            say(me, 2),
            say(staff_actor, 3),
            say(me, 4),
            command(conversation, "receipt.mark_read", staff_actor, up_to_seq=2),
            say(staff_actor, 5),
            command(conversation, "conversation.set_status", staff_actor, status="resolved"),
            say(me, 6),
            say(staff_actor, 7),
            say(me, 8),
        ]

    together, batch = await exchange()
    statements.clear()
    outcomes = await commands(deps).carry_out(CONSUMER, unit_of_work, batch)
    assert [o.kind for o in outcomes] == ["done"] * len(batch)

    alone, each = await exchange()
    for envelope in each:
        [outcome] = await commands(deps).carry_out(CONSUMER, unit_of_work, [envelope])
        assert outcome.kind == "done"

    async def read_models(conversation: UUID) -> dict[str, list[Any]]:
        queries = {
            "conversation": "SELECT last_seq, customer_messages, shop_messages, status, last_message_preview "
            "FROM conversations WHERE id = :c",
            "messages": "SELECT seq, sender_role, customer_messages, shop_messages FROM messages "
            "WHERE conversation_id = :c ORDER BY seq",
            "episodes": "SELECT first_response_at IS NOT NULL, responder_id, resolved_at IS NOT NULL, "
            "frt_seconds IS NOT NULL "
            "FROM response_episodes WHERE conversation_id = :c ORDER BY resolved_at NULLS LAST",
            "read marks": "SELECT reader_id, read_seq, unread_base FROM read_marks WHERE conversation_id = :c",
            "search rows": "SELECT count(*) FROM message_search s JOIN messages m USING (message_id) "
            "WHERE m.conversation_id = :c",
        }
        async with sessions() as session:
            return {
                name: [tuple(r) for r in (await session.execute(text(sql), {"c": conversation})).all()]
                for name, sql in queries.items()
            }

    batched, one_by_one = await read_models(together), await read_models(alone)
    assert batched == one_by_one
    assert [m[1:] for m in batched["messages"]][-1] == ("customer", 5, 3)
    assert len(batched["episodes"]) == 2 and batched["read marks"] == [(staff, 2, 2)]

    # back and forth with nothing else in between: each kind of row in one statement
    _, chat = await exchange()
    chat = [envelope for envelope in chat if envelope.type == "messaging.message.send.v1"]
    statements.clear()
    outcomes = await commands(deps).carry_out(CONSUMER, unit_of_work, chat)
    assert [o.kind for o in outcomes] == ["done"] * len(chat)
    for written in ("INTO messages", "INTO response_episodes", "INTO message_search"):
        assert len([s for s in statements if written in s]) == 1, written
