"""Two gateways behind HAProxy: a customer on one and staff on the other talk; one gateway
is killed (-9) mid-conversation, and every device on it reconnects through the balancer to
the other and resumes with `sync` from its last seq: nothing lost, nothing twice, in order."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import websockets
from frontdesk_local.balancer import Balancer
from frontdesk_local.system import System, free_port

from .client import Account, Api, Device

pytestmark = pytest.mark.e2e

MESSAGES_EACH = 80  # per sender: a bounded stream, sent one after the other's ack
KILL_AFTER = 25  # customer messages acknowledged before the customer's gateway dies


@pytest.fixture
def gateways(system: System) -> Iterator[list[str]]:
    """Two gateways of their own, so killing one leaves the other tests' gateways alone."""
    keys = [system.start("gateway", instance=f"failover-{n}").name for n in (1, 2)]
    try:
        yield keys
    finally:
        for key in keys:
            if key in system.running:
                system.stop(key)


@pytest.fixture
async def balanced(system: System, gateways: list[str]) -> AsyncIterator[tuple[Api, Balancer]]:
    backends = [system.url(key) for key in gateways]
    with Balancer(free_port(), backends, log=system.log_dir / "haproxy.log") as balancer:
        async with Api(balancer.url) as api:
            yield api, balancer


class Person:
    """One device of a person, through the balancer. It remembers the seqs it has shown; when
    its socket drops it reconnects (the balancer picks a live gateway) and sends `sync` from
    the last one, and a send that was not acknowledged is sent again with the same id."""

    def __init__(self, api: Api, account: Account, conversation: str) -> None:
        self.api, self.account, self.conversation = api, account, conversation
        self.sessions: list[Device] = []
        self.reconnects = 0

    @property
    def device(self) -> Device:
        return self.sessions[-1]

    def seqs(self) -> list[int]:
        """Every message.new this person's devices showed, session after session."""
        return [
            f["message"]["seq"]
            for device in self.sessions
            for f in device.frames
            if f["type"] == "message.new" and f["message"]["conversation_id"] == self.conversation
        ]

    async def connect(self, on: str) -> None:
        """A socket on the named gateway (the balancer gives the next one to the other)."""
        for _ in range(10):
            device = await self.api.device(self.account)
            if device.served_by == on:
                self.sessions.append(device)
                return
            await device.close()
        raise AssertionError(f"the balancer never gave a socket on {on}")

    async def resume(self) -> None:
        wanted = {self.conversation: max(self.seqs(), default=0)}
        self.reconnects += 1
        for attempt in range(20):
            try:
                device = await self.api.device(self.account, sync=wanted)
                break
            except (OSError, websockets.InvalidStatus, AssertionError, TimeoutError):
                await asyncio.sleep(0.1 * (attempt + 1))  # the balancer has not seen it die yet
        else:
            raise AssertionError("no live gateway took the socket through the balancer")
        self.sessions.append(device)
        await device.next("sync.done", ref="resume", timeout=30)

    async def say(self, text: str) -> None:
        client_msg_id = uuid.uuid4().hex
        while True:
            if self.device.closed:
                await self.resume()
            try:
                await self.device.send_message(self.conversation, text, client_msg_id=client_msg_id)
                await self.device.next("ack", client_msg_id=client_msg_id, timeout=10)
                return
            except (AssertionError, TimeoutError, websockets.ConnectionClosed):
                continue  # closed: resume first; open but silent: the same id again

    async def watch(self, until: float) -> None:
        """A device that only listens: resume whenever its socket drops."""
        while time.monotonic() < until:
            if self.device.closed:
                await self.resume()
            await asyncio.sleep(0.05)

    async def shown_all(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.seqs()) < count and time.monotonic() < deadline:
            if self.device.closed:
                await self.resume()
            await asyncio.sleep(0.1)


def settled(device: Device) -> list[int]:
    """Seqs a socket showed, in the order it showed them (a resumed socket named its last
    seqs in its sign-in, so its catch-up comes before any live message)."""
    return [f["message"]["seq"] for f in device.frames if f["type"] == "message.new"]


async def test_a_gateway_killed_mid_conversation_loses_nothing_and_repeats_nothing(
    system: System, gateways: list[str], balanced: tuple[Api, Balancer]
) -> None:
    api, balancer = balanced
    doomed, survivor = (balancer.server(system.url(key)) for key in gateways)
    owner = await api.shop()
    customer_account = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer_account)

    customer = Person(api, customer_account, conversation)
    desk = Person(api, owner, conversation)  # staff at the desk, on the gateway that stays
    staff_phone = Person(api, owner, conversation)  # the same staff's phone, listening
    await customer.connect(on=doomed)
    await desk.connect(on=survivor)
    await staff_phone.connect(on=doomed)

    async def customer_talks() -> None:
        for i in range(MESSAGES_EACH):
            await customer.say(f"customer {i}")
            if i + 1 == KILL_AFTER:
                system.stop(gateways[0], kill=True)  # kill -9, mid-stream

    async def staff_talks() -> None:
        for i in range(MESSAGES_EACH):
            await desk.say(f"staff {i}")

    listening = asyncio.create_task(staff_phone.watch(until=time.monotonic() + 120))
    async with asyncio.timeout(120):
        await asyncio.gather(customer_talks(), staff_talks())
    total = 2 * MESSAGES_EACH
    for person in (customer, desk, staff_phone):
        await person.shown_all(total)
    listening.cancel()

    everyone = {"customer": customer, "desk": desk, "staff phone": staff_phone}
    for name, person in everyone.items():
        seqs = person.seqs()
        assert sorted(seqs) == list(range(1, total + 1)), f"{name} lost or repeated a message"
        for session in person.sessions:
            assert settled(session) == sorted(settled(session)), f"{name} saw messages out of order"
    assert (customer.reconnects, staff_phone.reconnects, desk.reconnects) == (1, 1, 0)
    assert {d.served_by for d in customer.sessions[1:] + staff_phone.sessions[1:]} == {survivor}
    history = await api.history(owner, conversation, after_seq=0, limit=200)
    texts = [m["text"] for m in history["messages"]]
    assert sorted(texts) == sorted(
        [f"customer {i}" for i in range(MESSAGES_EACH)] + [f"staff {i}" for i in range(MESSAGES_EACH)]
    )
    # each side's own messages in the order it sent them
    assert [t for t in texts if t.startswith("customer")] == [f"customer {i}" for i in range(MESSAGES_EACH)]
    assert [t for t in texts if t.startswith("staff")] == [f"staff {i}" for i in range(MESSAGES_EACH)]
