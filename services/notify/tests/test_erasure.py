"""An erased customer's name, phone and message previews leave notify, and an event about
them published before the erasure but consumed after it (it came on another topic)
writes nothing of them either (docs/adr/0005)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from frontdesk_notify.bootstrap import MIGRATIONS
from frontdesk_notify.config import Settings
from frontdesk_notify.service_layer.chat_events import handle_chat_event
from frontdesk_notify.service_layer.deps import Dependencies
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .test_rebuild import event

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


async def test_an_erased_customer_is_forgotten_and_stays_forgotten(endpoints):
    settings = Settings(
        **{
            **endpoints.service_settings("notify"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_notify_{uuid.uuid4().hex[:8]}",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    deps = Dependencies(lambda: UnitOfWork(sessions, settings.topic), lambda: NOW)
    shop, wang, staff = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conversation, at = uuid.uuid4(), NOW.isoformat()
    talk = {"shop_id": str(shop), "customer_id": str(wang), "conversation_id": str(conversation)}

    def said(seq: int, words: str) -> Any:
        data = {**talk, "message_id": str(uuid.uuid4()), "client_msg_id": f"c{seq}", "kind": "text"}
        data |= {"sent_at": at, "seq": seq, "sender_id": str(wang), "sender_role": "customer", "text": words}
        return event("messaging.message.sent.v1", data, conversation, seq)

    registered = event(
        "identity.customer.registered.v1", {"shop_id": str(shop), "customer_id": str(wang), "name": "王小明", "phone": "+8613800138000"}, shop
    )  # fmt: skip
    assigned = {**talk, "assignee_id": str(staff), "previous_assignee_id": None, "assigned_by": None}
    assigned |= {"reason": "auto", "handoff_note": None, "assigned_at": at}
    erased = event(
        "identity.customer.erased.v1", {"shop_id": str(shop), "customer_id": str(wang), "erased_at": at}, shop
    )

    async def stored() -> dict[str, Any]:
        async with sessions() as session:
            found = {}
            for name, query in {
                "name": f"SELECT name FROM names WHERE id = '{wang}'",
                "phone": f"SELECT phone FROM preferences WHERE user_id = '{wang}'",
                "preview": f"SELECT string_agg(preview, '|') FROM chat_alerts WHERE conversation_id = '{conversation}'",
            }.items():
                found[name] = (await session.execute(text(query))).scalar()
            return found

    try:
        for happened in [
            registered,
            event(
                "messaging.conversation.opened.v1",
                {**talk, "opened_by": str(wang), "opened_at": at},
                conversation,
                1,
            ),
            event("messaging.conversation.assigned.v1", assigned, conversation, 2),
            said(3, "我住在幸福路8号"),
        ]:
            await handle_chat_event(deps, timedelta(seconds=60), happened)
        assert await stored() == {"name": "王小明", "phone": "+8613800138000", "preview": "我住在幸福路8号"}

        await handle_chat_event(deps, timedelta(seconds=60), erased)
        assert await stored() == {"name": "", "phone": None, "preview": ""}
        # late: published before the erasure, consumed after it
        await handle_chat_event(deps, timedelta(seconds=60), said(4, "旺财明天来"))
        assert await stored() == {"name": "", "phone": None, "preview": ""}
    finally:
        await engine.dispose()
