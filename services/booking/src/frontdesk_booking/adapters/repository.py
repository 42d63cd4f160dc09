"""Loads and stores the booking aggregates in the event store: one stream per shop,
booking, waitlist entry and pet. Events are stored as JSON under a short type name, a
customer's personal text in them sealed under their key (docs/adr/0005).

An aggregate is read from the transaction's staged streams (a batch reads all of its
commands' streams in one round trip, and each command sees what the ones before it
appended) and its new events are staged there, written in one statement at commit."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from frontdesk_platform import shredding
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
# Personal text, sealed under the key of the booking's or pet's customer: what they wrote,
# what the shop wrote about them and their pet, the pet's profile (its species and birth
# date stay open: they name no one). The aggregates load them opened.
_PROFILE = tuple(("profile", name) for name in ("name", "breed", "allergies", "temperament", "notes"))
SEALED: dict[str, tuple[shredding.Path, ...]] = {
    "booking.held": (("customer_note",),),
    "booking.cancelled": (("reason",),),
    "booking.change_proposed": (("proposal", "note"),),
    "booking.progress_posted": (("text",),),
    "booking.staff_note_added": (("text",),),
    "pet.registered": _PROFILE,
    "pet.updated": _PROFILE,
}
SEALED_LISTS = (("profile", "allergies"),)
STREAM_PREFIXES = {"shop": s.Shop, "booking": b.Booking, "waitlist": w.WaitlistEntry, "pet": p.Pet}


class Aggregate(Protocol):
    id: UUID
    version: int
    pending: list[Any]

    def apply(self, event: Any) -> None: ...


A = TypeVar("A", bound=Aggregate)


def to_new_event(event: object, key: shredding.CustomerKey | None = None) -> NewEvent:
    return _stored(NAMES[type(event)], _ADAPTERS[type(event)].dump_python(event, mode="json"), key)


def _stored(name: str, data: dict[str, Any], key: shredding.CustomerKey | None) -> NewEvent:
    if key is not None and name in SEALED:
        data = shredding.seal_fields(data, SEALED[name], key)
    return NewEvent(type=name, data=data)


def from_recorded(recorded: RecordedEvent | NewEvent, keys: Mapping[UUID, bytes | None] | None = None) -> Any:
    """The event, its sealed text opened with `keys` ("" where the key was destroyed;
    events stored before sealing began are plaintext and read as they are)."""
    data = recorded.data
    if recorded.type in SEALED:
        data = shredding.open_fields(data, SEALED[recorded.type], keys or {}, SEALED_LISTS)
    return _ADAPTERS[EVENT_TYPES[recorded.type]].validate_python(data)


def from_stored_json(type_name: str, data: str, keys: Mapping[UUID, bytes | None]) -> Any:
    """`from_recorded` straight from the stored JSON text (a rebuild reads every event):
    pydantic parses the text itself, unless there is sealed text to open first."""
    cls = EVENT_TYPES[type_name]
    if type_name in SEALED and shredding.PREFIX in data:
        opened = shredding.open_fields(json.loads(data), SEALED[type_name], keys, SEALED_LISTS)
        return _ADAPTERS[cls].validate_python(opened)
    return _ADAPTERS[cls].validate_json(data)


def key_ids(recorded: Sequence[RecordedEvent | NewEvent]) -> set[UUID]:
    """The keys the stream's sealed values name."""
    found: set[UUID] = set()
    for event in recorded:
        if event.type in SEALED:
            found |= shredding.sealed_key_ids(event.data, SEALED[event.type])
    return found


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
        keys = await shredding.keys_by_id(uow.session, key_ids(history.events))
        for recorded in history.events:  # no snapshots: these streams are short
            aggregate.apply(from_recorded(recorded, keys))
        return aggregate

    async def save(self, uow: UnitOfWork, aggregate: A) -> list[Any]:
        """Stage the new events (optimistic concurrency on the stream's version: a stream
        another transaction moved on fails the commit)."""
        events, aggregate.pending = aggregate.pending, []
        if events:
            dumped = [(NAMES[type(e)], _ADAPTERS[type(e)].dump_python(e, mode="json")) for e in events]
            key = await self._key(uow, aggregate, dumped)
            streams = await uow.streams(self._store)
            await streams.load([self.stream_id(aggregate.id)])  # made, not read (a waitlist offer)
            streams.stage(
                self.stream_id(aggregate.id),
                aggregate.version - len(events),
                [_stored(name, data, key) for name, data in dumped],
                None,
            )
        return events

    async def _key(
        self, uow: UnitOfWork, aggregate: A, dumped: list[tuple[str, dict[str, Any]]]
    ) -> shredding.CustomerKey | None:
        """The customer's key when an event has personal text to seal: none for a shop's or
        a waitlist entry's events, nor for a booking held without a note (no key lookup)."""
        shop_id, customer_id = getattr(aggregate, "shop_id", None), getattr(aggregate, "customer_id", None)
        if shop_id is None or customer_id is None:
            return None
        if not any(name in SEALED and shredding.needs_sealing(data, SEALED[name]) for name, data in dumped):
            return None
        return await shredding.key_for(await uow.connection(), shop_id, customer_id)


class Repositories:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.shops: Repository[s.Shop] = Repository(store, "shop", s.Shop)
        self.bookings: Repository[b.Booking] = Repository(store, "booking", b.Booking)
        self.waitlist: Repository[w.WaitlistEntry] = Repository(store, "waitlist", w.WaitlistEntry)
        self.pets: Repository[p.Pet] = Repository(store, "pet", p.Pet)
