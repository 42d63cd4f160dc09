"""The dialogue kept between messages survives being stored; the model's answers are read
carefully."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from frontdesk_ai_assist.adapters import dialogues
from frontdesk_ai_assist.adapters.llm import answer_of, system_prompt
from frontdesk_ai_assist.domain import Dialogue, FaqEntry, Pet, PetMention, SlotOption, Wanted, When

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_dialogue_comes_back_as_it_was_stored(pet_shop):
    doudou = Pet("doudou", "豆豆", "pet", "狗", "泰迪")
    dialogue = Dialogue(
        Wanted(
            "book",
            pet_shop.service("bath"),
            PetMention("dog", "poodle", doudou, "豆豆"),
            When(date(2026, 11, 21), time(10)),
            rival=pet_shop.service("groom"),
        ),
        (
            SlotOption(datetime(2026, 11, 21, 10, tzinfo=SHANGHAI)),
            SlotOption(datetime(2026, 11, 21, 11, tzinfo=SHANGHAI)),
        ),
    )
    assert dialogues.load(dialogues.dump(dialogue), pet_shop, [doudou]) == dialogue
    assert dialogues.load({}, pet_shop, []) == Dialogue()


def test_a_service_the_shop_dropped_is_forgotten(pet_shop):
    stored = dialogues.dump(
        Dialogue(Wanted("book", pet_shop.service("bath"), None, When(date(2026, 11, 21), part="morning")))
    )
    stored["wanted"]["service_id"] = "gone"
    assert dialogues.load(stored, pet_shop, []).wanted == Wanted(
        "book", None, None, When(date(2026, 11, 21), part="morning")
    )


def test_the_models_answer_is_taken_only_when_it_answers():
    def body(content):
        return {"choices": [{"message": {"role": "assistant", "content": content}}]}

    assert answer_of(body("  有猫砂卖。 ")) == "有猫砂卖。"
    assert answer_of(body("HANDOFF")) is None
    assert answer_of(body("")) is None
    assert answer_of({"error": "overloaded"}) is None


def test_the_model_is_told_the_shop_facts_and_to_hand_off():
    prompt = system_prompt("爪爪宠物", [FaqEntry("parking", "有停车位吗？", "商场地下有停车场。")], "zh")
    assert "爪爪宠物" in prompt and "Q: 有停车位吗？\nA: 商场地下有停车场。" in prompt and "HANDOFF" in prompt
