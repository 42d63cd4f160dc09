"""Use cases: each command is get → decide → save → answer. The new events, the read models,
the contract events, the command's reply and the tracking record are written in one
transaction, so a redelivered command changes nothing."""

from __future__ import annotations

from functools import partial

from frontdesk_contracts import Contract, Envelope
from frontdesk_contracts import calls as call_contracts
from frontdesk_contracts import messaging as contracts
from frontdesk_platform.pipeline import Pipeline, Preload, Route

from . import calls, shop
from . import conversation as c
from .context import ANSWERS, CONSUMER, Context, Dependencies, Handler, decide, preload_reads, preload_take

__all__ = ["CONSUMER", "Dependencies", "commands", "handle_command"]


def commands(deps: Dependencies) -> Pipeline[Context]:
    routes = {name: Route(handler, model) for name, (model, handler) in _COMMANDS.items()}
    return Pipeline(
        routes,
        lambda uow, command: Context(deps, uow, command),
        ANSWERS,
        preload=Preload(partial(preload_reads, deps), partial(preload_take, deps)),
    )


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """One command on its own (tests); the consumer carries out batches with `commands`."""
    await commands(deps).carry_out_one(CONSUMER, deps.unit_of_work, command)


_COMMANDS: dict[str, tuple[type[Contract], Handler]] = {
    **shop.COMMANDS,
    "messaging.conversation.assign.v1": (contracts.AssignConversation, c.assign),
    "messaging.conversation.open.v1": (contracts.OpenConversation, c.open_conversation),
    "messaging.message.send.v1": (contracts.SendMessage, c.send_message),
    "messaging.call.record.v1": (call_contracts.RecordCall, calls.record_call),
    "messaging.message.recall.v1": (contracts.RecallMessage, c.change_message),
    "messaging.message.edit.v1": (contracts.EditMessage, c.change_message),
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
