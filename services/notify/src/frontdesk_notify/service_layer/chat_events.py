"""Chat notifications: a message the recipient has not read within a short delay becomes
a push; a burst collapses into one ("Li sent you 10 new messages"). A customer's
message alerts the staff member handling the conversation, or, when nobody is (no
assignee: nobody was online to take it), the shop's staff on duty or else its owners;
the shop's messages (staff, the assistant, booking updates) alert the customer. Internal
notes are another event type and are never seen here. Names and the shop's staff come
from identity events, and so does the phone of a customer the shop added by phone
(where their SMS go)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope, identity
from frontdesk_contracts.calls import CallStarted
from frontdesk_platform.pipeline import Pipeline, Route, Work
from frontdesk_platform.row_writes import RowWrite, write
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import templates
from ..projections import chat, duty, erasure, recipients, store
from .deps import Dependencies

CONSUMER = "notify.chat-events"
# A call that is over is a message from its caller; only one the other side never picked up
# (missed, or cancelled while ringing) notifies, like a message.
UNMISSED_CALLS = ("completed", "declined")
PREVIEW_LENGTH = 60


def events(deps: Dependencies, delay: timedelta) -> Pipeline[Work[Dependencies]]:
    def route(type_name: str) -> Route[Work[Dependencies]] | None:
        if type_name == _CALL_STARTED:

            async def started(work: Work[Dependencies], event: Envelope) -> None:
                await _invite_to_live_view(work.session, work.deps, CallStarted.model_validate(event.data))

            return Route(started)
        if type_name == _SENT:

            async def sent(work: Work[Dependencies], event: Envelope) -> None:
                await _sent(work.session, event.data, delay)

            return Route(sent)
        if type_name == _ERASED:  # in this consumer: after the names and phone it forgets

            async def erase(work: Work[Dependencies], event: Envelope) -> None:
                await erasure.erase(work.session, identity.CustomerErased.model_validate(event.data))

            return Route(erase)
        if not projects(type_name):
            return None

        async def project(work: Work[Dependencies], event: Envelope) -> None:
            await write(work.session, writes(event))

        return Route(project)

    return Pipeline(route, lambda uow, event: Work(deps, uow, event))


async def handle_chat_event(deps: Dependencies, delay: timedelta, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(deps, delay).carry_out_one(CONSUMER, deps.unit_of_work, event)


def _named(data: dict[str, Any]) -> list[RowWrite]:
    person = data.get("customer_id") or data.get("staff_id") or data["shop_id"]
    return [chat.name_write(UUID(person), data["name"])]


def _customer(data: dict[str, Any]) -> list[RowWrite]:
    phone = data.get("phone")
    reached = (
        [recipients.phone_write(UUID(data["customer_id"]), UUID(data["shop_id"]), phone)] if phone else []
    )
    return [*_named(data), *reached]


def _opened(data: dict[str, Any]) -> list[RowWrite]:
    ids = UUID(data["conversation_id"]), UUID(data["shop_id"]), UUID(data["customer_id"])
    return [chat.conversation_write(*ids)]


def _assigned(data: dict[str, Any]) -> list[RowWrite]:
    conversation = UUID(data["conversation_id"])
    assignee = UUID(data["assignee_id"]) if data.get("assignee_id") else None
    return [*_opened(data), chat.assignee_write(conversation, assignee)]


def _read(data: dict[str, Any]) -> list[RowWrite]:
    ids = UUID(data["conversation_id"]), UUID(data["reader_id"])
    return [chat.read_mark_write(*ids, int(data["up_to_seq"]))]


async def _sent(session: AsyncSession, data: dict[str, Any], delay: timedelta) -> None:
    conversation, sender, shop = UUID(data["conversation_id"]), UUID(data["sender_id"]), UUID(data["shop_id"])
    if data.get("sender_kind") == "waitlist_offer":
        return  # the offer is a notification of its own (booking_waitlist_offered)
    if data.get("sender_kind") == "call" and (data.get("call") or {}).get("outcome") in UNMISSED_CALLS:
        return  # the other side answered or declined it: nothing to tell them
    unattended = False
    if data["sender_role"] == "customer":
        assignee = await chat.assignee(session, conversation)
        unattended = assignee is None
        recipients_ = [assignee] if assignee else await duty.who_answers(session, shop)
    else:
        recipients_ = [UUID(data["customer_id"])]
    text = data.get("text") or f"[{data.get('kind', 'text')}]"
    for recipient in recipients_:
        if recipient == sender:
            continue
        await chat.add_to_alert(
            session,
            conversation_id=conversation,
            shop_id=shop,
            recipient_id=recipient,
            sender_id=shop if data["sender_role"] != "customer" else sender,
            seq=int(data["seq"]),
            preview=text[:PREVIEW_LENGTH],
            due_at=datetime.fromisoformat(data["sent_at"]) + delay,
            unattended=unattended,
            customer_id=UUID(data["customer_id"]),
        )


async def _invite_to_live_view(session: AsyncSession, deps: Dependencies, call: CallStarted) -> None:
    """Staff started a live view of a booking: its customer is pushed at once to join."""
    if call.media != "live_view":
        return  # a ringing call reaches the devices that are online; a missed one notifies later
    prefs = await recipients.preferences(session, call.customer_id)
    language = templates.language_of(prefs.language, deps.default_language)
    rendered = templates.render_live_view(language, await chat.name(session, call.shop_id) or "")
    await store.queue(
        session,
        id=f"live-view:{call.call_id}",
        shop_id=call.shop_id,
        user_id=call.customer_id,
        category="live_view",
        critical=False,
        title=rendered.title,
        body=rendered.body,
        language=rendered.language,
        data={
            "call_id": str(call.call_id),
            "conversation_id": str(call.conversation_id),
            "booking_id": str(call.booking_id) if call.booking_id else None,
        },
        now=deps.clock(),
    )


def _staff_added(data: dict[str, Any]) -> list[RowWrite]:
    return [*_named(data), *duty.staff_joined(data)]


_PROJECTIONS: dict[str, Callable[[dict[str, Any]], list[RowWrite]]] = {
    "identity.shop.registered.v1": _named,
    "identity.staff.added.v1": _staff_added,
    "identity.staff.enabled.v1": duty.staff_joined,
    "identity.staff.role_changed.v1": duty.staff_role_changed,
    "identity.staff.disabled.v1": duty.staff_gone,
    "identity.staff.removed.v1": duty.staff_gone,
    "identity.customer.registered.v1": _customer,
    "messaging.conversation.opened.v1": _opened,
    "messaging.conversation.assigned.v1": _assigned,
    "messaging.receipt.read.v1": _read,
}
_SENT = "messaging.message.sent.v1"
_ERASED = "identity.customer.erased.v1"
_CALL_STARTED = "messaging.call.started.v1"


def projects(type_name: str) -> bool:
    return type_name in _PROJECTIONS


def writes(event: Envelope) -> list[RowWrite]:
    """Names, assignees and read marks: what a rebuild replays (a message's alert is not
    projected again: it was due long ago)."""
    project = _PROJECTIONS.get(event.type)
    return [] if project is None else project(event.data)


async def fire_due_alerts(deps: Dependencies, batch: int = 500) -> int:
    """Alerts whose delay has passed: read by now → nothing; otherwise one notification."""
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await chat.due_alerts(uow.session, now, batch)
        for alert in due:
            if alert.read_seq >= alert.last_seq:
                await chat.settle_alert(uow.session, alert.id, "read")
                continue
            if alert.unattended and await chat.attended(uow.session, alert.conversation_id, alert.last_seq):
                await chat.settle_alert(uow.session, alert.id, "attended")
                continue
            await _queue_alert(uow.session, deps, alert, now)
            await chat.settle_alert(uow.session, alert.id, "fired")
        await uow.commit()
    return len(due)


async def _queue_alert(session: AsyncSession, deps: Dependencies, alert: Row[Any], now: datetime) -> None:
    prefs = await recipients.preferences(session, alert.recipient_id)
    language = templates.language_of(prefs.language, deps.default_language)
    sender = await chat.name(session, alert.sender_id) or ""
    rendered = templates.render_chat(language, sender, alert.preview, alert.messages)
    data = {
        "conversation_id": str(alert.conversation_id),
        "count": alert.messages,
        "last_seq": alert.last_seq,
    }
    await store.queue(
        session,
        id=alert.id,
        shop_id=alert.shop_id,
        user_id=alert.recipient_id,
        category="chat_message",
        critical=False,
        title=rendered.title,
        body=rendered.body,
        language=rendered.language,
        data=data,
        now=now,
    )
