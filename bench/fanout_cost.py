"""What the broadcast fan-out (docs/adr/0002-gateway-fanout.md) costs one gateway instance.

Every gateway reads every messaging event. This starts one gateway (own database and topic
namespace), writes synthetic `messaging.message.sent.v1` events straight to its events
topic at `--rate` per second, and reads the gateway's CPU time from /proc while:

  idle     no events, no sockets (the floor)
  others   events for shops with no socket on this instance (what each extra instance pays)
  others+  the same with `--sockets` idle sockets connected (does holding sockets change it?)
  own      events for conversations whose customer and staff are connected here (useful work)

Prints CPU ms per second and µs per event for each, and a `RESULT {json}` line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
import uuid
from typing import Any

import jwt
import websockets
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from frontdesk_contracts import Envelope
from frontdesk_platform.kafka import headers_for
from jwt.algorithms import OKPAlgorithm
from messaging_path import KAFKA, drop_run, start_system

KEY = Ed25519PrivateKey.generate()
KID = "fanout-bench"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def token(user_id: uuid.UUID, shop_id: uuid.UUID, role: str) -> str:
    now = int(time.time())
    claims = {"sub": str(user_id), "shop": str(shop_id), "role": role, "aud": "frontdesk"}
    return jwt.encode({**claims, "iat": now, "exp": now + 3600}, KEY, algorithm="EdDSA", headers={"kid": KID})


def event(shop: uuid.UUID, customer: uuid.UUID, conversation: uuid.UUID, seq: int) -> Envelope:
    return Envelope(
        type="messaging.message.sent.v1",
        source="frontdesk.messaging",
        tenant_id=shop,
        aggregate_id=str(conversation),
        aggregate_version=seq,
        data={
            "shop_id": str(shop), "customer_id": str(customer), "conversation_id": str(conversation),
            "seq": seq, "message_id": str(uuid.uuid4()), "sender_id": str(customer),
            "sender_role": "customer", "sender_kind": "person", "client_msg_id": f"c{seq}",
            "kind": "text", "text": "周六上午可以洗澡吗?", "sent_at": "2030-05-01T09:00:00Z",
            "recalled": False, "edited_at": None,
        },
    )  # fmt: skip


async def produce(producer: AIOKafkaProducer, topic: str, rate: int, seconds: float, make: Any) -> int:
    """Send `rate` events a second in 10 ms ticks; returns how many were sent."""
    sent, start = 0, time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate)
        batch = [make(sent + i) for i in range(due - sent)]
        for envelope in batch:
            value = envelope.model_dump_json().encode()
            await producer.send(
                topic, value, key=envelope.aggregate_id.encode(), headers=headers_for(envelope)
            )
        sent += len(batch)
        await asyncio.sleep(0.01)
    await producer.flush()
    return sent


async def idle(seconds: float) -> int:
    await asyncio.sleep(seconds)
    return 0


async def measure(pid: int, work: Any) -> tuple[float, int]:
    """CPU seconds the gateway used while `work` ran (and a second after), and events sent."""
    before = cpu_seconds(pid)
    sent = await work
    await asyncio.sleep(1)  # let the gateway drain what was just sent
    return cpu_seconds(pid) - before, sent


async def bench(args: argparse.Namespace, system: Any, namespace: str) -> dict[str, Any]:
    pid = system.running["gateway"].process.pid
    ws_url = system.url("gateway").replace("http://", "ws://") + "/v1/ws"
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, linger_ms=5)
    await producer.start()
    topic = f"{namespace}messaging.events"
    other_shop, other_customer = uuid.uuid4(), uuid.uuid4()
    conversations = [uuid.uuid4() for _ in range(100)]

    def for_others(n: int) -> Envelope:
        return event(other_shop, other_customer, conversations[n % 100], n // 100 + 1)

    results: dict[str, Any] = {}

    async def phase(name: str, make: Any) -> None:
        work = idle(args.seconds) if make is None else produce(producer, topic, args.rate, args.seconds, make)
        cpu, sent = await measure(pid, work)
        results[name] = {
            "events_per_s": round(sent / args.seconds),
            "cpu_ms_per_s": round(1000 * cpu / (args.seconds + 1), 1),
            "cpu_us_per_event": round(1e6 * cpu / sent, 1) if sent else None,
        }

    try:
        await produce(producer, topic, 50, 2, for_others)  # warm up the consumer
        await phase("idle", None)
        await phase("others", for_others)
        shop = uuid.uuid4()
        # one staff socket and the rest customers: an own event goes to two sockets
        customers = [uuid.uuid4() for _ in range(args.sockets - 1)]
        people = [(c, "customer") for c in customers] + [(uuid.uuid4(), "staff")]
        sockets = [
            await websockets.connect(f"{ws_url}?access_token={token(user, shop, role)}")
            for user, role in people
        ]
        await phase("others+", for_others)
        own = [(c, uuid.uuid4()) for c in customers]

        def for_own(n: int) -> Envelope:
            customer, conversation = own[n % len(own)]
            return event(shop, customer, conversation, n // len(own) + 1)

        await phase("own", for_own)
        for socket in sockets:
            await socket.close()
    finally:
        await producer.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=int, default=1000, help="events per second in each phase")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--sockets", type=int, default=200, help="idle sockets for others+ and own")
    args = parser.parse_args()
    run = secrets.token_hex(4)
    system = start_system(run)
    jwk = {**OKPAlgorithm.to_jwk(KEY, as_dict=True), "kid": KID}
    system.env = {
        **system.env,
        "FRONTDESK_JWT_KEYS": json.dumps({"keys": [jwk]}),
        "FRONTDESK_ENVIRONMENT": "development",
    }
    try:
        system.start("gateway")
        result = asyncio.run(bench(args, system, f"bench{run}."))
    finally:
        system.stop_all()
        asyncio.run(drop_run(run))
    print(f"gateway fan-out cost at {args.rate} events/s, {args.sockets} sockets (run {run})")
    for name, row in result.items():
        print(f"  {name:<8} {row}")
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
