"""What the assistant makes of one customer message: intent, service, pet, time."""

from datetime import date, time

import pytest
from frontdesk_ai_assist.domain import When, understand


@pytest.mark.parametrize(
    "text",
    [
        "我家狗狗今天一直吐，还能洗澡吗",
        "金毛便便里有血",
        "猫咪拉肚子两天了",
        "狗狗发烧了能寄养吗",
        "洗完澡回去就不吃东西了",
        "泰迪抽搐了怎么办！！",
        "剪指甲剪到流血了",
        "身上起了好多红疹，是不是过敏",
        "耳朵有点臭，一直挠",
        "my dog has been vomiting since last night",
        "there's blood in his stool",
        "she has diarrhea and won't eat",
        "he seems really lethargic today",
        "my puppy had a seizure 😢",
        "baby has a fever, can we still swim?",
        "her poop is green and watery, is that normal?",
        "my cuticle is swollen after the manicure",
    ],
)
def test_a_health_worry_is_medical_whatever_else_is_asked(text, pet_shop, now):
    understood = understand(text, pet_shop, now)
    assert understood.intent == "medical"
    assert understood.concerns


@pytest.mark.parametrize(
    "text",
    [
        "做美甲会疼吗",
        "Is it painless?",
        "do you use hypoallergenic shampoo",
        "想做红色的指甲",
        "I'd like red on my toes",
    ],
)
def test_reassurance_questions_and_colours_are_not_health_worries(text, salon, now):
    assert understand(text, salon, now).intent != "medical"


@pytest.mark.parametrize(
    "text",
    [
        "转人工",
        "人工客服",
        "我要找店长",
        "你是机器人吗",
        "talk to a person",
        "can I speak to a real person",
        "agent",
        "I want to make a complaint",
    ],
)
def test_asking_for_a_person_is_human(text, pet_shop, now):
    assert understand(text, pet_shop, now).intent == "human"


def test_a_booking_request_names_service_pet_and_time(pet_shop, now):
    understood = understand("我想预约周六上午10点给金毛洗澡", pet_shop, now)
    assert understood.intent == "book"
    assert understood.language == "zh"
    assert understood.service is not None and understood.service.id == "bath"
    assert understood.pet is not None
    assert (understood.pet.species, understood.pet.breed, understood.pet.said) == (
        "dog",
        "golden retriever",
        "金毛",
    )
    assert understood.when == When(date(2026, 11, 21), time(10))


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("想给狗狗洗个澡", "bath"),
        ("can I get my dog washed tomorrow", "bath"),
        ("周六想来做个美容", "groom"),
        ("need a groom for my poodle", "groom"),
        ("元旦寄养三天", "boarding"),
        ("洗护套餐多少钱", "bath"),  # the shop's own alias
    ],
)
def test_services_are_found_by_their_synonyms_in_both_languages(text, service, pet_shop, now):
    found = understand(text, pet_shop, now).service
    assert found is not None and found.id == service


def test_the_longer_overlapping_service_name_wins(salon, now):
    assert understand("周日可以做延长甲吗", salon, now).service.id == "extension"  # type: ignore[union-attr]
    assert understand("lash extensions on Friday", salon, now).service.id == "lashes"  # type: ignore[union-attr]


def test_the_customers_own_pet_is_recognised_by_name_or_kind(pet_shop, now, pets):
    by_name = understand("明早给咪咪洗澡", pet_shop, now, pets).pet
    assert by_name is not None and by_name.known is not None and by_name.known.id == "mimi"
    by_kind = understand("周六想给狗狗洗澡", pet_shop, now, pets).pet
    assert by_kind is not None and by_kind.known is not None and by_kind.known.id == "doudou"
    other_breed = understand("新养了一只柯基，周六能洗澡吗", pet_shop, now, pets).pet
    assert other_breed is not None and other_breed.known is None and other_breed.breed == "corgi"


@pytest.mark.parametrize(
    ("text", "option"),
    [("第二个", 2), ("选1吧", 1), ("the 2nd one", 2), ("option 3", 3), ("最后一个", -1), ("2", 2)],
)
def test_picking_an_offered_option(text, option, pet_shop, now):
    understood = understand(text, pet_shop, now)
    assert (understood.intent, understood.option) == ("confirm", option)


@pytest.mark.parametrize("text", ["好的", "可以可以", "yes please", "sounds good 👍", "OK 就这个时间"])
def test_a_plain_yes_confirms(text, pet_shop, now):
    assert understand(text, pet_shop, now).intent == "confirm"


@pytest.mark.parametrize(
    "text", ["算了，不用了", "这几个时间都不行", "none of those work for me", "no thanks"]
)
def test_turning_the_options_down_declines(text, pet_shop, now):
    assert understand(text, pet_shop, now).intent == "decline"


def test_a_move_takes_the_new_time_not_the_old_one(pet_shop, now):
    understood = understand("周六的预约能改到周日下午吗", pet_shop, now)
    assert understood.intent == "reschedule"
    assert understood.when == When(date(2026, 11, 22), None, "afternoon")
    kept_day = understand("could we push tomorrow's groom to 4pm instead?", pet_shop, now)
    assert kept_day.when == When(date(2026, 11, 19), time(16))


def test_cancel_and_a_question_about_cancelling_differ(pet_shop, now):
    assert understand("取消明天的预约", pet_shop, now).intent == "cancel"
    assert understand("取消预约要扣钱吗", pet_shop, now).intent == "faq"


def test_a_question_with_a_time_in_it_is_still_a_question(pet_shop, now):
    understood = understand("你们周末几点关门", pet_shop, now)
    assert understood.intent == "faq"
    assert understood.answer is not None and understood.answer.entry_id == "hours"


def test_times_are_only_read_where_they_say_when_to_come(pet_shop, now):
    assert understand("上周一洗完澡就一直挠", pet_shop, now).when is None


def test_greetings_thanks_and_noise(pet_shop, now):
    assert understand("你好", pet_shop, now).intent == "greeting"
    assert understand("hey there", pet_shop, now).intent == "greeting"
    assert understand("谢谢啦～", pet_shop, now).intent == "thanks"
    noise = understand("哈哈哈哈", pet_shop, now)
    assert noise.intent == "other" and noise.confidence < 0.5


def test_language_follows_the_message(pet_shop, now):
    assert understand("我想book一个bath", pet_shop, now).language == "zh"
    assert understand("Can I book 洗澡 for Saturday 10am?", pet_shop, now).language == "en"


def test_now_must_carry_a_timezone(pet_shop):
    from datetime import datetime

    with pytest.raises(ValueError):
        understand("明天", pet_shop, datetime(2026, 11, 18, 9))
