"""Uploading and fetching attachments. Sending one is a message with an attachment_id."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ..attachments.model import Attachment
from ..attachments.service import Attachments
from ..attachments.upload import FIELD, receive
from ..conversations import Conversations
from .auth import Caller
from .schemas import ERRORS, AttachmentInfo

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["attachments"])

MULTIPART_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {FIELD: {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}
SHOWN_INLINE = ("image", "voice", "video")


def _attachments(request: Request) -> Attachments:
    attachments: Attachments = request.app.state.attachments
    return attachments


@router.post(
    "/conversations/{conversation_id}/attachments",
    status_code=201,
    response_model=AttachmentInfo,
    summary="Upload an image, voice note, video or file; send it with a message's attachment_id",
    openapi_extra=MULTIPART_BODY,
)
async def upload(request: Request, caller: Caller, conversation_id: UUID) -> AttachmentInfo:
    conversations: Conversations = request.app.state.conversations
    await conversations.authorize(caller, conversation_id)  # before a byte of the body is read
    attachments = _attachments(request)
    async with receive(request.headers, request.stream(), attachments.rules) as received:
        attachment = await attachments.add(caller, conversation_id, received)
    return AttachmentInfo(**attachment.metadata())


@router.get(
    "/attachments/{attachment_id}",
    summary="The file's bytes (participants of its conversation only)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def fetch(request: Request, caller: Caller, attachment_id: UUID) -> StreamingResponse:
    attachment, chunks = await _attachments(request).open(caller, attachment_id)
    return StreamingResponse(
        chunks, media_type=attachment.mime, headers=_headers(attachment, attachment.name, attachment.size)
    )


@router.get(
    "/attachments/{attachment_id}/thumbnail",
    summary="An image's JPEG thumbnail, at most 320 px on its longer side",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/jpeg": {}}}},
)
async def thumbnail(request: Request, caller: Caller, attachment_id: UUID) -> StreamingResponse:
    attachment, chunks = await _attachments(request).open(caller, attachment_id, thumbnail=True)
    name = attachment.name.rsplit(".", 1)[0] + ".thumbnail.jpg"
    return StreamingResponse(chunks, media_type="image/jpeg", headers=_headers(attachment, name))


def _headers(attachment: Attachment, name: str, size: int | None = None) -> dict[str, str]:
    disposition = "inline" if attachment.kind in SHOWN_INLINE else "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    headers = {
        "content-disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        # never rendered as anything but what the content showed it to be
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox",
        "cache-control": "private, max-age=86400",
    }
    if size is not None:
        headers["content-length"] = str(size)
    return headers
