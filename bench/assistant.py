"""Assistant benchmark: how long a customer waits for the assistant's answer.

Starts its own messaging, booking, ai-assist and gateway processes (own databases, own
topic namespace; no external model), sets up `--shops` pet shops through the REST API
(a 洗澡 (bath) service, `--groomers` groomers working 09:00-19:00 every day, as many bath
stations, two knowledge-base entries, the assistant answering always), then lets
`--customers` customers (spread over the shops) chat at once, each in a closed loop
over its own WebSocket: send, wait for the assistant's `message.new`, send the next.

Each customer goes through `--rounds` rounds of four messages: a knowledge-base
question, a price or hours question, a booking request for a date and time of its
own ("12月3号下午2点给金毛洗澡", answered with free times from the booking service),
and "好的" (the assistant holds and confirms the booking in the booking service and
answers). Latency is from the send on the socket to the assistant's answer arriving on
it: the whole path (gateway → messaging → ai-assist → booking → messaging → gateway).
Prints a table per kind of message and a `RESULT {json}` line; exits 1 if an answer
never came or a booking was not made.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import websockets
from frontdesk_local.system import System
from messaging_path import drop_run

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / ".local" / "bench-logs"
PASSWORD = "bench-password-1"
ZONE = ZoneInfo("Asia/Shanghai")
SERVICES = ("messaging", "booking", "ai-assist", "gateway")
FAQ = [
    {"question": "打完疫苗多久可以洗澡？", "answer": "打完疫苗 7 天后再洗澡。", "keywords": ["疫苗"]},
    {
        "question": "有停车位吗？",
        "answer": "商场地下有停车场，消费满 100 元免费停 2 小时。",
        "keywords": ["停车"],
    },
]
# Every one of these is answered (none hands the conversation to a person, which would
# silence the assistant in it for the rest of the run).
QUESTIONS = ["打完疫苗多久可以洗澡？", "你们有停车位吗", "打完疫苗几天可以洗澡"]
SMALL = ["洗澡多少钱？", "价目表发我看看", "你好"]


@dataclass(frozen=True)
class Shop:
    shop_id: str
    owner: dict[str, str]


async def ok(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, path, **kwargs)
    assert response.status_code in (200, 201, 204), f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def auth(account: dict[str, str]) -> dict[str, str]:
    return {"authorization": f"Bearer {account['access_token']}"}


async def set_up_shop(http: httpx.AsyncClient, groomers: int) -> Shop:
    login = f"owner-{uuid.uuid4().hex[:8]}@bench.test"
    body = {"name": "爪爪宠物", "owner": {"login": login, "name": "Owner", "password": PASSWORD}}
    owner = await ok(http, "POST", "/v1/shops", json=body)
    shop, headers = owner["shop_id"], auth(owner)
    await ok(
        http, "PUT", f"/v1/shops/{shop}/booking-policy", json={"timezone": "Asia/Shanghai"}, headers=headers
    )
    service = {
        "name": "洗澡",
        "duration_minutes": 60,
        "buffer_minutes": 15,
        "price_cents": 12000,
        "skill": "groom",
        "resource_types": ["bath"],
    }
    await ok(http, "PUT", f"/v1/shops/{shop}/services/{uuid.uuid4()}", json=service, headers=headers)
    stations = {"name": "Bath stations", "type": "bath", "capacity": groomers}
    await ok(http, "PUT", f"/v1/shops/{shop}/resources/{uuid.uuid4()}", json=stations, headers=headers)
    week = [{"weekday": d, "start": "09:00", "end": "19:00"} for d in range(7)]
    for n in range(groomers):
        staff_login = f"staff-{uuid.uuid4().hex[:8]}@bench.test"
        account = {"login": staff_login, "name": f"Groomer {n}", "password": PASSWORD}
        member = await ok(http, "POST", f"/v1/shops/{shop}/staff", json=account, headers=headers)
        profile = {"name": f"Groomer {n}", "skills": ["groom"], "hours": week}
        await ok(
            http, "PUT", f"/v1/shops/{shop}/staff/{member['staff_id']}/profile", json=profile, headers=headers
        )
    for entry in FAQ:
        await ok(http, "POST", f"/v1/shops/{shop}/faq", json=entry, headers=headers)
    await ok(http, "PUT", f"/v1/shops/{shop}/assistant", json={"mode": "always"}, headers=headers)
    return Shop(shop, owner)


class Customer:
    """One customer's socket; answers from the assistant are queued by conversation."""

    def __init__(self, account: dict[str, str], conversation: str, socket: Any) -> None:
        self.account, self.conversation, self.socket = account, conversation, socket
        self.answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            frame = json.loads(raw)
            message = frame.get("message") or {}
            if frame["type"] == "message.new" and message.get("sender_kind") == "assistant":
                await self.answers.put(message)

    async def ask(self, text: str, timeout: float) -> tuple[float, str | None]:
        started = time.perf_counter()
        await self.socket.send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation_id": self.conversation,
                    "client_msg_id": uuid.uuid4().hex,
                    "text": text,
                }
            )
        )
        try:
            answer = await asyncio.wait_for(self.answers.get(), timeout)
        except TimeoutError:
            return time.perf_counter() - started, None
        return time.perf_counter() - started, answer["text"]

    async def close(self) -> None:
        await self.socket.close()
        self._reader.cancel()


async def join(http: httpx.AsyncClient, gateway: str, shop: Shop) -> Customer:
    login = f"139{uuid.uuid4().int % 10**8:08d}"
    body = {"login": login, "name": "Wang", "password": PASSWORD}
    account = await ok(http, "POST", f"/v1/shops/{shop.shop_id}/customers", json=body)
    conversation = (await ok(http, "POST", "/v1/conversations", json={}, headers=auth(account)))["id"]
    url = gateway.replace("http://", "ws://") + f"/v1/ws?access_token={account['access_token']}"
    socket = await websockets.connect(url, max_size=2**22)
    assert json.loads(await socket.recv())["type"] == "ready"
    return Customer(account, conversation, socket)


def booking_text(index: int, round_: int, rounds: int) -> str:
    """A date and hour of this customer's own, within the shop's 60 days ahead."""
    slot = index * rounds + round_
    day = datetime.now(ZONE).date() + timedelta(days=2 + slot % 50)
    hour = 10 + (slot // 50) % 8
    return f"{day.month}月{day.day}号{'上午' if hour < 12 else '下午'}{hour if hour <= 12 else hour - 12}点给金毛洗澡"


async def chat(
    customer: Customer, index: int, rounds: int, timeout: float, tally: dict[str, list[float]]
) -> dict[str, int]:
    outcome = {"answers": 0, "missing": 0, "booked": 0}
    await customer.ask("你好", timeout)  # not counted: the first answer of a shop builds its context
    for round_ in range(rounds):
        script = [
            ("knowledge", QUESTIONS[(index + round_) % len(QUESTIONS)]),
            ("catalog", SMALL[(index + round_) % len(SMALL)]),
            ("booking_request", booking_text(index, round_, rounds)),
            ("booking_confirm", "好的"),
        ]
        for kind, text in script:
            seconds, answer = await customer.ask(text, timeout)
            if answer is None:
                outcome["missing"] += 1
                continue
            outcome["answers"] += 1
            tally[kind].append(seconds)
            tally["all"].append(seconds)
            if kind == "booking_confirm" and answer.startswith("已为您预约"):
                outcome["booked"] += 1
    return outcome


def figures(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "n": len(values),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def assistant_metrics(system: System) -> dict[str, float]:
    text = httpx.get(system.ops_url("ai-assist") + "/metrics", timeout=10).text
    found: dict[str, float] = {}
    for name in ("frontdesk_assistant_turn_seconds", "frontdesk_assistant_reply_seconds"):
        total = sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(f"{name}_sum"))
        count = sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(f"{name}_count"))
        if count:
            found[f"{name.removeprefix('frontdesk_assistant_')}_mean_ms"] = round(1000 * total / count, 1)
    return found


async def bench(args: argparse.Namespace, system: System) -> dict[str, Any]:
    gateway = system.url("gateway")
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as http:
        shops = [await set_up_shop(http, args.groomers) for _ in range(args.shops)]
        customers = [await join(http, gateway, shops[n % len(shops)]) for n in range(args.customers)]
        await asyncio.sleep(2)  # let ai-assist see the shops' settings and catalog
        tally: dict[str, list[float]] = defaultdict(list)
        began = time.perf_counter()
        outcomes = await asyncio.gather(
            *(chat(c, n, args.rounds, args.timeout, tally) for n, c in enumerate(customers))
        )
        seconds = time.perf_counter() - began
        for customer in customers:
            await customer.close()
        bookings = 0
        for shop in shops:
            found = await ok(http, "GET", "/v1/bookings", params={"limit": 500}, headers=auth(shop.owner))
            bookings += sum(1 for b in found if b["status"] == "confirmed")
    total = {key: sum(o[key] for o in outcomes) for key in ("answers", "missing", "booked")}
    return {
        "shops": args.shops,
        "customers": args.customers,
        "rounds": args.rounds,
        "seconds": round(seconds, 1),
        "answers_per_s": round(total["answers"] / seconds, 1),
        **total,
        "confirmed_bookings": bookings,
        "latency": {kind: figures(values) for kind, values in sorted(tally.items())},
    }


def start_system(run: str) -> System:
    env = {
        **os.environ,
        "FRONTDESK_KAFKA_NAMESPACE": f"bench{run}.",
        "FRONTDESK_LOG_LEVEL": "WARNING",
        "FRONTDESK_SENDS_PER_SECOND": "1000",
        "FRONTDESK_REPLY_TIMEOUT_SECONDS": "30",
    }
    env.setdefault("FRONTDESK_DATABASE_HOST", "127.0.0.1")
    env.setdefault("FRONTDESK_DATABASE_PORT", "15432")
    env.setdefault("FRONTDESK_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    env.setdefault("FRONTDESK_REDIS_URL", "redis://127.0.0.1:16379/0")
    return System(env=env, log_dir=LOG_DIR, database_prefix=f"bench_{run}", random_ports=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shops", type=int, default=4)
    parser.add_argument("--groomers", type=int, default=3, help="groomers (and bath stations) per shop")
    parser.add_argument("--customers", type=int, default=20, help="customers chatting at once")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of four messages per customer")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one answer")
    parser.add_argument("--drop", action="store_true", help="drop the run's databases and topics at the end")
    args = parser.parse_args()
    run = secrets.token_hex(4)
    system = start_system(run)
    try:
        for name in SERVICES:
            system.start(name)
        result = asyncio.run(bench(args, system))
        result["assistant_metrics"] = assistant_metrics(system)
    finally:
        system.stop_all()
        if args.drop:
            asyncio.run(drop_run(run))
    print(f"assistant benchmark (run {run}, logs in {LOG_DIR})")
    print(
        f"  {args.customers} customers in {args.shops} shops, {result['answers']} answers in {result['seconds']} s "
        f"({result['answers_per_s']}/s), {result['missing']} missing, {result['booked']} booked "
        f"({result['confirmed_bookings']} confirmed in booking)"
    )
    print("| message | n | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|")
    for kind, f in result["latency"].items():
        print(
            f"| {kind} | {f['n']} | {f['p50_ms']} ms | {f['p95_ms']} ms | {f['p99_ms']} ms | {f['max_ms']} ms |"
        )
    print(f"  ai-assist (whole run): {result['assistant_metrics']}")
    print("RESULT " + json.dumps(result), flush=True)
    missing = result["missing"] or result["booked"] != result["confirmed_bookings"]
    return 1 if missing or result["booked"] < args.customers * args.rounds else 0


if __name__ == "__main__":
    sys.exit(main())
