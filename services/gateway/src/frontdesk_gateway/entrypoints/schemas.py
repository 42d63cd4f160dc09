"""Request and response bodies of the public API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from frontdesk_contracts.messaging import CallSummary
from frontdesk_platform.storable import Int32, StoredBody
from pydantic import BaseModel, Field, model_validator

Login = Field(min_length=3, max_length=120, description="An email address or phone number.")
Password = Field(min_length=1, max_length=200)
Name = Field(min_length=1, max_length=100)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["conversation_not_found"])
    message: str
    details: Any | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
}


class Credentials(StoredBody):
    login: str = Login
    name: str = Name
    password: str = Password


class RegisterShop(StoredBody):
    name: str = Name
    timezone: str = Field(default="Asia/Shanghai", examples=["Asia/Shanghai", "Europe/Berlin"])
    owner: Credentials


class SignIn(StoredBody):
    shop_id: UUID
    login: str = Login
    password: str = Password


class Refresh(StoredBody):
    refresh_token: str = Field(min_length=10, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    refresh_token: str
    user_id: UUID
    shop_id: UUID
    role: Literal["owner", "staff", "customer"]


class StaffCreated(BaseModel):
    """The new account; its person signs in with POST /v1/auth/token {shop_id, login, password}."""

    staff_id: UUID
    shop_id: UUID
    login: str
    name: str
    role: Literal["staff"] = "staff"
    status: Literal["active"] = "active"


class OpenConversation(StoredBody):
    customer_id: UUID | None = Field(
        default=None, description="Staff: the customer to talk to. Customers leave it out."
    )


class Conversation(BaseModel):
    id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_at: datetime
    last_seq: int
    last_activity_at: datetime
    last_message_preview: str | None
    status: Literal["open", "pending", "resolved"]
    unread_count: int = Field(description="Messages from the other side after the caller's read mark.")
    read_seq: int = Field(description="The caller's read mark.")
    open_survey_id: UUID | None = Field(description="Set while the customer may rate the conversation.")
    change_cursor: int
    labels: list[str] | None = Field(default=None, description="Staff only.")
    assignee_id: UUID | None = Field(default=None, description="Staff only.")
    assigned_at: datetime | None = Field(default=None, description="Staff only.")
    handoff_note: str | None = Field(
        default=None, description="Staff only: the note left at the last transfer."
    )


class ConversationChanges(BaseModel):
    conversations: list[Conversation]
    next_cursor: int = Field(description="Pass as `cursor` next time to get only what changed since.")
    has_more: bool


class SendMessage(StoredBody):
    client_msg_id: str = Field(
        min_length=1,
        max_length=64,
        description="Chosen by the client; sending again with the same id never makes a second message.",
    )
    text: str | None = Field(
        default=None, description="The message; with an attachment its caption, which may be empty."
    )
    attachment_id: UUID | None = Field(
        default=None,
        description="From POST /v1/conversations/{id}/attachments, uploaded by the sender to this conversation.",
    )

    @model_validator(mode="after")
    def _text_or_attachment(self) -> SendMessage:
        if self.attachment_id is None and not self.text:
            raise ValueError("text is required unless attachment_id is given")
        return self


class AttachmentInfo(BaseModel):
    attachment_id: UUID
    kind: Literal["image", "voice", "video", "file"]
    name: str
    mime: str = Field(description="What the content is, whatever the upload said.")
    size: int
    duration_ms: int | None = Field(default=None, description="Voice and video, where it can be read.")
    width: int | None = Field(default=None, description="Images, as displayed (EXIF rotation applied).")
    height: int | None = None
    thumbnail_id: UUID | None = Field(
        default=None, description="Images: GET /v1/attachments/{attachment_id}/thumbnail."
    )


class Message(BaseModel):
    conversation_id: UUID
    seq: int
    message_id: UUID
    sender_id: UUID
    sender_role: Literal["owner", "staff", "customer"]
    sender_kind: str = Field(
        description="person, auto_reply, assistant, booking_update, waitlist_offer or call"
    )
    client_msg_id: str
    kind: str
    text: str = Field(description="Empty once recalled.")
    sent_at: datetime
    recalled: bool
    edited_at: datetime | None
    attachment: dict[str, Any] | None = Field(
        default=None, description="attachment_id, name, mime, size, duration_ms, width, height, thumbnail_id"
    )
    booking_update: dict[str, Any] | None = Field(
        default=None,
        description="Booking progress updates: booking_id, update_id, photo_ref; a waitlist offer: booking_id (the hold)",
    )
    call: CallSummary | None = Field(
        default=None, description="sender_kind call: how the call went (docs/calls.md)"
    )


class MessageAccepted(BaseModel):
    status: Literal["stored", "pending"]
    conversation_id: UUID
    client_msg_id: str
    message_id: UUID | None = None
    seq: int | None = None
    duplicate: bool = False


class MessagePage(BaseModel):
    messages: list[Message]
    last_seq: int = Field(description="The conversation's newest seq.")


class UpToSeq(StoredBody):
    up_to_seq: Int32 = Field(ge=0)


class EditText(StoredBody):
    text: str = Field(min_length=1)


class NewNote(StoredBody):
    text: str = Field(min_length=1, max_length=4000)


class Note(BaseModel):
    note_id: UUID
    conversation_id: UUID
    author_id: UUID
    text: str
    added_at: datetime


class Assignment(StoredBody):
    assignee_id: UUID | None = Field(description="A staff member of the shop; null unassigns.")
    handoff_note: str | None = Field(default=None, max_length=2000, description="For the next staff member.")


class Labels(StoredBody):
    labels: list[str] = Field(max_length=20)


class StatusChange(StoredBody):
    status: Literal["open", "pending", "resolved"]


class SurveyAnswer(StoredBody):
    survey_id: UUID
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)


class Done(BaseModel):
    conversation_id: UUID
    details: dict[str, Any] | None = None


class Unread(BaseModel):
    total: int


class PresenceChange(StoredBody):
    status: Literal["online", "busy"]
