"""Business hours, the out-of-hours answer and templates, without I/O."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from frontdesk_messaging.domain.hours import is_open, open_seconds_between, parse_weekly
from frontdesk_messaging.domain.model import Actor, Conversation
from frontdesk_messaging.domain.shop import ShopSettings, render

WEEKDAYS_9_TO_18 = {str(d): [["09:00", "18:00"]] for d in range(5)}


def test_a_reply_next_morning_took_only_the_open_minutes():
    weekly = parse_weekly(WEEKDAYS_9_TO_18)
    asked = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # Friday 22:00 in Shanghai
    answered = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)  # Monday 09:05 in Shanghai
    assert open_seconds_between(weekly, "Asia/Shanghai", asked, answered) == 300
    assert not is_open(weekly, "Asia/Shanghai", asked)
    assert is_open(weekly, "Asia/Shanghai", answered)


def test_opening_hours_follow_daylight_saving_in_the_shops_timezone():
    weekly = parse_weekly({"6": [["09:00", "10:00"]]})  # Sundays
    # Berlin switches to summer time on 2026-03-29: 09:00 local is 07:00 UTC that day.
    assert is_open(weekly, "Europe/Berlin", datetime(2026, 3, 29, 7, 30, tzinfo=UTC))
    assert not is_open(weekly, "Europe/Berlin", datetime(2026, 3, 22, 7, 30, tzinfo=UTC))
    assert is_open(weekly, "Europe/Berlin", datetime(2026, 3, 22, 8, 30, tzinfo=UTC))


def test_without_hours_the_whole_span_counts():
    start = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    assert open_seconds_between({}, "UTC", start, start.replace(hour=15)) == 3600


@pytest.mark.parametrize(
    "bad", [{"7": [["09:00", "18:00"]]}, {"1": [["18:00", "09:00"]]}, {"1": [["9am", "6pm"]]}]
)
def test_nonsense_hours_are_refused(bad):
    with pytest.raises(Exception, match="invalid business hours"):
        ShopSettings(uuid4()).set_hours(uuid4(), "Asia/Shanghai", bad, "closed", datetime.now(UTC))


def test_the_out_of_hours_answer_goes_out_once_a_local_day():
    shop = ShopSettings(uuid4())
    shop.set_hours(uuid4(), "Asia/Shanghai", WEEKDAYS_9_TO_18, "我们已下班,明早9点回复您", datetime.now(UTC))
    late = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    day, text = shop.out_of_hours(late)
    customer = Actor(uuid4(), "customer", shop.shop_id)
    conversation = Conversation(uuid4())
    conversation.open(shop.shop_id, customer.user_id, customer, late)
    assert conversation.reply_out_of_hours(day, text, late) is not None
    assert conversation.reply_out_of_hours(day, text, late) is None
    assert shop.out_of_hours(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) is None  # Monday 10:00


def test_the_assistant_answers_instead_of_the_out_of_hours_text_unless_a_person_has_it():
    shop, owner, late = ShopSettings(uuid4()), uuid4(), datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    customer = Actor(uuid4(), "customer", shop.shop_id)
    staff = Actor(uuid4(), "staff", shop.shop_id)
    conversation = Conversation(uuid4())
    conversation.open(shop.shop_id, customer.user_id, customer, late)
    assert not shop.assistant_answers(conversation, "几点开门？"), "the assistant is off by default"

    shop.set_assistant(owner, "outside_hours", late)
    assert shop.assistant_answers(conversation, "几点开门？")
    assert not shop.assistant_answers(conversation, " "), "a photo without a caption is left to staff"
    conversation.assign(None, staff.user_id, late)
    assert shop.assistant_answers(conversation, "几点开门？"), "the round-robin is not a person taking it"
    conversation.assign(staff, staff.user_id, late)
    assert not shop.assistant_answers(conversation, "几点开门？")
    replayed = Conversation.restore(conversation.id, conversation.version, conversation.snapshot())
    assert replayed.with_person, "a snapshot keeps who has the conversation"
    conversation.set_status(staff, "resolved", late)
    assert shop.assistant_answers(conversation, "几点开门？"), "resolving gives it back to the assistant"

    shop.set_assistant(owner, "off", late)
    assert not shop.assistant_answers(conversation, "几点开门？")


def test_templates_fill_known_variables_and_leave_unknown_ones_visible():
    assert render(
        "{customer_name}您好,{pet_name}洗好了 {unknown}", {"customer_name": "王女士", "pet_name": "金毛"}
    ) == ("王女士您好,金毛洗好了 {unknown}")
