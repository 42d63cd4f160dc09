from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdesk_platform.unit_of_work import UnitOfWork

from ..domain.devices import PUSH_SERVICES


@dataclass(frozen=True)
class Dependencies:
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    default_language: str = "zh-CN"
    campaign_cap: timedelta = timedelta(days=7)  # at most one campaign per customer and shop
    push_services: tuple[str, ...] = PUSH_SERVICES  # the hosts Web Push endpoints may be on
    booking_link: str = "frontdesk://book"  # where a care notice's one tap goes (app or web)


async def drain(round_: Callable[[int], Awaitable[int]], batch: int) -> int:
    """Run rounds until one finds less than a full batch, so a backlog (a thousand
    reminders due at 18:00) is worked off at full speed rather than a batch per tick."""
    total = 0
    while True:
        done = await round_(batch)
        total += done
        if done < batch:
            return total
