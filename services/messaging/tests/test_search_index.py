"""The search index on the real PostgreSQL: scoped to a shop or a conversation, newest
first, paged, and a removed (recalled) message is never found again."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.domain.model import ConversationOpened, MessageSent
from frontdesk_messaging.projections import search, search_terms
from frontdesk_messaging.projections.conversations import project
from frontdesk_platform.database import create_engine, migrate, session_factory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def sessions(endpoints) -> AsyncIterator:
    settings = MessagingSettings(
        **{
            **endpoints.service_settings("messaging"),
            "database_name": f"{endpoints.namespace[:-1]}_msg_search",
        }
    )
    await migrate(settings, MIGRATIONS)
    search_terms.load()
    engine = create_engine(settings)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def session(sessions) -> AsyncIterator[AsyncSession]:
    async with sessions() as session, session.begin():
        yield session
        await session.rollback()


class Chat:
    """One conversation, written through the same projection the service uses."""

    def __init__(self, session: AsyncSession, shop_id: UUID) -> None:
        self.session, self.shop_id = session, shop_id
        self.id, self.customer_id, self.seq = uuid4(), uuid4(), 0

    async def open(self) -> "Chat":
        await project(
            self.session, ConversationOpened(self.id, self.shop_id, self.customer_id, self.customer_id, START)
        )
        return self

    async def say(self, text: str, minutes: int) -> UUID:
        self.seq += 1
        message_id = uuid4()
        at = START + timedelta(minutes=minutes)
        await project(
            self.session,
            MessageSent(
                self.id, message_id, self.seq, self.customer_id, "customer", f"m{self.seq}", text, at
            ),
        )
        return message_id


async def texts(session: AsyncSession, shop_id: UUID, query: str, **scope) -> list[str]:
    rows = await search.find(session, shop_id, search_terms.query_terms(query), limit=50, **scope)
    return [r["text"] for r in rows]


async def test_a_shop_finds_its_own_messages_newest_first_and_no_other_shops(session):
    shop_a, shop_b = uuid4(), uuid4()
    first, second = await Chat(session, shop_a).open(), await Chat(session, shop_a).open()
    other = await Chat(session, shop_b).open()
    await first.say("周六给金毛洗澡", 1)
    await second.say("洗澡多少钱?", 2)
    await other.say("也想洗澡", 3)
    await first.say("thanks!", 4)

    assert await texts(session, shop_a, "洗澡") == ["洗澡多少钱?", "周六给金毛洗澡"]
    assert await texts(session, shop_b, "洗澡") == ["也想洗澡"]
    assert await texts(session, shop_a, "洗澡", customer_id=first.customer_id) == ["周六给金毛洗澡"]
    assert await texts(session, shop_a, "洗澡", customer_id=other.customer_id) == []


async def test_pages_go_back_in_time_without_repeats(session):
    chat = await Chat(session, uuid4()).open()
    for minute in range(7):
        await chat.say(f"bath number {minute}", minute)
    terms = search_terms.query_terms("bath")
    seen: list[str] = []
    before = None
    while rows := await search.find(session, chat.shop_id, terms, before=before, limit=3):
        seen += [r["text"] for r in rows]
        before = search.Position(rows[-1]["sent_at"], rows[-1]["message_id"])
    assert seen == [f"bath number {m}" for m in reversed(range(7))]


async def test_a_removed_message_is_not_found_any_more(session):
    chat = await Chat(session, uuid4()).open()
    recalled = await chat.say("售后服务电话写错了", 1)
    await chat.say("售后服务电话是 400-123", 2)
    await search.remove(session, chat.id, recalled)
    assert await texts(session, chat.shop_id, "售后") == ["售后服务电话是 400-123"]


async def test_a_scoped_search_can_use_the_gin_index(session):
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = await session.execute(
        text(
            "EXPLAIN SELECT message_id FROM message_search WHERE shop_id = :shop "
            "AND customer_id = :customer AND terms @@ CAST(:q AS tsquery)"
        ),
        {"shop": uuid4(), "customer": uuid4(), "q": "'洗澡'"},
    )
    assert "Bitmap Index Scan on message_search_terms" in "\n".join(r[0] for r in plan)
