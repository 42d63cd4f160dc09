"""Loads and stores the booking aggregates in the event store: one stream per shop,
booking, waitlist entry and pet. Events are stored as JSON under a short type name.

An aggregate is read from the transaction's staged streams (a batch reads all of its
commands' streams in one round trip, and each command sees what the ones before it
appended) and its new events are staged there, written in one statement at commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from frontdesk_platform.eventstore import EventStore, NewEvent, RecordedEvent
from frontdesk_platform.unit_of_work import UnitOfWork
from pydantic import TypeAdapter

from ..domain import booking as b
from ..domain import booking_events as be
from ..domain import pets as p
from ..domain import shop as s
from ..domain import waitlist as w

EVENT_TYPES: dict[str, type[Any]] = {
    "shop.configured": s.ShopConfigured,
    "service.defined": s.ServiceDefined,
    "staff.profile_set": s.StaffProfileSet,
    "staff.time_off_added": s.TimeOffAdded,
    "staff.time_off_removed": s.TimeOffRemoved,
    "resource.defined": s.ResourceDefined,
    "booking.held": be.BookingHeld,
    "booking.confirmed": be.BookingConfirmed,
    "booking.expired": be.HoldExpiredEvent,
    "booking.cancelled": be.BookingCancelled,
    "booking.rescheduled": be.BookingRescheduled,
    "booking.change_proposed": be.ChangeProposed,
    "booking.change_accepted": be.ChangeAccepted,
    "booking.change_declined": be.ChangeDeclined,
    "booking.checked_in": be.CheckedIn,
    "booking.service_started": be.ServiceStarted,
    "booking.progress_posted": be.ProgressPosted,
    "booking.completed": be.Completed,
    "booking.no_show": be.MarkedNoShow,
    "booking.staff_note_added": be.StaffNoteAdded,
    "waitlist.joined": w.WaitlistJoined,
    "waitlist.offered": w.WaitlistOffered,
    "waitlist.booked": w.WaitlistBooked,
    "waitlist.offer_ended": w.OfferEnded,
    "waitlist.left": w.WaitlistLeft,
    "pet.registered": p.PetRegistered,
    "pet.updated": p.PetUpdated,
}
NAMES = {cls: name for name, cls in EVENT_TYPES.items()}
_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {cls: TypeAdapter(cls) for cls in EVENT_TYPES.values()}
STREAM_PREFIXES = {"shop": s.Shop, "booking": b.Booking, "waitlist": w.WaitlistEntry, "pet": p.Pet}


class Aggregate(Protocol):
    id: UUID
    version: int
    pending: list[Any]

    def apply(self, event: Any) -> None: ...


A = TypeVar("A", bound=Aggregate)


def to_new_event(event: object) -> NewEvent:
    return NewEvent(type=NAMES[type(event)], data=_ADAPTERS[type(event)].dump_python(event, mode="json"))


def from_recorded(recorded: RecordedEvent | NewEvent) -> Any:
    return _ADAPTERS[EVENT_TYPES[recorded.type]].validate_python(recorded.data)


def aggregate_id(stream_id: str) -> tuple[str, UUID]:
    prefix, _, raw = stream_id.partition("-")
    return prefix, UUID(raw)


class Repository(Generic[A]):
    """Streams named `<prefix>-<id>`; an aggregate with no events is new."""

    def __init__(self, store: EventStore, prefix: str, factory: Callable[[UUID], A]) -> None:
        self._store = store
        self._prefix = prefix
        self._factory = factory

    def stream_id(self, aggregate_id: UUID) -> str:
        return f"{self._prefix}-{aggregate_id}"

    async def get(self, uow: UnitOfWork, aggregate_id: UUID) -> A:
        aggregate = self._factory(aggregate_id)
        history = await (await uow.streams(self._store)).history(self.stream_id(aggregate_id))
        for recorded in history.events:  # no snapshots: these streams are short
            aggregate.apply(from_recorded(recorded))
        return aggregate

    async def save(self, uow: UnitOfWork, aggregate: A) -> list[Any]:
        """Stage the new events (optimistic concurrency on the stream's version: a stream
        another transaction moved on fails the commit)."""
        events, aggregate.pending = aggregate.pending, []
        if events:
            streams = await uow.streams(self._store)
            await streams.load([self.stream_id(aggregate.id)])  # made, not read (a waitlist offer)
            streams.stage(
                self.stream_id(aggregate.id),
                aggregate.version - len(events),
                [to_new_event(e) for e in events],
                None,
            )
        return events


class Repositories:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.shops: Repository[s.Shop] = Repository(store, "shop", s.Shop)
        self.bookings: Repository[b.Booking] = Repository(store, "booking", b.Booking)
        self.waitlist: Repository[w.WaitlistEntry] = Repository(store, "waitlist", w.WaitlistEntry)
        self.pets: Repository[p.Pet] = Repository(store, "pet", p.Pet)
