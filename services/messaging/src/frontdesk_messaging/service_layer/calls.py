"""A call's steps, as the gateway that carried the call out reports them: started, answered,
ended. The end also leaves a message in the conversation (history, unread counts, search,
reports and notifications see calls that way)."""

from __future__ import annotations

from frontdesk_contracts.calls import CallSummary, RecordCall
from frontdesk_contracts.messaging import conversation_id_for

from ..domain.calls import call_text
from ..domain.events import CallAnswered, CallEnded, CallStarted
from ..domain.model import ConversationNotFound, InvalidMessage
from .context import Answer, Context, actor_of


async def record_call(ctx: Context, cmd: RecordCall) -> Answer:
    conversation = await ctx.load(cmd.conversation_id)
    actor = actor_of(cmd)
    if cmd.phase == "started":
        if cmd.customer_id is not None and cmd.conversation_id != conversation_id_for(
            cmd.actor.shop_id, cmd.customer_id
        ):
            raise ConversationNotFound("this conversation belongs to someone else")
        conversation.start_call(
            actor,
            CallStarted(
                cmd.conversation_id,
                cmd.call_id,
                cmd.media,
                cmd.caller_id,
                cmd.caller_role,
                cmd.at,
                cmd.booking_id,
            ),
            cmd.customer_id,
        )
    elif cmd.phase == "answered":
        if cmd.answered_by is None:
            raise InvalidMessage("an answered call names who answered it")
        conversation.answer_call(
            actor, CallAnswered(cmd.conversation_id, cmd.call_id, cmd.answered_by, cmd.at)
        )
    else:
        if cmd.outcome is None:
            raise InvalidMessage("an ended call says how it ended")
        duration_ms = max(int((cmd.at - cmd.answered_at).total_seconds() * 1000), 0) if cmd.answered_at else 0
        ended = CallEnded(
            cmd.conversation_id,
            cmd.call_id,
            cmd.media,
            cmd.outcome,
            cmd.caller_id,
            cmd.answered_by,
            cmd.at,
            duration_ms,
            cmd.booking_id,
        )
        summary = CallSummary(
            call_id=cmd.call_id,
            media=cmd.media,
            outcome=cmd.outcome,
            caller_id=cmd.caller_id,
            answered_by=cmd.answered_by,
            started_at=cmd.started_at,
            answered_at=cmd.answered_at,
            ended_at=cmd.at,
            duration_ms=duration_ms,
            booking_id=cmd.booking_id,
        ).model_dump(mode="json")
        text = call_text(ctx.deps.language, cmd.media, cmd.outcome, duration_ms)
        conversation.end_call(actor, ended, cmd.caller_role, text, summary)
    await ctx.save(conversation)
    return {}
