"""The service a customer names is the one booked, however the shop's names share words
(issue 13: with 洗澡 Bath, 剪指甲 Nail trim and 美容 Grooming, "a grooming" was booked as a
nail trim, for the "trim" a haircut is also called)."""

from datetime import datetime
from itertools import permutations

import pytest
from frontdesk_ai_assist.domain import (
    Book,
    ConfirmService,
    Dialogue,
    ProposeSlots,
    ServiceOffer,
    ShopContext,
    SlotOption,
    decide,
    replies,
    understand,
)

FRIDAY_14 = datetime.fromisoformat("2026-11-20T14:00:00+08:00")


def shop(*services: tuple[str, str]) -> ShopContext:
    """Services named as a shop names them in booking's catalog: one name, often both languages."""
    offers = tuple(ServiceOffer(sid, name, 60) for sid, name in services)
    return ShopContext(name="爪爪宠物", timezone="Asia/Shanghai", services=offers)


DAY = (("bath", "洗澡 Bath"), ("groom", "美容 Grooming"), ("nails", "剪指甲 Nail trim"))
BATHS = (("dog_bath", "狗狗洗澡 Dog bath"), ("cat_bath", "猫咪洗澡 Cat bath"))


@pytest.mark.parametrize("order", list(permutations(DAY)))
@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("I'd like to book a grooming for Mochi on Friday at 2pm", "groom"),
        ("我想周五下午2点给Mochi做美容", "groom"),
        ("美容多少钱", "groom"),
        ("a haircut for Mochi on Friday", "groom"),
        ("nail trim for Mochi on Friday at 2pm", "nails"),
        ("can you trim Mochi's nails on Friday", "nails"),
        ("周五给Mochi剪指甲", "nails"),
        ("周五给Mochi洗澡", "bath"),
        ("a bath on Friday please", "bath"),
    ],
)
def test_the_service_named_wins_whatever_the_catalog_order(text, service, order, now):
    understood = understand(text, shop(*order), now)
    assert understood.service is not None and understood.service.id == service
    assert understood.rival is None


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("bath for my dog on Friday", "dog_bath"),
        ("给猫咪洗澡", "cat_bath"),
        ("just a trim for my poodle", "trim"),
        ("a nail trim please", "nails"),
        ("trim his nails", "nails"),
        ("medicated bath on Friday", "medicated"),
        ("药浴", "medicated"),
        ("bath and groom on Saturday", "combo"),
    ],
)
def test_of_names_sharing_words_the_one_said_most_fully_wins(text, service, now):
    catalog = shop(
        ("dog_bath", "狗狗洗澡 Dog bath"),
        ("cat_bath", "猫咪洗澡 Cat bath"),
        ("medicated", "药浴 Medicated bath"),
        ("trim", "修剪 Trim"),
        ("nails", "剪指甲 Nail trim"),
        ("combo", "洗护套餐 Bath and groom"),
    )
    understood = understand(text, catalog, now)
    assert understood.service is not None and understood.service.id == service


def test_words_that_could_mean_two_services_keep_the_other_as_a_rival(now):
    understood = understand("周五下午两点洗个澡", shop(*BATHS), now)
    assert understood.service is not None and understood.rival is not None
    assert {understood.service.id, understood.rival.id} == {"dog_bath", "cat_bath"}


def offered(text: str, catalog: ShopContext, now) -> tuple:
    """The customer asks; Friday 14:00 is the time offered, as the booking step keeps it."""
    understood = understand(text, catalog, now)
    proposal = decide(understood, catalog)
    assert isinstance(proposal, ProposeSlots)
    return understood, Dialogue(proposal.wanted, (SlotOption(FRIDAY_14),))


def test_a_close_call_names_the_service_back_before_holding_and_a_yes_books_it(now):
    catalog = shop(*BATHS)
    asked, dialogue = offered("周五下午两点洗个澡", catalog, now)

    check = decide(understand("好的", catalog, now), catalog, dialogue)
    assert isinstance(check, ConfirmService) and check.option.start == FRIDAY_14
    assert check.wanted.service == asked.service
    said = replies.confirm_service(FRIDAY_14, asked.service, "Asia/Shanghai", "zh")
    assert said.startswith(asked.service.name) and "14:00" in said and said.endswith("可以吗？")

    booked = decide(understand("可以", catalog, now), catalog, Dialogue(check.wanted, (check.option,)))
    assert isinstance(booked, Book) and booked.service == asked.service and booked.option.start == FRIDAY_14


def test_a_service_named_clearly_is_booked_without_asking_again(now):
    catalog = shop(*DAY)
    _, dialogue = offered("我想周五下午2点给Mochi做美容", catalog, now)
    booked = decide(understand("yes", catalog, now), catalog, dialogue)
    assert isinstance(booked, Book) and booked.service is not None and booked.service.id == "groom"


def test_naming_the_other_service_at_the_check_proposes_it_for_the_same_day(now):
    catalog = shop(*BATHS)
    _, dialogue = offered("周五下午两点洗个澡", catalog, now)
    check = decide(understand("好的", catalog, now), catalog, dialogue)
    assert isinstance(check, ConfirmService) and check.wanted.service is not None
    other = "cat_bath" if check.wanted.service.id == "dog_bath" else "dog_bath"
    name = catalog.service(other).name.split()[0]
    again = decide(
        understand(f"不是，我要{name}", catalog, now), catalog, Dialogue(check.wanted, (check.option,))
    )
    assert isinstance(again, ProposeSlots) and again.service is not None and again.service.id == other
    assert again.when.date == FRIDAY_14.date()
