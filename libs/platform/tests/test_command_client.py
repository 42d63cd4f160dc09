"""The command client with a fake service answering on a fake replies topic: the verdict
is the reply to this very command, a rejection is a Refusal with its details, silence is
Unanswered, a failed publish Unqueued, and no future is left behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from frontdesk_contracts import Envelope
from frontdesk_contracts import booking as c
from frontdesk_platform.command_client import (
    CommandClient,
    Refusal,
    Replies,
    Unanswered,
    Unqueued,
    status_of,
)
from frontdesk_platform.observability import correlation_id

SHOP = uuid4()


def confirm(booking_id: UUID | None = None) -> c.ConfirmBooking:
    actor = c.Actor(user_id=uuid4(), role="customer", shop_id=SHOP)
    return c.ConfirmBooking(booking_id=booking_id or uuid4(), actor=actor)


Answer = Callable[[Envelope], Envelope | None]


class Service:
    """Answers each published command with what `answer` makes of it, a moment later, as
    a reply arriving from Kafka would; the replies of others' commands arrive too."""

    def __init__(self, replies: Replies, answer: Answer) -> None:
        self.replies = replies
        self.answer = answer
        self.received: list[Envelope] = []

    async def publish(self, command: Envelope) -> None:
        self.received.append(command)
        reply = self.answer(command)
        stranger = Envelope(
            type="baths.command.accepted.v1", source="baths", aggregate_id="other", causation_id=uuid4()
        )
        loop = asyncio.get_running_loop()
        loop.call_soon(self.replies.resolve, stranger)
        if reply is not None:
            loop.call_soon(self.replies.resolve, reply)


def accepted(command: Envelope, **data: Any) -> Envelope:
    return command.caused(
        type="baths.command.accepted.v1",
        source="baths",
        aggregate_id=command.aggregate_id,
        data={"duplicate": False, **data},
    )


def rejected(command: Envelope, code: str, **data: Any) -> Envelope:
    fields = {
        "command_id": str(command.id),
        "command_type": command.type,
        "aggregate_id": command.aggregate_id,
    }
    return command.caused(
        type="baths.command.rejected.v2",
        aggregate_id=command.aggregate_id,
        source="baths",
        data={**fields, "code": code, "message": "no, sorry", **data},
    )


def client(answer: Answer, timeout: float = 1.0) -> tuple[CommandClient, Service]:
    replies = Replies()
    service = Service(replies, answer)
    return CommandClient("frontdesk.tests", service.publish, replies, timeout), service


async def test_the_verdict_is_the_reply_to_the_command_sent() -> None:
    commands, service = client(lambda c: accepted(c, booking={"status": "held"}))
    booking_id = uuid4()
    command = commands.envelope(SHOP, booking_id, confirm(booking_id))

    reply = await commands.verdict(command)

    assert reply.causation_id == command.id and reply.data["booking"] == {"status": "held"}
    sent = service.received[0]
    assert (sent.type, sent.tenant_id, sent.aggregate_id) == (
        "booking.booking.confirm.v1",
        SHOP,
        str(booking_id),
    )
    assert sent.source == "frontdesk.tests" and sent.data["booking_id"] == str(booking_id)
    assert len(commands.replies) == 0


async def test_a_command_carries_the_requests_correlation_id() -> None:
    commands, service = client(accepted)
    request = uuid4()
    token = correlation_id.set(str(request))
    try:
        await commands.verdict(commands.envelope(SHOP, uuid4(), confirm()))
    finally:
        correlation_id.reset(token)
    assert service.received[0].correlation_id == request


async def test_a_rejection_is_a_refusal_with_the_services_code_and_details() -> None:
    slots = [{"starts_at": "2030-01-01T10:00:00Z"}]
    commands, _ = client(lambda c: rejected(c, "slot_taken", alternatives=slots))

    with pytest.raises(Refusal) as refused:
        await commands.verdict(commands.envelope(SHOP, uuid4(), confirm()))

    assert refused.value.code == "slot_taken" and refused.value.message == "no, sorry"
    assert refused.value.details == {"alternatives": slots}
    assert len(commands.replies) == 0


async def test_no_verdict_in_time_is_unanswered_and_forgotten() -> None:
    commands, _ = client(lambda c: None, timeout=0.05)

    with pytest.raises(Unanswered):
        await commands.verdict(commands.envelope(SHOP, uuid4(), confirm()))

    assert len(commands.replies) == 0


async def test_a_command_that_cannot_be_published_is_unqueued_and_forgotten() -> None:
    replies = Replies()

    async def broken(command: Envelope) -> None:
        raise ConnectionError("no broker")

    commands = CommandClient("frontdesk.tests", broken, replies, 1.0)
    with pytest.raises(Unqueued):
        await commands.verdict(commands.envelope(SHOP, uuid4(), confirm()))
    await asyncio.sleep(0)  # the cancelled future's callbacks run on the next turn
    assert len(replies) == 0


async def test_an_outcome_is_none_when_late_and_the_reply_when_in_time() -> None:
    commands, _ = client(lambda c: None)
    late = await commands.submit(commands.envelope(SHOP, uuid4(), confirm()))
    assert await commands.outcome(late, timeout=0.01) is None

    commands, _ = client(accepted)
    command = commands.envelope(SHOP, uuid4(), confirm())
    answered = await commands.outcome(await commands.submit(command))
    assert answered is not None and answered.causation_id == command.id


def test_refusal_codes_map_to_the_statuses_a_caller_expects() -> None:
    assert [status_of(code) for code in ("booking_not_found", "conversation_not_found", "not_found")] == [
        404
    ] * 3
    assert [status_of(code) for code in ("forbidden", "not_allowed")] == [403, 403]
    conflicts = ("slot_taken", "invalid_state", "hold_expired", "window_closed", "shop_not_set_up")
    assert [status_of(code) for code in conflicts] == [409] * len(conflicts)
    assert [status_of(code) for code in ("invalid_request", "outside_policy", "campaign_exists")] == [422] * 3
