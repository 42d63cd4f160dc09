"""Which sockets get which frames: with fake sockets, no Kafka."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from aiokafka import ConsumerRecord
from frontdesk_contracts import Envelope
from frontdesk_gateway.identity.tokens import Principal
from frontdesk_gateway.realtime.connections import Connection, Connections
from frontdesk_gateway.realtime.fanout import Fanout
from frontdesk_platform.command_client import Replies

LATER = datetime.now(UTC) + timedelta(hours=1)


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send_text(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def connect(connections: Connections, user, shop, role) -> FakeSocket:
    socket = FakeSocket()
    connections.add(Connection(socket, Principal(user, shop, role, LATER), queue_size=10))  # type: ignore[arg-type]
    return socket


def sent_event(shop, customer, seq: int = 1) -> Envelope:
    return Envelope(
        type="messaging.message.sent.v1",
        source="test",
        aggregate_id="c",
        tenant_id=shop,
        data={
            "conversation_id": str(uuid4()),
            "shop_id": str(shop),
            "customer_id": str(customer),
            "message_id": str(uuid4()),
            "seq": seq,
            "sender_id": str(customer),
            "sender_role": "customer",
            "client_msg_id": "m",
            "text": "hi",
            "sent_at": "2026-11-21T02:00:00Z",
        },
    )


async def test_a_message_goes_to_the_customer_and_that_shops_staff_only():
    connections = Connections()
    shop, other_shop, customer = uuid4(), uuid4(), uuid4()
    phone = connect(connections, customer, shop, "customer")
    pc = connect(connections, customer, shop, "customer")
    counter = connect(connections, uuid4(), shop, "staff")
    neighbour = connect(connections, uuid4(), shop, "customer")
    other_staff = connect(connections, uuid4(), other_shop, "owner")

    event = sent_event(shop, customer)
    fanout = Fanout(connections, Replies())
    await fanout.handle(event)
    await fanout.handle(event)  # Kafka delivered it twice
    await asyncio.sleep(0.01)

    for socket in (phone, pc, counter):
        assert [f["type"] for f in socket.sent] == ["message.new"]
    assert neighbour.sent == [] and other_staff.sent == []


async def test_a_reply_resolves_the_command_that_caused_it():
    replies = Replies()
    command_id = uuid4()
    waiting = replies.expect(command_id)
    other = replies.expect(uuid4())
    reply = Envelope(
        type="messaging.command.accepted.v1",
        source="test",
        aggregate_id="c",
        causation_id=command_id,
        data={"seq": 3},
    )
    await Fanout(Connections(), replies).handle(reply)
    assert (await waiting).data == {"seq": 3}
    assert not other.done()


async def test_a_socket_that_falls_behind_is_closed_not_waited_for():
    class StuckSocket(FakeSocket):
        async def send_text(self, text: str) -> None:
            await asyncio.sleep(3600)

    stuck = StuckSocket()
    connection = Connection(stuck, Principal(uuid4(), uuid4(), "customer", LATER), queue_size=2)  # type: ignore[arg-type]
    for n in range(5):
        connection.push({"type": "message.new", "n": n})
    await asyncio.sleep(0.01)
    assert stuck.closed[0] == 1013


async def test_a_catching_up_device_gets_missed_and_live_messages_once_in_order():
    socket = FakeSocket()
    connection = Connection(socket, Principal(uuid4(), uuid4(), "staff", LATER), queue_size=10)  # type: ignore[arg-type]
    conversation = uuid4()
    connection.hold(conversation, 3)  # the device has 1-3
    for seq in (6, 7):  # live messages arrive before the history read returns
        connection.push_message(conversation, seq, {"type": "message.new", "seq": seq})
    for seq in (4, 5, 6):  # the catch-up read, arriving after them
        connection.catch_up(conversation, seq, {"type": "message.new", "seq": seq})
    connection.release(conversation)
    await asyncio.sleep(0.05)
    assert [f["seq"] for f in socket.sent] == [4, 5, 6, 7]


async def test_a_live_message_given_before_the_sync_is_not_given_again_and_none_is_skipped():
    socket = FakeSocket()
    connection = Connection(socket, Principal(uuid4(), uuid4(), "staff", LATER), queue_size=10)  # type: ignore[arg-type]
    conversation = uuid4()
    # The device reconnects having 1-3; 4 was sent while it was away; 5 arrives live
    # before its sync (which still says 3) is read.
    connection.deliver(conversation, 5, {"type": "message.new", "seq": 5})
    connection.hold(conversation, 3)
    connection.push_message(conversation, 6, {"type": "message.new", "seq": 6})
    for seq in (4, 5, 6):
        connection.catch_up(conversation, seq, {"type": "message.new", "seq": seq})
    connection.release(conversation)
    connection.push_message(conversation, 6, {"type": "message.new", "seq": 6})  # Kafka again
    connection.push_message(conversation, 7, {"type": "message.new", "seq": 7})
    await asyncio.sleep(0.05)
    assert [f["seq"] for f in socket.sent] == [5, 4, 6, 7]


async def test_a_resumed_device_missing_nothing_never_gets_what_it_has_from_a_lagging_fan_out():
    socket = FakeSocket()
    connection = Connection(socket, Principal(uuid4(), uuid4(), "staff", LATER), queue_size=10)  # type: ignore[arg-type]
    conversation = uuid4()
    # Its last gateway died after giving it 58; this gateway's fan-out is behind and brings
    # 58 once while the (empty) catch-up runs and once after it.
    connection.hold(conversation, 58)
    connection.push_message(conversation, 58, {"type": "message.new", "seq": 58})
    connection.release(conversation)
    connection.push_message(conversation, 58, {"type": "message.new", "seq": 58})
    connection.push_message(conversation, 59, {"type": "message.new", "seq": 59})
    await asyncio.sleep(0.05)
    assert [f["seq"] for f in socket.sent] == [59]


async def test_a_frame_for_many_sockets_is_serialized_once(monkeypatch):
    from frontdesk_gateway.realtime import connections as module

    dumps, calls = module.orjson.dumps, []
    monkeypatch.setattr(module.orjson, "dumps", lambda *a, **k: calls.append(1) or dumps(*a, **k))
    registry = Connections()
    shop, customer = uuid4(), uuid4()
    sockets = [connect(registry, uuid4(), shop, "staff") for _ in range(50)]
    await Fanout(registry, Replies()).handle(sent_event(shop, customer))
    await asyncio.sleep(0.01)
    assert all(len(s.sent) == 1 for s in sockets)
    assert len(calls) == 1


def record(envelope: Envelope, value: bytes | None = None) -> ConsumerRecord[bytes, bytes]:
    headers = [("ce_id", str(envelope.id).encode()), ("ce_type", envelope.type.encode())]
    body = envelope.model_dump_json().encode() if value is None else value
    return ConsumerRecord("t", 0, 0, 0, 0, b"c", body, None, len(body), -1, headers)


async def test_records_from_kafka_are_routed_by_their_headers_and_parsed_once():
    connections = Connections()
    shop, customer = uuid4(), uuid4()
    phone = connect(connections, customer, shop, "customer")
    fanout = Fanout(connections, Replies())
    event = sent_event(shop, customer)
    unshown = Envelope(type="messaging.message.indexed.v9", source="test", aggregate_id="c", data={})

    fanout.handle_record(record(event))
    fanout.handle_record(record(event, b"not even JSON"))  # a repeat is known by its ce_id
    fanout.handle_record(record(unshown, b"not even JSON"))  # no socket shows it: never parsed
    await asyncio.sleep(0.01)

    assert [(f["type"], f["message"]["text"]) for f in phone.sent] == [("message.new", "hi")]


async def test_a_reply_record_resolves_the_command_that_caused_it():
    replies = Replies()
    command_id = uuid4()
    waiting = replies.expect(command_id)
    reply = Envelope(
        type="messaging.command.accepted.v1",
        source="test",
        aggregate_id="c",
        causation_id=command_id,
        data={"seq": 3},
    )
    Fanout(Connections(), replies).handle_record(record(reply))
    assert (await waiting).data == {"seq": 3}


def booking_event(kind: str, shop, customer) -> Envelope:
    data = {"booking_id": str(uuid4()), "shop_id": str(shop), "customer_id": str(customer), "status": "held"}
    return Envelope(type=kind, source="test", aggregate_id=data["booking_id"], tenant_id=shop, data=data)


async def test_a_booking_change_goes_to_that_shops_staff_and_its_own_customer_only():
    connections = Connections()
    shop, other_shop, customer = uuid4(), uuid4(), uuid4()
    phone = connect(connections, customer, shop, "customer")
    counter = connect(connections, uuid4(), shop, "staff")
    owner = connect(connections, uuid4(), shop, "owner")
    neighbour = connect(connections, uuid4(), shop, "customer")
    other_staff = connect(connections, uuid4(), other_shop, "staff")
    fanout = Fanout(connections, Replies())

    moved = booking_event("booking.booking.rescheduled.v1", shop, customer)
    await fanout.handle(moved)
    await fanout.handle(moved)  # Kafka delivered it twice
    await fanout.handle(booking_event("booking.booking.held.v2", shop, customer))  # no staff member
    await fanout.handle(booking_event("booking.waitlist.offered.v1", shop, customer))
    await fanout.handle(booking_event("booking.shop.configured.v1", shop, customer))  # not a booking change
    await asyncio.sleep(0.01)

    for socket in (phone, counter, owner):
        assert [f["type"] for f in socket.sent] == ["booking.moved", "booking.held", "waitlist.offered"]
    assert phone.sent[0]["booking"] == moved.data
    assert neighbour.sent == [] and other_staff.sent == []
