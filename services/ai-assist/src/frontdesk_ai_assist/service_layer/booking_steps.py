"""Carrying out the booking decisions against the real booking service: free times to
propose, a hold confirmed at once when the customer picks one, moving or cancelling
the customer's own booking.

The assistant acts as staff (booking lets staff book for a customer), so it applies
the customer's own limits itself: no move or cancellation inside the shop's cutoff —
those go to a person. Stays (boarding) need a number of nights, which the rules do
not ask for: they go to a person too. Anything booking refuses or does not answer
hands off, except a time taken meanwhile, for which the nearest free ones are offered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from frontdesk_contracts import booking
from frontdesk_contracts.assistant import assistant_id_for

from ..adapters.booking import BookingUnavailable, CustomerBooking, Verdict
from ..domain import (
    Book,
    Cancel,
    ConfirmService,
    Dialogue,
    ProposeSlots,
    Reschedule,
    ServiceOffer,
    SlotOption,
    Understanding,
    Wanted,
    When,
    replies,
)
from ..domain.slot_choice import choose
from .deps import Dependencies
from .outcome import Outcome, Talk, handing_off

UNAVAILABLE = ("预约系统暂时没有响应", "the booking system did not answer")
STAY = ("寄养需要确认入住天数", "a stay needs its number of nights")


async def propose(deps: Dependencies, talk: Talk, u: Understanding, step: ProposeSlots) -> Outcome:
    shop, wanted = talk.shop, step.wanted
    service = step.service
    if step.purpose == "reschedule":
        found = await _the_booking(deps, talk, u, wanted, step.service, None, "reschedule")
        if isinstance(found, Outcome):
            return found
        service = shop.context.service(str(found.service_id))
    if service is None:
        return Outcome("ask", replies.ask_service(shop.context, u.language), Dialogue(wanted))
    if service.id in shop.nightly:
        return handing_off(u, wanted, STAY, "stay", replies.handoff(u.language))
    try:
        free = await deps.booking.free_starts(shop.shop_id, UUID(service.id), step.when.date)
    except BookingUnavailable:
        return handing_off(u, wanted, UNAVAILABLE, "unavailable")
    starts = [s for s in choose(free, step.when, shop.timezone) if s > talk.now]
    if not starts:
        return Outcome("no_slots", replies.no_slots(step.when, service, u.language), Dialogue(wanted))
    return _offer(starts, service, shop.timezone, wanted, u, "proposed")


async def book(deps: Dependencies, talk: Talk, u: Understanding, step: Book, dialogue: Dialogue) -> Outcome:
    shop = talk.shop
    services = shop.context.services
    service = step.service or (services[0] if len(services) == 1 else None)
    if service is None:
        return Outcome("ask", replies.ask_service(shop.context, u.language), Dialogue(dialogue.wanted))
    booking_id = uuid5(talk.conversation_id, f"assistant:{talk.seq}:booking")
    pet_id = UUID(step.pet.known.id) if step.pet and step.pet.known else None
    hold = booking.HoldBooking(
        booking_id=booking_id,
        shop_id=shop.shop_id,
        customer_id=talk.customer_id,
        service_id=UUID(service.id),
        starts_at=step.option.start,
        pet_id=pet_id,
        actor=actor(talk),
    )
    verdict = await deps.booking.command(shop.shop_id, booking_id, hold)
    if verdict.accepted:
        confirm = booking.ConfirmBooking(booking_id=booking_id, actor=actor(talk))
        verdict = await deps.booking.command(shop.shop_id, booking_id, confirm)
    if not verdict.accepted:
        return _refused(verdict, service, shop.timezone, u, dialogue.wanted)
    text = replies.booking_confirmed(step.option.start, service, step.pet, shop.timezone, u.language)
    return Outcome("booked", text, Dialogue())


def confirm_service(talk: Talk, u: Understanding, step: ConfirmService) -> Outcome:
    """Name the service and the time back before holding anything ("美容 Grooming，周五
    11月20日 14:00，可以吗？"): the customer's words could also have meant another service.
    That time is the one option left, so a yes books it and another service's name asks
    again for that one."""
    service = step.wanted.service
    assert service is not None  # decide asks only about a service that was named
    text = replies.confirm_service(step.option.start, service, talk.shop.timezone, u.language)
    return Outcome("ask_confirmation", text, Dialogue(step.wanted, (step.option,)))


async def reschedule(
    deps: Dependencies, talk: Talk, u: Understanding, step: Reschedule, dialogue: Dialogue
) -> Outcome:
    found = await _the_booking(deps, talk, u, dialogue.wanted, None, None, "reschedule")
    if isinstance(found, Outcome):
        return found
    late = _too_late(talk, u, dialogue.wanted, found, "reschedule")
    if late is not None:
        return late
    move = booking.RescheduleBooking(
        booking_id=found.booking_id, actor=actor(talk), starts_at=step.option.start
    )
    verdict = await deps.booking.command(talk.shop.shop_id, found.booking_id, move)
    if not verdict.accepted:
        service = talk.shop.context.service(str(found.service_id))
        return _refused(verdict, service, talk.shop.timezone, u, dialogue.wanted)
    return Outcome(
        "rescheduled", replies.rescheduled(step.option.start, talk.shop.timezone, u.language), Dialogue()
    )


async def cancel(deps: Dependencies, talk: Talk, u: Understanding, step: Cancel) -> Outcome:
    found = await _the_booking(deps, talk, u, None, step.service, step.when, "cancel")
    if isinstance(found, Outcome):
        return found
    if found.status == "confirmed":
        late = _too_late(talk, u, None, found, "cancel")
        if late is not None:
            return late
    command = booking.CancelBooking(
        booking_id=found.booking_id, actor=actor(talk), reason="asked the assistant"
    )
    verdict = await deps.booking.command(talk.shop.shop_id, found.booking_id, command)
    if not verdict.accepted:
        return handing_off(
            u, None, (f"取消未成功（{verdict.code}）", f"not cancelled ({verdict.code})"), "refused"
        )
    return Outcome("cancelled", replies.cancelled(u.language), Dialogue())


def actor(talk: Talk) -> booking.Actor:
    return booking.Actor(user_id=assistant_id_for(talk.shop.shop_id), role="staff", shop_id=talk.shop.shop_id)


async def _the_booking(
    deps: Dependencies,
    talk: Talk,
    u: Understanding,
    wanted: Wanted | None,
    service: ServiceOffer | None,
    when: When | None,
    purpose: Literal["reschedule", "cancel"],
) -> CustomerBooking | Outcome:
    """The customer's one upcoming booking meant (of that service, on that day, if said)."""
    try:
        upcoming = await deps.booking.upcoming(talk.shop.shop_id, talk.customer_id, talk.now)
    except BookingUnavailable:
        return handing_off(u, wanted, UNAVAILABLE, "unavailable")
    zone = ZoneInfo(talk.shop.timezone)
    meant = [
        b
        for b in upcoming
        if (service is None or str(b.service_id) == service.id)
        and (when is None or b.starts_at.astimezone(zone).date() == when.date)
    ]
    if not meant:
        return Outcome("no_booking", replies.no_booking(u.language), Dialogue())
    if len(meant) > 1:
        if purpose == "cancel":
            return Outcome("which_booking", replies.which_booking(len(meant), u.language), Dialogue())
        problem = (
            f"顾客有 {len(meant)} 个预约，不确定改哪一个",
            f"{len(meant)} bookings, unclear which to move",
        )
        return handing_off(u, wanted, problem, "unsure", replies.handoff(u.language))
    return meant[0]


def _too_late(
    talk: Talk, u: Understanding, wanted: Wanted | None, found: CustomerBooking, kind: str
) -> Outcome | None:
    cutoff = talk.shop.cutoff(kind)
    if found.starts_at - talk.now >= cutoff:
        return None
    hours = int(cutoff.total_seconds() // 3600)
    problem = (f"距开始不足 {hours} 小时，需店里决定", f"within {hours} h of the start: the shop decides")
    return handing_off(u, wanted, problem, "too_late", replies.too_late_to_change(hours, u.language))


def _refused(
    verdict: Verdict, service: ServiceOffer | None, timezone: str, u: Understanding, wanted: Wanted | None
) -> Outcome:
    if verdict.code in ("slot_taken", "not_bookable") and verdict.alternatives and service is not None:
        starts = sorted(set(verdict.alternatives))[: replies.MAX_OPTIONS]
        offered = _offer(starts, service, timezone, wanted, u, "slot_taken")
        return Outcome(offered.kind, replies.slot_taken(u.language) + "\n" + offered.text, offered.dialogue)
    problem = (f"预约服务拒绝了（{verdict.code}）", f"booking refused it ({verdict.code})")
    return handing_off(u, wanted, problem, "refused")


def _offer(
    starts: list[datetime],
    service: ServiceOffer,
    timezone: str,
    wanted: Wanted | None,
    u: Understanding,
    kind: str,
) -> Outcome:
    text = replies.slot_proposal(starts, service, timezone, u.language)
    return Outcome(kind, text, Dialogue(wanted, tuple(SlotOption(s) for s in starts)))
