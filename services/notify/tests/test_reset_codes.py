"""Password reset codes on the real PostgreSQL and the real Twilio adapter (fake Twilio):
by SMS to the person's phone only, never pushed, never readable in a listing, and not
sent once expired."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from frontdesk_contracts import Envelope, type_name
from frontdesk_contracts import notify as contracts
from frontdesk_notify.domain.routing import Preferences
from frontdesk_notify.service_layer import commands
from sqlalchemy import text

from . import test_delivery
from .test_delivery import PHONE, SHOP, World

pytestmark = pytest.mark.integration
world = test_delivery.world  # the fixture: a clock, fake push and SMS services, real Twilio adapter


async def _send_code(world: World, user: uuid.UUID, code: str, minutes: int = 15) -> str:
    reset_id = uuid.uuid4()
    command = contracts.SendPasswordResetCode(
        reset_id=reset_id,
        shop_id=SHOP,
        user_id=user,
        code=code,
        expires_at=world.clock.now + timedelta(minutes=minutes),
        actor=contracts.Actor(user_id=user, role="staff", shop_id=SHOP),
    )
    await commands.handle_command(
        world.deps,
        Envelope(
            type=type_name(type(command)),
            source="test",
            aggregate_id=str(user),
            data=command.model_dump(mode="json"),
        ),
    )
    return f"password_reset:{reset_id}"


async def _stored_body(world: World, notification_id: str) -> str:
    async with world.sessions() as session:
        found = await session.execute(
            text("SELECT body FROM notifications WHERE id = :id"), {"id": notification_id}
        )
        return str(found.scalar_one())


async def test_a_code_goes_by_sms_only_and_is_forgotten_once_sent(world):
    user, _ = await world.person(
        devices=1, prefs=Preferences(phone=PHONE, opted_out=frozenset({"marketing"}))
    )
    notification = await _send_code(world, user, "481516")

    listed = await world.status(notification)
    assert listed["body"] == ""  # staff reading the shop's notifications never see the code
    await world.deliver()

    assert [(t.to, "481516" in t.body) for t in world.sms.received] == [(PHONE, True)]
    assert world.push.received == []  # a device left signed in elsewhere gets nothing
    found = await world.status(notification)
    assert (found["status"], found["channel"]) == ("sent", "sms")
    assert await _stored_body(world, notification) == ""


async def test_without_a_phone_a_code_is_not_sent_anywhere(world):
    user, _ = await world.person(devices=1, prefs=Preferences())
    notification = await _send_code(world, user, "271828")
    await world.deliver()

    assert (world.push.received, world.sms.received) == ([], [])
    found = await world.status(notification)
    assert (found["status"], found["reason"]) == ("failed", "no phone")


async def test_an_expired_code_is_not_sent(world):
    user, _ = await world.person(devices=0)
    notification = await _send_code(world, user, "314159", minutes=1)
    await world.deliver(timedelta(minutes=2))

    assert world.sms.received == []
    assert (await world.status(notification))["reason"] == "expired"
    assert await _stored_body(world, notification) == ""
