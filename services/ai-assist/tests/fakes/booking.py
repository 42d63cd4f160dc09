"""A booking service that answers as told and remembers the commands it was sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from frontdesk_ai_assist.adapters.booking import BookingUnavailable, CustomerBooking, Verdict
from frontdesk_contracts import Contract


@dataclass
class FakeBooking:
    free: list[datetime] = field(default_factory=list)
    bookings: list[CustomerBooking] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)  # taken in order; accepted when none left
    commands: list[Contract] = field(default_factory=list)
    down: bool = False
    probe: Callable[[], Awaitable[None]] | None = None  # run whenever a command is sent

    async def free_starts(self, shop_id: UUID, service_id: UUID, day: date) -> list[datetime]:
        if self.down:
            raise BookingUnavailable("down")
        return list(self.free)

    async def upcoming(self, shop_id: UUID, customer_id: UUID, now: datetime) -> list[CustomerBooking]:
        if self.down:
            raise BookingUnavailable("down")
        return [b for b in self.bookings if b.starts_at > now]

    async def command(self, shop_id: UUID, key: UUID, payload: Contract) -> Verdict:
        self.commands.append(payload)
        if self.probe is not None:
            await self.probe()
        return self.verdicts.pop(0) if self.verdicts else Verdict(True)

    def sent(self, kind: type) -> list:
        return [c for c in self.commands if isinstance(c, kind)]
