"""What a notification says, in zh-CN or en (the recipient's language), with times in
the shop's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Category = Literal[
    "booking_confirmed",
    "booking_reminder_day_before",
    "booking_reminder_morning",
    "booking_rescheduled",
    "booking_cancelled",
    "booking_change_proposed",
    "booking_waitlist_offered",
    "chat_message",
    "chat_unattended",
    "live_view",
    "password_reset_code",
]
LANGUAGES = ("zh-CN", "en")
CRITICAL: frozenset[str] = frozenset({"booking_reminder_day_before", "booking_reminder_morning"})

_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "zh-CN": {
        "booking_confirmed": ("预约成功", "您已预约{service}，时间：{when}。"),
        "booking_reminder_day_before": ("明天的预约", "提醒：您明天{when}预约了{service}。"),
        "booking_reminder_morning": ("今天的预约", "提醒：您今天{when}预约了{service}，期待您的光临。"),
        "booking_rescheduled": ("预约已改期", "您的{service}预约已改到{when}。"),
        "booking_cancelled": ("预约已取消", "您{when}的{service}预约已取消。"),
        "booking_change_proposed": ("店铺建议改期", "店铺建议把您的{service}预约改到{when}，请确认。"),
        "booking_waitlist_offered": (
            "有空位了",
            "{when}空出来了（{service}），{minutes}分钟内确认即可保留。",
        ),
        "chat_message": ("新消息", "{sender}：{preview}"),
        "live_view": ("实时观看", "{sender}正在为您的宠物服务，点此实时观看。"),
        "password_reset_code": ("重置密码", "您的验证码是{code}，{minutes}分钟内有效。请勿告诉任何人。"),
    },
    "en": {
        "booking_confirmed": ("Booking confirmed", "Your {service} is booked for {when}."),
        "booking_reminder_day_before": (
            "Tomorrow's booking",
            "Reminder: your {service} is tomorrow at {when}.",
        ),
        "booking_reminder_morning": (
            "Today's booking",
            "Reminder: your {service} is today at {when}. See you soon.",
        ),
        "booking_rescheduled": ("Booking moved", "Your {service} has moved to {when}."),
        "booking_cancelled": ("Booking cancelled", "Your {service} on {when} is cancelled."),
        "booking_change_proposed": (
            "New time proposed",
            "The shop proposes to move your {service} to {when}.",
        ),
        "booking_waitlist_offered": (
            "A time came free",
            "{when} is free ({service}). Confirm within {minutes} minutes to keep it.",
        ),
        "chat_message": ("New message", "{sender}: {preview}"),
        "live_view": ("Live view", "{sender} is caring for your pet now: tap to watch live."),
        "password_reset_code": (
            "Password reset",
            "Your code is {code}. It expires in {minutes} minutes. Do not share it with anyone.",
        ),
    },
}
_WEEKDAYS_ZH = "一二三四五六日"
_COLLAPSED = {
    "zh-CN": "{sender}给您发了{count}条新消息",
    "en": "{sender} sent you {count} new messages",
}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    language: str


def language_of(preferred: str | None, default: str) -> str:
    if preferred in LANGUAGES:
        return preferred
    if preferred and preferred.lower().startswith("zh"):
        return "zh-CN"
    if preferred and preferred.lower().startswith("en"):
        return "en"
    return default


def local_time(at: datetime, timezone: str, language: str, with_date: bool = True) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    if language == "zh-CN":
        return local.strftime("%m月%d日 %H:%M") if with_date else local.strftime("%H:%M")
    return local.strftime("%a %d %b, %H:%M") if with_date else local.strftime("%H:%M")


def render_booking(
    category: str, language: str, service: str, starts_at: datetime, timezone: str
) -> Rendered:
    with_date = category not in ("booking_reminder_day_before", "booking_reminder_morning")
    title, body = _TEXTS[language][category]
    when = local_time(starts_at, timezone, language, with_date)
    return Rendered(title, body.format(service=service, when=when), language)


def offer_time(at: datetime, timezone: str, language: str) -> str:
    """A freed time as a customer says it: "3月28日周六10:00" / "Sat 28 Mar, 10:00"."""
    local = at.astimezone(ZoneInfo(timezone))
    if language == "zh-CN":
        return f"{local.month}月{local.day}日周{_WEEKDAYS_ZH[local.weekday()]}{local:%H:%M}"
    return local_time(at, timezone, language)


def hold_minutes(offered_at: datetime, expires_at: datetime) -> int:
    return max(1, round((expires_at - offered_at).total_seconds() / 60))


def render_offer(
    language: str,
    service: str,
    starts_at: datetime,
    timezone: str,
    offered_at: datetime,
    expires_at: datetime,
) -> Rendered:
    title, body = _TEXTS[language]["booking_waitlist_offered"]
    when, minutes = offer_time(starts_at, timezone, language), hold_minutes(offered_at, expires_at)
    return Rendered(title, body.format(when=when, service=service, minutes=minutes), language)


def render_chat(language: str, sender: str, preview: str, count: int) -> Rendered:
    title, body = _TEXTS[language]["chat_message"]
    if count > 1:
        return Rendered(title, _COLLAPSED[language].format(sender=sender, count=count), language)
    return Rendered(title, body.format(sender=sender, preview=preview), language)


def render_live_view(language: str, shop: str) -> Rendered:
    title, body = _TEXTS[language]["live_view"]
    return Rendered(title, body.format(sender=shop), language)


def render_code(language: str, code: str, minutes: int) -> Rendered:
    title, body = _TEXTS[language]["password_reset_code"]
    return Rendered(title, body.format(code=code, minutes=minutes), language)


_CARE: dict[str, dict[str, tuple[str, str]]] = {
    "zh-CN": {
        "bath": ("{pet}该洗澡啦", "{pet}的洗澡周期{when}到期，点这里一键预约。"),
        "deworming": ("{pet}该驱虫了", "{pet}的驱虫时间是{when}，点这里一键预约。"),
        "vaccine": ("{pet}该打疫苗了", "{pet}的疫苗{when}到期，点这里一键预约。"),
        "birthday": ("{pet}的生日快到啦", "{when}是{pet}的生日，来店里给它好好打扮一下吧，点这里一键预约。"),
    },
    "en": {
        "bath": ("Bath time for {pet}", "{pet}'s bath is due on {when}. Tap to book it."),
        "deworming": ("Deworming for {pet}", "{pet}'s deworming is due on {when}. Tap to book it."),
        "vaccine": ("{pet}'s vaccine", "{pet}'s vaccine is due on {when}. Tap to book it."),
        "birthday": (
            "{pet}'s birthday is coming",
            "{pet}'s birthday is on {when}: a treat at the salon? Tap to book.",
        ),
    },
}


def render_care(kind: str, language: str, pet: str, due_on: date) -> Rendered:
    when = f"{due_on.month}月{due_on.day}日" if language == "zh-CN" else due_on.strftime("%a %d %b")
    title, body = _CARE[language][kind]
    return Rendered(title.format(pet=pet), body.format(pet=pet, when=when), language)
