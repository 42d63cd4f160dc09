"""Booking's `rebuild-projections` speed, and whether what it writes is what the live
handlers wrote. Used by bench/rebuild.py (`--service booking`).

Every event is decided by the booking domain's own aggregates, as the handlers would:
shops set up (timezone and policy, a catalog, five groomers with their weekly hours, bath
stations, time off added and withdrawn), customers who register a pet (some update it),
and bookings held and confirmed that are then checked in, started, reported on with a
photo and completed, or moved, cancelled, let expire, not shown up for, or changed by the
shop (accepted or declined); some with a note from the customer or the staff, some of
several services, some waited for (a waitlist entry offered the freed time). Personal
text is sealed under each customer's key, as stored live.

The live rows are what each save's projection writes (the staged booking writes of every
command, sent in the handlers' order; shops, pets and waitlist entries as last saved): a
second computation from the aggregates as decided, not from the replay. Each read-model
table is compared as a row count and a checksum of its rows.
"""

from __future__ import annotations

import random
import time as clock
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from frontdesk_booking.adapters.repository import to_new_event
from frontdesk_booking.bootstrap import MIGRATIONS
from frontdesk_booking.config import Settings
from frontdesk_booking.domain.booking import Booking
from frontdesk_booking.domain.chain import Part
from frontdesk_booking.domain.common import Actor
from frontdesk_booking.domain.pets import Pet, Profile
from frontdesk_booking.domain.placement import Placement
from frontdesk_booking.domain.services import Service, WeeklyPeriod
from frontdesk_booking.domain.shop import Policy, Resource, Shop, StaffProfile, TimeOff
from frontdesk_booking.domain.waitlist import Offer, WaitlistEntry, Wish
from frontdesk_booking.projections import bookings as booking_rows
from frontdesk_booking.projections import calendar, catalog, customers
from frontdesk_booking.projections.rebuild import TABLES, rebuild
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.row_writes import WritePage
from frontdesk_platform.shredding import CustomerKey
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from stored_events import store_events

ZONE = "Asia/Shanghai"  # UTC+8 all year: 09:00 there is 01:00 UTC
NOTES = ["住在幸福路8号, 请按门铃", "它怕吹风机, 请轻一点", "", "", ""]
PROGRESS = ["已经开始洗澡了", "正在吹毛, 很乖", "剪好指甲了"]
STAFF_NOTES = ["上次掉毛严重", "对鸡肉过敏, 零食别给", "很配合"]


@dataclass
class Setup:
    shop: Shop
    owner: Actor
    bath: Service
    nails: Service
    staff: list[StaffProfile]
    stations: tuple[uuid.UUID, ...]
    customers: list[tuple[Actor, uuid.UUID]] = field(default_factory=list)  # (customer, their pet)


class BusyShops:
    """The aggregates, their events in the order recorded, and the live writes of each save."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[tuple[datetime, int, str, int, Any, CustomerKey | None]] = []
        self.versions: dict[str, int] = {}
        self.keys: dict[uuid.UUID, CustomerKey] = {}  # by customer
        self.shop_of: dict[uuid.UUID, uuid.UUID] = {}  # a customer's shop
        self.shop_events: dict[uuid.UUID, list[Any]] = {}
        self.shops: list[Setup] = []
        self.pets: list[Pet] = []
        self.entries: list[WaitlistEntry] = []
        self.live = WritePage()

    def save(self, prefix: str, aggregate: Any, customer: uuid.UUID | None = None) -> None:
        stream = f"{prefix}-{aggregate.id}"
        key = self.keys[customer] if customer else None
        if isinstance(aggregate, Shop):
            self.shop_events.setdefault(aggregate.id, []).extend(aggregate.pending)
        for event in aggregate.pending:
            self.versions[stream] = self.versions.get(stream, 0) + 1
            self.events.append((event.at, len(self.events), stream, self.versions[stream], event, key))
        if isinstance(aggregate, Booking) and aggregate.pending:
            self.live.add(
                [*booking_rows.writes(aggregate, aggregate.pending), calendar.booking_write(aggregate)]
            )
        aggregate.pending = []

    def in_order(self) -> Iterator[tuple[str, int, Any, CustomerKey | None]]:
        for _, _, stream, version, event, key in sorted(self.events, key=lambda e: (e[0], e[1])):
            yield stream, version, event, key


def history(bookings: int, shops: int = 20, seed: int = 7) -> BusyShops:
    rng = random.Random(seed)
    busy = BusyShops(rng)
    at = datetime(2026, 3, 2, 1, tzinfo=UTC)
    busy.shops = [_set_up(busy, at) for _ in range(shops)]
    for _ in range(bookings // 3):  # a customer books about three times
        at += timedelta(seconds=rng.randint(1, 30))
        _new_customer(busy, rng.choice(busy.shops), at)
    for _ in range(bookings):
        at += timedelta(seconds=rng.randint(5, 90))
        setup = rng.choice(busy.shops)
        _book(busy, setup, *rng.choice(setup.customers), at)
    return busy


def _set_up(busy: BusyShops, at: datetime) -> Setup:
    shop = Shop(uuid.uuid4())
    owner = Actor(uuid.uuid4(), "owner", shop.id)
    shop.configure(owner, ZONE, Policy(max_days_ahead=60), at)
    bath = Service(uuid.uuid4(), "洗澡", 60, 15, 12000, skill="groom", resource_types=("bath",))
    nails = Service(uuid.uuid4(), "剪指甲", 30, 0, 4000, skill="groom")
    for service in (bath, nails):
        shop.define_service(owner, service, at)
    station = Resource(uuid.uuid4(), "洗澡台", "bath", capacity=3)
    shop.define_resource(owner, station, at)
    weekdays = tuple(WeeklyPeriod(d, time(9), time(18)) for d in range(6))
    staff = [StaffProfile(uuid.uuid4(), f"美容师 {n}", ("groom",), weekdays) for n in range(5)]
    for profile in staff:
        shop.set_staff_profile(owner, profile, at)
    for n in range(6):
        off = TimeOff(uuid.uuid4(), at + timedelta(days=3 + n), at + timedelta(days=3 + n, hours=4), "病假")
        groomer = busy.rng.choice(staff).staff_id
        shop.add_time_off(owner, groomer, off, at + timedelta(minutes=2 * n))
        if n % 3 == 0:  # withdrawn
            shop.remove_time_off(owner, groomer, off.id, at + timedelta(minutes=2 * n + 1))
    busy.save("shop", shop)
    return Setup(shop, owner, bath, nails, staff, station.units)


def _new_customer(busy: BusyShops, setup: Setup, at: datetime) -> None:
    customer = Actor(uuid.uuid4(), "customer", setup.shop.id)
    busy.keys[customer.user_id] = CustomerKey(uuid.uuid4(), AESGCM.generate_key(bit_length=256))
    busy.shop_of[customer.user_id] = setup.shop.id
    pet = Pet(uuid.uuid4())
    profile = Profile("pet", "Mochi", "dog", "柯基", allergies=("鸡肉",), temperament="怕吹风机")
    pet.register(customer, customer.user_id, profile, at)
    if busy.rng.random() < 0.3:
        pet.update(
            customer, Profile("pet", "Mochi", "dog", "柯基", notes="刚做完绝育"), at + timedelta(hours=2)
        )
    busy.save("pet", pet, customer.user_id)
    busy.pets.append(pet)
    setup.customers.append((customer, pet.id))


def _placement(
    busy: BusyShops, setup: Setup, service: Service, now: datetime, after: datetime | None = None
) -> Placement:
    day = (after or now).replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(
        days=busy.rng.randint(2, 20)
    )
    starts = day + timedelta(minutes=15 * busy.rng.randint(0, 28))
    ends = starts + service.duration
    units = (busy.rng.choice(setup.stations),) if service.resource_types else ()
    return Placement(starts, ends, ends + service.buffer, busy.rng.choice(setup.staff).staff_id, units)


def _book(busy: BusyShops, setup: Setup, customer: Actor, pet: uuid.UUID, now: datetime) -> None:
    """One booking's life, saved after each step as a handler would."""
    rng, policy = busy.rng, setup.shop.policy
    groomer = Actor(rng.choice(setup.staff).staff_id, "staff", setup.shop.id)
    booking = Booking(uuid.uuid4())

    def saved() -> None:
        busy.save("booking", booking, customer.user_id)

    placement, parts = _placement(busy, setup, setup.bath, now), ()
    if rng.random() < 0.05:  # bath, then the nails, by the same groomer
        starts = placement.occupied_until
        nails = Placement(
            starts, starts + setup.nails.duration, starts + setup.nails.duration, placement.staff_id
        )
        parts = (Part(setup.bath.id, placement, 12000), Part(setup.nails.id, nails, 4000))
        placement = Placement(
            placement.starts_at,
            nails.ends_at,
            nails.occupied_until,
            placement.staff_id,
            placement.resource_units,
        )
    note = rng.choice(NOTES)
    booking.hold(
        customer,
        customer.user_id,
        pet,
        setup.bath.id,
        placement,
        policy,
        now,
        None,
        16000 if parts else 12000,
        None,
        parts,
        note,
    )
    saved()
    fate = rng.random()
    if fate < 0.08:
        booking.expire_if_due(booking.hold_expires_at or now)
        return saved()
    booking.confirm(customer, now + timedelta(minutes=2))
    saved()
    if fate < 0.18:
        booking.cancel(customer, "临时有事", policy, now + timedelta(hours=3))
        saved()
        if rng.random() < 0.5:
            _waited_for(busy, setup, booking, now + timedelta(hours=3))
        return None
    if fate < 0.28 and not parts:
        moved = _placement(busy, setup, setup.bath, now, after=placement.starts_at)
        booking.reschedule(customer, moved, policy, now + timedelta(hours=5), 12000)
        saved()
    elif fate < 0.33 and not parts:
        proposed = _placement(busy, setup, setup.bath, now)
        keep = fate < 0.31
        booking.propose_change(
            setup.owner, proposed, "那天美容师请假, 换个时间可以吗", keep, now + timedelta(hours=6)
        )
        saved()
        if keep:
            booking.accept_change(customer, now + timedelta(hours=8))
        else:
            booking.decline_change(customer, now + timedelta(hours=8))
        saved()
    if rng.random() < 0.2:
        booking.add_staff_note(groomer, uuid.uuid4(), rng.choice(STAFF_NOTES), now + timedelta(hours=9))
        saved()
    if booking.status == "cancelled":
        return None
    assert booking.placement is not None
    starts = booking.placement.starts_at
    if fate > 0.95:
        booking.mark_no_show(groomer, starts + timedelta(minutes=30))
        return saved()
    booking.check_in(groomer, policy, starts - timedelta(minutes=10))
    saved()
    booking.start_service(groomer, policy, starts)
    saved()
    for n in range(rng.randint(1, 2)):
        photo = f"s3://photos/{booking.id}/{n}.jpg" if n else None
        booking.post_progress(
            groomer, uuid.uuid4(), rng.choice(PROGRESS), photo, starts + timedelta(minutes=20 + n)
        )
        saved()
    booking.complete(groomer, policy, booking.placement.ends_at)
    return saved()


def _waited_for(busy: BusyShops, setup: Setup, freed: Booking, now: datetime) -> None:
    """A customer who waited for that time is offered it, and confirms or lets it run out."""
    assert freed.placement is not None
    customer, pet = busy.rng.choice(setup.customers)
    entry = WaitlistEntry(uuid.uuid4())
    place = freed.placement
    wish = Wish(setup.bath.id, place.starts_at, place.occupied_until, place.staff_id, pet)
    entry.join(customer, customer.user_id, wish, now - timedelta(hours=1))
    busy.save("waitlist", entry)
    offer = Booking(uuid.uuid5(entry.id, "offer"))
    hold_for = timedelta(minutes=setup.shop.policy.waitlist_hold_minutes)
    offer.hold(
        customer,
        customer.user_id,
        pet,
        setup.bath.id,
        place,
        setup.shop.policy,
        now,
        "waitlist",
        12000,
        hold_for,
    )
    entry.offer(offer.id, Offer(place.starts_at, now + hold_for, setup.bath.name, ZONE), now)
    busy.save("booking", offer, customer.user_id)
    busy.save("waitlist", entry)
    if busy.rng.random() < 0.7:
        offer.confirm(customer, now + timedelta(minutes=5))
        entry.book(offer.id, now + timedelta(minutes=5))
    else:
        offer.expire_if_due(now + hold_for)
        entry.end_offer(offer.id, "expired", now + hold_for)
    busy.save("booking", offer, customer.user_id)
    busy.save("waitlist", entry)
    busy.entries.append(entry)


async def fill(dsn: str, busy: BusyShops) -> int:
    """The events, sealed as stored live, and the customers' keys."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "customer_keys",
            records=[(k.key_id, busy.shop_of[c], c, k.key) for c, k in busy.keys.items()],
            columns=("key_id", "shop_id", "customer_id", "key"),
        )
        events = (
            (stream, version, to_new_event(event, key)) for stream, version, event, key in busy.in_order()
        )
        return await store_events(conn, events)
    finally:
        await conn.close()


async def write_live(session: AsyncSession, busy: BusyShops) -> None:
    await catalog.project_shops(session, [s.shop for s in busy.shops])
    for setup in busy.shops:
        await calendar.project_time_off(session, setup.shop, busy.shop_events[setup.shop.id])
    await busy.live.flush(session)
    await customers.project_pets(session, busy.pets)
    await customers.project_entries(session, busy.entries)


async def checksums(conn: asyncpg.Connection) -> dict[str, tuple[int, str]]:
    """Each table's row count and the md5 of its rows (a calendar row's place in commit
    order left out: it is new after a rebuild)."""
    found = {}
    for table in sorted(TABLES):
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
            "AND column_name NOT IN ('changed_xid', 'changed_id') ORDER BY ordinal_position",
            table,
        )
        listed = ", ".join(c["column_name"] for c in columns)
        row = await conn.fetchrow(
            f"SELECT count(*) AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS sum "
            f"FROM (SELECT ROW({listed})::text AS r FROM {table}) rows"
        )
        found[table] = (row["n"], row["sum"])
    return found


async def run(bookings: int, page: int) -> dict[str, Any]:
    settings = Settings(database_name=f"bench_rebuild_{uuid.uuid4().hex[:10]}", log_json=False)
    await migrate(settings, MIGRATIONS)
    admin = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
    engine = create_engine(settings)
    sessions = session_factory(engine)
    try:
        busy = history(bookings)
        events = await fill(settings.asyncpg_dsn(), busy)
        started, cpu = clock.perf_counter(), clock.process_time()
        async with sessions() as session, session.begin():
            replayed = await rebuild(session, EventStore(), batch=page)
        elapsed, cpu = clock.perf_counter() - started, clock.process_time() - cpu
        conn = await asyncpg.connect(settings.asyncpg_dsn())
        try:
            rebuilt = await checksums(conn)
            async with sessions() as session, session.begin():
                await session.execute(text(f"TRUNCATE {', '.join(TABLES)}"))
                await write_live(session, busy)
            live = await checksums(conn)
        finally:
            await conn.close()
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE "{settings.database_name}" WITH (FORCE)')
        await admin.close()
    assert replayed == events, (replayed, events)
    assert rebuilt == live, {t: (rebuilt[t], live[t]) for t in TABLES if rebuilt[t] != live[t]}
    return {
        "events": events,
        "bookings": sum(1 for s in busy.versions if s.startswith("booking-")),
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed),
        "rebuild_process_cpu_s": round(cpu, 2),
        "rows": {table: n for table, (n, _) in rebuilt.items()},
        "rebuilt_equals_live": True,
    }
