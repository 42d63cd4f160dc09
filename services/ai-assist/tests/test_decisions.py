"""What the assistant does next, and what the customer and staff read."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from frontdesk_ai_assist.domain import (
    Ask,
    Book,
    Cancel,
    Dialogue,
    HandOff,
    ProposeSlots,
    Reply,
    Reschedule,
    SlotOption,
    Wanted,
    When,
    decide,
    replies,
    understand,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def options(*hours: int) -> tuple[SlotOption, ...]:
    return tuple(SlotOption(datetime(2026, 11, 21, h, 0, tzinfo=SHANGHAI), f"hold-{h}") for h in hours)


def next_step(text, shop, now, dialogue=None, pets=()):
    return decide(understand(text, shop, now, pets), shop, dialogue)


@pytest.mark.parametrize("text", ["我家狗狗一直吐", "狗狗便血了，转人工", "my dog has blood in his poop"])
def test_a_health_worry_hands_off_with_a_careful_reply(text, pet_shop, now):
    decision = next_step(text, pet_shop, now)
    assert isinstance(decision, HandOff) and decision.reason == "medical"
    reply = decision.reply
    assert ("兽医" in reply or "宠物医院" in reply) if "狗" in text else "vet" in reply
    assert "同事" in reply or "staff" in reply


def test_the_medical_reply_recommends_the_right_professional(pet_shop, salon, now):
    baby = decide(understand("宝宝发烧了还能游泳吗", pet_shop, now), pet_shop)
    assert isinstance(baby, HandOff) and "儿科医生" in baby.reply
    nails = decide(understand("my cuticle is swollen and has pus", salon, now), salon)
    assert isinstance(nails, HandOff) and "a doctor" in nails.reply and "vet" not in nails.reply


def test_asking_for_a_person_always_hands_off_even_mid_booking(pet_shop, now):
    dialogue = Dialogue(proposed=options(10, 11, 14))
    decision = next_step("转人工，我想改时间", pet_shop, now, dialogue)
    assert isinstance(decision, HandOff) and decision.reason == "requested"


def test_the_handoff_note_says_what_the_customer_wants_in_their_language(pet_shop, now):
    zh = next_step("周六上午10点给金毛洗澡，帮我转人工", pet_shop, now)
    assert isinstance(zh, HandOff)
    assert zh.summary.startswith("要求转人工；想要：洗澡（金毛），11月21日（周六） 10:00")
    en = next_step("talk to a person about a bath for my golden on Saturday 10am", pet_shop, now)
    assert isinstance(en, HandOff)
    assert "Wants: Bath for golden, Sat 21 Nov, 10:00" in en.summary
    medical = next_step("my corgi has diarrhea", pet_shop, now)
    assert isinstance(medical, HandOff)
    assert medical.summary.startswith("Health concern: diarrhea (corgi).")


def test_something_not_understood_hands_off(pet_shop, now):
    decision = next_step("asdfgh", pet_shop, now)
    assert isinstance(decision, HandOff) and decision.reason == "unsure"
    assert "staff" in decision.reply


def test_a_question_gets_the_answer_or_a_person(pet_shop, now):
    answered = next_step("你们几点开门", pet_shop, now)
    assert isinstance(answered, Reply) and "10:00-20:00" in answered.text
    unknown = next_step("你们卖吸奶器吗", pet_shop, now)
    assert isinstance(unknown, HandOff) and unknown.reason == "no_answer"


def test_a_full_booking_request_asks_for_slots(pet_shop, now):
    decision = next_step("我想预约周六上午10点给金毛洗澡", pet_shop, now)
    assert isinstance(decision, ProposeSlots)
    assert decision.purpose == "book"
    assert decision.service is not None and decision.service.id == "bath"
    assert decision.when == When(date(2026, 11, 21), time(10))
    start, end = decision.when.window(pet_shop.timezone)
    assert start == end == datetime(2026, 11, 21, 10, tzinfo=SHANGHAI)


def test_what_is_missing_is_asked_for_and_remembered(pet_shop, now):
    first = next_step("我想预约洗澡", pet_shop, now)
    assert isinstance(first, Ask) and first.missing == "time"
    assert "哪天" in first.text
    second = next_step("周六下午", pet_shop, now, Dialogue(wanted=first.wanted))
    assert isinstance(second, ProposeSlots)
    assert second.service is not None and second.service.id == "bath"
    assert second.when == When(date(2026, 11, 21), None, "afternoon")
    no_service = next_step("I'd like to book for Saturday", pet_shop, now)
    assert isinstance(no_service, Ask) and no_service.missing == "service"
    assert "Bath, Grooming, Boarding" in no_service.text


def test_picking_an_option_books_it(pet_shop, now):
    offered = options(10, 11, 14)
    wanted = Wanted("book", pet_shop.service("bath"))
    picked = next_step("第二个", pet_shop, now, Dialogue(wanted, offered))
    assert isinstance(picked, Book) and picked.option.ref == "hold-11"
    last = next_step("the last one", pet_shop, now, Dialogue(wanted, offered))
    assert isinstance(last, Book) and last.option.ref == "hold-14"
    by_time = next_step("14:00 那个", pet_shop, now, Dialogue(wanted, offered))
    assert isinstance(by_time, Book) and by_time.option.ref == "hold-14"


def test_a_bare_yes_books_the_only_option_and_asks_which_of_several(pet_shop, now):
    one = next_step("好的", pet_shop, now, Dialogue(Wanted("book"), options(10)))
    assert isinstance(one, Book) and one.option.ref == "hold-10"
    several = next_step("ok", pet_shop, now, Dialogue(Wanted("book"), options(10, 11)))
    assert isinstance(several, Ask) and several.missing == "option" and "1 to 2" in several.text
    out_of_range = next_step("第五个", pet_shop, now, Dialogue(Wanted("book"), options(10, 11)))
    assert isinstance(out_of_range, Ask)
    thanks_only = next_step("好的谢谢", pet_shop, now, Dialogue(Wanted("book"), options(10, 11)))
    assert isinstance(thanks_only, Ask) and thanks_only.missing == "option"


def test_picking_an_option_while_moving_a_booking_moves_it(pet_shop, now):
    decision = next_step("选1", pet_shop, now, Dialogue(Wanted("reschedule"), options(15)))
    assert isinstance(decision, Reschedule) and decision.option.ref == "hold-15"


def test_cancel_names_the_day(pet_shop, now):
    decision = next_step("取消明天的预约", pet_shop, now)
    assert isinstance(decision, Cancel) and decision.when == When(date(2026, 11, 19))


def test_small_talk_gets_a_reply_and_no_handoff(pet_shop, now):
    hello = next_step("你好", pet_shop, now)
    assert isinstance(hello, Reply) and "爪爪宠物" in hello.text
    thanks = next_step("thanks so much!", pet_shop, now)
    assert isinstance(thanks, Reply) and thanks.kind == "thanks"
    declined = next_step("算了，不用了", pet_shop, now, Dialogue(Wanted("book"), options(10)))
    assert isinstance(declined, Reply) and declined.kind == "declined"


class TestReplies:
    def test_a_slot_proposal_lists_at_most_three_numbered_times(self, pet_shop):
        bath = pet_shop.service("bath")
        starts = [datetime(2026, 11, 21, 10, tzinfo=SHANGHAI) + timedelta(hours=h) for h in range(5)]
        zh = replies.slot_proposal(starts, bath, pet_shop.timezone, "zh")
        assert "1. 11月21日（周六） 10:00" in zh and "3. 11月21日（周六） 12:00" in zh
        assert "4." not in zh and "回复序号" in zh
        en = replies.slot_proposal(starts[:2], bath, pet_shop.timezone, "en")
        assert "1. Sat 21 Nov, 10:00\n2. Sat 21 Nov, 11:00" in en

    def test_times_are_shown_on_the_shops_clock(self, pet_shop):
        utc_start = datetime(2026, 11, 21, 2, 0, tzinfo=ZoneInfo("UTC"))
        text = replies.booking_confirmed(utc_start, pet_shop.service("bath"), None, pet_shop.timezone, "en")
        assert "Bath, Sat 21 Nov, 10:00" in text

    def test_booking_confirmed_names_the_pet(self, pet_shop, pets):
        understood = understand("明天给咪咪洗澡", pet_shop, datetime(2026, 11, 18, 9, tzinfo=SHANGHAI), pets)
        start = datetime(2026, 11, 19, 15, tzinfo=SHANGHAI)
        text = replies.booking_confirmed(
            start, pet_shop.service("bath"), understood.pet, pet_shop.timezone, "zh"
        )
        assert text.startswith("已为您预约：11月19日（周四） 15:00 洗澡（咪咪）")

    def test_cannot_understand_and_handoff_say_a_person_will_reply(self):
        assert "同事" in replies.cannot_understand("zh") and "staff" in replies.cannot_understand("en")
        assert "转接" in replies.handoff("zh") and "staff" in replies.handoff("en")

    def test_no_slots_says_when_in_the_customers_words(self, pet_shop):
        text = replies.no_slots(When(date(2026, 11, 21), None, "morning"), pet_shop.service("groom"), "zh")
        assert text == "抱歉，11月21日（周六）上午的美容已经约满了。换个时间可以吗？"
