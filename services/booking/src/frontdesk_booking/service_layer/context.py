"""What a use case works with: the transaction, the repositories and the clock; and how
it stores an aggregate (events + read model + contract events). The pipeline answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from frontdesk_contracts import Contract, Envelope
from frontdesk_platform.observability import current_traceparent
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import Repositories
from ..domain.booking import Booking
from ..domain.common import Refused
from ..domain.pets import Pet
from ..domain.placement import Placement
from ..domain.shop import Shop
from ..domain.waitlist import WaitlistEntry
from ..projections import bookings as booking_rows
from ..projections import calendar, catalog
from ..projections import customers as customer_rows
from . import allocation_view, translate

SOURCE = "frontdesk.booking"


@dataclass(frozen=True)
class Dependencies:
    repositories: Repositories
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    waitlist_hold: timedelta | None = None  # tests: offers last this long, not the shop's minutes


Answer = dict[str, Any]  # what an accepted command's reply carries besides its ids
DUPLICATE: Answer = {"duplicate": True}


def showing(booking: Booking, answer: Answer | None = None) -> Answer | None:
    """The answer with the booking's view, when it can be told without a read: the sender
    answers its caller from the verdict instead of reading the booking back."""
    found = booking_rows.view(booking)
    return answer if found is None else {**(answer or {}), "booking": found}


class Rejected(Refused):
    """A refusal that offers other slots (slot_taken, not_bookable)."""

    def __init__(
        self, code: str, message: str, alternatives: Sequence[Placement] = (), before_writing: bool = False
    ) -> None:
        super().__init__(
            code, message, details={"alternatives": list(alternatives)}, before_writing=before_writing
        )
        self.alternatives = list(alternatives)


class Context:
    def __init__(self, deps: Dependencies, uow: UnitOfWork, cause: Envelope | None, now: datetime) -> None:
        self.repositories = deps.repositories
        self.waitlist_hold = deps.waitlist_hold
        self.uow = uow
        self.cause = cause
        self.now = now

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    @property
    def allocations(self) -> allocation_view.AllocationView:
        """The batch's allocations (what it read of the table, and its changes to it)."""
        return allocation_view.of(self.uow)

    async def db(self) -> asyncpg.Connection:
        """The transaction's own asyncpg connection (statements on the hot path), after the
        placements the batch held back (so a statement sees every allocation)."""
        return await self.allocations.db()

    async def shop(self, shop_id: UUID) -> Shop:
        """The shop's setup (read-only), read once per batch of commands: a batch is one
        shop's commands, and a setup change in it is read again by the commands after it."""
        key = f"booking.shop:{shop_id}"
        found: Shop | None = self.uow.memo.get(key)
        if found is None:
            found = self.uow.memo[key] = await catalog.load_shop(self.session, shop_id)
        return found

    async def save_shop(self, shop: Shop) -> None:
        events = await self.repositories.shops.save(self.uow, shop)
        if events:
            self.uow.memo.pop(f"booking.shop:{shop.id}", None)
            await catalog.project(self.session, shop)
            await calendar.project_time_off(self.session, shop, events)
        for n, event in enumerate(events):
            self._publish(shop.id, shop.id, shop.version - len(events) + n + 1, *translate.shop_event(event))

    async def save_booking(self, booking: Booking) -> None:
        events = await self.repositories.bookings.save(self.uow, booking)
        if events:
            # staged: sent with the batch's other read-model writes before the commit
            self.uow.writes.add(*booking_rows.writes(booking, events), calendar.booking_write(booking))
        for n, event in enumerate(events):
            assert booking.shop_id
            version = booking.version - len(events) + n + 1
            self._publish(booking.shop_id, booking.id, version, *translate.booking_event(event, booking))

    async def save_entry(self, entry: WaitlistEntry) -> None:
        events = await self.repositories.waitlist.save(self.uow, entry)
        if events:
            await customer_rows.project_entry(self.session, entry)
        for n, event in enumerate(events):
            assert entry.shop_id
            version = entry.version - len(events) + n + 1
            self._publish(entry.shop_id, entry.id, version, *translate.waitlist_event(event, entry))

    async def save_pet(self, pet: Pet) -> None:
        events = await self.repositories.pets.save(self.uow, pet)
        if events:
            await customer_rows.project_pet(self.session, pet)
        for n, event in enumerate(events):
            assert pet.shop_id
            self._publish(
                pet.shop_id, pet.id, pet.version - len(events) + n + 1, *translate.pet_event(event, pet)
            )

    def _publish(self, shop_id: UUID, aggregate_id: UUID, version: int, name: str, payload: Contract) -> None:
        fields = {
            "type": name,
            "source": SOURCE,
            "tenant_id": shop_id,
            "aggregate_id": str(aggregate_id),
            "aggregate_version": version,
            "data": payload.model_dump(mode="json"),
        }
        if self.cause is not None:
            envelope = self.cause.caused(
                traceparent=current_traceparent() or self.cause.traceparent, **fields
            )
        else:
            envelope = Envelope(traceparent=current_traceparent(), **fields)
        self.uow.publish(envelope)
