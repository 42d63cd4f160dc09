"""Many sockets on one gateway: connect rate, memory per idle socket, a reconnect storm,
and latency of steady traffic while they are all connected.

Starts its own messaging and gateway processes (own databases and topic namespace, on
127.0.0.1) with a raised open-file limit, sets up `--pairs` shops through the REST API
(an owner, a customer and their conversation each), and from this process (the clients)
opens `--sockets` sockets: `--devices` devices per side of each pair carry traffic, the
rest are idle customers of those shops (tokens are signed with the run's own key).

1. Connect: all sockets at once (`--concurrency` handshakes in flight); connect rate and
   how many got `ready`.
2. Idle: the gateway's RSS growth divided by the sockets, in KiB.
3. Steady: `--rate` messages/s for `--steady` seconds from the customers' first devices;
   send→receive p50/p99 at the owners' first devices.
4. Storm: every socket drops; while customers keep writing over REST, every device
   reconnects at once and `sync`s from the last seq it has. Time until every device has
   `sync.done` and every message of its conversation, with gaps and repeats counted.
5. Server exceptions: tracebacks in the gateway's log.

Prints a table and a `RESULT {json}` line; exits 1 if a target of issue 12 is missed.
Run: `make bench-sockets` = `uv run python bench/sockets.py [--sockets 2000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import websockets
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from messaging_path import LOG_DIR, Pair, drop_run, make_pairs, percentiles, start_system

KID = f"bench-{secrets.token_hex(4)}"
KEY = Ed25519PrivateKey.generate()
JWT_KEYS = json.dumps({"keys": [{**OKPAlgorithm.to_jwk(KEY, as_dict=True), "kid": KID}]})
TARGETS = {"kib_per_socket": 30, "storm_seconds": 30, "steady_p99_ms": 200}


def token(user_id: str, shop_id: str, role: str) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user_id,
        "shop": shop_id,
        "role": role,
        "iat": now.timestamp(),
        "exp": int((now + timedelta(hours=2)).timestamp()),
        "aud": "frontdesk",
    }
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": KID})


@dataclass
class Device:
    token: str
    conversation: str | None = None  # None: an idle device with nothing to catch up
    ws: Any = None
    reader: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    synced: asyncio.Event = field(default_factory=asyncio.Event)
    seen: set[int] = field(default_factory=set)  # every seq this device has, over sessions
    arrived: dict[int, float] = field(default_factory=dict)  # seq → when it first came
    session: set[int] = field(default_factory=set)  # seqs of the current session
    repeats: int = 0
    errors: int = 0
    on_message: Any = None

    @property
    def have(self) -> int:
        """The last seq before the first hole: what the device says it has when it syncs."""
        seq = 0
        while seq + 1 in self.seen:
            seq += 1
        return seq


async def open_socket(url: str, device: Device, limit: asyncio.Semaphore) -> bool:
    async with limit:
        device.ready.clear()
        device.synced.clear()
        device.session = set()
        try:
            device.ws = await websockets.connect(
                url, compression=None, ping_interval=None, max_size=2**22, open_timeout=60
            )
            await device.ws.send(json.dumps({"type": "auth", "access_token": device.token}))
            device.reader = asyncio.create_task(read(device))
            async with asyncio.timeout(60):
                await device.ready.wait()
            return True
        except (OSError, TimeoutError, websockets.WebSocketException):
            return False


async def read(device: Device) -> None:
    try:
        async for raw in device.ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "ready":
                device.ready.set()
            elif kind == "message.new":
                seq = frame["message"]["seq"]
                if seq in device.session:
                    device.repeats += 1
                device.session.add(seq)
                device.seen.add(seq)
                device.arrived.setdefault(seq, time.perf_counter())
                if device.on_message is not None:
                    device.on_message(frame["message"])
            elif kind == "sync.done":
                device.synced.set()
            elif kind == "error":
                device.errors += 1
    except websockets.ConnectionClosed:
        pass


async def connect_all(url: str, devices: list[Device], concurrency: int) -> tuple[int, float]:
    limit = asyncio.Semaphore(concurrency)
    started = time.perf_counter()
    results = await asyncio.gather(*(open_socket(url, d, limit) for d in devices))
    return sum(results), time.perf_counter() - started


async def close_all(devices: list[Device]) -> None:
    async def close(device: Device) -> None:
        if device.ws is not None:
            device.ws.transport.abort()  # a dropped network, not a polite close
        if device.reader is not None:
            await asyncio.gather(device.reader, return_exceptions=True)

    await asyncio.gather(*(close(d) for d in devices))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def steady(
    pairs: list[Pair], senders: list[Device], watchers: list[Device], args: Any
) -> dict[str, Any]:
    """Open loop: message k leaves at k / rate, whatever the answers."""
    sent: dict[str, float] = {}
    latencies: list[float] = []

    def received(message: dict[str, Any]) -> None:
        started = sent.pop(message.get("client_msg_id", ""), None)
        if started is not None:
            latencies.append((time.perf_counter() - started) * 1000)

    for watcher in watchers:
        watcher.on_message = received
    total = int(args.rate * args.steady)
    errors_before = sum(d.errors for d in senders)
    began = time.perf_counter()
    for k in range(total):
        await asyncio.sleep(max(0.0, began + k / args.rate - time.perf_counter()))
        index = k % len(pairs)
        client_msg_id = f"steady-{k}"
        frame = {"type": "message.send", "conversation_id": pairs[index].conversation_id}
        frame |= {"client_msg_id": client_msg_id, "text": f"steady {k}"}
        sent[client_msg_id] = time.perf_counter()
        await senders[index].ws.send(json.dumps(frame))
    await until(lambda: not sent, 15)
    for watcher in watchers:
        watcher.on_message = None
    errors = sum(d.errors for d in senders) - errors_before
    return {
        "sent": total,
        "lost": len(sent),
        "error_frames": errors,
        "send_to_receive_ms": percentiles(latencies),
    }


async def write_over_rest(base: str, pairs: list[Pair], count: int, rate: float) -> dict[str, int]:
    """Customers keep writing during the storm; returns how many were answered 202 (stored
    later than the gateway's reply timeout) and how many failed, by status."""
    answers: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for k in range(count):
            pair = pairs[k % len(pairs)]
            response = await client.post(
                f"/v1/conversations/{pair.conversation_id}/messages",
                json={"client_msg_id": f"storm-{k}", "text": f"while you were away {k}"},
                headers={"authorization": f"Bearer {pair.customer.token}"},
            )
            answers[str(response.status_code)] = answers.get(str(response.status_code), 0) + 1
            await asyncio.sleep(1 / rate)
    return answers


async def last_seqs(base: str, pairs: list[Pair]) -> dict[str, int]:
    """Each conversation's newest seq, as the messaging service has it (a 202 answer has none)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        last = {}
        for pair in pairs:
            response = await client.get(
                f"/v1/conversations/{pair.conversation_id}",
                headers={"authorization": f"Bearer {pair.customer.token}"},
            )
            last[pair.conversation_id] = int(response.json()["last_seq"])
        return last


async def storm(url: str, base: str, pairs: list[Pair], devices: list[Device], args: Any) -> dict[str, Any]:
    await close_all(devices)
    writer = asyncio.create_task(write_over_rest(base, pairs, args.storm_messages, args.storm_rate))
    limit = asyncio.Semaphore(args.concurrency)
    started = time.perf_counter()

    async def come_back(device: Device) -> float | None:
        if not await open_socket(url, device, limit):
            return None
        wanted = {device.conversation: device.have} if device.conversation else {}
        await device.ws.send(json.dumps({"type": "sync", "conversations": wanted}))
        try:
            async with asyncio.timeout(args.storm_timeout):
                await device.synced.wait()
        except TimeoutError:
            return None
        return time.perf_counter() - started

    synced = await asyncio.gather(*(come_back(d) for d in devices))
    answers = await writer
    await asyncio.sleep(args.settle)  # messages answered 202 are stored meanwhile
    final = await last_seqs(base, pairs)

    def caught_up(device: Device) -> bool:
        return device.conversation is None or device.have >= final.get(device.conversation, 0)

    await until(lambda: all(caught_up(d) for d in devices), args.storm_timeout)
    traffic = [d for d in devices if d.conversation]
    # When the last device had the last message it was missing (or its sync.done).
    last_arrival = max(
        (
            d.arrived[seq]
            for d in traffic
            for seq in range(1, final[d.conversation or ""] + 1)
            if seq in d.arrived
        ),
        default=started,
    )
    all_caught = max([last_arrival - started, *(s for s in synced if s is not None)])
    gaps = sum(len(set(range(1, final.get(d.conversation or "", 0) + 1)) - d.seen) for d in traffic)
    done = [s for s in synced if s is not None]
    return {
        "reconnected": len(done),
        "seconds_to_all_synced": round(max(done), 2) if done else None,
        "seconds_to_all_caught_up": round(all_caught, 2),
        "all_caught_up": all(caught_up(d) for d in devices),
        "messages_during_storm": args.storm_messages,
        "rest_answers": answers,
        "gaps": gaps,
        "repeats": sum(d.repeats for d in devices),
    }


async def until(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)


def server_exceptions(log: Path) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text.count("Traceback") + text.count("Exception in ASGI")


async def bench(args: argparse.Namespace, system: Any, run: str) -> dict[str, Any]:
    base = system.url("gateway")
    url = base.replace("http://", "ws://") + "/v1/ws"
    pairs = await make_pairs(base, args.pairs, 0, run)
    traffic: list[Device] = []
    senders, watchers = [], []
    for pair in pairs:
        customer = token(pair.customer.user_id, _shop_of(pair), "customer")
        owner = token(pair.staff.user_id, _shop_of(pair), "owner")
        side = [Device(customer, pair.conversation_id) for _ in range(args.devices)]
        staff = [Device(owner, pair.conversation_id) for _ in range(args.devices)]
        senders.append(side[0])
        watchers.append(staff[0])
        traffic += side + staff
    idle = [
        Device(token(str(uuid.uuid4()), _shop_of(pairs[i % len(pairs)]), "customer"))
        for i in range(max(args.sockets - len(traffic), 0))
    ]
    devices = traffic + idle
    pid = system.running["gateway"].process.pid
    await asyncio.sleep(2)
    before = rss_kib(pid)
    await trace_memory(pid, args)  # the baseline
    ready, seconds = await connect_all(url, devices, args.concurrency)
    await asyncio.sleep(args.settle)
    after = rss_kib(pid)
    await trace_memory(pid, args)  # what the idle sockets added, by traceback
    result: dict[str, Any] = {
        "sockets": len(devices),
        "ready": ready,
        "connect_seconds": round(seconds, 2),
        "connects_per_s": round(ready / seconds, 1),
        "gateway_rss_mib_before": round(before / 1024, 1),
        "gateway_rss_mib_idle": round(after / 1024, 1),
        "kib_per_idle_socket": round((after - before) / max(ready, 1), 1),
    }
    if args.idle_only:
        await close_all(devices)
        result["server_exceptions"] = server_exceptions(system.running["gateway"].log)
        return result
    profiling = profile(system, "steady", args.steady, args)
    result["steady"] = await steady(pairs, senders, watchers, args)
    profiling += profile(system, "storm", 30, args)
    result["storm"] = await storm(url, base, pairs, devices, args)
    for profiler in profiling:
        profiler.wait()
    await close_all(devices)
    result["server_exceptions"] = server_exceptions(system.running["gateway"].log)
    return result


def profile(
    system: Any, phase: str, seconds: float, args: argparse.Namespace
) -> list[subprocess.Popen[bytes]]:
    """With --profile PHASE: py-spy records the gateway and messaging for the phase, as
    collapsed stacks in the log folder (profile-sockets-<phase>-<service>.txt)."""
    if args.profile != phase or shutil.which("py-spy") is None:
        return []
    options = ["-d", str(int(seconds)), "--nonblocking", "--format", "raw", "-r", "50"]
    return [
        subprocess.Popen(
            [
                "py-spy",
                "record",
                "--pid",
                str(running.process.pid),
                *options,
                "-o",
                str(LOG_DIR / f"profile-sockets-{phase}-{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, running in system.running.items()
    ]


async def trace_memory(pid: int, args: argparse.Namespace) -> None:
    """With --trace-memory: have the gateway write its allocations (memory_trace.py)."""
    if not args.trace_memory:
        return
    report = Path(args.trace_memory)
    written = _modified(report)
    os.kill(pid, signal.SIGUSR1)
    await until(lambda: _modified(report) != written, 120)


def _modified(report: Path) -> int:
    return report.stat().st_mtime_ns if report.exists() else 0


def _shop_of(pair: Pair) -> str:
    claims = jwt.decode(pair.customer.token, options={"verify_signature": False})
    return str(claims["shop"])


def missed_targets(result: dict[str, Any]) -> list[str]:
    checks = {
        "every socket ready": result["ready"] == result["sockets"],
        f"<= {TARGETS['kib_per_socket']} KiB per idle socket": result["kib_per_idle_socket"]
        <= TARGETS["kib_per_socket"],
        "0 server exceptions": result["server_exceptions"] == 0,
    }
    if "storm" not in result:  # --idle-only
        return [name for name, ok in checks.items() if not ok]
    storm, steady_p99 = result["storm"], result["steady"]["send_to_receive_ms"]["p99"]
    checks |= {
        f"storm caught up within {TARGETS['storm_seconds']} s": storm["all_caught_up"]
        and storm["seconds_to_all_caught_up"] <= TARGETS["storm_seconds"],
        "0 gaps and 0 repeats": storm["gaps"] == 0 and storm["repeats"] == 0,
        f"steady p99 <= {TARGETS['steady_p99_ms']} ms": steady_p99 is not None
        and steady_p99 <= TARGETS["steady_p99_ms"]
        and result["steady"]["lost"] == 0,
    }
    return [name for name, ok in checks.items() if not ok]


def raise_file_limit(wanted: int) -> int:
    """Sockets are files: this process and the gateway it starts (which inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    new = min(max(soft, wanted), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return new


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sockets", type=int, default=2000, help="sockets in all (at most 15000)")
    parser.add_argument("--pairs", type=int, default=20, help="shops with a conversation")
    parser.add_argument("--devices", type=int, default=3, help="devices per side of each pair")
    parser.add_argument("--concurrency", type=int, default=500, help="handshakes in flight")
    parser.add_argument("--settle", type=float, default=5, help="seconds idle before measuring RSS")
    parser.add_argument("--rate", type=float, default=200, help="steady messages/s")
    parser.add_argument("--steady", type=float, default=10, help="seconds of steady traffic")
    parser.add_argument("--storm-messages", type=int, default=100, help="sent over REST during the storm")
    parser.add_argument("--storm-rate", type=float, default=50, help="their rate, messages/s")
    parser.add_argument("--storm-timeout", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=900, help="overall cap in seconds")
    parser.add_argument("--drop", action="store_true", help="drop the run's databases and topics at the end")
    parser.add_argument("--idle-only", action="store_true", help="stop after the idle memory figure")
    parser.add_argument(
        "--profile", choices=["steady", "storm"], help="py-spy records this phase (uv run --with py-spy ...)"
    )
    parser.add_argument(
        "--trace-memory",
        metavar="FILE",
        help="the gateway traces its allocations (slower) and writes what the idle sockets added to FILE",
    )
    args = parser.parse_args()
    args.sockets = min(args.sockets, 15000)
    return args


def main() -> int:
    args = parse_args()
    limit = raise_file_limit(2 * args.sockets + 1000)
    run = secrets.token_hex(4)
    system = start_system(run)
    system.env = {
        **system.env,
        "FRONTDESK_JWT_KEYS": JWT_KEYS,
        "FRONTDESK_LOG_LEVEL": "WARNING",
    }
    if args.trace_memory:
        args.trace_memory = str(Path(args.trace_memory).resolve())
        system.env = {**system.env, "FRONTDESK_TRACE_MEMORY_FILE": args.trace_memory}
    try:
        for name in ("messaging", "gateway"):
            system.start(name, wait=120)
        result = asyncio.run(asyncio.wait_for(bench(args, system, run), args.timeout))
    finally:
        system.stop_all()
        if args.drop:
            asyncio.run(drop_run(run))
    result["open_file_limit"] = limit
    print(f"sockets benchmark (run {run}, logs in {LOG_DIR})")
    for name, value in result.items():
        if isinstance(value, dict):
            for inner, v in value.items():
                print(f"  {name + ' ' + inner:<36} {v}")
        else:
            print(f"  {name:<36} {value}")
    missed = missed_targets(result)
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    print("RESULT " + json.dumps(result), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
