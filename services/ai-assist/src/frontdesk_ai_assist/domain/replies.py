"""What the assistant says, in zh-CN and en. Every function takes the customer's
language and returns the text of one message; the caller marks it as the assistant's.

The medical reply is deliberately careful: it says the assistant is not a vet or a
doctor, recommends seeing one (promptly, and at once for the danger signs), and says
a person from the shop will follow up. It never guesses a cause or a remedy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from .formats import clock_text, day_text, moment_text, part_text
from .language import Language
from .mentions import PetMention
from .shop import ServiceOffer, ShopContext, ShopKind
from .when import When

MAX_OPTIONS = 3


def medical(language: Language, pet: PetMention | None, shop_kind: ShopKind) -> str:
    who = _patient(pet, shop_kind)
    if language == "zh":
        professional = {"pet": "宠物医院或兽医", "child": "儿科医生", "person": "医生"}[who]
        return (
            f"听起来情况需要专业判断。我们不是医生，没法在线判断病情，建议尽快联系{professional}。"
            "如果出现抽搐、呼吸困难、持续呕吐、大量出血或精神很差，请立即就医。"
            "我已经通知店里的同事，稍后会有人联系您。"
        )
    professional = {"pet": "a vet", "child": "your paediatrician or a doctor", "person": "a doctor"}[who]
    return (
        f"That sounds like it needs a professional's eye. We're not medical experts and can't judge this "
        f"from a message, so please contact {professional} soon. If there are seizures, trouble breathing, "
        "repeated vomiting, heavy bleeding or unusual weakness, please seek care right away. "
        "I've let our staff know and someone will get back to you shortly."
    )


def handoff(language: Language) -> str:
    if language == "zh":
        return "好的，已为您转接店里的同事，请稍候，他们会尽快回复您。"
    return "Sure, I've passed this to our staff; someone will reply to you here shortly."


def cannot_understand(language: Language) -> str:
    if language == "zh":
        return "抱歉，我没太理解您的意思，已请店里的同事来帮您，请稍候。"
    return "Sorry, I didn't quite get that. I've asked a member of our staff to help; they'll reply shortly."


def no_answer(language: Language) -> str:
    if language == "zh":
        return "这个问题我需要请店里的同事确认一下，请稍候，他们会尽快回复您。"
    return "Let me check that with our staff; someone will get back to you here shortly."


def greeting(shop: ShopContext, language: Language) -> str:
    if language == "zh":
        return f"您好，欢迎来到{shop.label('zh')}！可以帮您预约、改约，或者解答营业时间、价格等问题。"
    return f"Hi, welcome to {shop.label('en')}! I can book or move an appointment, or answer questions about hours, prices and more."


def thanks(language: Language) -> str:
    return "不客气，有需要随时找我～" if language == "zh" else "You're welcome! Message me any time."


def acknowledged(language: Language) -> str:
    return "好的，还有什么可以帮您？" if language == "zh" else "Okay! Anything else I can help with?"


def declined(language: Language) -> str:
    if language == "zh":
        return "好的，没关系。想换别的时间的话，直接告诉我哪天、几点就行。"
    return "No problem. If another time suits you, just tell me the day and time."


def ask_service(shop: ShopContext, language: Language) -> str:
    names = [s.label(language) for s in shop.services]
    if language == "zh":
        return f"请问想预约哪项服务？我们有：{'、'.join(names)}。"
    return f"Which service would you like? We offer: {', '.join(names)}."


def ask_time(service: ServiceOffer, language: Language) -> str:
    if language == "zh":
        return f"好的，{service.label('zh')}。请问想约哪天、几点呢？比如“周六上午10点”。"
    return f'Sure, {service.label("en")}. Which day and time would suit you? For example "Saturday 10am".'


def ask_which_option(count: int, language: Language) -> str:
    if language == "zh":
        return f"请问选第几个时间呢？回复 1 到 {count} 的数字就可以。"
    return f"Which one would you like? Just reply with a number from 1 to {count}."


def slot_proposal(
    starts: Sequence[datetime], service: ServiceOffer, timezone: str, language: Language
) -> str:
    """Up to three free times, numbered, for the customer to pick by number."""
    zone = ZoneInfo(timezone)
    lines = [
        f"{i}. {moment_text(start.astimezone(zone), language)}"
        for i, start in enumerate(starts[:MAX_OPTIONS], 1)
    ]
    if language == "zh":
        return f"{service.label('zh')}可以约这些时间：\n" + "\n".join(lines) + "\n回复序号即可预约。"
    return (
        f"These times are free for {service.label('en')}:\n"
        + "\n".join(lines)
        + "\nReply with a number to book."
    )


def confirm_service(start: datetime, service: ServiceOffer, timezone: str, language: Language) -> str:
    """The service and time said back before booking, when the customer's words could
    also have meant another service: "美容 Grooming，周五 11月20日 14:00，可以吗？"."""
    at = moment_text(start.astimezone(ZoneInfo(timezone)), language)
    if language == "zh":
        return f"{service.label('zh')}，{at}，可以吗？"
    return f"{service.label('en')}, {at}: shall I book it?"


def no_slots(when: When, service: ServiceOffer, language: Language) -> str:
    said = when_text(when, language)
    if language == "zh":
        return f"抱歉，{said}的{service.label('zh')}已经约满了。换个时间可以吗？"
    return f"Sorry, {service.label('en')} is fully booked {said}. Would another time work?"


def booking_confirmed(
    start: datetime, service: ServiceOffer, pet: PetMention | None, timezone: str, language: Language
) -> str:
    at = moment_text(start.astimezone(ZoneInfo(timezone)), language)
    name = pet.label() if pet else ""
    if language == "zh":
        for_whom = f"（{name}）" if name else ""
        return f"已为您预约：{at} {service.label('zh')}{for_whom}。到时见！需要改约或取消随时告诉我。"
    for_whom = f" for {name}" if name else ""
    return f"You're booked: {service.label('en')}{for_whom}, {at}. See you then! Tell me any time if you need to change or cancel."


def rescheduled(start: datetime, timezone: str, language: Language) -> str:
    at = moment_text(start.astimezone(ZoneInfo(timezone)), language)
    return f"已改约到 {at}。" if language == "zh" else f"Done, your booking is moved to {at}."


def cancelled(language: Language) -> str:
    return (
        "已为您取消预约。期待下次见到您！"
        if language == "zh"
        else "Your booking is cancelled. Hope to see you another time!"
    )


def when_text(when: When, language: Language) -> str:
    """周六 11月21日 10:00 / Sat 21 Nov, morning: how a wanted time is said back."""
    day = day_text(when.date, language)
    if when.time is not None:
        return f"{day} {clock_text(when.time)}" if language == "zh" else f"{day}, {clock_text(when.time)}"
    if when.part is not None:
        return (
            f"{day}{part_text(when.part, language)}"
            if language == "zh"
            else f"{day}, {part_text(when.part, language)}"
        )
    return day


def _patient(pet: PetMention | None, shop_kind: ShopKind) -> str:
    if pet is not None and pet.species == "child":
        return "child"
    if pet is not None:
        return "pet"
    return {"pet": "pet", "baby": "child", "nails": "person"}[shop_kind]


def slot_taken(language: Language) -> str:
    """Said before new options when the time picked was booked by someone else meanwhile."""
    return "抱歉，刚才那个时间已经被约走了。" if language == "zh" else "Sorry, that time was just taken."


def no_booking(language: Language) -> str:
    if language == "zh":
        return "没有找到您接下来的预约。想新约一个的话，告诉我服务和时间就行。"
    return "I couldn't find an upcoming booking of yours. To make one, just tell me the service and time."


def which_booking(count: int, language: Language) -> str:
    if language == "zh":
        return f"您有 {count} 个预约，请告诉我是哪一天的那个？"
    return f"You have {count} bookings coming up. Which day's booking do you mean?"


def too_late_to_change(hours: int, language: Language) -> str:
    if language == "zh":
        return f"预约开始前 {hours} 小时内没法在线改约或取消，我已经请店里的同事帮您处理，请稍候。"
    return (
        f"Bookings can't be changed online within {hours} hours of the start. "
        "I've asked our staff to help; they'll reply shortly."
    )


def not_booked(language: Language) -> str:
    """The booking service refused or did not answer: a person takes over."""
    if language == "zh":
        return "抱歉，这次没能帮您约上，我已经请店里的同事帮您处理，请稍候。"
    return "Sorry, I couldn't complete that. I've asked our staff to help; they'll reply shortly."
