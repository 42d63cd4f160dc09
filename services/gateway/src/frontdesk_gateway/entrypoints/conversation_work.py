"""Receipts, sync, recall/edit, notes, assignment, labels, status and the survey."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import Int64

from ..conversations import Conversations
from ..identity.tokens import Principal
from .auth import Caller
from .schemas import (
    ERRORS,
    Assignment,
    ConversationChanges,
    Done,
    EditText,
    Labels,
    NewNote,
    Note,
    PresenceChange,
    StatusChange,
    SurveyAnswer,
    Unread,
    UpToSeq,
)

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["conversations"])
PATH = "/conversations/{conversation_id}"


def _conversations(request: Request) -> Conversations:
    conversations: Conversations = request.app.state.conversations
    return conversations


def _staff(caller: Principal) -> None:
    if not caller.is_staff:
        raise ApiError(403, "forbidden", "Only the shop's staff can do that.")


async def _run(request: Request, caller: Principal, conversation_id: UUID, name: str, **payload: Any) -> Done:
    reply = await _conversations(request).execute(caller, conversation_id, name, payload)
    return Done(conversation_id=conversation_id, details=reply.get("details"))


@router.get(
    "/conversations/sync",
    response_model=ConversationChanges,
    summary="Conversations changed since a cursor (start at 0), oldest change first, paged",
)
async def sync(
    request: Request,
    caller: Caller,
    cursor: Annotated[Int64, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 200,
) -> ConversationChanges:
    return ConversationChanges(**await _conversations(request).changes(caller, cursor, limit))


@router.get("/unread", response_model=Unread, summary="The caller's unread messages over all conversations")
async def unread(request: Request, caller: Caller) -> Unread:
    return Unread(**await _conversations(request).read(caller, "/internal/unread"))


@router.post(PATH + "/read", response_model=Done, summary="Read up to a seq (the mark never moves back)")
async def mark_read(request: Request, caller: Caller, conversation_id: UUID, body: UpToSeq) -> Done:
    return await _run(
        request, caller, conversation_id, "messaging.receipt.mark_read.v1", up_to_seq=body.up_to_seq
    )


@router.post(PATH + "/delivered", response_model=Done, summary="A device has received up to a seq")
async def mark_delivered(request: Request, caller: Caller, conversation_id: UUID, body: UpToSeq) -> Done:
    return await _run(
        request, caller, conversation_id, "messaging.receipt.mark_delivered.v1", up_to_seq=body.up_to_seq
    )


@router.post(
    PATH + "/messages/{message_id}/recall",
    response_model=Done,
    summary="Recall one's own message within the recall window (default 2 minutes)",
)
async def recall(request: Request, caller: Caller, conversation_id: UUID, message_id: UUID) -> Done:
    return await _run(request, caller, conversation_id, "messaging.message.recall.v1", message_id=message_id)


@router.patch(
    PATH + "/messages/{message_id}",
    response_model=Done,
    summary="Edit one's own message within the edit window (default 15 minutes)",
)
async def edit(
    request: Request, caller: Caller, conversation_id: UUID, message_id: UUID, body: EditText
) -> Done:
    return await _run(
        request, caller, conversation_id, "messaging.message.edit.v1", message_id=message_id, text=body.text
    )


@router.post(
    PATH + "/notes",
    response_model=Note,
    status_code=201,
    summary="An internal note: staff only, never shown to the customer",
)
async def add_note(request: Request, caller: Caller, conversation_id: UUID, body: NewNote) -> Note:
    _staff(caller)
    note_id = uuid4()
    await _run(request, caller, conversation_id, "messaging.note.add.v1", note_id=note_id, text=body.text)
    notes = await _conversations(request).read(caller, f"/internal/conversations/{conversation_id}/notes")
    return next(Note(**n) for n in notes if n["note_id"] == str(note_id))


@router.get(PATH + "/notes", response_model=list[Note], summary="Internal notes (staff only)")
async def list_notes(request: Request, caller: Caller, conversation_id: UUID) -> list[Note]:
    _staff(caller)
    await _conversations(request).authorize(caller, conversation_id)
    notes = await _conversations(request).read(caller, f"/internal/conversations/{conversation_id}/notes")
    return [Note(**n) for n in notes]


@router.put(
    PATH + "/assignment",
    response_model=Done,
    summary="Assign or transfer to a staff member, with a handoff note for them",
)
async def assign(request: Request, caller: Caller, conversation_id: UUID, body: Assignment) -> Done:
    _staff(caller)
    if body.assignee_id is not None and not await request.app.state.identity.is_staff(
        caller.shop_id, body.assignee_id
    ):
        raise ApiError(403, "not_allowed", "Conversations go to staff of this shop only.")
    return await _run(
        request,
        caller,
        conversation_id,
        "messaging.conversation.assign.v1",
        assignee_id=body.assignee_id,
        handoff_note=body.handoff_note,
    )


@router.put(PATH + "/labels", response_model=Done, summary="Replace the labels (staff only)")
async def set_labels(request: Request, caller: Caller, conversation_id: UUID, body: Labels) -> Done:
    _staff(caller)
    return await _run(
        request, caller, conversation_id, "messaging.conversation.set_labels.v1", labels=body.labels
    )


@router.put(
    PATH + "/status",
    response_model=Done,
    summary="open / pending / resolved; resolving asks the customer for a rating",
)
async def set_status(request: Request, caller: Caller, conversation_id: UUID, body: StatusChange) -> Done:
    _staff(caller)
    return await _run(
        request, caller, conversation_id, "messaging.conversation.set_status.v1", status=body.status
    )


@router.post(
    PATH + "/survey", response_model=Done, summary="The customer rates a resolved conversation (1-5)"
)
async def answer_survey(request: Request, caller: Caller, conversation_id: UUID, body: SurveyAnswer) -> Done:
    if caller.is_staff:
        raise ApiError(403, "forbidden", "Only the customer rates the conversation.")
    return await _run(
        request,
        caller,
        conversation_id,
        "messaging.survey.answer.v1",
        survey_id=body.survey_id,
        rating=body.rating,
        comment=body.comment,
    )


@router.get("/presence", summary="Staff of the caller's shop: online, busy or offline")
async def presence(request: Request, caller: Caller) -> dict[str, Any]:
    staff = await request.app.state.signals.shop_staff(caller.shop_id)
    if caller.is_staff:
        return {"staff": staff}
    return {"staff_online": sum(1 for s in staff if s["status"] == "online")}


@router.put("/presence", summary="A staff member sets their status: online or busy")
async def set_presence(request: Request, caller: Caller, body: PresenceChange) -> dict[str, Any]:
    _staff(caller)
    status = await request.app.state.signals.set_status(caller, body.status)
    return {"user_id": str(caller.user_id), "status": status}
