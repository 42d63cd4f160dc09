"""The context every command handler works in: its transaction, and loading and saving
aggregates. The pipeline answers the sender with what a handler returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from frontdesk_contracts import Envelope, contract_type
from frontdesk_contracts import messaging as contracts
from frontdesk_platform import shredding
from frontdesk_platform.observability import current_traceparent
from frontdesk_platform.pipeline import Answers
from frontdesk_platform.reads import Read, Rows, read_together
from frontdesk_platform.staged import StagedStreams
from frontdesk_platform.unit_of_work import UnitOfWork

from ..adapters.repository import (
    ConversationRepository,
    ShopRepository,
    event_data,
    needs_key,
    shop_stream_id,
    stream_id,
)
from ..domain import events as e
from ..domain import shop as shop_domain
from ..domain.model import Actor, Conversation
from ..domain.shop import ShopSettings
from ..projections import conversations as read_model
from ..projections import queries
from ..projections import shops as shop_model

SOURCE = "frontdesk.messaging"
CONSUMER = "messaging.commands"


@dataclass(frozen=True)
class Dependencies:
    conversations: ConversationRepository
    shops: ShopRepository
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    recall_window: timedelta = timedelta(minutes=2)
    edit_window: timedelta = timedelta(minutes=15)
    language: str = "zh-CN"  # what the shop's own messages (a waitlist offer) are written in


@dataclass
class Context:
    """One command being carried out, inside its transaction."""

    deps: Dependencies
    uow: UnitOfWork
    command: Envelope

    async def streams(self) -> StagedStreams:
        return await self.uow.streams(self.deps.conversations.store)

    async def load(self, conversation_id: UUID) -> Conversation:
        return await self.deps.conversations.get(await self.streams(), conversation_id)

    async def save(self, conversation: Conversation) -> list[e.Event]:
        """Stage the new events, update the read models and queue the contract events."""
        key = None
        if needs_key(conversation.pending) and conversation.shop_id and conversation.customer_id:
            key = await self.customer_key(conversation.shop_id, conversation.customer_id)
        events = self.deps.conversations.save(await self.streams(), conversation, key)
        if any(type(event) in _FREES_STAFF for event in events):
            self.uow.memo.pop(_NOBODY, None)
        version = conversation.version - len(events)
        for event in events:
            version += 1
            await read_model.project(self.uow.session, event)
            name = _CONTRACTS[type(event)]
            payload = {
                **event_data(event),
                "shop_id": conversation.shop_id,
                "customer_id": conversation.customer_id,
            }
            data = contract_type(name).parse(payload).model_dump(mode="json")
            self.uow.publish(self._caused(name, conversation.id, data, version))
        return events

    async def customer_key(self, shop_id: UUID, customer_id: UUID) -> shredding.CustomerKey:
        """The customer's key, looked up once a batch (`preload` reads the batch's keys)."""
        keys: dict[shredding.Customer, shredding.CustomerKey] = self.uow.memo.setdefault(_KEYS, {})
        key = keys.get((shop_id, customer_id))
        if key is None:
            connection = await self.uow.connection()
            key = keys[(shop_id, customer_id)] = await shredding.key_for(connection, shop_id, customer_id)
        return key

    async def next_in_rotation(self, shop_id: UUID) -> UUID | None:
        """The staff member the shop's round-robin gives a conversation to, if any. That a
        shop has nobody (no one online with room: every customer message asks) is noted for
        the rest of the batch, until one of its changes could free someone."""
        nobody: set[UUID] = self.uow.memo.setdefault(_NOBODY, set())
        if shop_id in nobody:
            return None
        staff_id = await shop_model.next_in_rotation(self.uow.session, shop_id, shop_domain.DEFAULT_CAPACITY)
        if staff_id is None:
            nobody.add(shop_id)
        return staff_id

    async def sent_before(self, message_id: UUID) -> dict[str, Any] | None:
        """The message (id and seq) if it is stored or sent earlier in this batch."""
        memo = self.uow.memo
        if message_id in memo.get(_SENDS, ()):
            found: dict[str, Any] | None = memo[_SENT].get(message_id)
            return found
        await self.uow.writes.flush()  # what this batch sent so far is staged until then
        found = await read_together(await self.uow.connection(), {_SENT: queries.sent_among([message_id])})
        return queries.sent_from(found[_SENT]).get(message_id)

    def sent(self, message_id: UUID, seq: int) -> None:
        """Note a message sent in this batch: the same send again later in it is a duplicate."""
        if _SENDS in self.uow.memo:
            self.uow.memo[_SENT][message_id] = {"message_id": message_id, "seq": seq}

    async def load_shop(self, shop_id: UUID) -> ShopSettings:
        return await self.deps.shops.get(await self.streams(), shop_id)

    async def save_shop(self, settings: ShopSettings) -> None:
        events = self.deps.shops.save(await self.streams(), settings)
        self.uow.memo.pop(_NOBODY, None)  # a capacity raised
        version = settings.version - len(events)
        for event in events:
            version += 1
            await shop_model.project(self.uow.session, event)
            name = _SHOP_CONTRACTS[type(event)]
            data = contract_type(name).parse(event_data(event)).model_dump(mode="json")
            self.uow.publish(self._caused(name, settings.shop_id, data, version))

    def _caused(
        self, name: str, subject: UUID | None, data: dict[str, Any], version: int | None = None
    ) -> Envelope:
        return self.command.caused(
            type=name,
            source=SOURCE,
            aggregate_id=str(subject),
            aggregate_version=version,
            traceparent=current_traceparent() or self.command.traceparent,
            data=data,
        )


async def preload_reads(deps: Dependencies, uow: UnitOfWork, commands: Sequence[Any]) -> dict[str, Read]:
    """What a batch of commands needs, read with its tracking records in one round trip:
    their conversations (and shops' settings), which of their messages were sent before (a
    retried send), and their customers' keys."""
    conversations = [cmd.conversation_id for cmd in commands if hasattr(cmd, "conversation_id")]
    # a customer's message is checked against their shop's hours: its settings come along
    ids = [stream_id(conversation) for conversation in conversations] + [
        shop_stream_id(cmd.actor.shop_id)
        for cmd in commands
        if isinstance(cmd, contracts.SendMessage) and cmd.actor.role == "customer" and cmd.actor.shop_id
    ]
    reads = (await uow.streams(deps.conversations.store)).reads(ids)
    sends = [sent_message_id(cmd) for cmd in commands if isinstance(cmd, contracts.SendMessage)]
    if sends:
        reads[_SENT] = queries.sent_among(sends)
        uow.memo[_SENDS] = set(sends)
    if conversations:
        # the keys their texts are sealed with, locked for the batch
        reads[_KEYS] = _live_keys(list(dict.fromkeys(conversations)))
    return reads


async def preload_take(
    deps: Dependencies, uow: UnitOfWork, commands: Sequence[Any], found: Mapping[str, Rows]
) -> None:
    (await uow.streams(deps.conversations.store)).take(found)
    if _SENT in found:
        uow.memo[_SENT] = queries.sent_from(found[_SENT])
    if _KEYS in found:
        uow.memo[_KEYS] = shredding.keys_from(found[_KEYS])


def _live_keys(conversations: list[UUID]) -> Read:
    """`shredding.live_keys` of these conversations' customers (their shop and customer
    from the read model, written with the conversation's first events)."""
    return Read(
        "SELECT k.shop_id, k.customer_id, k.key_id, k.key FROM customer_keys k "
        "JOIN conversations c ON k.shop_id = c.shop_id AND k.customer_id = c.customer_id "
        "WHERE c.id = ANY($1::uuid[]) AND k.key IS NOT NULL FOR SHARE OF k",
        (conversations,),
        ("shop_id", "customer_id", "key_id", "key"),
    )


def sent_message_id(cmd: contracts.SendMessage) -> UUID:
    """A message's id follows from who sent it and the id their client gave it: a send
    retried by the client finds the message it stored the first time."""
    return uuid5(cmd.conversation_id, f"{cmd.actor.user_id}:{cmd.client_msg_id}")


_SENT, _SENDS = "sent", "sends"  # memo keys: stored (id → id and seq), and the ids asked about
_KEYS = "keys"  # memo key: the customers' keys, (shop_id, customer_id) → CustomerKey
_NOBODY = "nobody_in_rotation"  # memo key: shops whose round-robin found nobody in this batch
# what can give a staff member room again (a conversation resolved or moved to someone else)
_FREES_STAFF = (e.ConversationAssigned, e.StatusChanged)


Answer = dict[str, Any]  # what an accepted command's reply carries besides the command's ids
Handler = Callable[[Context, Any], Awaitable[Answer | None]]


def actor_of(cmd: Any) -> Actor:
    actor: contracts.Actor = cmd.actor
    return Actor(actor.user_id, actor.role, actor.shop_id)


async def decide(
    ctx: Context, cmd: Any, decision: Callable[[Conversation, Actor, datetime], Any], **result: Any
) -> Answer:
    """Load, let the conversation decide (or refuse), store, answer."""
    conversation = await ctx.load(cmd.conversation_id)
    outcome = decision(conversation, actor_of(cmd), ctx.deps.clock())
    await ctx.save(conversation)
    return {"details": {"value": outcome} if outcome is not None else None, **result}


def echo(command: Envelope, cmd: Any) -> dict[str, Any]:
    """The ids both verdicts repeat: the conversation (and the sender's message id), or the shop."""
    if hasattr(cmd, "conversation_id"):
        return {"conversation_id": cmd.conversation_id, "client_msg_id": getattr(cmd, "client_msg_id", None)}
    return {"shop_id": cmd.shop_id}


ANSWERS = Answers(SOURCE, "messaging.command.accepted.v1", "messaging.command.rejected.v1", echo)


_CONTRACTS: dict[type, str] = {
    e.ConversationOpened: "messaging.conversation.opened.v1",
    e.MessageSent: "messaging.message.sent.v1",
    e.MessageRecalled: "messaging.message.recalled.v1",
    e.MessageEdited: "messaging.message.edited.v1",
    e.MessagesRead: "messaging.receipt.read.v1",
    e.MessagesDelivered: "messaging.receipt.delivered.v1",
    e.NoteAdded: "messaging.note.added.v1",
    e.ConversationAssigned: "messaging.conversation.assigned.v1",
    e.LabelsChanged: "messaging.conversation.labels_changed.v1",
    e.StatusChanged: "messaging.conversation.status_changed.v1",
    e.SurveyRequested: "messaging.survey.requested.v1",
    e.SurveyAnswered: "messaging.survey.answered.v1",
    e.OutOfHoursReplied: "messaging.conversation.out_of_hours_replied.v1",
    e.CallStarted: "messaging.call.started.v1",
    e.CallAnswered: "messaging.call.answered.v1",
    e.CallEnded: "messaging.call.ended.v1",
}

_SHOP_CONTRACTS: dict[type, str] = {
    shop_domain.BusinessHoursSet: "messaging.shop.business_hours_set.v1",
    shop_domain.TemplateSaved: "messaging.shop.template_saved.v1",
    shop_domain.TemplateDeleted: "messaging.shop.template_deleted.v1",
    shop_domain.StaffCapacitySet: "messaging.shop.staff_capacity_set.v1",
    shop_domain.AssistantSet: "messaging.shop.assistant_set.v1",
    shop_domain.CallsSet: "messaging.shop.calls_set.v1",
}
