"""A small pet shop in Shanghai and a nail salon in London, as the assistant sees them."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from frontdesk_ai_assist.domain import FaqEntry, Pet, ServiceOffer, ShopContext, load

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday morning.
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="session", autouse=True)
def dictionary() -> None:
    load()


@pytest.fixture(scope="session")
def pet_shop() -> ShopContext:
    return ShopContext(
        name="爪爪宠物",
        name_en="Paws & Bubbles",
        kind="pet",
        timezone="Asia/Shanghai",
        address="上海市徐汇区天钥桥路 123 号",
        address_en="123 Tianyaoqiao Road, Shanghai",
        phone="021-5555-0101",
        hours={day: ((time(10), time(20)),) for day in range(5)}
        | {5: ((time(9), time(21)),), 6: ((time(9), time(21)),)},
        services=(
            ServiceOffer("bath", "洗澡", 60, 8000, name_en="Bath", aliases=("洗护",)),
            ServiceOffer("groom", "美容", 120, 20000, name_en="Grooming"),
            ServiceOffer("boarding", "寄养", 1440, 12000, name_en="Boarding"),
        ),
        faq=(
            FaqEntry(
                "vaccine", "打完疫苗多久可以洗澡？", "打完疫苗 7 天后再洗澡。", ("疫苗", "vaccine"), "zh"
            ),
            FaqEntry(
                "vaccine",
                "How long after vaccination can my dog have a bath?",
                "Wait 7 days after a vaccination.",
                ("疫苗", "vaccine"),
                "en",
            ),
            FaqEntry("parking", "有停车位吗？", "商场地下有停车场。", ("停车", "parking"), "zh"),
        ),
    )


@pytest.fixture(scope="session")
def salon() -> ShopContext:
    return ShopContext(
        name="Glow Nails",
        kind="nails",
        timezone="Europe/London",
        services=(
            ServiceOffer("manicure", "Gel manicure", 90, 3500, currency="GBP", aliases=("nails", "美甲")),
            ServiceOffer("lashes", "Lash extensions", 90, 6000, currency="GBP"),
            ServiceOffer(
                "extension",
                "延长甲",
                120,
                5500,
                currency="GBP",
                name_en="Nail extensions",
                aliases=("acrylics",),
            ),
        ),
    )


@pytest.fixture
def pets() -> list[Pet]:
    return [Pet("doudou", "豆豆", "pet", "狗", "泰迪"), Pet("mimi", "咪咪", "pet", "猫", "英短")]


@pytest.fixture
def now() -> datetime:
    return NOW
