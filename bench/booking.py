"""Booking benchmark: confirmations per second under contention, and slot-search latency,
for a shop with 10 staff, 20 bath stations and 10,000 existing bookings.

Starts its own booking and gateway processes (own databases, own topic namespace), sets
the shop up through the REST API, fills the existing bookings straight into booking's
database (events, read model and allocations, exactly as the handlers write them, in
bulk), then measures through the gateway:
- slot search: sequential GET /v1/shops/{shop}/slots for one day and for seven days;
- contention: `--clients` customers at once, each holding and confirming free times of
  one week, taking the first alternative when a time was just taken, until `--holds`
  holds were tried. Every 201 hold is confirmed; at the end no staff member or station
  may be booked twice (checked in SQL).
Prints a table (with CPU per command of booking, the gateway, Kafka and PostgreSQL (from /proc)
and this client over the contention run) and a `RESULT {json}` line; exits 1 on a double booking. `--profile` runs py-spy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import httpx
from frontdesk_booking.adapters.repository import to_new_event
from frontdesk_booking.domain.booking import Booking
from frontdesk_booking.domain.common import Actor
from frontdesk_booking.domain.placement import Placement
from frontdesk_booking.domain.shop import Policy
from frontdesk_local.system import System
from messaging_path import drop_run

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / ".local" / "bench-logs"
KAFKA = "127.0.0.1:19092"
PASSWORD = "bench-password-1"
ZONE = ZoneInfo("Asia/Shanghai")
OPEN, CLOSE = 9, 19  # every day, every groomer
DURATION, BUFFER = timedelta(minutes=60), timedelta(minutes=15)
IDLE_SECONDS = 5.0


@dataclass
class Shop:
    http: httpx.AsyncClient
    shop_id: str
    owner: dict[str, str]
    service_id: str
    staff: list[str]
    stations: list[str] = field(default_factory=list)


async def _ok(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, path, **kwargs)
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return response.json()


async def set_up(http: httpx.AsyncClient, staff_count: int, stations: int) -> Shop:
    login = f"owner-{secrets.token_hex(4)}@bench.test"
    body = {"name": "Bench Paws", "owner": {"login": login, "name": "Owner", "password": PASSWORD}}
    owner = await _ok(http, "POST", "/v1/shops", json=body)
    auth = {"authorization": f"Bearer {owner['access_token']}"}
    base = f"/v1/shops/{owner['shop_id']}"
    policy = {"timezone": ZONE.key, "max_days_ahead": 400, "hold_minutes": 10}
    await _ok(http, "PUT", f"{base}/booking-policy", json=policy, headers=auth)
    service_id = str(uuid.uuid4())
    service = {
        "name": "Bath",
        "duration_minutes": 60,
        "buffer_minutes": 15,
        "skill": "groom",
        "resource_types": ["bath"],
    }
    await _ok(http, "PUT", f"{base}/services/{service_id}", json=service, headers=auth)
    shop = Shop(http, owner["shop_id"], auth, service_id, [])
    for n in range(stations):
        resource_id = str(uuid.uuid4())
        station = {"name": f"Station {n:02d}", "type": "bath", "capacity": 1}
        await _ok(http, "PUT", f"{base}/resources/{resource_id}", json=station, headers=auth)
        shop.stations.append(resource_id)
    week = [{"weekday": d, "start": f"{OPEN:02d}:00", "end": f"{CLOSE}:00"} for d in range(7)]
    for n in range(staff_count):
        account = {
            "login": f"staff{n}-{secrets.token_hex(3)}@bench.test",
            "name": f"G{n}",
            "password": PASSWORD,
        }
        created = await _ok(http, "POST", f"{base}/staff", json=account, headers=auth)
        profile = {"name": f"Groomer {n:02d}", "skills": ["groom"], "hours": week}
        await _ok(http, "PUT", f"{base}/staff/{created['staff_id']}/profile", json=profile, headers=auth)
        shop.staff.append(created["staff_id"])
    return shop


async def fill(dsn: str, shop: Shop, count: int, first_day: date, days: int) -> None:
    """Existing bookings, written the way the handlers write them, in bulk."""
    from frontdesk_booking.domain.shop import Resource

    units = [Resource(uuid.UUID(r), "", "bath").units[0] for r in shop.stations]
    per_day = (CLOSE - OPEN) * 60 // 75
    positions = [(d, s, k) for d in range(days) for s in range(len(shop.staff)) for k in range(per_day)]
    chosen = random.Random(7).sample(positions, count)
    shop_id = uuid.UUID(shop.shop_id)
    now = datetime.now(UTC)
    events, allocations, rows = [], [], []
    for day, s, k in chosen:
        local_day = first_day + timedelta(days=day)
        start = datetime.combine(local_day, wall_time(OPEN), ZONE) + k * (DURATION + BUFFER)
        start = start.astimezone(UTC)
        placement = Placement(
            start, start + DURATION, start + DURATION + BUFFER, uuid.UUID(shop.staff[s]), (units[s],)
        )
        customer = uuid.uuid4()
        actor = Actor(customer, "customer", shop_id)
        booking = Booking(uuid.uuid4())
        booking.hold(
            actor, customer, None, uuid.UUID(shop.service_id), placement, Policy(max_days_ahead=400), now
        )
        booking.confirm(actor, now)
        for version, event in enumerate(booking.pending, start=1):
            new = to_new_event(event)
            events.append((f"booking-{booking.id}", version, uuid.uuid4(), new.type, json.dumps(new.data)))
        for key in placement.keys:
            allocations.append((booking.id, shop_id, key, "current", (start, placement.occupied_until)))
        rows.append(
            (
                booking.id,
                shop_id,
                customer,
                uuid.UUID(shop.service_id),
                placement.staff_id,
                list(placement.resource_units),
                start,
                placement.ends_at,
                "confirmed",
                "customer",
                now,
                now,
                booking.version,
            )
        )
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO events (stream_id, version, event_id, type, data) "
                "VALUES ($1, $2, $3, $4, $5::jsonb)",
                events,
            )
            await conn.executemany(
                "INSERT INTO allocations (booking_id, shop_id, key, kind, during) "
                "VALUES ($1, $2, $3, $4, tstzrange($5::timestamptz, $6::timestamptz))",
                [(b, s, k, kind, lo, hi) for b, s, k, kind, (lo, hi) in allocations],
            )
            await conn.executemany(
                "INSERT INTO bookings (id, shop_id, customer_id, service_id, staff_id, resource_units, "
                "starts_at, ends_at, status, source, created_at, updated_at, version) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                rows,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def slot_search(shop: Shop, first_day: date, days: int, repeats: int) -> dict[str, float]:
    latencies: list[float] = []
    found = 0
    for n in range(repeats):
        day = first_day + timedelta(days=n % 60)
        params = {
            "service_id": shop.service_id,
            "from_date": day.isoformat(),
            "to_date": (day + timedelta(days=days - 1)).isoformat(),
            "limit": 500,
        }
        started = time.perf_counter()
        page = await _ok(
            shop.http, "GET", f"/v1/shops/{shop.shop_id}/slots", params=params, headers=shop.owner
        )
        latencies.append((time.perf_counter() - started) * 1000)
        found += len(page["slots"])
    return {
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_slots": round(found / repeats, 1),
    }


async def contention(
    shop: Shop, clients: int, holds: int, day: date, system: System, profile: int = 0
) -> dict[str, Any]:
    """`clients` customers hold and confirm free times of one week at once."""
    wanted: list[str] = []
    for offset in range(7):
        params = {"service_id": shop.service_id, "from_date": (day + timedelta(days=offset)).isoformat()}
        page = await _ok(
            shop.http, "GET", f"/v1/shops/{shop.shop_id}/slots", params=params, headers=shop.owner
        )
        wanted += sorted({s["starts_at"] for s in page["slots"]})
    customers = []
    for n in range(clients):
        body = {"login": f"c{n}-{secrets.token_hex(3)}@bench.test", "name": f"c{n}", "password": PASSWORD}
        account = await _ok(shop.http, "POST", f"/v1/shops/{shop.shop_id}/customers", json=body)
        customers.append({"authorization": f"Bearer {account['access_token']}"})
    budget = {"left": holds}
    tally: dict[str, Any] = {
        "held": 0,
        "confirmed": 0,
        "slot_taken": 0,
        "other": 0,
        "hold_ms": [],
        "confirm_ms": [],
    }
    rng = random.Random(11)

    async def customer(client: aiohttp.ClientSession, auth: dict[str, str]) -> None:
        start = rng.choice(wanted)
        while budget["left"] > 0:
            budget["left"] -= 1
            began = time.perf_counter()
            body = {"service_id": shop.service_id, "starts_at": start}
            async with client.post("/v1/bookings", json=body, headers=auth) as response:
                status, answer = response.status, await response.json()
            tally["hold_ms"].append((time.perf_counter() - began) * 1000)
            if status == 201:
                tally["held"] += 1
                began = time.perf_counter()
                async with client.post(f"/v1/bookings/{answer['id']}/confirm", headers=auth) as confirmed:
                    await confirmed.read()
                tally["confirm_ms"].append((time.perf_counter() - began) * 1000)
                tally["confirmed" if confirmed.status == 200 else "other"] += 1
                start = rng.choice(wanted)
            elif status == 409 and answer["error"]["code"] == "slot_taken":
                tally["slot_taken"] += 1
                alternatives = answer["error"]["details"]["alternatives"]
                start = alternatives[0]["starts_at"] if alternatives else rng.choice(wanted)
            else:
                tally["other"] += 1
                start = rng.choice(wanted)

    # what each process spends with no traffic (Kafka polls, heartbeats), to tell it apart
    # from what the commands cost
    idle_from, idle_began = system.cpu_seconds(), time.perf_counter()
    await asyncio.sleep(IDLE_SECONDS)
    idle_to, idle_seconds = system.cpu_seconds(), time.perf_counter() - idle_began
    profilers = system.start_profilers(profile, LOG_DIR, "profile-booking-bench-") if profile else []
    cpu_before = system.cpu_seconds() | {"client": time.process_time()}
    began = time.perf_counter()
    # The customers' requests go through aiohttp: httpx cost ~2.7 ms of this process's CPU
    # a command, more than booking or the gateway, on the same two cores.
    async with aiohttp.ClientSession(
        str(shop.http.base_url), connector=aiohttp.TCPConnector(limit=0)
    ) as client:
        await asyncio.gather(*(customer(client, auth) for auth in customers))
    elapsed = time.perf_counter() - began
    cpu_after = system.cpu_seconds() | {"client": time.process_time()}
    for profiler in profilers:
        await asyncio.to_thread(profiler.wait, profile + 30)
    # CPU per command (a hold or a confirm) of each service over the contention run: the
    # figure to watch on a shared machine, where throughput swings with the others' load.
    commands = max(len(tally["hold_ms"]) + len(tally["confirm_ms"]), 1)
    return {
        "clients": clients,
        "holds_tried": holds,
        "free_times_at_start": len(wanted),
        "seconds": round(elapsed, 2),
        "holds_per_s": round(holds / elapsed, 1),
        "confirmations_per_s": round(tally["confirmed"] / elapsed, 1),
        "confirmed": tally["confirmed"],
        "slot_taken": tally["slot_taken"],
        "other": tally["other"],
        "hold_p50_ms": round(percentile(tally["hold_ms"], 0.5), 1),
        "hold_p99_ms": round(percentile(tally["hold_ms"], 0.99), 1),
        "confirm_p50_ms": round(percentile(tally["confirm_ms"], 0.5), 1),
        "confirm_p99_ms": round(percentile(tally["confirm_ms"], 0.99), 1),
        "commands": commands,
        "cpu_ms_per_command": {
            name: round((cpu_after[name] - cpu_before[name]) * 1000 / commands, 3) for name in cpu_after
        },
        "idle_cpu_ms_per_s": {
            name: round((idle_to[name] - idle_from[name]) * 1000 / idle_seconds, 1) for name in idle_to
        },
    }


async def double_bookings(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM allocations a JOIN allocations b ON a.key = b.key "
                "AND a.booking_id < b.booking_id AND a.during && b.during"
            )
        )
    finally:
        await conn.close()


def service_metrics(system: System) -> dict[str, float]:
    """Mean consumer handle time and outbox delay (commit → Kafka) over the whole run, in ms."""
    from prometheus_client.parser import text_string_to_metric_families

    found: dict[str, float] = {}
    for name in ("booking", "gateway"):
        text = httpx.get(f"{system.ops_url(name)}/metrics", timeout=10).text
        for family in text_string_to_metric_families(text):
            if family.name not in ("frontdesk_consumer_handle_seconds", "frontdesk_outbox_delay_seconds"):
                continue
            total = sum(s.value for s in family.samples if s.name.endswith("_sum"))
            count = sum(s.value for s in family.samples if s.name.endswith("_count"))
            if count:
                found[f"{name}.{family.name.removeprefix('frontdesk_')}_mean_ms"] = round(
                    1000 * total / count, 1
                )
    return found


def start_system(run: str) -> System:
    env = {
        **os.environ,
        "FRONTDESK_DATABASE_HOST": "127.0.0.1",
        "FRONTDESK_DATABASE_PORT": "15432",
        "FRONTDESK_DATABASE_USER": "postgres",
        "FRONTDESK_DATABASE_PASSWORD": "",
        "FRONTDESK_KAFKA_BOOTSTRAP": KAFKA,
        "FRONTDESK_REDIS_URL": "redis://127.0.0.1:16379/0",
        "FRONTDESK_KAFKA_NAMESPACE": f"bench{run}.",
        "FRONTDESK_LOG_LEVEL": "WARNING",
        "FRONTDESK_REPLY_TIMEOUT_SECONDS": "30",
    }
    return System(env=env, log_dir=LOG_DIR, database_prefix=f"bench_{run}", random_ports=True)


async def bench(args: argparse.Namespace, system: System, run: str) -> dict[str, Any]:
    dsn = f"postgresql://postgres@127.0.0.1:15432/bench_{run}_booking"
    first_day = datetime.now(ZONE).date() + timedelta(days=1)
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=60) as http:
        shop = await set_up(http, args.staff, args.stations)
        began = time.perf_counter()
        await fill(dsn, shop, args.bookings, first_day, args.days)
        filled = time.perf_counter() - began
        one_day = await slot_search(shop, first_day, 1, args.searches)
        week = await slot_search(shop, first_day, 7, args.searches)
        # contention on a week with no existing bookings, so every client competes for the same times
        race = await contention(
            shop, args.clients, args.holds, first_day + timedelta(days=args.days + 1), system, args.profile
        )
    return {
        "staff": args.staff,
        "stations": args.stations,
        "existing_bookings": args.bookings,
        "fill_seconds": round(filled, 1),
        "slot_search_1_day": one_day,
        "slot_search_7_days": week,
        "contention": race,
        "double_bookings": await double_bookings(dsn),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--stations", type=int, default=20, help="bath stations (resources, capacity 1 each)")
    parser.add_argument("--bookings", type=int, default=10_000, help="existing confirmed bookings")
    parser.add_argument("--days", type=int, default=180, help="days the existing bookings are spread over")
    parser.add_argument("--searches", type=int, default=200, help="slot searches per kind")
    parser.add_argument("--clients", type=int, default=50, help="customers holding at once")
    parser.add_argument("--holds", type=int, default=600, help="holds tried in the contention run")
    profile = "py-spy record both services for SECONDS (default 20) of the contention run, into the log dir"
    parser.add_argument(
        "--profile", type=int, nargs="?", const=20, default=0, metavar="SECONDS", help=profile
    )
    parser.add_argument("--drop", action="store_true", help="drop the run's databases and topics at the end")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    run = secrets.token_hex(4)
    system = start_system(run)
    try:
        for name in ("booking", "gateway"):
            system.start(name)
        result = asyncio.run(bench(args, system, run))
        result["metrics"] = service_metrics(system)
    finally:
        system.stop_all()
        if args.drop:
            asyncio.run(drop_run(run))
    race = result["contention"]
    print(f"booking benchmark (run {run}, logs in {LOG_DIR})")
    print(f"  shop: {args.staff} staff, {args.stations} stations, {args.bookings} existing bookings")
    for days in (1, 7):
        found = result[f"slot_search_{days}_day{'s' if days > 1 else ''}"]
        print(
            f"  slot search, {days} day(s): p50 {found['p50_ms']} ms, p99 {found['p99_ms']} ms "
            f"({found['mean_slots']} slots)"
        )
    print(
        f"  contention: {race['clients']} clients, {race['holds_tried']} holds in {race['seconds']} s: "
        f"{race['confirmations_per_s']} confirmations/s ({race['holds_per_s']} holds/s), "
        f"{race['slot_taken']} slot_taken, {race['other']} other; hold p50/p99 "
        f"{race['hold_p50_ms']}/{race['hold_p99_ms']} ms, confirm p50/p99 "
        f"{race['confirm_p50_ms']}/{race['confirm_p99_ms']} ms"
    )
    print(
        f"  CPU per command (hold or confirm, {race['commands']} commands): "
        + ", ".join(f"{name} {ms} ms" for name, ms in race["cpu_ms_per_command"].items())
        + "; idle: "
        + ", ".join(f"{name} {ms} ms/s" for name, ms in race["idle_cpu_ms_per_s"].items())
    )
    print(f"  double bookings: {result['double_bookings']}")
    print(f"  service metrics (whole run): {result['metrics']}")
    print("RESULT " + json.dumps(result), flush=True)
    return 1 if result["double_bookings"] else 0


if __name__ == "__main__":
    sys.exit(main())
