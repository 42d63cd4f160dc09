"""Calls: how fast a call sets up across two gateway instances, and how long until video
arrives through TURN.

Starts its own messaging and two gateway processes (own databases and topic namespace, on
127.0.0.1), and Debian's coturn through the stack script if it does not run on
`--turn-port`. One shop per pair (owner = staff, one customer, their conversation); the
staff socket is on gateway 1, the customer's on gateway 2, so every frame crosses Redis.

1. Signalling: `--calls` calls in rounds of `--concurrency` at once. Each: invite →
   the customer's `call.incoming` (ring), accept → the caller's `call.accepted` (setup),
   an offer relayed to the callee (relay), hang-up → both `call.ended` (end).
2. Media: `--media` calls with aiortc peers, relay candidates only, through coturn:
   invite → the first decoded video frame at the callee.
3. Recorded: the gateways' `frontdesk_gateway_calls_total` and every call's message in the
   conversations.

Prints a table and a `RESULT {json}` line. Run: `uv run python bench/calls.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, VideoStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from messaging_path import Pair, drop_run, make_pairs, percentiles, start_system

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "deploy" / "local" / "stack.sh"
SECRET = "frontdesk-bench-turn-secret"


@dataclass
class Device:
    ws: Any
    queues: dict[str, asyncio.Queue[dict[str, Any]]] = field(default_factory=dict)
    reader: asyncio.Task[None] | None = None

    def queue(self, kind: str) -> asyncio.Queue[dict[str, Any]]:
        return self.queues.setdefault(kind, asyncio.Queue())

    async def read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                await self.queue(frame["type"]).put(frame)

    async def next(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        return await asyncio.wait_for(self.queue(kind).get(), timeout)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))


async def device(base_url: str, token: str) -> Device:
    ws = await websockets.connect(base_url.replace("http://", "ws://") + "/v1/ws", max_size=None)
    await ws.send(json.dumps({"type": "auth", "access_token": token}))
    found = Device(ws)
    found.reader = asyncio.create_task(found.read())
    await found.next("ready")
    return found


async def one_call(staff: Device, customer: Device, pair: Pair, tally: dict[str, list[float]]) -> None:
    start = time.perf_counter()
    await staff.send({"type": "call.invite", "conversation_id": pair.conversation_id, "media": "audio"})
    call_id = (await staff.next("call.ringing"))["call"]["call_id"]
    await customer.next("call.incoming")
    tally["ring_ms"].append((time.perf_counter() - start) * 1000)
    await customer.send({"type": "call.accept", "call_id": call_id})
    await staff.next("call.accepted")
    tally["setup_ms"].append((time.perf_counter() - start) * 1000)
    await customer.next("call.accepted")
    sent = time.perf_counter()
    await staff.send({"type": "call.offer", "call_id": call_id, "sdp": "v=0 bench"})
    await customer.next("call.offer")
    tally["relay_ms"].append((time.perf_counter() - sent) * 1000)
    sent = time.perf_counter()
    await staff.send({"type": "call.hangup", "call_id": call_id})
    await staff.next("call.ended")
    await customer.next("call.ended")
    tally["end_ms"].append((time.perf_counter() - sent) * 1000)


def peer(ice_servers: list[dict[str, Any]]) -> RTCPeerConnection:
    servers = [
        RTCIceServer(urls=s["urls"], username=s["username"], credential=s["credential"]) for s in ice_servers
    ]
    return RTCPeerConnection(
        RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY)
    )


async def media_call(staff: Device, customer: Device, pair: Pair) -> float:
    start = time.perf_counter()
    await staff.send({"type": "call.invite", "conversation_id": pair.conversation_id, "media": "video"})
    ringing = await staff.next("call.ringing")
    call_id = ringing["call"]["call_id"]
    await customer.next("call.incoming")
    await customer.send({"type": "call.accept", "call_id": call_id})
    accepted = await customer.next("call.accepted")
    await staff.next("call.accepted")
    caller, callee = peer(ringing["ice_servers"]), peer(accepted["ice_servers"])
    first: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    readers: list[asyncio.Task[None]] = []

    @callee.on("track")
    def _on_track(track: Any) -> None:
        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                await track.recv()
                if not first.done():
                    first.set_result(time.perf_counter())

        readers.append(asyncio.ensure_future(read()))

    try:
        caller.addTrack(VideoStreamTrack())
        await caller.setLocalDescription(await caller.createOffer())
        await staff.send({"type": "call.offer", "call_id": call_id, "sdp": caller.localDescription.sdp})
        offer = await customer.next("call.offer")
        await callee.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await callee.setLocalDescription(await callee.createAnswer())
        await customer.send({"type": "call.answer", "call_id": call_id, "sdp": callee.localDescription.sdp})
        answer = await staff.next("call.answer")
        await caller.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        arrived = await asyncio.wait_for(first, 60)
    finally:
        await caller.close()
        await callee.close()
    await staff.send({"type": "call.hangup", "call_id": call_id})
    await staff.next("call.ended")
    await customer.next("call.ended")
    return (arrived - start) * 1000


def turn_running(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


async def bench(args: argparse.Namespace, system: Any, run: str) -> dict[str, Any]:
    pairs = await make_pairs(system.url("gateway"), args.concurrency, 0, run)
    staff = [await device(system.url("gateway"), p.staff.token) for p in pairs]
    customers = [await device(system.url("gateway-2"), p.customer.token) for p in pairs]
    tally: dict[str, list[float]] = {"ring_ms": [], "setup_ms": [], "relay_ms": [], "end_ms": []}
    started = time.perf_counter()
    for _ in range(args.calls // args.concurrency):
        await asyncio.gather(
            *(one_call(s, c, p, tally) for s, c, p in zip(staff, customers, pairs, strict=True))
        )
    elapsed = time.perf_counter() - started
    first_frame = [await media_call(staff[0], customers[0], pairs[0]) for _ in range(args.media)]
    result: dict[str, Any] = {
        "calls": len(tally["setup_ms"]),
        "calls_per_second": round(len(tally["setup_ms"]) / elapsed, 1),
        **{name: percentiles(values) for name, values in tally.items()},
        "first_video_frame_ms": percentiles(first_frame),
    }
    async with httpx.AsyncClient() as http:
        counted = 0.0
        for name in ("gateway", "gateway-2"):
            text = (await http.get(f"{system.ops_url(name)}/metrics")).text
            counted += sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("frontdesk_gateway_calls_total{")
            )
        result["calls_counted"] = counted
        await asyncio.sleep(2)  # the last ends reach messaging
        recorded = 0
        for pair in pairs:
            page = await http.get(
                f"{system.url('gateway')}/v1/conversations/{pair.conversation_id}/messages",
                params={"limit": 200},
                headers={"authorization": f"Bearer {pair.staff.token}"},
            )
            recorded += sum(1 for m in page.json()["messages"] if m["sender_kind"] == "call")
        result["call_messages"] = recorded
    for d in staff + customers:
        await d.ws.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--media", type=int, default=3)
    parser.add_argument("--turn-port", type=int, default=21310)
    args = parser.parse_args()
    run = secrets.token_hex(4)
    ours = not turn_running(args.turn_port)
    if ours:
        env = {**os.environ, "FRONTDESK_TURN_SECRET": SECRET}
        subprocess.run(["bash", str(STACK), "coturn-start", str(args.turn_port)], check=True, env=env)
    system = start_system(run)
    extra = {
        "FRONTDESK_TURN_URLS": f"turn:127.0.0.1:{args.turn_port}?transport=udp",
        "FRONTDESK_TURN_SECRET": SECRET,
        "FRONTDESK_CALL_INVITES_PER_MINUTE": "100000",
    }
    try:
        system.start("messaging")
        system.start("gateway", extra_env=extra)
        system.start("gateway", instance="2", extra_env=extra)
        result = asyncio.run(bench(args, system, run))
    finally:
        system.stop_all()
        asyncio.run(drop_run(run))
        if ours:
            subprocess.run(["bash", str(STACK), "coturn-stop", str(args.turn_port)], check=False)
    for name, value in result.items():
        print(f"{name:>22}: {value}")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
