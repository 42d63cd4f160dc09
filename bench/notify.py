"""Notify benchmark: schedule 100,000 reminders, then measure how late they fire and are
delivered through the development sink, and prove none fired twice.

Works on a throwaway notify database in the local stack (migrated like the service's).
Bookings and their reminders are written in bulk, due spread over `--spread` seconds
starting `--lead` seconds from now. Then `--workers` copies of notify's timer and
delivery loops run at once, as that many notify instances would (same code, same
SKIP LOCKED claims, the sink provider wrapped to count every send). Lateness is
fired_at − due_at (reminder turned into a notification) and sent − due_at (recorded in
the sink). Prints a table and a `RESULT {json}` line; exits 1 if any reminder fired
twice or went missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial

import asyncpg
from frontdesk_notify.adapters.providers import Message, Outcome
from frontdesk_notify.adapters.sink import sinks
from frontdesk_notify.bootstrap import MIGRATIONS
from frontdesk_notify.config import Settings
from frontdesk_notify.service_layer.delivery import Delivery, deliver_due
from frontdesk_notify.service_layer.deps import Dependencies, drain
from frontdesk_notify.service_layer.timers import fire_due_reminders
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.unit_of_work import UnitOfWork

SHOP = uuid.uuid4()


class Counted:
    """A provider that counts what it is asked to send, then lets the sink record it."""

    def __init__(self, inner, sends: Counter[str]) -> None:
        self.platform = inner.platform
        self._inner = inner
        self._sends = sends

    async def send(self, message: Message) -> Outcome:
        self._sends[message.notification_id] += 1
        return await self._inner.send(message)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def populate(dsn: str, count: int, first_due: datetime, spread: float) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("INSERT INTO shops (shop_id, timezone) VALUES ($1, 'Asia/Shanghai')", SHOP)
        service = uuid.uuid4()
        await conn.execute("INSERT INTO services VALUES ($1, $2, 'Bath')", service, SHOP)
        bookings, reminders, devices = [], [], []
        for n in range(count):
            booking, customer = uuid.uuid4(), uuid.uuid4()
            starts = first_due + timedelta(days=1)
            due = first_due + timedelta(seconds=spread * n / count)
            bookings.append((booking, SHOP, customer, service, "confirmed", starts, 2))
            reminders.append((f"booking:{booking}:v2:day_before", booking, "day_before", starts, due))
            devices.append(
                (uuid.uuid4(), SHOP, customer, "webpush", f"https://push.example/{customer}", first_due)
            )
        await conn.copy_records_to_table(
            "bookings",
            records=bookings,
            columns=["booking_id", "shop_id", "customer_id", "service_id", "status", "starts_at", "version"],
        )
        await conn.copy_records_to_table(
            "reminders", records=reminders, columns=["id", "booking_id", "kind", "starts_at", "due_at"]
        )
        await conn.copy_records_to_table(
            "devices",
            records=devices,
            columns=["device_id", "shop_id", "user_id", "platform", "address", "created_at"],
        )
    finally:
        await conn.close()


async def worker(
    deps: Dependencies, delivery: Delivery, batch: int, poll: float, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        await drain(partial(fire_due_reminders, deps), batch)
        await drain(partial(deliver_due, deps, delivery), batch)
        try:
            await asyncio.wait_for(stop.wait(), poll)
        except TimeoutError:
            pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(args: argparse.Namespace) -> int:
    settings = Settings(database_name=f"bench_notify_{uuid.uuid4().hex[:8]}")
    admin = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
    await admin.execute(f'CREATE DATABASE "{settings.database_name}"')
    engine = create_engine(settings)
    try:
        await migrate(settings, MIGRATIONS)
        first_due = utc_now() + timedelta(seconds=args.lead)
        started = time.monotonic()
        await populate(settings.asyncpg_dsn(), args.reminders, first_due, args.spread)
        print(f"scheduled {args.reminders} reminders in {time.monotonic() - started:.1f}s", flush=True)

        sessions = session_factory(engine)
        sends: Counter[str] = Counter()
        providers = {p: Counted(s, sends) for p, s in sinks(sessions).items()}
        delivery = Delivery(providers)
        deps = Dependencies(lambda: UnitOfWork(sessions, lambda t: t), utc_now)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(worker(deps, delivery, args.batch, args.poll, stop))
            for _ in range(args.workers)
        ]
        conn = await asyncpg.connect(settings.asyncpg_dsn())
        deadline = first_due + timedelta(seconds=args.spread + args.timeout)
        while utc_now() < deadline:
            sent = await conn.fetchval("SELECT count(*) FROM notifications WHERE status = 'sent'")
            if sent == args.reminders:
                break
            await asyncio.sleep(1)
        finished = utc_now()
        stop.set()
        await asyncio.gather(*tasks)
        fired = await conn.fetch(
            "SELECT extract(epoch FROM fired_at - due_at) AS late FROM reminders WHERE status = 'fired'"
        )
        delivered = await conn.fetch(
            "SELECT extract(epoch FROM s.recorded_at - r.due_at) AS late FROM sink_records s "
            "JOIN reminders r ON r.id = s.notification_id"
        )
        sink_rows = await conn.fetchval("SELECT count(*) FROM sink_records")
        await conn.close()
    finally:
        await engine.dispose()
        if not args.keep:
            await admin.execute(f'DROP DATABASE "{settings.database_name}" WITH (FORCE)')
        await admin.close()

    fire_late = [float(r["late"]) for r in fired]
    send_late = [float(r["late"]) for r in delivered]
    twice = sum(1 for n in sends.values() if n > 1)
    missing = args.reminders - len(sends)
    window = (finished - first_due).total_seconds()
    result = {
        "reminders": args.reminders,
        "workers": args.workers,
        "spread_s": args.spread,
        "fired": len(fire_late),
        "sink_records": sink_rows,
        "fired_twice": twice,
        "missing": missing,
        "fire_late_p50_ms": round(statistics.median(fire_late) * 1000) if fire_late else None,
        "fire_late_p99_ms": round(percentile(fire_late, 0.99) * 1000) if fire_late else None,
        "sent_late_p50_ms": round(statistics.median(send_late) * 1000) if send_late else None,
        "sent_late_p99_ms": round(percentile(send_late, 0.99) * 1000) if send_late else None,
        "sent_late_max_ms": round(max(send_late) * 1000) if send_late else None,
        "delivered_per_s": round(len(send_late) / max(window, 1e-9)),
    }
    print(
        "| reminders | workers | due over | fired late p50 / p99 | sent late p50 / p99 / max | sent/s | twice | missing |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.reminders} | {args.workers} | {args.spread:.0f} s | {result['fire_late_p50_ms']} / "
        f"{result['fire_late_p99_ms']} ms | {result['sent_late_p50_ms']} / {result['sent_late_p99_ms']} / "
        f"{result['sent_late_max_ms']} ms | {result['delivered_per_s']} | {twice} | {missing} |"
    )
    print("RESULT " + json.dumps(result))
    return 1 if twice or missing or sink_rows != args.reminders else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--spread", type=float, default=120.0, help="seconds over which reminders fall due")
    parser.add_argument("--lead", type=float, default=20.0, help="seconds from now until the first is due")
    parser.add_argument("--workers", type=int, default=2, help="notify instances working at once")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--poll", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed after the last is due")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    sys.exit(asyncio.run(main(parser.parse_args())))
