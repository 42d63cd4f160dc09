"""Messaging under a realistic mix, a reconnect storm, and a rebuild.

1. Mix: in each pair the customer sends, the staff side sends `typing`, a `read` receipt
   and a reply; the customer reads the reply. Figures: messages/s, receipts and typing
   frames delivered, send→receive latency.
2. Reconnect storm: every staff socket drops, customers keep writing, then all staff
   devices reconnect at once and `sync` from their last seq. Figures: time until every
   device is caught up (p50/p99/max) and whether any device missed or repeated a message.
3. Rebuild: `frontdesk-messaging rebuild-projections` on the run's database, in events/s.

Run: `make bench-mix` = `uv run python bench/messaging_mix.py [--pairs 20 --rounds 20 --missed 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from typing import Any

import websockets
from messaging_path import Pair, drop_run, make_pairs, percentiles, start_system

Frames = list[dict[str, Any]]


async def socket(base: str, token: str) -> Any:
    ws = await websockets.connect(f"{base}/v1/ws?access_token={token}", max_size=None)
    assert json.loads(await ws.recv())["type"] == "ready"
    return ws


async def until(ws: Any, frames: Frames, want: Any, timeout: float = 30) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            frames.append(frame)
            if want(frame):
                return frame


def is_message(seq: int) -> Any:
    return lambda f: f["type"] == "message.new" and f["message"]["seq"] == seq


async def conversation_round(
    pair: Pair, sockets: dict[str, Any], frames: dict[str, Frames], seq: int, latencies: list[float]
) -> int:
    """Customer asks; staff types, reads and answers; customer reads. Returns the next seq."""
    customer, staff, conv = sockets["customer"], sockets["staff"], pair.conversation_id
    started = time.perf_counter()
    await customer.send(
        json.dumps(
            {
                "type": "message.send",
                "conversation_id": conv,
                "client_msg_id": uuid.uuid4().hex,
                "text": f"请问周六{seq}点可以洗澡吗",
            }
        )
    )
    await until(staff, frames["staff"], is_message(seq + 1))
    latencies.append((time.perf_counter() - started) * 1000)
    await staff.send(json.dumps({"type": "typing", "conversation_id": conv}))
    await staff.send(json.dumps({"type": "read", "conversation_id": conv, "up_to_seq": seq + 1}))
    await staff.send(
        json.dumps(
            {
                "type": "message.send",
                "conversation_id": conv,
                "client_msg_id": uuid.uuid4().hex,
                "text": "可以的,给您约上",
            }
        )
    )
    await until(customer, frames["customer"], is_message(seq + 2))
    await customer.send(json.dumps({"type": "read", "conversation_id": conv, "up_to_seq": seq + 2}))
    return seq + 2


async def mix(base: str, pairs: list[Pair], rounds: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    sessions = []
    for pair in pairs:
        sockets = {
            "customer": await socket(base, pair.customer.token),
            "staff": await socket(base, pair.staff.token),
        }
        sessions.append((pair, sockets, {"customer": [], "staff": []}))
    latencies: list[float] = []

    async def run(pair: Pair, sockets: dict[str, Any], frames: dict[str, Frames]) -> None:
        seq = 0
        for _ in range(rounds):
            seq = await conversation_round(pair, sockets, frames, seq, latencies)

    started = time.perf_counter()
    await asyncio.gather(*(run(*session) for session in sessions))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1)
    received = {kind: 0 for kind in ("receipt.read", "typing")}
    for _, _, frames in sessions:
        for frame in frames["customer"] + frames["staff"]:
            if frame["type"] in received:
                received[frame["type"]] += 1
    messages = len(pairs) * rounds * 2
    result = {
        "messages": messages,
        "seconds": round(elapsed, 2),
        "messages_per_s": round(messages / elapsed, 1),
        "customer_to_staff_ms": percentiles(latencies),
        "receipt_and_typing_frames_seen": received,
    }
    return result, [{"pair": p, "sockets": s} for p, s, _ in sessions]


async def storm(base: str, sessions: list[dict[str, Any]], rounds: int, missed: int) -> dict[str, Any]:
    last_seq = rounds * 2
    for session in sessions:
        await session["sockets"]["staff"].close()

    async def write(session: dict[str, Any]) -> None:
        ws, conv = session["sockets"]["customer"], session["pair"].conversation_id
        for n in range(missed):
            await ws.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "conversation_id": conv,
                        "client_msg_id": uuid.uuid4().hex,
                        "text": f"missed {n}",
                    }
                )
            )
        await until(ws, [], lambda f: f["type"] == "ack" and f["seq"] == last_seq + missed)

    await asyncio.gather(*(write(s) for s in sessions))
    times: list[float] = []
    problems = 0

    async def resume(session: dict[str, Any]) -> None:
        nonlocal problems
        started = time.perf_counter()
        ws = await socket(base, session["pair"].staff.token)
        frames: Frames = []
        await ws.send(
            json.dumps(
                {"type": "sync", "id": "s", "conversations": {session["pair"].conversation_id: last_seq}}
            )
        )
        await until(ws, frames, lambda f: f["type"] == "sync.done")
        times.append((time.perf_counter() - started) * 1000)
        seqs = [f["message"]["seq"] for f in frames if f["type"] == "message.new"]
        problems += seqs != list(range(last_seq + 1, last_seq + missed + 1))
        await ws.close()

    started = time.perf_counter()
    await asyncio.gather(*(resume(s) for s in sessions))
    return {
        "devices": len(sessions),
        "missed_each": missed,
        "all_caught_up_s": round(time.perf_counter() - started, 2),
        "device_catch_up_ms": percentiles(times),
        "devices_with_gaps_or_repeats": problems,
    }


def rebuild_speed(system: Any) -> dict[str, Any]:
    env = {**system.env, "FRONTDESK_DATABASE_NAME": f"{system.database_prefix}_messaging"}
    done = subprocess.run(
        [sys.executable, "-m", "frontdesk_messaging", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found = re.search(r"from (\d+) events in ([\d.]+)s", done.stdout)
    assert found, done.stdout
    events, seconds = int(found.group(1)), float(found.group(2))
    return {"events": events, "seconds": seconds, "events_per_s": round(events / seconds)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    system = start_system(run)
    try:
        system.start("messaging")
        system.start("gateway")
        base = system.url("gateway")
        pairs = await make_pairs(base, args.pairs, args.pairs, run)
        ws_base = base.replace("http://", "ws://")
        mixed, sessions = await mix(ws_base, pairs, args.rounds)
        stormed = await storm(ws_base, sessions, args.rounds, args.missed)
        for session in sessions:
            await session["sockets"]["customer"].close()
        return {"mix": mixed, "reconnect_storm": stormed, "rebuild": rebuild_speed(system)}
    finally:
        system.stop_all()
        await drop_run(run)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20, help="question-and-answer rounds per pair")
    parser.add_argument(
        "--missed", type=int, default=10, help="messages each staff device misses in the storm"
    )
    result = asyncio.run(asyncio.wait_for(main(parser.parse_args()), 900))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("RESULT " + json.dumps(result, ensure_ascii=False))
    sys.exit(1 if result["reconnect_storm"]["devices_with_gaps_or_repeats"] else 0)
