"""The assistant in a conversation, on the real PostgreSQL: it books through the booking
service, hands off to a person, and knows when to keep quiet. Booking is a fake that
answers as told; what the assistant says is read back from its outbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from frontdesk_ai_assist.adapters.booking import CustomerBooking, Verdict
from frontdesk_ai_assist.service_layer.turns import answer_conversation
from frontdesk_contracts import assistant, booking
from sqlalchemy import text

from .fakes.database import assistant_database
from .fakes.world import World

pytestmark = pytest.mark.integration
SATURDAY_10 = datetime.fromisoformat("2026-11-21T10:00:00+08:00")


@pytest.fixture(scope="module")
async def sessions(endpoints) -> AsyncIterator:
    async with assistant_database(endpoints) as sessions:
        yield sessions


@pytest.fixture
async def world(sessions) -> World:
    world = World(sessions)
    world.booking.free = [SATURDAY_10 + timedelta(minutes=15 * n) for n in range(-4, 12)]
    return world


async def test_a_customer_books_by_chatting_and_the_booking_is_held_and_confirmed(world):
    await world.set_up()
    [offer] = await world.customer_says("我想预约周六上午10点给金毛洗澡")
    assert "10:00" in offer and "Bath" in offer
    assert world.last[0].data["as_assistant"] is True
    assert world.last[0].data["actor"]["user_id"] == str(assistant.assistant_id_for(world.shop_id))

    [done] = await world.customer_says("好的")
    hold, confirm = world.booking.commands
    assert isinstance(hold, booking.HoldBooking) and isinstance(confirm, booking.ConfirmBooking)
    assert (hold.starts_at, hold.customer_id, hold.service_id) == (
        SATURDAY_10,
        world.customer_id,
        world.service_id,
    )
    assert hold.actor.role == "staff" and confirm.booking_id == hold.booking_id
    assert done.startswith("已为您预约") and "金毛" in done


async def test_a_time_taken_meanwhile_is_answered_with_the_nearest_free_ones(world):
    await world.set_up()
    await world.customer_says("周六上午10点洗澡")
    taken = [SATURDAY_10 + timedelta(minutes=30), SATURDAY_10 + timedelta(hours=1)]
    world.booking.verdicts = [Verdict(False, "slot_taken", taken)]
    [answer] = await world.customer_says("好")
    assert answer.startswith("抱歉，刚才那个时间已经被约走了") and "10:30" in answer and "11:00" in answer
    [booked] = await world.customer_says("2")
    assert world.booking.sent(booking.HoldBooking)[-1].starts_at == SATURDAY_10 + timedelta(hours=1)
    assert booked.startswith("已为您预约")


async def test_the_service_named_is_booked_and_a_close_call_is_named_back_before_holding(world):
    await world.set_up()  # "Bath" is the shop's first service
    nails = await world.define_service("剪指甲 Nail trim")
    grooming = await world.define_service("美容 Grooming")
    [offer] = await world.customer_says("我想周六上午10点给Mochi做美容")
    assert "美容 Grooming" in offer and "Nail trim" not in offer
    await world.customer_says("好的")
    assert world.booking.sent(booking.HoldBooking)[-1].service_id == grooming != nails

    await world.define_service("狗狗洗澡 Dog bath")
    await world.define_service("猫咪洗澡 Cat bath")
    await world.customer_says("周六上午10点洗个澡")  # Bath, Dog bath or Cat bath?
    held = len(world.booking.sent(booking.HoldBooking))
    [check] = await world.customer_says("好")
    assert check.startswith("Bath，") and "10:00" in check and check.endswith("可以吗？")
    assert len(world.booking.sent(booking.HoldBooking)) == held  # nothing held before the yes
    [booked] = await world.customer_says("可以")
    assert booked.startswith("已为您预约")
    assert world.booking.sent(booking.HoldBooking)[-1].service_id == world.service_id


async def test_a_health_worry_gets_a_careful_reply_and_goes_to_a_person_with_a_summary(world):
    await world.set_up()
    [reply] = await world.customer_says("我家金毛今天吐了三次，不吃东西")
    assert "兽医" in reply or "宠物医院" in reply
    [handoff] = world.handoffs()
    assert handoff["next_in_rotation"] is True and handoff["assignee_id"] is None
    assert handoff["handoff_note"].startswith("健康问题")

    assert await world.customer_says("在吗？") == []  # a person has it now
    await world.event(
        "messaging.conversation.status_changed.v1",
        conversation_id=str(world.conversation_id),
        shop_id=str(world.shop_id),
        customer_id=str(world.customer_id),
        status="resolved",
        previous_status="open",
        changed_by=str(world.staff_id),
        changed_at=(world.clock() + timedelta(seconds=1)).isoformat(),
    )
    world.clock.advance(minutes=1)
    assert await world.customer_says("洗澡多少钱？") != []
    assert [o[2] for o in await world.turn_outcomes()] == ["handoff_medical", "handed_off", "answer"]


async def test_asking_for_a_person_always_hands_off(world):
    await world.set_up()
    await world.customer_says("我想约周六洗澡")
    [reply] = await world.customer_says("转人工")
    assert "同事" in reply and world.handoffs()[0]["handoff_note"].startswith("要求转人工")


async def test_it_never_talks_over_a_staff_member_who_is_handling_the_conversation(world):
    await world.set_up()
    await world.message("您好，我是店员小李", role="staff")
    world.clock.advance(minutes=1)
    assert await world.customer_says("洗澡多少钱") == []
    world.clock.advance(minutes=30)
    assert await world.customer_says("洗澡多少钱") != []
    await world.event(
        "messaging.conversation.assigned.v1",
        conversation_id=str(world.conversation_id),
        shop_id=str(world.shop_id),
        customer_id=str(world.customer_id),
        assignee_id=str(world.staff_id),
        previous_assignee_id=None,
        assigned_by=str(world.owner_id),
        reason="manual",
        handoff_note=None,
        assigned_at=world.clock().isoformat(),
    )
    assert await world.customer_says("洗澡要多久") == []
    statuses = [o[2] for o in await world.turn_outcomes()]
    assert statuses == ["staff_active", "answer", "assigned"]


async def test_its_own_messages_and_automatic_answers_do_not_silence_it(world):
    await world.set_up()
    await world.message(
        "您好", role="staff", sender=assistant.assistant_id_for(world.shop_id), kind="assistant"
    )
    await world.message("本店已打烊", role="staff", kind="auto_reply")
    assert await world.customer_says("洗澡多少钱") != []


async def test_no_staff_reply_waits_for_staff_then_answers_when_nobody_did(world):
    await world.set_up(mode="no_staff_reply", reply_after_minutes=5)
    await world.message("周六有空吗")
    assert await world.answer() == 0
    world.clock.advance(minutes=5)
    assert await world.answer() == 1 and len(await world.said()) == 1

    await world.message("洗澡多少钱")
    world.clock.advance(minutes=2)
    await world.message("十点开门", role="staff")
    world.clock.advance(minutes=3)
    await world.answer()
    assert await world.said() == []
    assert (await world.turn_outcomes())[-1][1:] == ("quiet", "staff_replied")


async def test_outside_hours_answers_only_when_the_shop_is_closed(world):
    await world.set_up(mode="outside_hours")
    weekly = {str(d): [["09:00", "18:00"]] for d in range(7)}
    await world.event(
        "messaging.shop.business_hours_set.v1",
        shop_id=str(world.shop_id),
        timezone="Asia/Shanghai",
        weekly=weekly,
        auto_reply_text=None,
        set_by=str(world.owner_id),
        set_at=world.clock().isoformat(),
    )
    assert await world.customer_says("你们几点关门") == []  # 09:00, open
    world.clock.advance(hours=12)  # 21:00
    assert await world.customer_says("你们几点关门") == ["我们的营业时间：周一至周日 09:00-18:00。"]


async def test_off_by_default_and_every_event_counts_once(world):
    await world.set_up(mode="off")
    await world.customer_says("周六上午10点洗澡")
    assert await world.said() == []
    assert await world.turn_outcomes() == [(1, "kept", None)]


async def test_moving_and_cancelling_the_customers_booking_within_the_shops_limits(world):
    await world.set_up()
    mine = CustomerBooking(uuid.uuid4(), world.service_id, SATURDAY_10, "confirmed")
    world.booking.bookings = [mine]
    [offer] = await world.customer_says("我想改到周六下午3点")
    assert "12:45" in offer and "15:00" not in offer  # 15:00 is taken: the nearest free ones
    world.booking.free = [SATURDAY_10 + timedelta(hours=5)]
    [offer] = await world.customer_says("改到周六下午3点")
    assert "15:00" in offer
    [moved] = await world.customer_says("好的")
    [move] = world.booking.sent(booking.RescheduleBooking)
    assert (move.booking_id, move.starts_at) == (mine.booking_id, SATURDAY_10 + timedelta(hours=5))
    assert moved.startswith("已改约到")

    [cancelled] = await world.customer_says("帮我取消周六的预约")
    assert world.booking.sent(booking.CancelBooking)[0].booking_id == mine.booking_id
    assert cancelled.startswith("已为您取消")

    world.clock.now = SATURDAY_10 - timedelta(hours=1)
    [late] = await world.customer_says("取消周六的预约")
    assert "2 小时内" in late and world.handoffs() != []
    assert len(world.booking.sent(booking.CancelBooking)) == 1


async def test_a_stay_or_a_silent_booking_service_goes_to_a_person(world):
    await world.set_up()
    boarding = {
        "service_id": str(uuid.uuid4()),
        "name": "寄养",
        "duration_minutes": 1440,
        "price_cents": 15000,
    }
    await world.event(
        "booking.service.defined.v1",
        shop_id=str(world.shop_id),
        service=boarding,
        schedule={"needs_staff": False, "per_night": True, "check_in": "15:00:00", "check_out": "11:00:00"},
        at=world.clock().isoformat(),
    )
    [reply] = await world.customer_says("周六想寄养金毛")
    assert "同事" in reply and "入住天数" in world.handoffs()[0]["handoff_note"]

    world.booking.down = True
    await world.event(
        "messaging.conversation.status_changed.v1",
        conversation_id=str(world.conversation_id),
        shop_id=str(world.shop_id),
        customer_id=str(world.customer_id),
        status="resolved",
        previous_status="open",
        changed_by=str(world.staff_id),
        changed_at=(world.clock() + timedelta(seconds=1)).isoformat(),
    )
    world.clock.advance(minutes=1)
    [reply] = await world.customer_says("周六上午10点洗澡")
    assert "同事" in reply and "预约系统暂时没有响应" in world.handoffs()[0]["handoff_note"]


async def test_no_transaction_is_open_while_booking_answers_and_a_claimed_conversation_waits(world, sessions):
    """An open transaction would hold back every outbox relay of the cluster (booking's
    own answer among them); a second worker meanwhile finds the conversation taken."""
    await world.set_up()
    await world.customer_says("周六上午10点洗澡")
    seen: list[tuple[int, int]] = []

    async def probe() -> None:
        async with sessions() as session:
            database = (await session.execute(text("SELECT current_database()"))).scalar_one()
            open_ = await session.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND state LIKE 'idle in transaction%'"
                ),
                {"d": database},
            )
            seen.append((open_.scalar_one(), await answer_conversation(world.deps, world.conversation_id)))

    world.booking.probe = probe
    [booked] = await world.customer_says("好")
    assert booked.startswith("已为您预约")
    assert seen == [(0, 0), (0, 0)]  # hold and confirm: nothing open, nothing answered twice
