"""Full-path messaging benchmark: client WebSocket → gateway → Kafka command → messaging
(event store + outbox in PostgreSQL) → Kafka event → gateway → the other client's socket.

Starts its own messaging and gateway processes (own databases, own topic namespace), sets
up one shop per pair through the REST API, then runs traffic in one of two modes:

- closed loop (default, peak throughput): the customer sends `--window` messages and every
  message delivered to the other side triggers one reply from the receiver;
- open loop (`--rate R --duration S`, latency at a given load): R messages a second for S
  seconds, on a fixed schedule, round-robin over the pairs and alternating customer and
  staff. Latency is measured from each message's scheduled send time, so a sender held
  up by a slow system counts the wait (no coordinated omission).

Prints a table and a `RESULT {json}` line; exits 1 if anything was lost or duplicated.
See bench/README.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from frontdesk_local.system import System
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / ".local" / "bench-logs"
KAFKA = "127.0.0.1:19092"
MAINTENANCE_DB = "postgresql://postgres@127.0.0.1:15432/postgres"
STRAGGLER_WAIT = 30.0
PASSWORD = "bench-password-1"
HISTOGRAMS = {f"frontdesk_{name}_seconds" for name in ("outbox_delay", "consumer_handle", "http_request")}


@dataclass
class Side:
    user_id: str
    token: str
    ws: aiohttp.ClientWebSocketResponse | None = None
    closing: bool = False  # closed by this client at the end
    last_seq: int = 0
    seen: set[str] = field(default_factory=set)


@dataclass
class Pair:
    index: int
    conversation_id: str
    customer: Side
    staff: Side
    remaining: int
    sent: int = 0


@dataclass
class Tally:
    sent: dict[str, int] = field(default_factory=dict)  # client_msg_id → perf_counter_ns
    acked: set[str] = field(default_factory=set)
    delivered: set[str] = field(default_factory=set)  # seen by the other side
    echoed: set[str] = field(default_factory=set)  # seen by the sender's own socket
    errored: set[str] = field(default_factory=set)  # refused: replaced by a new message
    unconfirmed: set[str] = field(default_factory=set)  # not_confirmed: may still arrive
    errors: Counter[str] = field(default_factory=Counter)
    ack_ms: list[float] = field(default_factory=list)
    send_lag_ms: list[float] = field(default_factory=list)  # open loop: actual send - scheduled
    receive_ms: list[float] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)  # client_msg_id → perf_counter_ns
    duplicates: int = 0
    duplicate_acks: int = 0
    out_of_order: int = 0
    gaps: int = 0
    first_send: int = 0
    last_delivery: int = 0
    last_frame: int = 0


# --- setup through the public REST API -------------------------------------------------


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], token: str = "") -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(path, json=body, headers=headers)
    if response.status_code >= 400:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
    return response.json()


def account(role: str, index: int, run: str) -> dict[str, str]:
    return {"login": f"{role}{index}@{run}.bench", "name": f"{role} {index}", "password": PASSWORD}


async def make_pair(client: httpx.AsyncClient, index: int, run: str, quota: int) -> Pair:
    """One shop per pair: its owner is the staff side, so it sees only this conversation."""
    shop = {"name": f"Bench shop {index}", "timezone": "Asia/Shanghai", "owner": account("owner", index, run)}
    owner = await post(client, "/v1/shops", shop)
    customer = await post(client, f"/v1/shops/{owner['shop_id']}/customers", account("customer", index, run))
    conversation = await post(client, "/v1/conversations", {}, customer["access_token"])
    staff = Side(owner["user_id"], owner["access_token"])
    return Pair(index, conversation["id"], Side(customer["user_id"], customer["access_token"]), staff, quota)


async def make_pairs(base_url: str, pairs: int, messages: int, run: str) -> list[Pair]:
    quotas = [messages // pairs + (1 if i < messages % pairs else 0) for i in range(pairs)]
    limit = asyncio.Semaphore(8)

    async def one(i: int) -> Pair:
        async with limit:
            return await make_pair(client, i, run, quotas[i])

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return list(await asyncio.gather(*(one(i) for i in range(pairs))))


async def connect(session: aiohttp.ClientSession, ws_url: str, side: Side) -> None:
    side.ws = await session.ws_connect(f"{ws_url}/v1/ws?access_token={side.token}", max_msg_size=0)
    ready = orjson.loads(await side.ws.receive_str())
    if ready.get("type") != "ready":
        raise RuntimeError(f"expected a ready frame, got {ready}")


# --- traffic ---------------------------------------------------------------------------


async def send(pair: Pair, side: Side, tally: Tally, scheduled: int | None = None) -> None:
    """Sends the pair's next message; latency counts from `scheduled` when given."""
    if pair.remaining <= 0 or side.ws is None:
        return
    pair.remaining -= 1
    client_msg_id = f"p{pair.index}-{pair.sent}"
    pair.sent += 1
    now = time.perf_counter_ns()
    if scheduled is not None:
        tally.send_lag_ms.append(max(now - scheduled, 0) / 1e6)
        now = scheduled
    tally.first_send = tally.first_send or now
    tally.sent[client_msg_id] = now
    frame = {"type": "message.send", "conversation_id": pair.conversation_id}
    frame |= {"client_msg_id": client_msg_id, "text": f"bench message {client_msg_id}"}
    await side.ws.send_str(orjson.dumps(frame).decode())


def on_ack(frame: dict[str, Any], now: int, tally: Tally) -> None:
    client_msg_id = frame["client_msg_id"]
    if client_msg_id in tally.acked:
        tally.duplicate_acks += 1
    elif client_msg_id in tally.sent:
        tally.acked.add(client_msg_id)
        tally.ack_ms.append((now - tally.sent[client_msg_id]) / 1e6)


def on_message(side: Side, message: dict[str, Any], now: int, tally: Tally) -> bool:
    """Checks order and duplicates; True when this is the other side's message, first time."""
    if message["message_id"] in side.seen:
        tally.duplicates += 1
        return False
    side.seen.add(message["message_id"])
    seq = int(message["seq"])
    if seq <= side.last_seq:
        tally.out_of_order += 1
    elif seq > side.last_seq + 1:
        tally.gaps += 1
    side.last_seq = max(side.last_seq, seq)
    client_msg_id = message["client_msg_id"]
    if client_msg_id not in tally.sent:
        return False
    if message["sender_id"] == side.user_id:
        tally.echoed.add(client_msg_id)
        return False
    tally.delivered.add(client_msg_id)
    tally.received[client_msg_id] = now
    tally.receive_ms.append((now - tally.sent[client_msg_id]) / 1e6)
    tally.last_delivery = now
    return True


async def read(pair: Pair, side: Side, tally: Tally, reply: bool = True) -> None:
    assert side.ws is not None
    async for raw in side.ws:
        if raw.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            break
        frame = orjson.loads(raw.data)
        now = tally.last_frame = time.perf_counter_ns()
        kind = frame.get("type")
        if kind == "ack":
            on_ack(frame, now, tally)
        elif kind == "message.new" and on_message(side, frame["message"], now, tally) and reply:
            await send(pair, side, tally)  # closed loop: the receiver replies
        elif kind == "error" and on_error(frame, tally) and reply:
            await send(pair, side, tally)  # refused: keep the window full
    if not side.closing:  # the gateway closed it, or the connection broke
        tally.errors[f"socket_closed_{side.ws.close_code}"] += 1


def on_error(frame: dict[str, Any], tally: Tally) -> bool:
    """True when the message was refused (so the sender replaces it)."""
    code, ref = frame.get("code", "?"), frame.get("ref")
    tally.errors[code] += 1
    if ref not in tally.sent:
        return False
    if code == "not_confirmed":  # the command is still queued: wait for its delivery
        tally.unconfirmed.add(ref)
        return False
    tally.errored.add(ref)
    return True


def settled(pairs: list[Pair], tally: Tally) -> bool:
    if any(p.remaining for p in pairs):
        return False
    delivered, answered = tally.delivered | tally.errored, tally.acked | tally.errored | tally.unconfirmed
    return all(m in delivered and m in answered for m in tally.sent)


async def wait_settled(pairs: list[Pair], tally: Tally, deadline: float) -> None:
    """Until every message is resolved, nothing arrived for STRAGGLER_WAIT s, or the deadline."""
    while time.monotonic() < deadline and not settled(pairs, tally):
        if (time.perf_counter_ns() - tally.last_frame) / 1e9 > STRAGGLER_WAIT:
            return
        await asyncio.sleep(0.05)


async def traffic(pairs: list[Pair], window: int, deadline: float, last: bool = True) -> tuple[Tally, int]:
    """The closed loop, until every pair's quota is sent and settled (`last`: then close)."""
    tally = Tally(last_frame=time.perf_counter_ns())
    readers = [asyncio.create_task(read(p, s, tally)) for p in pairs for s in (p.customer, p.staff)]
    for pair in pairs:
        for _ in range(window):
            await send(pair, pair.customer, tally)
    await wait_settled(pairs, tally, deadline)
    end = tally.last_delivery or time.perf_counter_ns()
    for pair in pairs:
        for side in (pair.customer, pair.staff):
            if side.ws is not None and last:
                side.closing = True
                await side.ws.close()
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return tally, end


async def open_loop(pairs: list[Pair], rate: float, total: int, deadline: float) -> tuple[Tally, int]:
    """Message i goes out at start + i/rate whatever happened to the ones before it."""
    tally = Tally(last_frame=time.perf_counter_ns())
    readers = [
        asyncio.create_task(read(p, s, tally, reply=False)) for p in pairs for s in (p.customer, p.staff)
    ]
    start = time.perf_counter_ns() + 100_000_000
    for i in range(total):
        scheduled = start + int(i * 1e9 / rate)
        delay = (scheduled - time.perf_counter_ns()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)
        pair = pairs[i % len(pairs)]
        side = pair.customer if (i // len(pairs)) % 2 == 0 else pair.staff
        await send(pair, side, tally, scheduled)
    for pair in pairs:
        pair.remaining = 0
    await wait_settled(pairs, tally, deadline)
    end = tally.last_delivery or time.perf_counter_ns()
    for pair in pairs:
        for side in (pair.customer, pair.staff):
            if side.ws is not None:
                side.closing = True
                await side.ws.close()
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return tally, end


# --- reporting -------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | None]:
    ordered, ranks = sorted(values), {"p50": 0.50, "p95": 0.95, "p99": 0.99, "max": 1.0}
    if not ordered:
        return dict.fromkeys(ranks)
    return {k: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) for k, q in ranks.items()}


# The path's hops, from the times the records and envelopes carry (all clocks of this
# machine): the bench's send, the command record's CreateTime (the gateway handed it to
# its producer), the event envelope's time (messaging's handler made it), the event
# record's CreateTime (the relay handed it over) and the other side's receive.
HOPS = (
    "gateway: frame to command record",
    "Kafka + messaging batch up to the handler",
    "rest of the transaction + relay",
    "Kafka + gateway fan-out to the other socket",
)


async def hops(run: str, tally: Tally) -> dict[str, dict[str, float | None]]:
    """Where an average message's time went, hop by hop (`--hops`)."""
    wall_offset_ms = (time.time_ns() - time.perf_counter_ns()) / 1e6
    commands, events = await asyncio.gather(
        read_topic(f"bench{run}.messaging.commands"), read_topic(f"bench{run}.messaging.events")
    )
    by_command = {}
    for record in commands:
        envelope = json.loads(record.value)
        if envelope["type"] == "messaging.message.send.v1":
            by_command[envelope["id"]] = record.timestamp
    spans: list[list[float]] = [[] for _ in HOPS]
    for record in events:
        envelope = json.loads(record.value)
        client_msg_id = envelope["data"].get("client_msg_id")
        command_at = by_command.get(envelope.get("causation_id"))
        if envelope["type"] != "messaging.message.sent.v1" or command_at is None:
            continue
        if client_msg_id not in tally.sent or client_msg_id not in tally.received:
            continue
        made_at = datetime.fromisoformat(envelope["time"]).timestamp() * 1000
        times = (
            tally.sent[client_msg_id] / 1e6 + wall_offset_ms,
            command_at,
            made_at,
            record.timestamp,
            tally.received[client_msg_id] / 1e6 + wall_offset_ms,
        )
        for i in range(len(HOPS)):
            spans[i].append(times[i + 1] - times[i])
    return {name: percentiles(values) for name, values in zip(HOPS, spans, strict=True)}


async def read_topic(topic: str) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=KAFKA, auto_offset_reset="earliest")
    await consumer.start()
    try:
        for _ in range(100):
            if consumer.assignment():
                break
            await asyncio.sleep(0.05)
        left = {
            tp: end for tp, end in (await consumer.end_offsets(list(consumer.assignment()))).items() if end
        }
        records: list[ConsumerRecord] = []
        while left:
            for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                records.extend(batch)
                if batch and batch[-1].offset + 1 >= left.get(tp, 0):
                    left.pop(tp, None)
        return records
    finally:
        await consumer.stop()


def summarize(args: argparse.Namespace, tally: Tally, end: int) -> dict[str, Any]:
    duration = max(end - tally.first_send, 1) / 1e9
    mode: dict[str, Any] = {"mode": "closed", "window": args.window}
    if args.rate:
        mode = {"mode": "open", "rate_msg_s": args.rate, "send_lag_ms": percentiles(tally.send_lag_ms)}
    return {
        "pairs": args.pairs,
        "messages": len(tally.sent),
        **mode,
        "sent": len(tally.sent),
        "acked": len(tally.acked),
        "delivered": len(tally.delivered),
        "duration_s": round(duration, 3),
        "throughput_msg_s": round(len(tally.delivered) / duration, 1),
        "send_to_receive_ms": percentiles(tally.receive_ms),
        "send_to_ack_ms": percentiles(tally.ack_ms),
        "lost_after_ack": len(tally.acked - tally.delivered),
        "never_acked": len(set(tally.sent) - tally.acked),
        "never_acked_nor_delivered": len(set(tally.sent) - tally.acked - tally.delivered),
        "not_confirmed_but_delivered": len(tally.unconfirmed & tally.delivered),
        "echo_missing": len(tally.acked - tally.echoed),
        "duplicated": tally.duplicates,
        "duplicate_acks": tally.duplicate_acks,
        "out_of_order": tally.out_of_order,
        "gaps": tally.gaps,
        "errors": dict(tally.errors),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def print_table(result: dict[str, Any]) -> None:
    rows = [(k, v) for k, v in result.items() if not isinstance(v, dict)]
    for name in ("send_to_receive_ms", "send_to_ack_ms", "send_lag_ms", "cpu_ms_per_message", "warmup"):
        rows += [(f"{name} {k}", v) for k, v in result.get(name, {}).items()]
    rows.append(("errors", result["errors"] or "-"))
    for hop, figures in result.get("hops_ms", {}).items():
        rows.append((f"hop ms: {hop}", f"p50 {figures['p50']} / p95 {figures['p95']}"))
    print("\n".join(f"  {k:<26} {v}" for k, v in rows))


def bucket_quantile(buckets: list[tuple[float, float]], q: float) -> float:
    total = buckets[-1][1]
    return next((le for le, count in buckets if count >= q * total), float("inf"))


def metrics_summary(name: str, url: str) -> list[str]:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    lines = []
    for family in text_string_to_metric_families(text):
        if family.name not in HISTOGRAMS:
            continue
        series: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        for s in family.samples:
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k not in ("le", "service")))
            entry = series.setdefault(key, {"buckets": []})
            if s.name.endswith("_bucket"):
                entry["buckets"].append((float(s.labels["le"]), s.value))
            else:
                entry[s.name.rsplit("_", 1)[1]] = s.value
        for key, e in series.items():
            if e.get("count") and not any(v == "/health" for _, v in key):
                lines.append(
                    f"  {name:<9} {family.name} {dict(key)}: n={int(e['count'])} "
                    f"mean={1000 * e['sum'] / e['count']:.1f}ms "
                    f"p50<={1000 * bucket_quantile(e['buckets'], 0.5):g}ms "
                    f"p99<={1000 * bucket_quantile(e['buckets'], 0.99):g}ms"
                )
    return lines


# --- the system under test -------------------------------------------------------------


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
        "FRONTDESK_SENDS_PER_SECOND": "100000",
    }
    return System(env=env, log_dir=LOG_DIR, database_prefix=f"bench_{run}", random_ports=True)


async def drop_run(run: str, database: str = MAINTENANCE_DB, kafka: str = KAFKA) -> None:
    """Drop every database of the run (`bench_<run>_*`) and delete its Kafka topics
    (`bench<run>.*`): a run's 144 partitions left behind each time add up until the broker
    takes minutes to start."""
    conn = await asyncpg.connect(database)
    try:
        for row in await conn.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", f"bench_{run}_%"
        ):
            await conn.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
    finally:
        await conn.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(f"bench{run}.")]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


async def bench(args: argparse.Namespace, system: System, run: str, deadline: float) -> dict[str, Any]:
    base = system.url("gateway")
    total = round(args.rate * args.duration) if args.rate else args.messages
    pairs = await asyncio.wait_for(make_pairs(base, args.pairs, total, run), deadline - time.monotonic())
    # The sockets go through aiohttp and orjson: this client shares the two cores with the
    # system, and websockets + json cost it about twice as much CPU a message.
    async with aiohttp.ClientSession() as session:
        sockets = [
            connect(session, base.replace("http://", "ws://"), s)
            for p in pairs
            for s in (p.customer, p.staff)
        ]
        await asyncio.wait_for(asyncio.gather(*sockets), deadline - time.monotonic())
        return await measure(args, system, run, pairs, total, deadline)


async def measure(
    args: argparse.Namespace, system: System, run: str, pairs: list[Pair], total: int, deadline: float
) -> dict[str, Any]:
    warmup = await warm_up(pairs, args.warmup, args.window, deadline) if args.warmup else {}
    profilers = system.start_profilers(args.profile, LOG_DIR, "profile-") if args.profile else []
    cpu_before = system.cpu_seconds() | {"client": time.process_time()}
    if args.rate:
        for pair in pairs:
            pair.remaining = total  # the schedule decides who sends
        tally, end = await open_loop(pairs, args.rate, total, deadline)
    else:
        tally, end = await traffic(pairs, args.window, deadline)
    cpu_after = system.cpu_seconds() | {"client": time.process_time()}
    for profiler in profilers:
        await asyncio.to_thread(profiler.wait, args.profile + 30)
    result = summarize(args, tally, end)
    # CPU per delivered message of each process over the traffic (setup excluded; Kafka and
    # PostgreSQL when they run on this machine, `all` the sum): the figure to watch when the
    # machine is the limit, since it does not depend on the load other processes put on the
    # cores the way throughput does.
    delivered = max(result["delivered"], 1)
    used = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
    result["cpu_ms_per_message"] = {
        name: round(seconds * 1000 / delivered, 3)
        for name, seconds in (used | {"all": sum(used.values())}).items()
    }
    if args.hops:
        result["hops_ms"] = await hops(run, tally)
    return result | {"warmup": warmup}


async def warm_up(pairs: list[Pair], per_pair: int, window: int, deadline: float) -> dict[str, Any]:
    """A short closed loop before the measured traffic: the first messages of a run meet
    freshly created topics, databases and connections (prepared statements, plans made on
    empty tables, partition leaders), which a running system has long left behind. Checked
    like the rest; not counted in the figures."""
    quotas = [pair.remaining for pair in pairs]
    for pair in pairs:
        pair.remaining = per_pair
    started = time.perf_counter_ns()
    tally, end = await traffic(pairs, min(window, per_pair), deadline, last=False)
    for pair, quota in zip(pairs, quotas, strict=True):
        pair.remaining = quota
    return {
        "messages": len(tally.sent),
        "seconds": round((end - started) / 1e9, 2),
        "lost": len(set(tally.sent) - tally.delivered - tally.errored),
        "duplicated": tally.duplicates,
        "out_of_order": tally.out_of_order,
        "errors": sum(tally.errors.values()),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=20, help="customer/staff pairs (one shop each)")
    parser.add_argument("--messages", type=int, default=4000, help="messages in total")
    parser.add_argument("--window", type=int, default=4, help="closed loop: messages in flight per pair")
    parser.add_argument(
        "--rate", type=float, default=0, help="open loop: messages per second (0: closed loop)"
    )
    parser.add_argument("--duration", type=float, default=30, help="open loop: seconds of sending")
    parser.add_argument("--timeout", type=float, default=300, help="overall cap in seconds")
    warmup = "messages per pair sent and checked before the measured traffic (0: none)"
    parser.add_argument("--warmup", type=int, default=10, help=warmup)
    profile = "py-spy record both services for SECONDS (default 20) into the log dir"
    parser.add_argument(
        "--profile", type=int, nargs="?", const=20, default=0, metavar="SECONDS", help=profile
    )
    parser.add_argument("--drop", action="store_true", help="drop the run's databases and topics at the end")
    hops_help = "read the run's topics back and print where a message's time went, hop by hop"
    parser.add_argument("--hops", action="store_true", help=hops_help)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    deadline = time.monotonic() + args.timeout
    run = secrets.token_hex(4)
    system = start_system(run)
    try:
        for name in ("messaging", "gateway"):
            system.start(name, wait=max(deadline - time.monotonic(), 1))
        result = asyncio.run(bench(args, system, run, deadline))
        metrics = [line for n, r in system.running.items() for line in metrics_summary(n, r.ops_url)]
    finally:
        system.stop_all()
        if args.drop:
            asyncio.run(drop_run(run))
    print(f"messaging path benchmark (run {run}, logs in {LOG_DIR})")
    print_table(result)
    print("service metrics (whole run, including setup):\n" + "\n".join(metrics))
    print("RESULT " + json.dumps(result), flush=True)
    warm = result["warmup"]
    failed = result["lost_after_ack"] or result["never_acked"] or result["duplicated"]
    failed = failed or warm.get("lost") or warm.get("duplicated") or warm.get("out_of_order")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
