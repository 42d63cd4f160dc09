"""The questions a shop's settings and catalog answer by themselves: opening hours,
address, the price list, and each service's price and duration. They are written
here as knowledge entries in both languages (ids `hours`, `address`, `prices`,
`service:<id>`), so they are found like any FAQ entry and never go stale: they are
made from the settings the shop has now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .formats import hours_text, minutes_text, money
from .knowledge import FaqEntry

if TYPE_CHECKING:
    from .shop import ServiceOffer, ShopContext

_HOURS_ASKED = (
    "营业时间",
    "几点开门",
    "几点关门",
    "开到几点",
    "opening hours",
    "what time do you open",
    "when do you close",
)
_ADDRESS_ASKED = ("地址", "在哪里", "怎么走", "位置", "address", "where are you", "location", "directions")
_PHONE_ASKED = ("电话", "联系方式", "手机号", "phone", "phone number", "contact", "call you")
_PRICES_ASKED = ("价目表", "价格表", "收费标准", "都多少钱", "price list", "prices", "how much")


def shop_facts(shop: ShopContext) -> list[FaqEntry]:
    facts: list[FaqEntry] = []
    if shop.hours:
        facts += [
            FaqEntry(
                "hours", "营业时间", f"我们的营业时间：{hours_text(shop.hours, 'zh')}。", _HOURS_ASKED, "zh"
            ),
            FaqEntry(
                "hours", "Opening hours", f"We are open {hours_text(shop.hours, 'en')}.", _HOURS_ASKED, "en"
            ),
        ]
    if shop.address:
        asked = (*_ADDRESS_ASKED, *(_PHONE_ASKED if shop.phone else ()))
        facts += [
            FaqEntry("address", "地址", f"我们在{shop.address}{_phone(shop, 'zh')}。", asked, "zh"),
            FaqEntry(
                "address",
                "Address",
                f"We are at {shop.address_en or shop.address}{_phone(shop, 'en')}.",
                asked,
                "en",
            ),
        ]
    if shop.services:
        facts += [
            FaqEntry("prices", "价目表", "价目表：" + "；".join(_priced(s, "zh") for s in shop.services) + "。", _PRICES_ASKED, "zh"),
            FaqEntry("prices", "Price list", "Our prices: " + "; ".join(_priced(s, "en") for s in shop.services) + ".", _PRICES_ASKED, "en"),
        ]  # fmt: skip
    for service in shop.services:
        asked = (*service.names, "多少钱", "价格", "多久", "多长时间", "时长", "how much", "how long")
        facts += [
            FaqEntry(f"service:{service.id}", service.name, f"{_priced(service, 'zh')}。", asked, "zh"),
            FaqEntry(f"service:{service.id}", service.label("en"), f"{_priced(service, 'en')}.", asked, "en"),
        ]
    return facts


def _priced(service: ServiceOffer, language: str) -> str:
    price = money(service.price_cents, service.currency)
    if language == "zh":
        cost = price if service.price_cents else "免费"
        return f"{service.name} {cost}（约 {minutes_text(service.duration_minutes, 'zh')}）"
    cost = price if service.price_cents else "free"
    return f"{service.label('en')} {cost} (about {minutes_text(service.duration_minutes, 'en')})"


def _phone(shop: ShopContext, language: str) -> str:
    if not shop.phone:
        return ""
    return f"，电话 {shop.phone}" if language == "zh" else f", phone {shop.phone}"
