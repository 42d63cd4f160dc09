"""Replies offered to staff for one tap: up to three, and the right kind first."""

from frontdesk_ai_assist.domain import suggest_replies


def test_a_question_suggests_the_shops_own_answer_first(pet_shop, now):
    suggestions = suggest_replies("你们几点开门啊", pet_shop, now)
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0].startswith("我们的营业时间")


def test_a_booking_request_suggests_checking_that_time(pet_shop, now):
    suggestions = suggest_replies("周六上午10点给金毛洗澡", pet_shop, now)
    assert suggestions[0] == "好的，帮您预约11月21日（周六） 10:00的洗澡，我看一下空位，稍等～"
    assert any("约满" in s for s in suggestions)


def test_a_health_worry_suggests_the_careful_reply_only(pet_shop, now):
    suggestions = suggest_replies("my dog keeps vomiting", pet_shop, now)
    assert len(suggestions) == 1 and "vet" in suggestions[0]


def test_suggestions_are_in_the_customers_language_and_never_repeat(pet_shop, now):
    suggestions = suggest_replies("How much is a bath?", pet_shop, now)
    assert suggestions[0].startswith("Bath ¥80")
    assert len(suggestions) == len(set(suggestions)) <= 3


def test_a_limit_of_one_gives_one(pet_shop, now):
    assert len(suggest_replies("where are you?", pet_shop, now, limit=1)) == 1
