"""Delivery on the real PostgreSQL, through the real Web Push and Twilio adapters talking
to fake push and SMS services on 127.0.0.1, with a clock the test moves."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from frontdesk_notify.adapters.providers import TwilioSettings, WebPushSettings
from frontdesk_notify.adapters.providers.twilio import TwilioSms
from frontdesk_notify.adapters.providers.webpush import WebPush, application_server_key
from frontdesk_notify.bootstrap import MIGRATIONS
from frontdesk_notify.config import Settings
from frontdesk_notify.domain.routing import Device, Preferences
from frontdesk_notify.entrypoints import receipts
from frontdesk_notify.projections import recipients, store
from frontdesk_notify.service_layer.delivery import Delivery, deliver_due
from frontdesk_notify.service_layer.deps import Dependencies
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.errors import install_error_handlers
from frontdesk_platform.testing import Clock
from frontdesk_platform.unit_of_work import UnitOfWork
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .fakes.server import serving
from .fakes.twilio import FakeTwilio
from .fakes.webpush import FakePushService

pytestmark = pytest.mark.integration
SHOP = uuid.uuid4()
PHONE = "+8613800138000"
VAPID = WebPushSettings(
    vapid_private_key=ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode(),
    vapid_subject="mailto:ops@frontdesk.example",
    allow_plain_http=True,
)
TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "twilio-token"


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    push: FakePushService
    sms: FakeTwilio
    delivery: Delivery
    sms_url: str = ""

    @property
    def deps(self) -> Dependencies:
        return Dependencies(lambda: UnitOfWork(self.sessions, lambda t: t), self.clock)

    async def person(
        self, *, devices: int = 1, prefs: Preferences | None = None
    ) -> tuple[uuid.UUID, list[str]]:
        user, subscriptions = uuid.uuid4(), []
        async with self.sessions() as session:
            for _ in range(devices):
                subscription = self.push.subscribe(application_server_key(VAPID))
                device = Device(uuid.uuid4(), "webpush", subscription)
                await recipients.register_device(session, device, SHOP, user, self.clock.now)
                subscriptions.append(subscription)
            await recipients.set_preferences(session, SHOP, user, prefs or Preferences(phone=PHONE))
            await session.commit()
        return user, subscriptions

    async def notify(
        self, user: uuid.UUID, category: str = "booking_confirmed", critical: bool = False
    ) -> str:
        notification_id, data = f"test:{uuid.uuid4()}", {}
        async with self.sessions() as session:
            if critical:  # a reminder: of a booking still confirmed for its time
                starts_at = (self.clock.now + timedelta(hours=6)).isoformat()
                booking = {"booking_id": str(uuid.uuid4()), "shop_id": str(SHOP), "customer_id": str(user)}
                booking |= {"service_id": str(uuid.uuid4()), "status": "confirmed", "starts_at": starts_at}
                await store.save_booking(session, booking, 2)
                data = {"booking_id": booking["booking_id"], "starts_at": starts_at}
            await store.queue(
                session,
                id=notification_id,
                shop_id=SHOP,
                user_id=user,
                category=category,
                critical=critical,
                title="预约成功",
                body="您已预约洗澡，时间：11月21日 10:00。",
                language="zh-CN",
                data=data,
                now=self.clock.now,
            )
            await session.commit()
        return notification_id

    async def deliver(self, after: timedelta = timedelta()) -> None:
        self.clock.now += after
        await deliver_due(self.deps, self.delivery)

    async def status(self, notification_id: str) -> dict:
        async with self.sessions() as session:
            [found] = [
                n for n in await store.notifications(session, SHOP, None, 500) if n["id"] == notification_id
            ]
        return found


@pytest.fixture
async def world(endpoints) -> AsyncIterator[World]:
    settings = Settings(
        **{
            **endpoints.service_settings("notify"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_notify_{uuid.uuid4().hex[:8]}",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    push, sms = FakePushService(), FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    try:
        async with serving(push.app) as push_url, serving(sms.app) as sms_url, httpx.AsyncClient() as http:
            push.base_url = push_url
            twilio = TwilioSettings(
                account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006", base_url=sms_url
            )
            providers = {"webpush": WebPush(VAPID, http), "sms": TwilioSms(twilio, http)}
            delivery = Delivery(providers, fallback_after=timedelta(minutes=10))
            yield World(
                session_factory(engine),
                Clock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
                push,
                sms,
                delivery,
                sms_url,
            )  # 10:00 in Shanghai
    finally:
        await engine.dispose()


def sent_by_push() -> float:
    labels = {"category": "booking_confirmed", "status": "sent", "channel": "push"}
    return REGISTRY.get_sample_value("frontdesk_notify_notifications_total", labels) or 0.0


async def test_a_notification_reaches_every_device_once_and_says_so(world):
    counted = sent_by_push()
    user, _ = await world.person(devices=2)
    notification = await world.notify(user)
    await world.deliver()
    await world.deliver(timedelta(minutes=30))

    assert [p.payload["body"] for p in world.push.received] == ["您已预约洗澡，时间：11月21日 10:00。"] * 2
    assert world.sms.received == []  # not critical: no fallback
    found = await world.status(notification)
    assert (found["status"], found["channel"], found["attempts"]) == ("sent", "push", 1)
    assert sent_by_push() == counted + 1  # what ops see on /metrics


async def test_an_unread_reminder_also_goes_by_sms_and_a_read_one_does_not(world):
    unread_user, _ = await world.person()
    read_user, _ = await world.person()
    unread = await world.notify(unread_user, "booking_reminder_morning", critical=True)
    read = await world.notify(read_user, "booking_reminder_morning", critical=True)
    await world.deliver()
    async with world.sessions() as session:
        assert await store.mark_read(session, read, read_user, world.clock.now)
        await session.commit()

    await world.deliver(timedelta(minutes=9))
    assert world.sms.received == []
    await world.deliver(timedelta(minutes=2))

    assert [(t.to, t.body) for t in world.sms.received] == [
        (PHONE, "预约成功\n您已预约洗澡，时间：11月21日 10:00。")
    ]
    assert (await world.status(unread))["channel"] == "push+sms"
    assert (await world.status(read))["channel"] == "push"


async def test_a_device_the_push_service_disowns_is_dropped_and_sms_takes_over(world):
    user, _ = await world.person()
    world.push.script.then(410, "gone")
    notification = await world.notify(user)
    await world.deliver()

    assert [t.to for t in world.sms.received] == [PHONE]
    assert (await world.status(notification))["channel"] == "sms"
    async with world.sessions() as session:
        assert await recipients.devices(session, user) == []


async def test_a_rate_limited_push_is_retried_after_the_time_the_service_asks(world):
    user, _ = await world.person(prefs=Preferences())  # no phone: push is the only way
    world.push.script.then(429, "slow down", {"Retry-After": "30"})
    notification = await world.notify(user)
    await world.deliver()
    found = await world.status(notification)
    assert (found["status"], found["attempts"]) == ("queued", 1)

    await world.deliver(timedelta(seconds=20))
    assert world.push.received == []
    await world.deliver(timedelta(seconds=11))
    assert len(world.push.received) == 1
    assert (await world.status(notification))["status"] == "sent"


async def test_sms_failing_for_good_is_reported_with_its_reason(world):
    user, _ = await world.person(devices=0)
    world.sms.script.then(400, {"code": 21408, "message": "Permission to send an SMS has not been enabled"})
    notification = await world.notify(user)
    await world.deliver()
    found = await world.status(notification)
    assert found["status"] == "failed" and found["reason"].startswith("sms:")


async def test_quiet_hours_hold_back_all_but_critical_notifications_and_opt_outs_are_respected(world):
    quiet = Preferences(phone=PHONE, quiet_start=time(9, 0), quiet_end=time(12, 0), timezone="Asia/Shanghai")
    user, _ = await world.person(prefs=quiet)
    chat = await world.notify(user, "booking_confirmed")
    reminder = await world.notify(user, "booking_reminder_morning", critical=True)
    await world.deliver()
    assert [p.payload["notification_id"] for p in world.push.received] == [reminder]
    held = await world.status(chat)
    assert (held["status"], held["reason"], held["attempts"]) == ("queued", "quiet_hours", 0)

    await world.deliver(timedelta(hours=2, minutes=1))  # 12:01 in Shanghai
    assert (await world.status(chat))["status"] == "sent"

    opted_out, _ = await world.person(prefs=Preferences(opted_out=frozenset({"booking"})))
    skipped = await world.notify(opted_out, "booking_confirmed")
    await world.deliver()
    assert ((await world.status(skipped))["status"], (await world.status(skipped))["reason"]) == (
        "skipped",
        "opted_out",
    )


async def test_someone_with_no_device_and_no_phone_finds_it_in_their_list(world):
    user, _ = await world.person(devices=0, prefs=Preferences())
    notification = await world.notify(user)
    await world.deliver()
    found = await world.status(notification)
    assert (found["status"], found["channel"]) == ("sent", "inbox")


async def test_twilio_reports_delivery_and_a_forged_report_is_refused(world, endpoints):
    receipts_app = FastAPI()
    install_error_handlers(receipts_app)
    receipts_app.include_router(receipts.router)
    receipts_app.state.sessions = world.sessions
    async with serving(receipts_app) as receipts_url, httpx.AsyncClient() as http:
        callback = f"{receipts_url}/internal/providers/twilio/status"
        twilio = {
            "account_sid": TWILIO_SID,
            "auth_token": TWILIO_TOKEN,
            "from_number": "+15005550006",
            "base_url": world.sms_url,
            "status_callback_url": callback,
        }
        settings = Settings(**{**endpoints.service_settings("notify"), "providers": {"twilio": twilio}})
        receipts_app.state.settings = settings
        assert settings.providers.twilio is not None
        sms_only = Delivery({"sms": TwilioSms(settings.providers.twilio, http)})
        delivered_to, _ = await world.person(devices=0, prefs=Preferences(phone="+8613800000001"))
        lost_to, _ = await world.person(devices=0, prefs=Preferences(phone="+8613800000002"))
        delivered, lost = await world.notify(delivered_to), await world.notify(lost_to)
        await deliver_due(world.deps, sms_only)
        first, second = sorted(world.sms.received, key=lambda t: t.to)

        assert await world.sms.report(first, "delivered") == 204
        assert await world.sms.report(second, "undelivered", "30003") == 204
        forged = await http.post(
            callback,
            data={"MessageSid": first.sid, "MessageStatus": "failed"},
            headers={"X-Twilio-Signature": "x"},
        )
        assert forged.status_code == 403

    statuses = {n: await world.status(n) for n in (delivered, lost)}
    assert [(s["status"], s["delivered_at"] is not None, s["reason"]) for s in statuses.values()] == [
        ("delivered", True, None),
        ("failed", False, "sms: undelivered (30003)"),
    ]
