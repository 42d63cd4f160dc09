"""What the use cases are given: the database, a clock, the booking service, an optional
language model, the shops' contexts, and a way to wake the turn worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from frontdesk_contracts import Contract
from frontdesk_platform.unit_of_work import UnitOfWork

from ..adapters.booking import CustomerBooking, Verdict
from ..domain import FaqEntry, Language
from .shops import ShopContexts


class Booking(Protocol):
    async def free_starts(self, shop_id: UUID, service_id: UUID, day: date) -> list[datetime]: ...

    async def upcoming(self, shop_id: UUID, customer_id: UUID, now: datetime) -> list[CustomerBooking]: ...

    async def command(self, shop_id: UUID, key: UUID, payload: Contract) -> Verdict: ...


class Model(Protocol):
    async def answer(
        self, question: str, shop_name: str, facts: Sequence[FaqEntry], language: Language
    ) -> str | None: ...

    async def reword(self, question: str, answer: str, language: Language) -> str | None: ...


@dataclass(frozen=True)
class Dependencies:
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    booking: Booking
    model: Model | None = None
    shops: ShopContexts = field(default_factory=ShopContexts)
    wake: Callable[[], None] = lambda: None
    dialogue_memory: timedelta = timedelta(hours=6)
    max_attempts: int = 5
    claim_for: timedelta = timedelta(seconds=60)  # longer than any answer takes to work out
