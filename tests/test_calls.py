"""Voice and video calls, for real: two clients sign in over REST, signal through the
gateway sockets (on two gateway instances), and connect with aiortc through the local
coturn with relay candidates only, so the video frames that arrive went through TURN.
Then what goes wrong: a decline, nobody answering (a missed call in the conversation and
a push), a device that drops, a second device answering, and strangers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, VideoStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from frontdesk_contracts.messaging import conversation_id_for

from .booking_shop import days_ahead, set_up
from .client import Account, Api, Device
from .conftest import ROOT, TURN_PORT, TURN_SECRET

pytestmark = pytest.mark.e2e
STACK = ROOT / "deploy" / "local" / "stack.sh"


@pytest.fixture(scope="module")
def coturn() -> Iterator[None]:
    """Debian's coturn on 127.0.0.1, started by the stack script unless it runs already."""
    if _turn_answers():
        yield
        return
    env = {**os.environ, "FRONTDESK_TURN_SECRET": TURN_SECRET}
    started = subprocess.run(
        ["bash", str(STACK), "coturn-start", str(TURN_PORT)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield
    finally:
        subprocess.run(["bash", str(STACK), "coturn-stop", str(TURN_PORT)], check=False)


def _turn_answers() -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", TURN_PORT)) == 0


def _peer(ice_servers: list[dict[str, Any]]) -> RTCPeerConnection:
    """Relay candidates only (iceTransportPolicy "relay"): no path around the TURN server."""
    servers = [
        RTCIceServer(urls=s["urls"], username=s["username"], credential=s["credential"]) for s in ice_servers
    ]
    return RTCPeerConnection(
        RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY)
    )


def _candidate_types(sdp: str) -> set[str]:
    return set(re.findall(r"a=candidate:\S+ \d \S+ \d+ \S+ \d+ typ (\w+)", sdp))


async def _history_calls(api: Api, who: Account, conversation: str) -> list[dict[str, Any]]:
    page = await api.history(who, conversation)
    return [m for m in page["messages"] if m["sender_kind"] == "call"]


async def _chat_pushes(api: Api, owner: Account, customer: Account) -> list[dict[str, Any]]:
    sunk = await api.http.get(
        f"/v1/shops/{owner.shop_id}/dev-sink", params={"user_id": customer.user_id}, headers=owner.auth
    )
    return [r for r in sunk.json() if r["notification_id"].startswith("chat:")]


async def _sunk(api: Api, owner: Account, customer: Account, notification_id: str) -> list[dict[str, Any]]:
    sunk = await api.http.get(
        f"/v1/shops/{owner.shop_id}/dev-sink", params={"user_id": customer.user_id}, headers=owner.auth
    )
    return [r for r in sunk.json() if r["notification_id"] == notification_id]


def conversation_id_for_customer(owner: Account, customer: Account) -> str:
    return str(conversation_id_for(UUID(owner.shop_id), UUID(customer.user_id)))


async def _until(check: Any, timeout: float = 20) -> Any:
    async with asyncio.timeout(timeout):
        while not (found := await check()):
            await asyncio.sleep(0.25)
    return found


async def _quiet(device: Device, kind: str) -> None:
    await asyncio.sleep(0.5)
    assert device.of_type(kind) == [], device.of_type(kind)


async def test_a_video_call_connects_through_turn_and_the_callee_sees_the_callers_video(
    api, api2, system, coturn
):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    conversation = await api.open_conversation(customer)
    stranger = await api.customer(owner.shop_id, "Li")  # same shop, another customer
    other_owner = await api.shop("Other Shop")

    phone = await api.device(customer)
    counter = await api2.device(owner)  # the two parties on different gateway instances
    tablet = await api.device(owner)  # a second device of the one who answers
    snooper = await api.device(stranger)
    outsider = await api2.device(other_owner)

    await phone.send({"type": "call.invite", "id": "c1", "conversation_id": conversation, "media": "video"})
    ringing = await phone.next("call.ringing", ref="c1")
    call_id = ringing["call"]["call_id"]
    assert ringing["ice_servers"][0]["urls"] == [f"turn:127.0.0.1:{TURN_PORT}?transport=udp"]
    incoming = await counter.next("call.incoming")
    assert incoming["call"]["caller"] == {"user_id": customer.user_id, "role": "customer"}
    assert incoming["call"]["media"] == "video"
    await tablet.next("call.incoming")

    await counter.send({"type": "call.accept", "call_id": call_id})
    accepted = await counter.next("call.accepted")
    await phone.next("call.accepted")
    await tablet.next("call.answered_elsewhere")
    await tablet.send({"type": "call.accept", "id": "late", "call_id": call_id})
    assert (await tablet.next("error", ref="late"))["code"] == "call_answered_elsewhere"

    caller_pc, callee_pc = _peer(ringing["ice_servers"]), _peer(accepted["ice_servers"])
    frames: asyncio.Queue[Any] = asyncio.Queue()
    readers: list[asyncio.Task[None]] = []

    @callee_pc.on("track")
    def _on_track(track: Any) -> None:
        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    await frames.put(await track.recv())

        readers.append(asyncio.ensure_future(read()))

    try:
        caller_pc.addTrack(VideoStreamTrack())
        await caller_pc.setLocalDescription(await caller_pc.createOffer())
        assert _candidate_types(caller_pc.localDescription.sdp) == {"relay"}
        await phone.send({"type": "call.offer", "call_id": call_id, "sdp": caller_pc.localDescription.sdp})
        offer = await counter.next("call.offer")
        assert offer["from"] == customer.user_id

        await callee_pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await callee_pc.setLocalDescription(await callee_pc.createAnswer())
        assert _candidate_types(callee_pc.localDescription.sdp) == {"relay"}
        await counter.send({"type": "call.answer", "call_id": call_id, "sdp": callee_pc.localDescription.sdp})
        answer = await phone.next("call.answer")
        await caller_pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))

        # trickled candidates go to the other party only
        await phone.send(
            {"type": "call.ice", "call_id": call_id, "candidate": {"candidate": "x", "sdpMid": "0"}}
        )
        assert (await counter.next("call.ice"))["candidate"] == {"candidate": "x", "sdpMid": "0"}

        async with asyncio.timeout(30):
            seen = [await frames.get() for _ in range(5)]
        assert {(f.width, f.height) for f in seen} == {(640, 480)}
        assert callee_pc.iceConnectionState == "completed"
    finally:
        await caller_pc.close()
        await callee_pc.close()

    # strangers: no frame of the call reached them, and they cannot act on it
    for device in (snooper, outsider):
        for kind in ("call.accept", "call.offer", "call.hangup"):
            await device.send({"type": kind, "id": kind, "call_id": call_id, "sdp": "v=0"})
            assert (await device.next("error", ref=kind))["code"] == "call_not_found"
        assert not [f for f in device.frames if f["type"].startswith("call.")]
    assert not [f for f in tablet.frames if f["type"] in ("call.offer", "call.answer", "call.ice")]

    await asyncio.sleep(1.1)
    await phone.send({"type": "call.hangup", "call_id": call_id})
    for device in (phone, counter):
        ended = await device.next("call.ended")
        assert (ended["call"]["outcome"], ended["call"]["reason"]) == ("completed", "hangup")
        assert ended["call"]["duration_ms"] >= 1000

    [message] = await _until(lambda: _history_calls(api, owner, conversation))
    assert message["sender_id"] == customer.user_id
    assert message["call"]["outcome"] == "completed"
    assert message["call"]["answered_by"] == owner.user_id
    assert message["call"]["duration_ms"] >= 1000
    assert message["text"].startswith("视频通话 0:0")
    assert (await counter.next("message.new", client_msg_id=f"call:{call_id}"))["message"]["call"][
        "call_id"
    ] == call_id

    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{system.ops_url('gateway')}/metrics")).text
        metrics += (await http.get(f"{system.ops_url('gateway-2')}/metrics")).text
    assert re.search(r'frontdesk_gateway_calls_total\{media="video",outcome="completed"\} [1-9]', metrics)
    assert re.search(r"frontdesk_gateway_call_setup_seconds_count [1-9]", metrics)


async def test_a_declined_call_stops_every_device_ringing_and_is_kept_in_the_conversation(api, api2, coturn):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    await api.push_device(customer)
    conversation = await api.open_conversation(owner, customer.user_id)
    counter = await api.device(owner)
    phone, laptop = await api.device(customer), await api2.device(customer)

    await counter.send({"type": "call.invite", "id": "c", "conversation_id": conversation, "media": "audio"})
    call_id = (await counter.next("call.ringing"))["call"]["call_id"]
    await phone.next("call.incoming")
    await laptop.next("call.incoming")
    await phone.send({"type": "call.decline", "call_id": call_id})
    for device in (counter, phone, laptop):
        ended = await device.next("call.ended")
        assert ended["call"]["outcome"] == "declined"

    [message] = await _until(lambda: _history_calls(api, customer, conversation))
    assert (message["text"], message["call"]["outcome"]) == ("语音通话已拒绝", "declined")
    await asyncio.sleep(6.5)  # past the chat alert's delay (5 s in tests)
    assert await _chat_pushes(api, owner, customer) == []  # they declined it: nothing to tell them


async def test_a_call_nobody_answers_is_missed_in_the_conversation_and_pushed(api, coturn):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    await api.push_device(customer)
    conversation = await api.open_conversation(owner, customer.user_id)
    counter, phone = await api.device(owner), await api.device(customer)

    await counter.send({"type": "call.invite", "id": "c", "conversation_id": conversation, "media": "video"})
    call_id = (await counter.next("call.ringing"))["call"]["call_id"]
    await phone.next("call.incoming")
    for device in (counter, phone):  # rings for 6 s in tests (FRONTDESK_CALL_RING_SECONDS)
        ended = await device.next("call.ended", timeout=15)
        assert (ended["call"]["call_id"], ended["call"]["outcome"]) == (call_id, "missed")

    [message] = await _until(lambda: _history_calls(api, customer, conversation))
    assert (message["text"], message["call"]["outcome"]) == ("未接视频通话", "missed")

    [push] = await _until(lambda: _chat_pushes(api, owner, customer))
    assert "未接视频通话" in push["body"]


async def test_when_the_callees_device_drops_the_caller_sees_the_call_end(api, api2, coturn):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    conversation = await api.open_conversation(owner, customer.user_id)
    counter = await api.device(owner)
    phone, laptop = await api2.device(customer), await api.device(customer)

    await counter.send({"type": "call.invite", "id": "c", "conversation_id": conversation, "media": "video"})
    call_id = (await counter.next("call.ringing"))["call"]["call_id"]
    await phone.send({"type": "call.accept", "call_id": call_id})
    await counter.next("call.accepted")
    await phone.close()  # the phone went into a tunnel

    ended = await counter.next("call.ended")
    assert (ended["call"]["outcome"], ended["call"]["reason"]) == ("completed", "dropped")
    # the callee's other device learns of it from the conversation
    new = await laptop.next("message.new", client_msg_id=f"call:{call_id}", timeout=20)
    assert new["message"]["call"]["outcome"] == "completed"
    await counter.send({"type": "call.hangup", "id": "again", "call_id": call_id})
    assert (await counter.next("error", ref="again"))["code"] == "call_ended"


async def test_glare_one_call_wins_and_the_other_caller_is_told_to_answer_it(api, coturn):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    conversation = await api.open_conversation(customer)
    counter, phone = await api.device(owner), await api.device(customer)

    invite = {"type": "call.invite", "conversation_id": conversation, "media": "audio"}
    await asyncio.gather(counter.send({**invite, "id": "a"}), phone.send({**invite, "id": "b"}))
    winner, loser = await _first_of(counter, phone)
    call_id = (await winner.next("call.ringing"))["call"]["call_id"]
    refused = await loser.next("error", code="call_in_progress")
    assert refused["call_id"] == call_id
    assert (await loser.next("call.incoming"))["call"]["call_id"] == call_id
    await _quiet(winner, "call.incoming")


async def _first_of(a: Device, b: Device) -> tuple[Device, Device]:
    async with asyncio.timeout(10):
        while True:
            if a.of_type("call.ringing"):
                return a, b
            if b.of_type("call.ringing"):
                return b, a
            await asyncio.sleep(0.05)


async def test_only_participants_call_and_only_when_the_shop_takes_calls(api, coturn):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    conversation = await api.open_conversation(customer)
    other = await api.shop("Other Shop")
    their_customer = await api.customer(other.shop_id, "Zhao")
    theirs = await api.open_conversation(their_customer)
    phone, elsewhere = await api.device(customer), await api.device(other)

    invite = {"type": "call.invite", "media": "video"}
    await phone.send({**invite, "id": "x", "conversation_id": theirs})
    assert (await phone.next("error", ref="x"))["code"] == "conversation_not_found"
    await elsewhere.send({**invite, "id": "y", "conversation_id": conversation})
    assert (await elsewhere.next("error", ref="y"))["code"] == "conversation_not_found"

    calls = f"/v1/shops/{owner.shop_id}/calls"
    off = await api.http.put(calls, json={"policy": "off"}, headers=owner.auth)
    assert off.status_code == 200 and off.json()["open_now"] is False, off.text
    refused = await api.http.put(calls, json={"policy": "always"}, headers=customer.auth)
    assert refused.status_code == 403, refused.text
    await phone.send({**invite, "id": "off", "conversation_id": conversation})
    assert (await phone.next("error", ref="off"))["code"] == "calls_off"

    # open on no day of the week but one that is not today in the shop's timezone
    hours = await api.http.get(f"/v1/shops/{owner.shop_id}/hours", headers=owner.auth)
    today = datetime.now(ZoneInfo(hours.json()["timezone"])).weekday()
    weekly = {str((today + 3) % 7): [["09:00", "17:00"]]}
    set_hours = await api.http.put(
        f"/v1/shops/{owner.shop_id}/hours", json={"weekly": weekly}, headers=owner.auth
    )
    assert set_hours.status_code == 200, set_hours.text
    business = await api.http.put(calls, json={"policy": "business_hours"}, headers=owner.auth)
    assert business.json() == {"policy": "business_hours", "live_view_minutes": 30, "open_now": False}
    await phone.send({**invite, "id": "closed", "conversation_id": conversation})
    assert (await phone.next("error", ref="closed"))["code"] == "shop_closed"

    assert (await api.http.put(calls, json={"policy": "always"}, headers=owner.auth)).json()["open_now"]
    await phone.send({**invite, "id": "ok", "conversation_id": conversation})
    await phone.next("call.ringing", ref="ok")


async def test_staff_show_a_checked_in_booking_live_to_its_customer_until_it_is_completed(api, api2, coturn):
    shop = await set_up(api, check_in_window_minutes=7 * 24 * 60)
    groomer, owner = shop.staff[0], shop.owner
    customer = await api.customer(owner.shop_id, "Wang")
    await api.push_device(customer)
    stranger = await api.customer(owner.shop_id, "Li")
    held = await shop.hold(customer, shop.local(days_ahead(), 10))
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    assert (await shop.step(customer, booking_id, "confirm")).status_code == 200
    counter = await api.device(groomer)
    phone, tablet, snooper = (
        await api.device(customer),
        await api2.device(customer),
        await api.device(stranger),
    )

    watch = {"type": "call.invite", "media": "live_view", "booking_id": booking_id}
    await counter.send({**watch, "id": "early"})
    assert (await counter.next("error", ref="early"))["code"] == "not_checked_in"
    await phone.send({**watch, "id": "mine"})
    assert (await phone.next("error", ref="mine"))["code"] == "not_allowed"
    assert (await shop.step(groomer, booking_id, "check-in")).status_code == 200

    await counter.send({**watch, "id": "go"})
    call_id = (await counter.next("call.ringing", ref="go"))["call"]["call_id"]
    for device in (phone, tablet):
        incoming = await device.next("call.incoming")
        assert (incoming["call"]["media"], incoming["call"]["booking_id"]) == ("live_view", booking_id)

    # a push to join, at once, and a progress update on the booking that links to it
    [push] = await _until(lambda: _sunk(api, owner, customer, f"live-view:{call_id}"))
    assert push["title"] == "实时观看"

    async def linked() -> list[dict[str, Any]]:
        found = await api.http.get(f"/v1/bookings/{booking_id}", headers=customer.auth)
        return [u for u in found.json()["updates"] or [] if u.get("live_view_id") == call_id]

    await _until(linked)
    progress = await phone.next("booking.progress", timeout=20)
    assert progress["booking"]["live_view_id"] == call_id

    async def in_conversation() -> list[dict[str, Any]]:
        page = await api.history(customer, conversation_id_for_customer(owner, customer))
        return [m for m in page["messages"] if (m["booking_update"] or {}).get("live_view_id") == call_id]

    await _until(in_conversation)

    # watched on the tablet, then, when it goes away, on the phone
    await tablet.send({"type": "call.accept", "call_id": call_id})
    await counter.next("call.accepted")
    await tablet.close()
    assert (await counter.next("call.left"))["call"]["state"] == "ringing"
    await phone.send({"type": "call.accept", "call_id": call_id})
    assert (await counter.next("call.accepted"))["call"]["answered_by"]["user_id"] == customer.user_id

    await asyncio.sleep(1.1)
    assert (await shop.step(groomer, booking_id, "start")).status_code == 200
    assert (await shop.step(groomer, booking_id, "complete")).status_code == 200
    for device in (counter, phone):
        ended = await device.next("call.ended", timeout=15)
        assert (ended["call"]["outcome"], ended["call"]["reason"]) == ("completed", "booking_completed")
    [message] = await _until(
        lambda: _history_calls(api, customer, conversation_id_for_customer(owner, customer))
    )
    assert message["call"]["booking_id"] == booking_id and message["call"]["duration_ms"] >= 1000
    assert message["text"].startswith("实时观看 0:0")
    assert not [f for f in snooper.frames if f["type"].startswith("call.")]


async def test_nobody_rings_a_shop_in_a_loop(api, coturn):
    owner = await api.shop("Golden Paws")
    customer = await api.customer(owner.shop_id, "Wang")
    conversation = await api.open_conversation(customer)
    phone = await api.device(customer)
    if time.time() % 60 > 40:  # the limit counts per clock minute: keep the loop inside one
        await asyncio.sleep(61 - time.time() % 60)
    for n in range(20):  # FRONTDESK_CALL_INVITES_PER_MINUTE
        await phone.send(
            {"type": "call.invite", "id": f"c{n}", "conversation_id": conversation, "media": "audio"}
        )
        call_id = (await phone.next("call.ringing", ref=f"c{n}"))["call"]["call_id"]
        await phone.send({"type": "call.cancel", "call_id": call_id})
        await phone.next("call.ended")
    await phone.send(
        {"type": "call.invite", "id": "again", "conversation_id": conversation, "media": "audio"}
    )
    assert (await phone.next("error", ref="again"))["code"] == "rate_limited"
