"""Messages stored before sealing began hold their texts and file names in plaintext:
`frontdesk-messaging reseal` seals them under the customer's key, or empties them when the
customer was erased since, and a rebuild opens what is left (docs/adr/0005)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from frontdesk_messaging.adapters.repository import SEALED_FIELDS, stream_id, to_new_event
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.domain.events import ConversationOpened, MessageSent
from frontdesk_messaging.projections.rebuild import rebuild
from frontdesk_platform import shredding
from frontdesk_platform.database import create_engine, driver_connection, migrate, session_factory
from frontdesk_platform.eventstore import EventStore
from sqlalchemy import text

pytestmark = pytest.mark.integration
AT = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)


async def test_old_plaintext_messages_are_sealed_or_emptied(endpoints):
    settings = MessagingSettings(
        **{
            **endpoints.service_settings("messaging"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_messaging_{uuid.uuid4().hex[:8]}",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    shop, erased, kept = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    words = {erased: "我家旺财住在幸福路8号", kept: "Lucky needs a bath"}
    try:
        async with sessions() as session, session.begin():
            for customer, said in words.items():
                conversation = uuid.uuid4()
                photo = {"attachment_id": str(uuid.uuid4()), "name": f"{said[:4]}.png", "mime": "image/png"}
                history = [
                    ConversationOpened(conversation, shop, customer, customer, AT),
                    MessageSent(conversation, uuid.uuid4(), 1, customer, "customer", "c1", said, AT),
                    MessageSent(conversation, uuid.uuid4(), 2, customer, "customer", "c2", "", AT, kind="image", attachment=photo),
                ]  # fmt: skip
                # written by a version that did not seal: no key
                await EventStore().append(
                    session, stream_id(conversation), 0, [to_new_event(e) for e in history]
                )
            await shredding.key_for(await driver_connection(session), shop, erased)
            await shredding.destroy_keys(session, shop, erased)  # erased after they were written

        assert await shredding.reseal(sessions, SEALED_FIELDS) == (2, 2)
        async with sessions() as session, session.begin():
            stored = (await session.execute(text("SELECT string_agg(data::text, ' ') FROM events"))).scalar()
            for said in words.values():
                assert said not in stored and said[:4] not in stored
            await rebuild(session, EventStore())
            messages = (await session.execute(text("SELECT text, attachment->>'name' FROM messages"))).all()
        assert sorted((t, "-" if n is None else n) for t, n in messages) == [
            ("", ""),  # the erased customer's photo: its name emptied
            ("", "-"),  # the erased customer's words
            ("", "Luck.png"),
            ("Lucky needs a bath", "-"),
        ]
    finally:
        await engine.dispose()
