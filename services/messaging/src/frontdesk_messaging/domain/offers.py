"""How the shop tells a waiting customer, in their conversation, that their time came free
("3月28日周六10:00空出来了（洗澡），30分钟内确认即可保留"), in the shop's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

_WEEKDAYS_ZH = "一二三四五六日"
_TEXTS = {
    "zh-CN": "{when}空出来了（{service}），{minutes}分钟内确认即可保留。",
    "en": "{when} is free ({service}). Confirm within {minutes} minutes to keep it.",
}


def offer_text(
    language: str,
    service: str,
    starts_at: datetime,
    timezone: str,
    offered_at: datetime,
    expires_at: datetime,
) -> str:
    local = starts_at.astimezone(ZoneInfo(timezone))
    if language == "en":
        when = local.strftime("%a %d %b, %H:%M")
    else:
        language = "zh-CN"
        when = f"{local.month}月{local.day}日周{_WEEKDAYS_ZH[local.weekday()]}{local:%H:%M}"
    minutes = max(1, round((expires_at - offered_at).total_seconds() / 60))
    return _TEXTS[language].format(when=when, service=service, minutes=minutes)
