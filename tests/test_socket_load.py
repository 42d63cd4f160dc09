"""A gateway under a burst of sockets and with its Redis gone: what a busy shop's devices
notice (issue 12): every socket gets `ready`, none is dropped, no send fails with a 5xx,
and every message still arrives."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import websockets
from frontdesk_local.system import System

from .client import Api
from .conftest import sign_token

pytestmark = pytest.mark.e2e
THROWAWAY_REDIS_PORT = 22201
IDLE_SOCKET_KIB = 30  # issue 12: 10,000 sockets on one gateway


def customer_token(shop_id: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(uuid.uuid4()), "shop": shop_id, "role": "customer", "iat": now.timestamp()}
    claims |= {"exp": int((now + timedelta(minutes=10)).timestamp()), "aud": "frontdesk"}
    return sign_token(claims)


async def metric(system: System, gateway: str, name: str) -> float:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{system.ops_url(gateway)}/metrics")).text
    return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))


async def test_300_sockets_connecting_at_once_all_get_ready_and_leave_nothing_behind(api, system):
    owner = await api.shop()
    url = system.url("gateway").replace("http://", "ws://") + "/v1/ws"
    before = await metric(system, "gateway", "frontdesk_gateway_sockets")

    async def device() -> tuple[websockets.ClientConnection, str]:
        socket = await websockets.connect(url, open_timeout=60)
        await socket.send(f'{{"type": "auth", "access_token": "{customer_token(owner.shop_id)}"}}')
        async with asyncio.timeout(60):
            return socket, (await socket.recv()).__str__()

    opened = await asyncio.gather(*(device() for _ in range(300)), return_exceptions=True)
    sockets = [o[0] for o in opened if isinstance(o, tuple)]
    assert [o for o in opened if not isinstance(o, tuple)] == []
    assert all('"type":"ready"' in first.replace(" ", "") for _, first in opened)  # type: ignore[union-attr]
    assert await metric(system, "gateway", "frontdesk_gateway_sockets") == before + 300
    await asyncio.gather(*(s.close() for s in sockets))
    for _ in range(50):
        if await metric(system, "gateway", "frontdesk_gateway_sockets") == before:
            break
        await asyncio.sleep(0.1)
    assert await metric(system, "gateway", "frontdesk_gateway_sockets") == before


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))


async def open_idle(url: str, shop_id: str, count: int) -> list[websockets.ClientConnection]:
    async def device() -> websockets.ClientConnection:
        socket = await websockets.connect(url, open_timeout=60, compression=None)
        await socket.send(f'{{"type": "auth", "access_token": "{customer_token(shop_id)}"}}')
        async with asyncio.timeout(60):
            assert '"ready"' in str(await socket.recv())
        return socket

    return list(await asyncio.gather(*(device() for _ in range(count))))


@pytest.fixture
def fresh_gateway(system: System) -> Iterator[str]:
    """A gateway of its own, so other tests' traffic does not move its memory."""
    system.start("gateway", instance="4")
    try:
        yield "gateway-4"
    finally:
        system.stop("gateway-4")


async def test_an_idle_socket_costs_the_gateway_at_most_30_kib(api, system, fresh_gateway):
    owner = await api.shop()
    url = system.url(fresh_gateway).replace("http://", "ws://") + "/v1/ws"
    pid = system.running[fresh_gateway].process.pid
    warm = await open_idle(url, owner.shop_id, 100)  # first sockets warm caches and pools
    await asyncio.sleep(1)
    before = rss_kib(pid)
    idle = await open_idle(url, owner.shop_id, 1000)
    await asyncio.sleep(2)
    per_socket = (rss_kib(pid) - before) / len(idle)
    await asyncio.gather(*(s.close() for s in warm + idle))
    assert per_socket <= IDLE_SOCKET_KIB, f"{per_socket:.1f} KiB per idle socket"


@pytest.fixture
def throwaway_redis() -> Iterator[subprocess.Popen[bytes]]:
    redis = start_redis()
    try:
        yield redis
    finally:
        redis.kill()
        redis.wait()


def start_redis() -> subprocess.Popen[bytes]:
    redis = subprocess.Popen(
        ["redis-server", "--port", str(THROWAWAY_REDIS_PORT), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        ping = subprocess.run(
            ["redis-cli", "-p", str(THROWAWAY_REDIS_PORT), "ping"], capture_output=True, text=True
        )
        if ping.stdout.strip() == "PONG":
            return redis
        subprocess.run(["sleep", "0.1"])
    raise RuntimeError("the throwaway Redis did not start")


@pytest.fixture
async def lone_gateway(system: System, throwaway_redis) -> AsyncIterator[Api]:
    """A third gateway on a Redis of its own, which the test may kill."""
    redis_url = f"redis://127.0.0.1:{THROWAWAY_REDIS_PORT}/0"
    system.start("gateway", instance="3", extra_env={"FRONTDESK_REDIS_URL": redis_url})
    try:
        async with Api(system.url("gateway-3")) as client:
            yield client
    finally:
        system.stop("gateway-3")


async def test_without_redis_sockets_stay_up_and_every_message_arrives(
    api, lone_gateway, system, throwaway_redis
):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phones = [await lone_gateway.device(customer) for _ in range(3)]
    counters = [await lone_gateway.device(owner) for _ in range(3)]
    watcher = counters[0]

    async def talk(label: str, count: int) -> list[int]:
        statuses = []
        for n in range(count):
            await phones[n % 3].send_message(
                conversation, f"{label} socket {n}", client_msg_id=f"{label}-s{n}"
            )
            await phones[n % 3].send({"type": "typing", "conversation_id": conversation})
            sent = await lone_gateway.send(customer, conversation, f"{label} rest {n}", f"{label}-r{n}")
            statuses.append(sent.status_code)
        return statuses

    assert set(await talk("before", 5)) == {201}
    throwaway_redis.kill()
    throwaway_redis.wait()
    during = await talk("during", 20)
    await counters[1].send({"type": "presence.set", "status": "busy"})
    assert (await counters[1].next("error"))["code"] == "presence_unavailable"

    assert all(status < 500 for status in during), during
    for n in range(20):
        for label in ("s", "r"):
            await watcher.next("message.new", timeout=30, client_msg_id=f"during-{label}{n}")
    assert await metric(system, "gateway-3", "frontdesk_gateway_redis_unavailable") == 1
    assert all(device.closed is None for device in phones + counters)

    restarted = start_redis()
    try:
        for _ in range(100):
            if await metric(system, "gateway-3", "frontdesk_gateway_redis_unavailable") == 0:
                break
            await asyncio.sleep(0.1)
        assert await metric(system, "gateway-3", "frontdesk_gateway_redis_unavailable") == 0
        presence = await lone_gateway.http.get("/v1/presence", headers=owner.auth)
        assert presence.status_code == 200
        assert set(await talk("after", 3)) == {201}
        await watcher.next("message.new", timeout=30, client_msg_id="after-r2")
        assert all(device.closed is None for device in phones + counters)
    finally:
        restarted.kill()
        restarted.wait()
        for device in phones + counters:
            await device.close()
