"""Answers from the shop's own knowledge: its FAQ and what its settings say."""

import pytest
from frontdesk_ai_assist.domain import FaqEntry, KnowledgeBase


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("你们几点开门？", "hours"),
        ("What are your opening hours?", "hours"),
        ("店在哪里，怎么走", "address"),
        ("where are you located?", "address"),
        ("你们电话多少", "address"),
        ("洗澡多少钱", "service:bath"),
        ("how much is a bath?", "service:bath"),
        ("美容要多久", "service:groom"),
        ("价目表发我看看", "prices"),
        ("打完疫苗多久能洗澡", "vaccine"),
        ("how long after his shots can he have a bath?", "vaccine"),
        ("附近好停车吗", "parking"),
    ],
)
def test_common_questions_are_answered_in_chinese_and_english(question, entry, pet_shop):
    answer = pet_shop.knowledge.answer(question)
    assert answer is not None, question
    assert answer.entry_id == entry
    assert answer.confidence >= pet_shop.knowledge.threshold


def test_the_answer_comes_from_the_shops_settings(pet_shop):
    hours = pet_shop.knowledge.answer("营业时间")
    assert hours is not None
    assert "周一至周五 10:00-20:00" in hours.text and "周六、周日 09:00-21:00" in hours.text
    price = pet_shop.knowledge.answer("How much is grooming?")
    assert price is not None and "¥200" in price.text and "2 h" in price.text


def test_the_answer_is_in_the_askers_language_when_the_shop_wrote_one(pet_shop):
    english = pet_shop.knowledge.answer("how long after vaccination can I bathe my dog?")
    assert english is not None and english.text == "Wait 7 days after a vaccination."
    chinese = pet_shop.knowledge.answer("打完疫苗多久可以洗澡")
    assert chinese is not None and chinese.text == "打完疫苗 7 天后再洗澡。"
    only_chinese = pet_shop.knowledge.answer("is there parking?")
    assert only_chinese is not None and only_chinese.text == "商场地下有停车场。"


@pytest.mark.parametrize(
    "question", ["你们卖吸奶器吗", "can you groom a guinea pig?", "do you do eyebrow threading?", "哈哈哈"]
)
def test_what_the_shop_never_wrote_down_gets_no_answer(question, pet_shop):
    assert pet_shop.knowledge.answer(question) is None


def test_an_entry_about_another_service_is_not_the_answer():
    knowledge = KnowledgeBase(
        [
            FaqEntry("lasting", "美甲能保持多久？", "3–4 周。", ("保持", "多久")),
            FaqEntry("parking", "有停车位吗？", "有。", ("停车",)),
        ]
    )
    assert knowledge.answer("美甲能保持多久") is not None
    assert knowledge.answer("美睫能保持多久") is None


def test_two_entries_that_fit_alike_mean_no_answer():
    knowledge = KnowledgeBase(
        [
            FaqEntry("a", "会员有优惠吗", "有 9 折。", ("会员",)),
            FaqEntry("b", "会员怎么办", "到店办理。", ("会员",)),
        ]
    )
    assert knowledge.answer("会员") is None
    assert len(knowledge.search("会员", limit=2)) == 2


def test_words_jieba_does_not_know_are_still_found():
    knowledge = KnowledgeBase([FaqEntry("pay", "可以微信支付吗？", "可以。", ("微信", "支付宝"))])
    answer = knowledge.answer("能用微信付吗")
    assert answer is not None and answer.entry_id == "pay"


def test_an_empty_question_finds_nothing(pet_shop):
    assert pet_shop.knowledge.search("？？？") == []
