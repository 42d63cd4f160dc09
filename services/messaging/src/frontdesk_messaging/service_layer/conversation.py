"""Commands about one conversation: open, send, recall/edit, assign, and the rest."""

from __future__ import annotations

from datetime import datetime

from frontdesk_contracts import messaging as contracts
from frontdesk_platform.faults import Transient

from ..domain.events import MessageSent
from ..domain.model import Actor, Conversation, ConversationNotFound, MessageNotFound, NotAllowed
from ..domain.shop import DEFAULT_CAPACITY
from ..projections import queries, shops
from .context import Answer, Context, actor_of, decide, sent_message_id


async def open_conversation(ctx: Context, cmd: contracts.OpenConversation) -> Answer:
    conversation = await ctx.load(cmd.conversation_id)
    conversation.open(cmd.shop_id, cmd.customer_id, actor_of(cmd), ctx.deps.clock())
    stored = await ctx.save(conversation)
    return {"duplicate": not stored}


async def send_message(ctx: Context, cmd: contracts.SendMessage) -> Answer:
    actor = actor_of(cmd)
    conversation = await ctx.load(cmd.conversation_id)
    message_id = sent_message_id(cmd)
    if conversation.may_access(actor):
        earlier = await ctx.sent_before(message_id)
        if earlier:
            return {"duplicate": True, **earlier}
    attachment = cmd.attachment.model_dump(mode="json") if cmd.attachment else None
    sent = conversation.send(
        actor,
        message_id,
        cmd.client_msg_id,
        cmd.text,
        ctx.deps.clock(),
        cmd.kind,
        attachment,
        as_assistant=cmd.as_assistant,
    )
    if not actor.is_staff:
        await _answer_customer(ctx, conversation, sent)
    await ctx.save(conversation)
    ctx.sent(sent.message_id, sent.seq)
    return {"message_id": sent.message_id, "seq": sent.seq}


async def _answer_customer(ctx: Context, conversation: Conversation, sent: MessageSent) -> None:
    """Outside business hours the shop answers by itself, unless its assistant answers the
    message (one answer, not two); an unassigned conversation goes to the next online staff
    member with room (round-robin)."""
    assert conversation.shop_id is not None
    now = sent.sent_at
    settings = await ctx.load_shop(conversation.shop_id)
    closed = settings.out_of_hours(now)
    if closed is not None and not settings.assistant_answers(conversation, sent.text):
        conversation.reply_out_of_hours(*closed, now)
    if conversation.assignee_id is None:
        staff_id = await ctx.next_in_rotation(conversation.shop_id)
        if staff_id is not None:
            conversation.assign(None, staff_id, now)


async def change_message(ctx: Context, cmd: contracts.RecallMessage | contracts.EditMessage) -> Answer:
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

    return await decide(ctx, cmd, change, message_id=cmd.message_id)


class NotYetKnown(Transient):
    """Identity has not announced this person to messaging yet; the consumer retries."""


async def assign(ctx: Context, cmd: contracts.AssignConversation) -> Answer:
    if cmd.next_in_rotation and cmd.assignee_id is None:
        return await _hand_off(ctx, cmd)
    shop_staff = True
    if cmd.assignee_id is not None:
        person = await queries.person(ctx.uow.session, cmd.assignee_id)
        if person is None:
            raise NotYetKnown(f"staff member {cmd.assignee_id} not announced yet")
        shop_staff = person["shop_id"] == cmd.actor.shop_id and person["role"] in ("owner", "staff")

    def change(conversation: Conversation, actor: Actor, now: datetime) -> None:
        if not shop_staff:
            raise NotAllowed("conversations go to staff of this shop only")
        conversation.assign(actor, cmd.assignee_id, now, cmd.handoff_note)

    return await decide(ctx, cmd, change)


async def _hand_off(ctx: Context, cmd: contracts.AssignConversation) -> Answer:
    """To the person who has the conversation, else the next staff member in rotation
    (online first, then anyone with room, then anyone: a handoff always reaches someone)."""
    conversation = await ctx.load(cmd.conversation_id)
    actor = actor_of(cmd)
    staff_id = conversation.assignee_id
    if staff_id is None and conversation.may_access(actor):
        staff_id = await shops.next_for_handoff(ctx.uow.session, actor.shop_id, DEFAULT_CAPACITY)
    if staff_id is None and conversation.may_access(actor):
        raise NotAllowed("the shop has no staff member to hand the conversation to")
    conversation.hand_off(actor, staff_id or actor.user_id, ctx.deps.clock(), cmd.handoff_note)
    await ctx.save(conversation)
    return {"details": {"assignee_id": str(staff_id)}}
