"""Use cases: each command is get → decide → commit. The new events, the read models,
the contract events, the command's reply and the tracking record are written in one
transaction, so a redelivered command changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from frontdesk_contracts import Contract, Envelope, contract_type
from frontdesk_contracts import messaging as contracts
from frontdesk_platform.consumer import PermanentError
from frontdesk_platform.observability import current_traceparent
from frontdesk_platform.unit_of_work import UnitOfWork
from pydantic import ValidationError

from ..adapters.repository import ConversationRepository
from ..domain import events as e
from ..domain.model import Actor, Conversation, ConversationNotFound, MessageNotFound, NotAllowed, Refused
from ..projections import conversations as read_model
from ..projections import queries

SOURCE = "frontdesk.messaging"
CONSUMER = "messaging.commands"


@dataclass(frozen=True)
class Dependencies:
    conversations: ConversationRepository
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    recall_window: timedelta = timedelta(minutes=2)
    edit_window: timedelta = timedelta(minutes=15)


@dataclass
class Context:
    """One command being carried out, inside its transaction."""

    deps: Dependencies
    uow: UnitOfWork
    command: Envelope

    async def load(self, conversation_id: UUID) -> Conversation:
        return await self.deps.conversations.get(self.uow.session, conversation_id)

    async def save(self, conversation: Conversation) -> list[e.Event]:
        """Append the new events, update the read models and queue the contract events."""
        events = await self.deps.conversations.save(self.uow.session, conversation)
        version = conversation.version - len(events)
        for event in events:
            version += 1
            await read_model.project(self.uow.session, event)
            name = _CONTRACTS[type(event)]
            payload = {
                **asdict(event),
                "shop_id": conversation.shop_id,
                "customer_id": conversation.customer_id,
            }
            data = contract_type(name).parse(payload).model_dump(mode="json")
            self.uow.publish(self._caused(name, conversation.id, data, version))
        return events

    def accept(self, conversation_id: UUID, **result: Any) -> None:
        accepted = contracts.CommandAccepted(
            command_id=self.command.id,
            command_type=self.command.type,
            conversation_id=conversation_id,
            **result,
        )
        self._reply("messaging.command.accepted.v1", conversation_id, accepted)

    def reject(self, conversation_id: UUID, refused: Refused, client_msg_id: str | None = None) -> None:
        rejected = contracts.CommandRejected(
            command_id=self.command.id,
            command_type=self.command.type,
            conversation_id=conversation_id,
            code=refused.code,
            message=str(refused),
            client_msg_id=client_msg_id,
        )
        self._reply("messaging.command.rejected.v1", conversation_id, rejected)

    def _reply(self, name: str, conversation_id: UUID, reply: Contract) -> None:
        self.uow.publish(self._caused(name, conversation_id, reply.model_dump(mode="json")))

    def _caused(
        self, name: str, conversation_id: UUID, data: dict[str, Any], version: int | None = None
    ) -> Envelope:
        return self.command.caused(
            type=name,
            source=SOURCE,
            aggregate_id=str(conversation_id),
            aggregate_version=version,
            traceparent=current_traceparent() or self.command.traceparent,
            data=data,
        )


Handler = Callable[[Context, Any], Awaitable[None]]


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """Carry out one command exactly once, however often Kafka delivers it."""
    entry = _COMMANDS.get(command.type)
    if entry is None:
        raise PermanentError(f"messaging does not handle {command.type}")
    model, handler = entry
    try:
        cmd = model.model_validate(command.data)
    except ValidationError as exc:
        raise PermanentError(f"invalid {command.type}: {exc}") from exc
    async with deps.unit_of_work() as uow:
        if await uow.already_processed(CONSUMER, command.id):
            return
        await handler(Context(deps, uow, command), cmd)
        await uow.mark_processed(CONSUMER, command.id)
        await uow.commit()


def actor_of(cmd: Any) -> Actor:
    actor: contracts.Actor = cmd.actor
    return Actor(actor.user_id, actor.role, actor.shop_id)


async def decide(
    ctx: Context, cmd: Any, decision: Callable[[Conversation, Actor, datetime], Any], **result: Any
) -> None:
    """Load, let the conversation decide, store; reply with the outcome either way."""
    conversation = await ctx.load(cmd.conversation_id)
    try:
        outcome = decision(conversation, actor_of(cmd), ctx.deps.clock())
    except Refused as refused:
        ctx.reject(cmd.conversation_id, refused)
        return
    await ctx.save(conversation)
    details = {"value": outcome} if outcome is not None else None
    ctx.accept(cmd.conversation_id, details=details, **result)


async def open_conversation(ctx: Context, cmd: contracts.OpenConversation) -> None:
    conversation = await ctx.load(cmd.conversation_id)
    try:
        conversation.open(cmd.shop_id, cmd.customer_id, actor_of(cmd), ctx.deps.clock())
    except Refused as refused:
        ctx.reject(cmd.conversation_id, refused)
        return
    stored = await ctx.save(conversation)
    ctx.accept(cmd.conversation_id, duplicate=not stored)


async def send_message(ctx: Context, cmd: contracts.SendMessage) -> None:
    actor = actor_of(cmd)
    conversation = await ctx.load(cmd.conversation_id)
    if conversation.may_access(actor):
        earlier = await queries.find_sent(
            ctx.uow.session, cmd.conversation_id, actor.user_id, cmd.client_msg_id
        )
        if earlier:
            ctx.accept(cmd.conversation_id, client_msg_id=cmd.client_msg_id, duplicate=True, **earlier)
            return
    message_id = uuid5(cmd.conversation_id, f"{actor.user_id}:{cmd.client_msg_id}")
    try:
        attachment = cmd.attachment.model_dump(mode="json") if cmd.attachment else None
        sent = conversation.send(
            actor, message_id, cmd.client_msg_id, cmd.text, ctx.deps.clock(), cmd.kind, attachment
        )
    except Refused as refused:
        ctx.reject(cmd.conversation_id, refused, cmd.client_msg_id)
        return
    await ctx.save(conversation)
    ctx.accept(
        cmd.conversation_id, message_id=sent.message_id, seq=sent.seq, client_msg_id=sent.client_msg_id
    )


async def change_message(ctx: Context, cmd: contracts.RecallMessage | contracts.EditMessage) -> None:
    stored = await queries.stored_message(ctx.uow.session, cmd.conversation_id, cmd.message_id)
    deps = ctx.deps

    def change(conversation: Conversation, actor: Actor, now: datetime) -> None:
        if stored is None:
            if not conversation.may_access(actor):
                raise ConversationNotFound("no such conversation")
            raise MessageNotFound("no such message")
        if isinstance(cmd, contracts.EditMessage):
            conversation.edit(actor, stored, cmd.text, now, deps.edit_window)
        else:
            conversation.recall(actor, stored, now, deps.recall_window)

    await decide(ctx, cmd, change, message_id=cmd.message_id)


async def assign(ctx: Context, cmd: contracts.AssignConversation) -> None:
    shop_staff = cmd.assignee_id is None or await queries.is_staff(
        ctx.uow.session, cmd.actor.shop_id, cmd.assignee_id
    )

    def change(conversation: Conversation, actor: Actor, now: datetime) -> None:
        if not shop_staff:
            raise NotAllowed("conversations go to staff of this shop only")
        conversation.assign(actor, cmd.assignee_id, now, cmd.handoff_note)

    await decide(ctx, cmd, change)


_COMMANDS: dict[str, tuple[type[Contract], Handler]] = {
    "messaging.conversation.assign.v1": (contracts.AssignConversation, assign),
    "messaging.conversation.open.v1": (contracts.OpenConversation, open_conversation),
    "messaging.message.send.v1": (contracts.SendMessage, send_message),
    "messaging.message.recall.v1": (contracts.RecallMessage, change_message),
    "messaging.message.edit.v1": (contracts.EditMessage, change_message),
    "messaging.receipt.mark_read.v1": (
        contracts.MarkRead,
        lambda ctx, cmd: decide(ctx, cmd, lambda c, a, now: c.mark_read(a, cmd.up_to_seq, now)),
    ),
    "messaging.receipt.mark_delivered.v1": (
        contracts.MarkDelivered,
        lambda ctx, cmd: decide(ctx, cmd, lambda c, a, now: c.mark_delivered(a, cmd.up_to_seq, now)),
    ),
    "messaging.note.add.v1": (
        contracts.AddNote,
        lambda ctx, cmd: decide(ctx, cmd, lambda c, a, now: c.add_note(a, cmd.note_id, cmd.text, now)),
    ),
    "messaging.conversation.set_labels.v1": (
        contracts.SetLabels,
        lambda ctx, cmd: decide(ctx, cmd, lambda c, a, now: c.set_labels(a, cmd.labels, now)),
    ),
    "messaging.conversation.set_status.v1": (
        contracts.SetStatus,
        lambda ctx, cmd: decide(ctx, cmd, lambda c, a, now: c.set_status(a, cmd.status, now)),
    ),
    "messaging.survey.answer.v1": (
        contracts.AnswerSurvey,
        lambda ctx, cmd: decide(
            ctx, cmd, lambda c, a, now: c.answer_survey(a, cmd.survey_id, cmd.rating, cmd.comment, now)
        ),
    ),
}

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
}
