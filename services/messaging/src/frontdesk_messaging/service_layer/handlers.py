"""Use cases: each command is get → decide → commit, with the reply and the contract
events written to the outbox in the same transaction as the new events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid5

from frontdesk_contracts import Contract, Envelope, messaging
from frontdesk_platform.consumer import PermanentError
from frontdesk_platform.observability import current_traceparent
from frontdesk_platform.unit_of_work import UnitOfWork
from pydantic import ValidationError

from ..adapters.repository import ConversationRepository
from ..domain.model import Actor, Conversation, ConversationOpened, Event, MessageSent, Refused
from ..projections import conversations as read_model

C = TypeVar("C", bound=Contract)
SOURCE = "frontdesk.messaging"
CONSUMER = "messaging.commands"


@dataclass(frozen=True)
class Dependencies:
    conversations: ConversationRepository
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """Carry out one command exactly once, however often Kafka delivers it."""
    async with deps.unit_of_work() as uow:
        if await uow.already_processed(CONSUMER, command.id):
            return
        if command.type == "messaging.conversation.open.v1":
            await _open(deps, uow, command, _parse(messaging.OpenConversation, command))
        elif command.type == "messaging.message.send.v1":
            await _send(deps, uow, command, _parse(messaging.SendMessage, command))
        else:
            raise PermanentError(f"messaging does not handle {command.type}")
        await uow.mark_processed(CONSUMER, command.id)
        await uow.commit()


def _parse(model: type[C], command: Envelope) -> C:
    try:
        return model.model_validate(command.data)
    except ValidationError as exc:
        raise PermanentError(f"invalid {command.type}: {exc}") from exc


async def _open(
    deps: Dependencies, uow: UnitOfWork, command: Envelope, cmd: messaging.OpenConversation
) -> None:
    conversation = await deps.conversations.get(uow.session, cmd.conversation_id)
    try:
        conversation.open(cmd.shop_id, cmd.customer_id, _actor(cmd.actor), deps.clock())
    except Refused as refused:
        _reject(uow, command, cmd.conversation_id, refused)
        return
    stored = await _store(deps, uow, command, conversation)
    _accept(uow, command, cmd.conversation_id, duplicate=not stored)


async def _send(deps: Dependencies, uow: UnitOfWork, command: Envelope, cmd: messaging.SendMessage) -> None:
    actor = _actor(cmd.actor)
    conversation = await deps.conversations.get(uow.session, cmd.conversation_id)
    if conversation.may_access(actor):
        earlier = await read_model.find_sent(
            uow.session, cmd.conversation_id, actor.user_id, cmd.client_msg_id
        )
        if earlier:
            _accept(
                uow, command, cmd.conversation_id, client_msg_id=cmd.client_msg_id, duplicate=True, **earlier
            )
            return
    message_id = uuid5(cmd.conversation_id, f"{actor.user_id}:{cmd.client_msg_id}")
    try:
        sent = conversation.send(actor, message_id, cmd.client_msg_id, cmd.text, deps.clock())
    except Refused as refused:
        _reject(uow, command, cmd.conversation_id, refused, cmd.client_msg_id)
        return
    await _store(deps, uow, command, conversation)
    _accept(
        uow,
        command,
        cmd.conversation_id,
        message_id=sent.message_id,
        seq=sent.seq,
        client_msg_id=sent.client_msg_id,
    )


async def _store(
    deps: Dependencies, uow: UnitOfWork, command: Envelope, conversation: Conversation
) -> list[Event]:
    """Append the new events, update the read models and queue the contract events."""
    events = await deps.conversations.save(uow.session, conversation)
    version = conversation.version - len(events)
    for event in events:
        version += 1
        await read_model.project(uow.session, event)
        uow.publish(
            command.caused(
                type=_CONTRACT_NAMES[type(event)],
                source=SOURCE,
                aggregate_id=str(conversation.id),
                aggregate_version=version,
                traceparent=current_traceparent() or command.traceparent,
                data=_contract(event, conversation.shop_id, conversation.customer_id),
            )
        )
    return events


_CONTRACT_NAMES: dict[type[Event], str] = {
    ConversationOpened: "messaging.conversation.opened.v1",
    MessageSent: "messaging.message.sent.v1",
}


def _contract(event: Event, shop_id: UUID | None, customer_id: UUID | None) -> dict[str, object]:
    match event:
        case ConversationOpened():
            payload: Contract = messaging.ConversationOpened(
                conversation_id=event.conversation_id,
                shop_id=event.shop_id,
                customer_id=event.customer_id,
                opened_by=event.opened_by,
                opened_at=event.opened_at,
            )
        case MessageSent():
            payload = messaging.MessageSent(
                conversation_id=event.conversation_id,
                shop_id=shop_id,
                customer_id=customer_id,
                message_id=event.message_id,
                seq=event.seq,
                sender_id=event.sender_id,
                sender_role=event.sender_role,
                client_msg_id=event.client_msg_id,
                text=event.text,
                sent_at=event.sent_at,
            )
    return payload.model_dump(mode="json")


def _actor(actor: messaging.Actor) -> Actor:
    return Actor(actor.user_id, actor.role, actor.shop_id)


def _reply(command: Envelope, conversation_id: UUID, name: str, reply: Contract) -> Envelope:
    return command.caused(
        type=name,
        source=SOURCE,
        aggregate_id=str(conversation_id),
        traceparent=current_traceparent() or command.traceparent,
        data=reply.model_dump(mode="json"),
    )


def _accept(uow: UnitOfWork, command: Envelope, conversation_id: UUID, **result: Any) -> None:
    accepted = messaging.CommandAccepted(
        command_id=command.id, command_type=command.type, conversation_id=conversation_id, **result
    )
    uow.publish(_reply(command, conversation_id, "messaging.command.accepted.v1", accepted))


def _reject(
    uow: UnitOfWork,
    command: Envelope,
    conversation_id: UUID,
    refused: Refused,
    client_msg_id: str | None = None,
) -> None:
    rejected = messaging.CommandRejected(
        command_id=command.id,
        command_type=command.type,
        conversation_id=conversation_id,
        code=refused.code,
        message=str(refused),
        client_msg_id=client_msg_id,
    )
    uow.publish(_reply(command, conversation_id, "messaging.command.rejected.v1", rejected))
